/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Register features of ixgbe and igb PFs:
 *   PUT    /v1/pfs/{addr}/vfs/{index}/rx-mode   {"multicast_promiscuous": true, ...}
 *   DELETE /v1/pfs/{addr}/vfs/{index}/rx-mode   the pool's original flags back
 *   GET    /v1/pfs/{addr}/mirrors               the mirror rules (desired, and whether live)
 *   POST   /v1/pfs/{addr}/mirrors               {"type": "pool", "sources": [1], "destination_vf": 0}
 *   GET    /v1/pfs/{addr}/mirrors/{id}
 *   DELETE /v1/pfs/{addr}/mirrors/{id}
 *   GET    /v1/pfs/{addr}/registers             read-only dump of the family's named registers
 *   GET    /v1/pfs/{addr}/audit                 the register writes nfvcapd made
 * Changes go through the same transaction as VF settings (core/apply.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/audit.h"
#include "core/vfmgr.h"
#include "hw/regio.h"
#include "jsonutil.h"

/* The observed and desired receive flags of one VF's pool. */
json_object *api_rx_mode_json(Manager *m, Observation *ob, unsigned vf) {
        const DesiredPf *d = desired_find_pf(&m->desired, ob->address);
        const RxEntry *want = d ? rx_list_find(&d->rx_modes, vf) : NULL;
        const RxEntry *orig = d ? rx_list_find(&d->rx_originals, vf) : NULL;
        json_object *o = json_object_new_object();
        uint32_t value;

        if (vfmgr_open_registers(m, ob) < 0) {
                json_object_object_add(o, "flags", NULL);
                json_object_object_add(o, "error", json_object_new_string(ob->regio_error));
        } else {
                const NicRegs *nic = regio_model(ob->regio);
                uint32_t reg = nic->pool_rx_reg(nic_vf_pool(vf));
                if (reg != NIC_REG_NONE && regio_read(ob->regio, reg, &value) >= 0) {
                        json_object_object_add(o, "flags",
                                               rx_flags_to_json(nic->rx_flags,
                                                                nic->pool_rx_flags_decode(value)));
                        json_object_object_add(o, "error", NULL);
                } else {
                        json_object_object_add(o, "flags", NULL);
                        json_object_object_add(o, "error",
                                               json_object_new_string("the VF has no pool"));
                }
        }
        json_object_object_add(o, "desired", want ? rx_flags_to_json(want->managed, want->on) : NULL);
        json_object_object_add(o, "original", orig ? rx_flags_to_json(orig->managed, orig->on) : NULL);
        return o;
}

static int reply_rx_mode(ApiRequest *req, ApiReply *reply, unsigned vf) {
        Observation ob;
        int r = vfmgr_observe(req->manager, req->params[0], &ob);
        if (r < 0)
                return api_error(reply, NFV_ERR_UNAVAILABLE, NULL, "cannot read %s back", req->params[0]);
        json_object *o = api_rx_mode_json(req->manager, &ob, vf);
        json_object_object_add(o, "vf", json_object_new_int((int) vf));
        observation_done(&ob);
        return api_ok(reply, o);
}

int api_put_rx_mode(ApiRequest *req, ApiReply *reply) {
        _cleanup_(json_object_putp) json_object *body = api_body_object(req, reply);
        PlanOptions opts = { .uid = req->peer.uid };
        ChangeError err = { 0 };
        char field[80], msg[256];
        uint32_t managed, on;
        DesiredPf want;
        RxEntry *e;
        unsigned vf;
        int r;

        if (!body || api_check_vf_index(req, reply, &vf) < 0)
                return 0;
        if (rx_flags_from_json(body, &managed, &on, field, sizeof(field), msg, sizeof(msg)) < 0)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, field, "%s", msg);
        if (!managed)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, "body",
                                 "no flags given (multicast_promiscuous, broadcast, "
                                 "accept_untagged, unicast_hash, multicast_hash)");
        if (api_current_want(req->manager, req->params[0], &want) < 0)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        e = rx_list_get(&want.rx_modes, vf);
        if (!e) {
                desired_pf_done(&want);
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        }
        /* The flags given join those already managed. */
        e->on = (e->on & ~managed) | on;
        e->managed |= managed;
        r = vfmgr_change_pf(req->manager, req->params[0], &want, &opts, &err);
        desired_pf_done(&want);
        return r < 0 ? api_change_error(reply, &err) : reply_rx_mode(req, reply, vf);
}

