/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
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

int api_get_pf(ApiRequest *req, ApiReply *reply) {
        const NfvPf *pf = find_pf(req, reply);
        return pf ? api_ok(reply, nfv_pf_to_json(pf)) : 0;
}

int api_get_vfs(ApiRequest *req, ApiReply *reply) {
        const NfvPf *pf = find_pf(req, reply);
        json_object *a, *doc;

        if (!pf)
                return 0;
        a = json_object_new_array_ext((int) pf->n_vfs);
        for (size_t i = 0; i < pf->n_vfs; i++)
                json_object_array_add(a, nfv_vf_to_json(&pf->vfs[i]));
        doc = json_object_new_object();
        json_object_object_add(doc, "vfs", a);
        return api_ok(reply, doc);
}

int api_get_vf(ApiRequest *req, ApiReply *reply) {
        const NfvPf *pf = find_pf(req, reply);
        unsigned index = (unsigned) atoi(req->params[1]);

        if (!pf)
                return 0;
        for (size_t i = 0; i < pf->n_vfs; i++)
                if (pf->vfs[i].index == index)
                        return api_ok(reply, nfv_vf_to_json(&pf->vfs[i]));
        return api_error(reply, NFV_ERR_NOT_FOUND, "index", "%s has no VF %u (it has %zu)",
                         pf->address, index, pf->n_vfs);
}
