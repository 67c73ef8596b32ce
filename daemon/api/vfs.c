/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VF resources: their documents (inventory, observed settings and counters,
 * desired settings, original settings, sync status) and the changes:
 *   PUT    /v1/pfs/{addr}/vfs                    {"count": N, "force": false}
 *   PATCH  /v1/pfs/{addr}/vfs/{index}            {"mac": ..., "vlan": ..., ...}
 *   DELETE /v1/pfs/{addr}/vfs/{index}/settings   give the VF its original settings back
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/vfmgr.h"
#include "jsonutil.h"

static json_object *stats_to_json(const VfStats *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "rx_packets", json_object_new_int64((int64_t) s->rx_packets));
        json_object_object_add(o, "tx_packets", json_object_new_int64((int64_t) s->tx_packets));
        json_object_object_add(o, "rx_bytes", json_object_new_int64((int64_t) s->rx_bytes));
        json_object_object_add(o, "tx_bytes", json_object_new_int64((int64_t) s->tx_bytes));
        json_object_object_add(o, "broadcast", json_object_new_int64((int64_t) s->broadcast));
        json_object_object_add(o, "multicast", json_object_new_int64((int64_t) s->multicast));
        return o;
}

static const VfObserved *find_observed(const Observation *ob, unsigned index) {
        for (size_t i = 0; i < ob->link.n_vfs; i++)
                if (ob->link.vfs[i].index == index)
                        return &ob->link.vfs[i];
        return NULL;
}

/* The full VF document: what the inventory knows plus settings and status. */
static json_object *vf_document(Manager *m, const NfvVf *vf, const Observation *ob) {
        json_object *o = nfv_vf_to_json(vf);
        const VfObserved *v = ob ? find_observed(ob, vf->index) : NULL;
        const DesiredPf *d = desired_find_pf(&m->desired, ob->address);
        const VfEntry *want = d ? vf_list_find(&d->vfs, vf->index) : NULL;
        const VfEntry *orig = d ? vf_list_find(&d->originals, vf->index) : NULL;
        PfRuntime *rt = runtime_find(m, ob->address);
        SyncStatus *st = rt ? runtime_vf_status(rt, vf->index) : NULL;
        const VfUsage *u = NULL;

        for (size_t i = 0; i < ob->o.n_usage; i++)
                if (ob->usage[i].index == vf->index)
                        u = &ob->usage[i];
        json_object_object_add(o, "settings", v ? vf_settings_to_json(&v->settings) : NULL);
        json_object_object_add(o, "settings_error",
                               v ? NULL
                                 : json_object_new_string(ob->o.settings_error
                                                                  ? ob->o.settings_error
                                                                  : "the PF reports no such VF"));
        json_object_object_add(o, "stats", v && v->has_stats ? stats_to_json(&v->stats) : NULL);
        json_object_object_add(o, "desired", want && want->settings.set
                                                     ? vf_settings_to_json(&want->settings)
                                                     : NULL);
        json_object_object_add(o, "original", orig ? vf_settings_to_json(&orig->settings) : NULL);
        json_object_object_add(o, "sync", st ? sync_status_to_json(st)
                                             : sync_status_to_json(&(SyncStatus){ .in_sync = -1 }));
        json_object_object_add(o, "rx_mode", api_rx_mode_json(m, (Observation *) ob, vf->index));
        json_object_object_add(o, "in_use", json_object_new_boolean(u && u->in_use));
        json_object_object_add(o, "in_use_reason",
                               u && u->in_use ? json_object_new_string(u->reason) : NULL);
        return o;
}

/* Observe the PF named by {addr}; NULL-equivalent (-1) with the reply filled. */
static int observe(ApiRequest *req, ApiReply *reply, Observation *ob, const NfvPf **pf) {
        Manager *m = req->manager;
        int r = vfmgr_observe(m, req->params[0], ob);

        if (r == -ENOENT) {
                api_error(reply, NFV_ERR_NOT_FOUND, "addr", "no SR-IOV physical function at %s",
                          req->params[0]);
                return -1;
        }
        if (r < 0) {
                api_error(reply, NFV_ERR_UNAVAILABLE, NULL, "cannot read %s: %s", req->params[0],
                          strerror(-r));
                return -1;
        }
        /* The inventory was refreshed by the observation if it had to be. */
        r = inventory_find_pf(m->inventory, req->params[0], pf);
        if (r < 0) {
                observation_done(ob);
                api_error(reply, NFV_ERR_NOT_FOUND, "addr", "no SR-IOV physical function at %s",
                          req->params[0]);
                return -1;
        }
        return 0;
}

int api_get_vfs(ApiRequest *req, ApiReply *reply) {
        Observation ob;
        const NfvPf *pf;
        json_object *a, *doc;

        if (observe(req, reply, &ob, &pf) < 0)
                return 0;
        a = json_object_new_array_ext((int) pf->n_vfs);
        for (size_t i = 0; i < pf->n_vfs; i++)
                json_object_array_add(a, vf_document(req->manager, &pf->vfs[i], &ob));
        doc = json_object_new_object();
        json_object_object_add(doc, "vfs", a);
        observation_done(&ob);
        return api_ok(reply, doc);
}

