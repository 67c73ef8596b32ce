/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rtnl.h"

#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "nlwatch.h"

/* From <linux/if.h>, which cannot be included together with <net/if.h>. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

struct Rtnl {
        struct nl_sock *sock;
        int last_errno; /* the kernel's error of the last request, from its NLMSG_ERROR */
};

/* libnl maps kernel errors onto its own NLE_* codes, which merge
 * EOPNOTSUPP, EPROTONOSUPPORT and friends. The error callback keeps the
 * kernel's errno so that callers can tell an unsupported knob from a refused
 * value. */
static int on_nlmsgerr(struct sockaddr_nl *nla _unused_, struct nlmsgerr *e, void *arg) {
        Rtnl *r = arg;
        r->last_errno = e->error < 0 ? -e->error : e->error;
        return NL_STOP;
}

int rtnl_new(Rtnl **ret) {
        _cleanup_(rtnl_freep) Rtnl *r = calloc(1, sizeof(*r));
        int e;

        if (!r)
                return -ENOMEM;
        r->sock = nl_socket_alloc();
        if (!r->sock)
                return -ENOMEM;
        e = nl_connect(r->sock, NETLINK_ROUTE);
        if (e < 0)
                return log_error_errno(EIO, "rtnetlink: cannot connect: %s", nl_geterror(e));
        nl_socket_modify_err_cb(r->sock, NL_CB_CUSTOM, on_nlmsgerr, r);
        *ret = TAKE_PTR(r);
        return 0;
}

Rtnl *rtnl_free(Rtnl *r) {
        if (!r)
                return NULL;
        if (r->sock)
                nl_socket_free(r->sock);
        free(r);
        return NULL;
}

void pf_link_done(PfLink *l) {
        free(l->vfs);
        *l = (PfLink){ 0 };
}

/* The errno for a failed libnl call: the kernel's when our error callback saw
 * it, else translated back from libnl's code (some libnl calls install their
 * own error callback). */
static int request_errno(Rtnl *r, int nle) {
        static const struct {
                int nle, err;
        } map[] = {
                { NLE_NOMEM, ENOMEM },       { NLE_NODEV, ENODEV },   { NLE_OBJ_NOTFOUND, ENODEV },
                { NLE_PERM, EPERM },         { NLE_INVAL, EINVAL },   { NLE_BUSY, EBUSY },
                { NLE_RANGE, ERANGE },       { NLE_OPNOTSUPP, EOPNOTSUPP },
                { NLE_AGAIN, EAGAIN },       { NLE_EXIST, EEXIST },
        };
        if (r->last_errno)
                return -r->last_errno;
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (map[i].nle == -nle)
                        return -map[i].err;
        return -EIO;
}

DEFINE_CLEANUP_FUNC(struct rtnl_link *, rtnl_link_put);

static void read_vf(struct rtnl_link_vf *vf, VfObserved *o) {
        struct nl_addr *addr = NULL;
        nl_vf_vlans_t *vlans = NULL;
        struct nl_vf_rate rate = { .api = RTNL_LINK_VF_RATE_API_NEW };
        uint32_t v;
        uint64_t st;

        /* libnl leaves out attributes that hold their "off" value (no VLAN, rate 0). */
        o->settings = (NfvVfSettings){ .set = VF_KNOBS_ALL, .vlan_proto = VF_VLAN_PROTO_8021Q };
        if (rtnl_link_vf_get_addr(vf, &addr) >= 0 && addr && nl_addr_get_len(addr) == 6)
                memcpy(o->settings.mac.b, nl_addr_get_binary_addr(addr), 6);
        if (rtnl_link_vf_get_vlans(vf, &vlans) >= 0 && vlans && vlans->size > 0) {
                o->settings.vlan = (uint16_t) vlans->vlans[0].vf_vlan;
                o->settings.qos = (uint8_t) vlans->vlans[0].vf_vlan_qos;
                /* The kernel reports the protocol in network byte order. */
                uint16_t proto = vlans->vlans[0].vf_vlan_proto;
                if (proto == htons(VF_VLAN_PROTO_8021AD) || proto == VF_VLAN_PROTO_8021AD)
                        o->settings.vlan_proto = VF_VLAN_PROTO_8021AD;
        }
        if (rtnl_link_vf_get_spoofchk(vf, &v) >= 0)
                o->settings.spoofchk = v;
        if (rtnl_link_vf_get_trust(vf, &v) >= 0)
                o->settings.trust = v;
        if (rtnl_link_vf_get_linkstate(vf, &v) >= 0)
                o->settings.link_state = (VfLinkState) v;
        if (rtnl_link_vf_get_rate(vf, &rate) >= 0) {
                o->settings.min_tx_rate = rate.min_tx_rate;
                o->settings.max_tx_rate = rate.max_tx_rate ? rate.max_tx_rate : rate.rate;
        }
        o->has_stats = rtnl_link_vf_get_stat(vf, RTNL_LINK_VF_STATS_RX_PACKETS, &st) >= 0;
        if (o->has_stats) {
                o->stats.rx_packets = st;
                rtnl_link_vf_get_stat(vf, RTNL_LINK_VF_STATS_TX_PACKETS, &o->stats.tx_packets);
                rtnl_link_vf_get_stat(vf, RTNL_LINK_VF_STATS_RX_BYTES, &o->stats.rx_bytes);
                rtnl_link_vf_get_stat(vf, RTNL_LINK_VF_STATS_TX_BYTES, &o->stats.tx_bytes);
                rtnl_link_vf_get_stat(vf, RTNL_LINK_VF_STATS_BROADCAST, &o->stats.broadcast);
                rtnl_link_vf_get_stat(vf, RTNL_LINK_VF_STATS_MULTICAST, &o->stats.multicast);
        }
}