int api_delete_rx_mode(ApiRequest *req, ApiReply *reply) {
        PlanOptions opts = { .uid = req->peer.uid };
        ChangeError err = { 0 };
        DesiredPf want;
        unsigned vf;
        int r;

        if (api_check_vf_index(req, reply, &vf) < 0)
                return 0;
        if (api_current_want(req->manager, req->params[0], &want) < 0)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        rx_list_remove(&want.rx_modes, vf);
        r = vfmgr_change_pf(req->manager, req->params[0], &want, &opts, &err);
        desired_pf_done(&want);
        return r < 0 ? api_change_error(reply, &err) : reply_rx_mode(req, reply, vf);
}

/* Mirrors */

static json_object *mirror_json(Manager *m, const char *pf, const MirrorEntry *e) {
        json_object *o = mirror_entry_to_json(e);
        PfRuntime *rt = runtime_find(m, pf);
        json_object_object_add(o, "sync", sync_status_to_json(rt ? &rt->status
                                                                  : &(SyncStatus){ .in_sync = -1 }));
        return o;
}

static const NfvPf *pf_or_404(ApiRequest *req, ApiReply *reply) {
        const NfvPf *pf;
        int r = inventory_find_pf(req->manager->inventory, req->params[0], &pf);
        if (r == -ENOENT)
                api_error(reply, NFV_ERR_NOT_FOUND, "addr", "no SR-IOV physical function at %s",
                          req->params[0]);
        else if (r < 0)
                api_error(reply, NFV_ERR_UNAVAILABLE, NULL, "cannot read the PCI inventory");
        return r < 0 ? NULL : pf;
}

int api_get_mirrors(ApiRequest *req, ApiReply *reply) {
        const DesiredPf *d;
        json_object *a = NULL, *doc;

        if (!pf_or_404(req, reply))
                return 0;
        d = desired_find_pf(&req->manager->desired, req->params[0]);
        a = json_object_new_array();
        for (size_t i = 0; d && i < d->n_mirrors; i++)
                json_object_array_add(a, mirror_json(req->manager, req->params[0], &d->mirrors[i]));
        doc = json_object_new_object();
        json_object_object_add(doc, "mirrors", a);
        return api_ok(reply, doc);
}

static const MirrorEntry *find_mirror(ApiRequest *req, ApiReply *reply) {
        const DesiredPf *d = desired_find_pf(&req->manager->desired, req->params[0]);
        unsigned id = (unsigned) atoi(req->params[1]);
        const MirrorEntry *e = d ? desired_pf_find_mirror(d, id) : NULL;
        if (!e)
                api_error(reply, NFV_ERR_NOT_FOUND, "id", "%s has no mirror %u", req->params[0], id);
        return e;
}

int api_get_mirror(ApiRequest *req, ApiReply *reply) {
        const MirrorEntry *e;
        if (!pf_or_404(req, reply) || !(e = find_mirror(req, reply)))
                return 0;
        return api_ok(reply, mirror_json(req->manager, req->params[0], e));
}

int api_post_mirror(ApiRequest *req, ApiReply *reply) {
        _cleanup_(json_object_putp) json_object *body = api_body_object(req, reply);
        PlanOptions opts = { .uid = req->peer.uid };
        ChangeError err = { 0 };
        char field[64], msg[256];
        MirrorEntry m;
        DesiredPf want;
        bool has_id;
        int r;

        if (!body || !pf_or_404(req, reply))
                return 0;
        if (mirror_entry_from_json(body, &m, &has_id, field, sizeof(field), msg, sizeof(msg)) < 0)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, field, "%s", msg);
        if (has_id)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, "id",
                                 "nfvcapd chooses the rule; leave id out");
        if (api_current_want(req->manager, req->params[0], &want) < 0)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        /* The lowest rule not wanted already; whether the NIC has that many, and
         * whether it is free, the plan says. */
        m.id = 0;
        while (desired_pf_find_mirror(&want, m.id))
                m.id++;
        r = desired_pf_add_mirror(&want, &m);
        if (r >= 0)
                r = vfmgr_change_pf(req->manager, req->params[0], &want, &opts, &err);
        desired_pf_done(&want);
        if (r < 0)
                return err.message[0] ? api_change_error(reply, &err)
                                      : api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        r = api_ok(reply, mirror_json(req->manager, req->params[0], &m));
        reply->status = 201;
        return r;
}

