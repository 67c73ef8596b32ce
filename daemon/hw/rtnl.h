/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VF settings through rtnetlink (libnl-route's rtnl_link_vf API): read every
 * VF of a PF with one RTM_GETLINK, set one knob group with one RTM_SETLINK,
 * and watch link events. Each set is its own request so that a refusal is
 * attributed to one knob and nothing else was half-applied with it (the
 * kernel applies the attributes of one request in turn and stops at the
 * first error).
 */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "macros.h"
#include "vfsettings.h"

typedef struct Rtnl Rtnl;

typedef struct VfStats {
        uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, broadcast, multicast;
} VfStats;

typedef struct VfObserved {
        unsigned index;
        NfvVfSettings settings; /* every field valid */
        bool has_stats;
        VfStats stats;
} VfObserved;

typedef struct PfLink {
        int ifindex;
        bool admin_up;   /* IFF_UP */
        bool carrier;    /* IFF_LOWER_UP */
        VfObserved *vfs; /* sorted by index */
        size_t n_vfs;
} PfLink;

void pf_link_done(PfLink *l);

int rtnl_new(Rtnl **ret);
Rtnl *rtnl_free(Rtnl *r);
DEFINE_CLEANUP_FUNC(Rtnl *, rtnl_free);

/* The PF interface's state and all its VFs' settings and counters. -ENODEV
 * when there is no such interface. */
int rtnl_read_pf(Rtnl *r, const char *ifname, PfLink *ret);

/* The knobs that go to the driver together in one request: VLAN, QoS and
 * protocol are one ndo_set_vf_vlan() call, the two rates one ndo_set_vf_rate(). */
typedef enum VfKnobGroup {
        VF_GROUP_MAC,
        VF_GROUP_VLAN,
        VF_GROUP_SPOOFCHK,
        VF_GROUP_TRUST,
        VF_GROUP_LINK_STATE,
        VF_GROUP_RATE,
        _VF_GROUP_MAX,
} VfKnobGroup;

VfKnobGroup vf_knob_group(VfKnob k);
/* The knob bits of a group. */
uint32_t vf_group_knobs(VfKnobGroup g);
const char *vf_group_to_string(VfKnobGroup g);

/* Set one group of VF vf of the PF with this ifindex to the values in s
 * (which must have every knob of the group). Returns the kernel's errno as
 * -errno: -EOPNOTSUPP when the driver lacks the operation, -EPROTONOSUPPORT
 * for an 802.1ad VLAN on drivers that only do 802.1Q, -EINVAL for a value the
 * driver refuses. */
int rtnl_set_vf(Rtnl *r, int ifindex, unsigned vf, VfKnobGroup g, const NfvVfSettings *s);

/* Link events (RTM_NEWLINK/RTM_DELLINK) for any interface. */
typedef void (*link_event_handler_t)(int ifindex, const char *ifname, bool removed, bool carrier,
                                     void *userdata);
typedef struct LinkWatch LinkWatch;
int link_watch_new(sd_event *e, int64_t priority, link_event_handler_t handler, void *userdata,
                   LinkWatch **ret);
LinkWatch *link_watch_free(LinkWatch *w);
DEFINE_CLEANUP_FUNC(LinkWatch *, link_watch_free);
