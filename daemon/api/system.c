/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <time.h>

#include "api.h"

/* GET /v1/version and /v1/health */

int api_get_version(ApiRequest *req _unused_, ApiReply *reply) {
        json_object *doc = json_object_new_object();
        json_object_object_add(doc, "version", json_object_new_string(NFVCAP_VERSION));
        json_object_object_add(doc, "api", json_object_new_string("v1"));
        return api_ok(reply, doc);
}

int api_get_health(ApiRequest *req, ApiReply *reply) {
        Manager *m = req->manager;
        const PfList *l = NULL;
        json_object *doc = json_object_new_object();
        struct timespec ts;
        uint64_t now;
        int r = inventory_get(m->inventory, &l);

        clock_gettime(CLOCK_REALTIME, &ts);
        now = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;

        /* "degraded": serving, but something it depends on is failing. */
        json_object_object_add(doc, "status", json_object_new_string(r < 0 ? "degraded" : "ok"));
        json_object_object_add(doc, "version", json_object_new_string(NFVCAP_VERSION));
        json_object_object_add(doc, "uptime_seconds",
                               json_object_new_int64((int64_t) ((now - m->started_realtime_usec) /
                                                                1000000u)));
        json_object_object_add(doc, "pf_count", r < 0 ? NULL : json_object_new_int((int) l->n));
        json_object_object_add(doc, "inventory_scans",
                               json_object_new_int64((int64_t) inventory_scan_count(m->inventory)));
        json_object_object_add(doc, "problems", json_object_new_array());
        if (r < 0)
                json_object_array_add(json_object_object_get(doc, "problems"),
                                      json_object_new_string("cannot read the PCI inventory"));
        return api_ok(reply, doc);
}