int rtnl_read_pf(Rtnl *r, const char *ifname, PfLink *ret) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
        PfLink l = { 0 };
        uint32_t n;
        int e;

        r->last_errno = 0;
        /* rtnl_link_get_kernel asks with RTEXT_FILTER_VF: one request returns every VF. */
        e = rtnl_link_get_kernel(r->sock, 0, ifname, &link);
        if (e < 0)
                return request_errno(r, e);
        l.ifindex = rtnl_link_get_ifindex(link);
        l.admin_up = rtnl_link_get_flags(link) & IFF_UP;
        l.carrier = rtnl_link_get_flags(link) & IFF_LOWER_UP;
        if (rtnl_link_get_num_vf(link, &n) < 0)
                n = 0;
        if (n > 0) {
                l.vfs = calloc(n, sizeof(VfObserved));
                if (!l.vfs)
                        return -ENOMEM;
        }
        for (uint32_t i = 0; i < n; i++) {
                struct rtnl_link_vf *vf = rtnl_link_vf_get(link, i);
                if (!vf)
                        continue;
                l.vfs[l.n_vfs].index = i;
                read_vf(vf, &l.vfs[l.n_vfs]);
                l.n_vfs++;
                rtnl_link_vf_put(vf);
        }
        *ret = l;
        return 0;
}

static const struct {
        const char *name;
        uint32_t knobs;
} groups[_VF_GROUP_MAX] = {
        [VF_GROUP_MAC] = { "mac", VF_KNOB_BIT(VF_KNOB_MAC) },
        [VF_GROUP_VLAN] = { "vlan", VF_KNOB_BIT(VF_KNOB_VLAN) | VF_KNOB_BIT(VF_KNOB_QOS) |
                                            VF_KNOB_BIT(VF_KNOB_VLAN_PROTO) },
        [VF_GROUP_SPOOFCHK] = { "spoofchk", VF_KNOB_BIT(VF_KNOB_SPOOFCHK) },
        [VF_GROUP_TRUST] = { "trust", VF_KNOB_BIT(VF_KNOB_TRUST) },
        [VF_GROUP_LINK_STATE] = { "link_state", VF_KNOB_BIT(VF_KNOB_LINK_STATE) },
        [VF_GROUP_RATE] = { "rate", VF_KNOB_BIT(VF_KNOB_MIN_TX_RATE) |
                                            VF_KNOB_BIT(VF_KNOB_MAX_TX_RATE) },
};

VfKnobGroup vf_knob_group(VfKnob k) {
        for (int g = 0; g < _VF_GROUP_MAX; g++)
                if (groups[g].knobs & VF_KNOB_BIT(k))
                        return (VfKnobGroup) g;
        return VF_GROUP_MAC;
}

uint32_t vf_group_knobs(VfKnobGroup g) {
        return groups[g].knobs;
}

const char *vf_group_to_string(VfKnobGroup g) {
        return groups[g].name;
}

DEFINE_CLEANUP_FUNC(struct rtnl_link_vf *, rtnl_link_vf_put);
DEFINE_CLEANUP_FUNC(struct nl_addr *, nl_addr_put);