int api_delete_mirror(ApiRequest *req, ApiReply *reply) {
        PlanOptions opts = { .uid = req->peer.uid };
        ChangeError err = { 0 };
        const MirrorEntry *e;
        MirrorEntry gone;
        DesiredPf want;
        int r;

        if (!pf_or_404(req, reply) || !(e = find_mirror(req, reply)))
                return 0;
        gone = *e;
        if (api_current_want(req->manager, req->params[0], &want) < 0)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        desired_pf_remove_mirror(&want, gone.id);
        r = vfmgr_change_pf(req->manager, req->params[0], &want, &opts, &err);
        desired_pf_done(&want);
        if (r < 0)
                return api_change_error(reply, &err);
        return api_ok(reply, mirror_entry_to_json(&gone));
}

/* Register dump and audit log */

int api_get_registers(ApiRequest *req, ApiReply *reply) {
        Observation ob;
        json_object *doc, *a;
        const NicRegs *nic;
        int r = vfmgr_observe(req->manager, req->params[0], &ob);

        if (r == -ENOENT)
                return api_error(reply, NFV_ERR_NOT_FOUND, "addr",
                                 "no SR-IOV physical function at %s", req->params[0]);
        if (r < 0)
                return api_error(reply, NFV_ERR_UNAVAILABLE, NULL, "cannot read %s", req->params[0]);
        r = vfmgr_open_registers(req->manager, &ob);
        if (r < 0) {
                api_error(reply, r == -EOPNOTSUPP ? NFV_ERR_UNSUPPORTED : NFV_ERR_UNAVAILABLE,
                          NULL, "%s", ob.regio_error);
                observation_done(&ob);
                return 0;
        }
        nic = regio_model(ob.regio);
        a = json_object_new_array();
        for (size_t i = 0; i < nic->n_named; i++) {
                const NamedReg *n = &nic->named[i];
                for (unsigned k = 0; k < n->count; k++) {
                        uint32_t off = n->offset + k * n->stride, value;
                        json_object *o = json_object_new_object();
                        char buf[32];
                        if (regio_read(ob.regio, off, &value) < 0)
                                continue;
                        if (n->count > 1 || n->first)
                                snprintf(buf, sizeof(buf), "%s[%u]", n->name, n->first + k);
                        else
                                snprintf(buf, sizeof(buf), "%s", n->name);
                        json_object_object_add(o, "name", json_object_new_string(buf));
                        snprintf(buf, sizeof(buf), "0x%05x", off);
                        json_object_object_add(o, "offset", json_object_new_string(buf));
                        snprintf(buf, sizeof(buf), "0x%08x", value);
                        json_object_object_add(o, "value", json_object_new_string(buf));
                        json_object_array_add(a, o);
                }
        }
        doc = json_object_new_object();
        json_object_object_add(doc, "pf", json_object_new_string(ob.address));
        json_object_object_add(doc, "model", json_object_new_string(nic->model));
        json_object_object_add(doc, "registers", a);
        observation_done(&ob);
        return api_ok(reply, doc);
}

int api_get_audit(ApiRequest *req, ApiReply *reply) {
        json_object *doc;
        if (!pf_or_404(req, reply))
                return 0;
        doc = json_object_new_object();
        json_object_object_add(doc, "pf", json_object_new_string(req->params[0]));
        json_object_object_add(doc, "records", audit_to_json(req->manager->audit, req->params[0]));
        return api_ok(reply, doc);
}