int api_get_vf(ApiRequest *req, ApiReply *reply) {
        unsigned index = (unsigned) atoi(req->params[1]);
        Observation ob;
        const NfvPf *pf;

        if (observe(req, reply, &ob, &pf) < 0)
                return 0;
        for (size_t i = 0; i < pf->n_vfs; i++)
                if (pf->vfs[i].index == index) {
                        json_object *doc = vf_document(req->manager, &pf->vfs[i], &ob);
                        observation_done(&ob);
                        return api_ok(reply, doc);
                }
        api_error(reply, NFV_ERR_NOT_FOUND, "index", "%s has no VF %u (it has %zu)", pf->address,
                  index, pf->n_vfs);
        observation_done(&ob);
        return 0;
}

int api_current_want(Manager *m, const char *pf, DesiredPf *ret) {
        const DesiredPf *d = desired_find_pf(&m->desired, pf);
        if (d)
                return desired_pf_copy(d, ret);
        *ret = (DesiredPf){ 0 };
        snprintf(ret->address, sizeof(ret->address), "%s", pf);
        return 0;
}

int api_change_error(ApiReply *reply, const ChangeError *err) {
        return api_error(reply, err->code, err->field[0] ? err->field : NULL, "%s", err->message);
}

int api_put_vf_count(ApiRequest *req, ApiReply *reply) {
        _cleanup_(json_object_putp) json_object *body = api_body_object(req, reply);
        PlanOptions opts = { .count_field = "count", .uid = req->peer.uid };
        ChangeError err = { 0 };
        DesiredPf want;
        int64_t count;
        int r;

        if (!body)
                return 0;
        json_object_object_foreach(body, key, val) {
                (void) val;
                if (!streq(key, "count") && !streq(key, "force"))
                        return api_error(reply, NFV_ERR_INVALID_ARGUMENT, key,
                                         "unknown field \"%.64s\" (known: count, force)", key);
        }
        r = json_get_int64(body, "count", true, 0, 65535, &count);
        if (r < 0)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, "count",
                                 r == -ENOENT ? "count is required"
                                              : "count must be an integer from 0 to 65535");
        if (json_get_bool(body, "force", false, &opts.force) < 0)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, "force",
                                 "force must be true or false");
        if (api_current_want(req->manager, req->params[0], &want) < 0)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        want.has_vf_count = true;
        want.vf_count = (unsigned) count;
        /* VFs at or beyond the new count stop existing, and so do their settings. */
        desired_pf_truncate(&want, want.vf_count);
        r = vfmgr_change_pf(req->manager, req->params[0], &want, &opts, &err);
        desired_pf_done(&want);
        if (r < 0)
                return api_change_error(reply, &err);
        return api_get_vfs(req, reply);
}

/* The VF index must name an existing VF: a 400 naming "index" otherwise (the
 * request is malformed for this PF, as a VLAN of 5000 would be). */
int api_check_vf_index(ApiRequest *req, ApiReply *reply, unsigned *ret) {
        const NfvPf *pf;
        unsigned index = (unsigned) atoi(req->params[1]);
        int r = inventory_find_pf(req->manager->inventory, req->params[0], &pf);

        if (r == -ENOENT) {
                api_error(reply, NFV_ERR_NOT_FOUND, "addr", "no SR-IOV physical function at %s",
                          req->params[0]);
                return -1;
        }
        if (r < 0) {
                api_error(reply, NFV_ERR_UNAVAILABLE, NULL, "cannot read the PCI inventory: %s",
                          strerror(-r));
                return -1;
        }
        if (index >= pf->vf_count) {
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, "index",
                          "VF %u does not exist: %s has %u VFs (valid indexes 0 to %d)", index,
                          pf->address, pf->vf_count, (int) pf->vf_count - 1);
                return -1;
        }
        *ret = index;
        return 0;
}

int api_patch_vf(ApiRequest *req, ApiReply *reply) {
        _cleanup_(json_object_putp) json_object *body = api_body_object(req, reply);
        PlanOptions opts = { .uid = req->peer.uid };
        ChangeError err = { 0 };
        NfvVfSettings patch;
        const char *bad = NULL;
        char msg[256];
        DesiredPf want;
        VfEntry *e;
        unsigned index;
        int r;

        if (!body || api_check_vf_index(req, reply, &index) < 0)
                return 0;
        if (vf_settings_from_json(body, &patch, &bad, msg, sizeof(msg)) < 0)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, bad, "%s", msg);
        if (!patch.set)
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, "body",
                                 "no settings given (mac, vlan, qos, vlan_proto, spoofchk, trust, "
                                 "link_state, min_tx_rate, max_tx_rate)");
        if (api_current_want(req->manager, req->params[0], &want) < 0)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        e = vf_list_get(&want.vfs, index);
        if (!e) {
                desired_pf_done(&want);
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        }
        vf_settings_merge(&e->settings, &patch);
        r = vfmgr_change_pf(req->manager, req->params[0], &want, &opts, &err);
        desired_pf_done(&want);
        if (r < 0)
                return api_change_error(reply, &err);
        return api_get_vf(req, reply);
}

int api_delete_vf_settings(ApiRequest *req, ApiReply *reply) {
        PlanOptions opts = { .uid = req->peer.uid };
        ChangeError err = { 0 };
        DesiredPf want;
        unsigned index;
        int r;

        if (api_check_vf_index(req, reply, &index) < 0)
                return 0;
        if (api_current_want(req->manager, req->params[0], &want) < 0)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        /* Releasing a VF gives back everything nfvcapd changed on it. */
        vf_list_remove(&want.vfs, index);
        rx_list_remove(&want.rx_modes, index);
        r = vfmgr_change_pf(req->manager, req->params[0], &want, &opts, &err);
        desired_pf_done(&want);
        if (r < 0)
                return api_change_error(reply, &err);
        return api_get_vf(req, reply);
}
