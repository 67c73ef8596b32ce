/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The desired state as a whole, plans, and sync status:
 *   GET  /v1/state               what nfvcapd keeps true (with the VFs' original settings)
 *   PUT  /v1/state[?force=true]  replace it, applying the difference (all or nothing)
 *   POST /v1/plan[?force=true]   what PUT /v1/state would do with this document, doing nothing
 *   GET  /v1/status              what is out of sync and why
 *   POST /v1/reconcile           compare and re-apply now; answers with the status
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "jsonutil.h"
#include "core/vfmgr.h"

int api_get_state(ApiRequest *req, ApiReply *reply) {
        Manager *m = req->manager;
        json_object *doc = desired_to_json(&m->desired, true);
        json_object_object_add(doc, "schema_version", json_object_new_int(DESIRED_SCHEMA_VERSION));
        return api_ok(reply, doc);
}

/* Parse a desired-state document from the body; false with the reply filled. */
static bool parse_desired(ApiRequest *req, ApiReply *reply, Desired *ret, bool *force) {
        _cleanup_(json_object_putp) json_object *body = api_body_object(req, reply);
        DesiredError err;
        int64_t v;

        if (!body || api_query_flag(req, reply, "force", force) < 0)
                return false;
        if (json_object_object_get_ex(body, "schema_version", NULL) &&
            (json_get_int64(body, "schema_version", true, DESIRED_SCHEMA_VERSION,
                            DESIRED_SCHEMA_VERSION, &v) < 0)) {
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, "schema_version",
                          "this nfvcapd understands schema_version %d only",
                          DESIRED_SCHEMA_VERSION);
                return false;
        }
        if (desired_from_json(body, false, ret, &err) < 0) {
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, err.field[0] ? err.field : NULL, "%s",
                          err.message);
                return false;
        }
        return true;
}

int api_post_plan(ApiRequest *req, ApiReply *reply) {
        Desired want;
        ChangeError err = { 0 };
        json_object *doc;
        bool force;

        if (!parse_desired(req, reply, &want, &force))
                return 0;
        if (vfmgr_plan_state(req->manager, &want, force, &doc, &err) < 0) {
                desired_done(&want);
                return api_error(reply, err.code, err.field[0] ? err.field : NULL, "%s",
                                 err.message);
        }
        desired_done(&want);
        return api_ok(reply, doc);
}

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int api_put_state(ApiRequest *req, ApiReply *reply) {
        uint64_t start = mono_usec();
        Desired want;
        ChangeError err = { 0 };
        json_object *plans = NULL;
        bool force;

        if (!parse_desired(req, reply, &want, &force))
                return 0;
        if (vfmgr_replace_state(req->manager, &want, force, req->peer.uid, &plans, &err) < 0) {
                desired_done(&want);
                return api_error(reply, err.code, err.field[0] ? err.field : NULL, "%s",
                                 err.message);
        }
        desired_done(&want);
        /* What was done, and the state now kept. */
        json_object_object_add(plans, "state", desired_to_json(&req->manager->desired, false));
        json_object_object_add(plans, "elapsed_ms",
                               json_object_new_double((double) (mono_usec() - start) / 1000.0));
        return api_ok(reply, plans);
}

int api_post_reconcile(ApiRequest *req, ApiReply *reply) {
        if (req->manager->read_only_reason)
                return api_error(reply, NFV_ERR_UNAVAILABLE, NULL, "nfvcapd is read-only: %s",
                                 req->manager->read_only_reason);
        reconcile_now(req->manager, "requested through the API");
        return api_get_status(req, reply);
}

int api_get_status(ApiRequest *req, ApiReply *reply) {
        Manager *m = req->manager;
        json_object *doc = json_object_new_object(), *pfs = json_object_new_array();
        bool all = true;

        for (size_t i = 0; i < m->desired.n; i++) {
                const DesiredPf *d = &m->desired.pfs[i];
                PfRuntime *rt = runtime_find(m, d->address);
                json_object *p = json_object_new_object(), *vfs = json_object_new_array();
                SyncStatus unknown = { .in_sync = -1 };

                json_object_object_add(p, "address", json_object_new_string(d->address));
                json_object_object_add(p, "desired_vf_count",
                                       d->has_vf_count ? json_object_new_int((int) d->vf_count)
                                                       : NULL);
                json_object_object_add(p, "sync", sync_status_to_json(rt ? &rt->status : &unknown));
                all = all && rt && rt->status.in_sync == 1;
                for (size_t k = 0; k < d->vfs.n; k++) {
                        json_object *v = json_object_new_object();
                        SyncStatus *s = rt ? runtime_vf_status(rt, d->vfs.items[k].index) : NULL;
                        json_object_object_add(v, "index",
                                               json_object_new_int((int) d->vfs.items[k].index));
                        json_object_object_add(v, "desired",
                                               vf_settings_to_json(&d->vfs.items[k].settings));
                        json_object_object_add(v, "sync", sync_status_to_json(s ? s : &unknown));
                        json_object_array_add(vfs, v);
                }
                json_object_object_add(p, "vfs", vfs);
                json_object_array_add(pfs, p);
        }
        json_object_object_add(doc, "in_sync", json_object_new_boolean(all && !m->read_only_reason));
        json_object_object_add(doc, "read_only", m->read_only_reason
                                                         ? json_object_new_string(m->read_only_reason)
                                                         : NULL);
        json_object_object_add(doc, "reconcile_runs",
                               json_object_new_int64((int64_t) m->reconcile_runs));
        json_object_object_add(doc, "reconcile_interval_ms",
                               json_object_new_int64((int64_t) m->config->reconcile_interval_ms));
        json_object_object_add(doc, "last_reconcile_actions",
                               json_object_new_int64((int64_t) m->last_reconcile_actions));
        json_object_object_add(doc, "last_reconcile_ms",
                               m->reconcile_runs ? json_object_new_double(
                                                           (double) m->last_reconcile_usec / 1000.0)
                                                 : NULL);
        json_object_object_add(doc, "pfs", pfs);
        return api_ok(reply, doc);
}
