/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/vfmgr.h"
#include "inventory.h"

/* GET /v1/pfs, /v1/pfs/{addr}, /v1/pfs/{addr}/vfs, /v1/pfs/{addr}/vfs/{index} */

/* The PF named by the {addr} parameter, or NULL with the error reply filled in. */
static const NfvPf *find_pf(ApiRequest *req, ApiReply *reply) {
        const char *addr = req->params[0];
        const NfvPf *pf;
        int r = inventory_find_pf(req->manager->inventory, addr, &pf);

        if (r == -ENOENT)
                api_error(reply, NFV_ERR_NOT_FOUND, "addr", "no SR-IOV physical function at %s",
                          addr);
        else if (r < 0)
                api_error(reply, NFV_ERR_UNAVAILABLE, NULL, "cannot read the PCI inventory: %s",
                          strerror(-r));
        return r < 0 ? NULL : pf;
}

int api_get_pfs(ApiRequest *req, ApiReply *reply) {
        const char *text;
        int r = inventory_pfs_text(req->manager->inventory, &text);

        if (r < 0)
                return api_error(reply, NFV_ERR_UNAVAILABLE, NULL,
                                 "cannot read the PCI inventory: %s", strerror(-r));
        return api_ok_text(reply, text);
}

/* The single-PF document adds what the list leaves out: what nfvcapd manages
 * on it, whether that is in sync, and what the driver can do with its VFs. */
int api_get_pf(ApiRequest *req, ApiReply *reply) {
        Manager *m = req->manager;
        const NfvPf *pf;
        const DesiredPf *d;
        Observation ob;
        PfRuntime *rt;
        json_object *o;

        /* Observing learns the driver's VF capabilities if not known yet. */
        if (vfmgr_observe(m, req->params[0], &ob) >= 0)
                observation_done(&ob);
        pf = find_pf(req, reply);
        if (!pf)
                return 0;
        o = nfv_pf_to_json(pf);
        d = desired_find_pf(&m->desired, pf->address);
        rt = runtime_find(m, pf->address);
        json_object_object_add(o, "managed", json_object_new_boolean(d != NULL));
        json_object_object_add(o, "desired_vf_count",
                               d && d->has_vf_count ? json_object_new_int((int) d->vf_count)
                                                    : NULL);
        json_object_object_add(o, "sync", sync_status_to_json(rt ? &rt->status
                                                                 : &(SyncStatus){ .in_sync = -1 }));
        json_object_object_add(o, "vf_capabilities", rt ? vf_caps_to_json(&rt->caps) : NULL);
        /* Without a VF to probe through, only the known driver facts are in. */
        json_object_object_add(o, "vf_capabilities_probed",
                               json_object_new_boolean(rt && rt->probed));
        return api_ok(reply, o);
}