int rtnl_set_vf(Rtnl *r, int ifindex, unsigned vf, VfKnobGroup g, const NfvVfSettings *s) {
        _cleanup_(rtnl_link_putp) struct rtnl_link *orig = rtnl_link_alloc(), *change = rtnl_link_alloc();
        _cleanup_(rtnl_link_vf_putp) struct rtnl_link_vf *v = rtnl_link_vf_alloc();
        _cleanup_(nl_addr_putp) struct nl_addr *addr = NULL;
        nl_vf_vlans_t *vlans = NULL;
        struct nl_vf_rate rate;
        int e;

        if (!orig || !change || !v)
                return -ENOMEM;
        rtnl_link_set_ifindex(orig, ifindex);
        rtnl_link_vf_set_index(v, vf);
        switch (g) {
        case VF_GROUP_MAC:
                addr = nl_addr_build(AF_LLC, s->mac.b, 6);
                if (!addr)
                        return -ENOMEM;
                rtnl_link_vf_set_addr(v, addr);
                break;
        case VF_GROUP_VLAN:
                if (rtnl_link_vf_vlan_alloc(&vlans, 1) < 0)
                        return -ENOMEM;
                vlans->vlans[0].vf_vlan = s->vlan;
                vlans->vlans[0].vf_vlan_qos = s->qos;
                /* IFLA_VF_VLAN_INFO carries the protocol in network byte order. */
                vlans->vlans[0].vf_vlan_proto = htons(s->vlan_proto);
                rtnl_link_vf_set_vlans(v, vlans);
                rtnl_link_vf_vlan_put(vlans);
                break;
        case VF_GROUP_SPOOFCHK:
                rtnl_link_vf_set_spoofchk(v, s->spoofchk);
                break;
        case VF_GROUP_TRUST:
                rtnl_link_vf_set_trust(v, s->trust);
                break;
        case VF_GROUP_LINK_STATE:
                rtnl_link_vf_set_linkstate(v, s->link_state);
                break;
        case VF_GROUP_RATE:
                rate = (struct nl_vf_rate){ .api = RTNL_LINK_VF_RATE_API_NEW,
                                            .min_tx_rate = s->min_tx_rate,
                                            .max_tx_rate = s->max_tx_rate };
                rtnl_link_vf_set_rate(v, &rate);
                break;
        default:
                return -EINVAL;
        }
        e = rtnl_link_vf_add(change, v);
        if (e < 0)
                return -ENOMEM;
        r->last_errno = 0;
        e = rtnl_link_change(r->sock, orig, change, 0);
        return e < 0 ? request_errno(r, e) : 0;
}

/* Link events */

struct LinkWatch {
        NlWatch nl;
        link_event_handler_t handler;
        void *userdata;
};

static void on_link_object(struct nl_object *obj, void *arg) {
        LinkWatch *w = arg;
        struct rtnl_link *link = (struct rtnl_link *) obj;
        const char *name = rtnl_link_get_name(link);
        bool removed = nl_object_get_msgtype(obj) == RTM_DELLINK;

        w->handler(rtnl_link_get_ifindex(link), name ? name : "", removed,
                   rtnl_link_get_flags(link) & IFF_LOWER_UP, w->userdata);
}

static int on_link_msg(struct nl_msg *msg, void *arg) {
        /* nl_msg_parse turns the message into an rtnl_link through libnl's cache ops. */
        nl_msg_parse(msg, on_link_object, arg);
        return NL_OK;
}

static int on_link_io(sd_event_source *s _unused_, int fd _unused_, uint32_t revents _unused_,
                      void *userdata) {
        LinkWatch *w = userdata;
        int e = nl_recvmsgs_default(w->nl.sock);
        /* Overrun (ENOBUFS): events were lost; tell the handler something changed. */
        if (e == -NLE_NOMEM || e == -NLE_MSG_OVERFLOW)
                w->handler(0, "", false, false, w->userdata);
        return 0;
}

int link_watch_new(sd_event *e, int64_t priority, link_event_handler_t handler, void *userdata,
                   LinkWatch **ret) {
        LinkWatch *w = calloc(1, sizeof(*w));
        int r;

        if (!w)
                return -ENOMEM;
        w->handler = handler;
        w->userdata = userdata;
        r = nl_watch_open(&w->nl, e, NETLINK_ROUTE, RTNLGRP_LINK, priority, on_link_io, w);
        if (r < 0) {
                free(w);
                return r;
        }
        nl_socket_modify_cb(w->nl.sock, NL_CB_VALID, NL_CB_CUSTOM, on_link_msg, w);
        *ret = w;
        return 0;
}

LinkWatch *link_watch_free(LinkWatch *w) {
        if (!w)
                return NULL;
        nl_watch_close(&w->nl);
        free(w);
        return NULL;
}
