/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "core/monitors.h"

/* GET /v1/monitors, /v1/monitors/{id}, /v1/monitors/{id}/stats;
 * PUT and DELETE /v1/monitors/{id}/capture */

static Monitor *find_monitor(ApiRequest *req, ApiReply *reply) {
        Monitor *m = monitors_find(req->manager->monitors, req->params[0]);
        if (!m)
                api_error(reply, NFV_ERR_NOT_FOUND, "id",
                          "no monitor %s (monitors are listed in nfvcapd.conf)", req->params[0]);
        return m;
}

int api_get_monitors(ApiRequest *req, ApiReply *reply) {
        const Monitors *ms = req->manager->monitors;
        json_object *a = json_object_new_array(), *doc = json_object_new_object();

        for (size_t i = 0; i < monitors_count(ms); i++)
                json_object_array_add(a, monitor_to_json(monitors_get(ms, i)));
        json_object_object_add(doc, "monitors", a);
        return api_ok(reply, doc);
}

int api_get_monitor(ApiRequest *req, ApiReply *reply) {
        Monitor *m = find_monitor(req, reply);
        return m ? api_ok(reply, monitor_to_json(m)) : 0;
}

int api_get_monitor_stats(ApiRequest *req, ApiReply *reply) {
        Monitor *m = find_monitor(req, reply);
        return m ? api_ok(reply, monitor_stats_to_json(m)) : 0;
}

int api_put_monitor_capture(ApiRequest *req, ApiReply *reply) {
        Monitor *m = find_monitor(req, reply);
        json_object *body;
        AgentCaptureSpec spec;
        AgentParseError err;
        char why[512], field[64] = "";
        int r;

        if (!m)
                return 0;
        body = api_body_object(req, reply);
        if (!body)
                return 0;
        r = agent_capture_spec_from_json(body, &spec, &err);
        json_object_put(body);
        if (r < 0) {
                /* The detail starts with the key's path: "capture.output.name: ..." */
                const char *p = strncmp(err.detail, "capture.", 8) == 0 ? err.detail + 8 : NULL;
                if (p)
                        snprintf(field, sizeof(field), "%.*s", (int) strcspn(p, ":"), p);
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, field[0] ? field : NULL, "%s",
                                 err.detail);
        }
        r = monitor_set_capture(m, &spec, why, sizeof(why));
        if (r == -EOPNOTSUPP)
                return api_error(reply, NFV_ERR_UNSUPPORTED, "engine", "%s", why);
        if (r < 0)
                return api_error_errno(reply, r, "capture");
        /* Recorded: the agent starts it now or when it connects; the monitor's
         * capture state and events say when it runs, or why it does not. */
        return api_ok(reply, monitor_to_json(m));
}

int api_delete_monitor_capture(ApiRequest *req, ApiReply *reply) {
        Monitor *m = find_monitor(req, reply);
        if (!m)
                return 0;
        if (monitor_clear_capture(m) == -ENOENT)
                return api_error(reply, NFV_ERR_NOT_FOUND, NULL, "monitor %s has no capture",
                                 monitor_id(m));
        return api_ok(reply, monitor_to_json(m));
}
