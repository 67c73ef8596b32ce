/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "api.h"
#include "core/monitors.h"
#include "log.h"

/*
 * The route table. A pattern is a '/'-separated list of literal segments and
 * parameters; a parameter's kind says how it is validated and canonicalised.
 * Matching is segment by segment, so "/v1/pfs/../../etc" is a malformed PF
 * address (400), not an unknown route (404).
 */

typedef enum ParamKind {
        PARAM_PCI_ADDR,
        PARAM_VF_INDEX,
        PARAM_MONITOR_ID,
        PARAM_MIRROR_ID,
} ParamKind;

static const struct {
        const char *name; /* as written in patterns and error documents */
        ParamKind kind;
        const char *expected; /* for the 400 a malformed value gets */
} param_kinds[] = {
        { "{addr}", PARAM_PCI_ADDR, "a PCI address (expected DDDD:BB:DD.F, hex)" },
        { "{index}", PARAM_VF_INDEX, "a VF index (expected a decimal number 0-65535)" },
        { "{id}", PARAM_MONITOR_ID, "a monitor id" },
        { "{mirror}", PARAM_MIRROR_ID, "a mirror id (expected a decimal number)" },
};

typedef struct ApiRoute {
        const char *method;
        const char *pattern;
        ApiHandler handler;
        bool changes_state; /* needs an admin peer */
} ApiRoute;

static const ApiRoute routes[] = {
        { "GET", "/v1/version", api_get_version, false },
        { "GET", "/v1/health", api_get_health, false },
        { "GET", "/v1/pfs", api_get_pfs, false },
        { "GET", "/v1/pfs/{addr}", api_get_pf, false },
        { "GET", "/v1/pfs/{addr}/vfs", api_get_vfs, false },
        { "GET", "/v1/pfs/{addr}/vfs/{index}", api_get_vf, false },
        { "PUT", "/v1/pfs/{addr}/vfs", api_put_vf_count, true },
        { "PATCH", "/v1/pfs/{addr}/vfs/{index}", api_patch_vf, true },
        { "DELETE", "/v1/pfs/{addr}/vfs/{index}/settings", api_delete_vf_settings, true },
        { "GET", "/v1/state", api_get_state, false },
        { "PUT", "/v1/state", api_put_state, true },
        { "POST", "/v1/plan", api_post_plan, false },
        { "GET", "/v1/status", api_get_status, false },
        { "POST", "/v1/reconcile", api_post_reconcile, true },
        { "PUT", "/v1/pfs/{addr}/vfs/{index}/rx-mode", api_put_rx_mode, true },
        { "DELETE", "/v1/pfs/{addr}/vfs/{index}/rx-mode", api_delete_rx_mode, true },
        { "GET", "/v1/pfs/{addr}/mirrors", api_get_mirrors, false },
        { "POST", "/v1/pfs/{addr}/mirrors", api_post_mirror, true },
        { "GET", "/v1/pfs/{addr}/mirrors/{mirror}", api_get_mirror, false },
        { "DELETE", "/v1/pfs/{addr}/mirrors/{mirror}", api_delete_mirror, true },
        { "GET", "/v1/pfs/{addr}/registers", api_get_registers, false },
        { "GET", "/v1/pfs/{addr}/audit", api_get_audit, false },
        { "GET", "/v1/monitors", api_get_monitors, false },
        { "GET", "/v1/monitors/{id}", api_get_monitor, false },
        { "GET", "/v1/monitors/{id}/stats", api_get_monitor_stats, false },
        { "PUT", "/v1/monitors/{id}/capture", api_put_monitor_capture, true },
        { "DELETE", "/v1/monitors/{id}/capture", api_delete_monitor_capture, true },
        { "GET", "/v1/events", api_get_events, false },
        { "GET", "/metrics", api_get_metrics, false },
};

#define MAX_SEGMENTS 16

int api_error(ApiReply *reply, NfvErrorCode code, const char *field, const char *fmt, ...) {
        char msg[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        json_object_put(reply->doc);
        reply->text = NULL;
        reply->doc = nfv_error_to_json(code, msg, field);
        reply->status = nfv_error_http_status(code);
        return 0;
}

int api_error_errno(ApiReply *reply, int error, const char *what) {
        switch (-abs(error)) {
        case -ENOENT:
                return api_error(reply, NFV_ERR_NOT_FOUND, NULL, "%s: not found", what);
        case -EINVAL:
                return api_error(reply, NFV_ERR_INVALID_ARGUMENT, NULL, "%s: invalid", what);
        case -EBUSY:
                return api_error(reply, NFV_ERR_CONFLICT, NULL, "%s: busy", what);
        case -EOPNOTSUPP:
                return api_error(reply, NFV_ERR_UNSUPPORTED, NULL, "%s: not supported", what);
        default:
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "%s: %s", what, strerror(abs(error)));
        }
}

int api_ok(ApiReply *reply, json_object *doc) {
        json_object_put(reply->doc);
        reply->doc = doc;
        reply->text = NULL;
        reply->status = 200;
        return 0;
}

int api_ok_text(ApiReply *reply, const char *text) {
        json_object_put(reply->doc);
        reply->doc = NULL;
        reply->text = text;
        reply->status = 200;
        return 0;
}

/* Split path into at most MAX_SEGMENTS segments (in place, in buf). */
static int split(char *buf, char **seg) {
        int n = 0;
        char *save = NULL;

        for (char *t = strtok_r(buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
                if (n == MAX_SEGMENTS)
                        return -E2BIG;
                seg[n++] = t;
        }
        return n;
}

static int param_kind(const char *pattern_seg) {
        for (size_t i = 0; i < ELEMENTSOF(param_kinds); i++)
                if (streq(param_kinds[i].name, pattern_seg))
                        return (int) param_kinds[i].kind;
        return -1;
}

/* Validate one parameter; on success return its canonical form (malloc'd). */
static char *param_canonical(ParamKind kind, const char *value) {
        switch (kind) {
        case PARAM_PCI_ADDR: {
                PciAddr a;
                char buf[PCI_ADDR_STRLEN];
                if (pci_addr_parse(value, &a) < 0)
                        return NULL;
                return strdup(pci_addr_format(&a, buf));
        }
        case PARAM_VF_INDEX:
        case PARAM_MIRROR_ID: {
                /* Decimal, no sign or leading zeroes, within the SR-IOV limit of 65535. */
                size_t n = strlen(value);
                if (n == 0 || n > 5 || strspn(value, "0123456789") != n ||
                    (n > 1 && value[0] == '0') || atol(value) > 65535)
                        return NULL;
                return strdup(value);
        }
        case PARAM_MONITOR_ID:
                return monitor_id_valid(value) ? strdup(value) : NULL;
        }
        return NULL;
}

typedef enum MatchResult { MATCH_NONE, MATCH_PATH, MATCH_BAD_PARAM } MatchResult;

/* Compare a route with the request's segments. MATCH_BAD_PARAM when every
 * literal up to a parameter matched but the parameter is malformed: the
 * client addressed this resource, with a bad name. */
static MatchResult match(const ApiRoute *route, char **seg, int n, ApiRequest *req,
                         const char **bad_param, const char **bad_value) {
        char pbuf[128];
        char *pseg[MAX_SEGMENTS];
        int pn;

        snprintf(pbuf, sizeof(pbuf), "%s", route->pattern);
        pn = split(pbuf, pseg);
        for (int i = 0; i < pn; i++) {
                int kind;
                if (i >= n)
                        return MATCH_NONE;
                kind = param_kind(pseg[i]);
                if (kind < 0) {
                        if (!streq(pseg[i], seg[i]))
                                return MATCH_NONE;
                        continue;
                }
                char *canon = param_canonical((ParamKind) kind, seg[i]);
                if (!canon) {
                        *bad_param = param_kinds[kind].name;
                        *bad_value = seg[i];
                        return MATCH_BAD_PARAM;
                }
                if (req && req->n_params < API_MAX_PARAMS)
                        req->params[req->n_params++] = canon;
                else
                        free(canon);
        }
        return pn == n ? MATCH_PATH : MATCH_NONE;
}

static void clear_params(ApiRequest *req) {
        for (unsigned i = 0; i < req->n_params; i++)
                free(req->params[i]);
        req->n_params = 0;
}

void api_route(ApiRequest *req, ApiReply *reply) {
        char buf[2048], allow[64] = "";
        char *seg[MAX_SEGMENTS];
        const char *bad_param = NULL, *bad_value = NULL;
        const ApiRoute *found = NULL;
        bool path_known = false;
        int n;

        if (strlen(req->path) >= sizeof(buf)) {
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, "path", "request path too long");
                return;
        }
        snprintf(buf, sizeof(buf), "%s", req->path);
        n = split(buf, seg);
        if (n < 0) {
                api_error(reply, NFV_ERR_NOT_FOUND, NULL, "no such resource: %s", req->path);
                return;
        }

        for (size_t i = 0; i < ELEMENTSOF(routes); i++) {
                const char *bp = NULL, *bv = NULL;
                bool same_method = streq(routes[i].method, req->method);
                MatchResult mr = match(&routes[i], seg, n, same_method && !found ? req : NULL,
                                       &bp, &bv);
                if (mr == MATCH_BAD_PARAM && !bad_param) {
                        bad_param = bp;
                        bad_value = bv;
                }
                if (mr != MATCH_PATH) {
                        if (same_method && !found)
                                clear_params(req);
                        continue;
                }
                path_known = true;
                if (same_method && !found)
                        found = &routes[i];
                if (!strstr(allow, routes[i].method))
                        snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s",
                                 allow[0] ? ", " : "", routes[i].method);
        }

        if (found) {
                if (found->changes_state &&
                    !(req->peer_known &&
                      manager_peer_is_admin(req->manager, req->peer.uid, req->peer.gid))) {
                        api_error(reply, NFV_ERR_FORBIDDEN, NULL,
                                  "changing state needs root or membership of group %s",
                                  req->manager->config->admin_group);
                        return;
                }
                found->handler(req, reply);
                return;
        }
        if (path_known) {
                snprintf(reply->allow, sizeof(reply->allow), "%s", allow);
                api_error(reply, NFV_ERR_METHOD_NOT_ALLOWED, NULL, "%s is not allowed on %s (allowed: %s)",
                          req->method, req->path, allow);
                return;
        }
        if (bad_param) {
                /* Field names in errors are the parameter names without braces. */
                char field[32];
                int kind = param_kind(bad_param);
                snprintf(field, sizeof(field), "%.*s", (int) strlen(bad_param) - 2, bad_param + 1);
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, field, "\"%.64s%s\" is not %s",
                          bad_value, strlen(bad_value) > 64 ? "..." : "",
                          param_kinds[kind].expected);
                return;
        }
        api_error(reply, NFV_ERR_NOT_FOUND, NULL, "no such resource: %.128s", req->path);
}

int api_query_flag(const ApiRequest *req, ApiReply *reply, const char *key, bool *ret) {
        const char *v = api_query(req, key);
        if (!v || streq(v, "false") || streq(v, "0")) {
                *ret = false;
                return 0;
        }
        if (streq(v, "") || streq(v, "true") || streq(v, "1")) {
                *ret = true;
                return 0;
        }
        api_error(reply, NFV_ERR_INVALID_ARGUMENT, key, "%s must be true or false", key);
        return -EINVAL;
}

json_object *api_body_object(const ApiRequest *req, ApiReply *reply) {
        struct json_tokener *tok;
        json_object *o;
        enum json_tokener_error e;
        size_t end;

        if (req->content_type && !startswith(req->content_type, "application/json")) {
                api_error(reply, NFV_ERR_UNSUPPORTED_MEDIA, NULL,
                          "the body must be application/json, not %.64s", req->content_type);
                return NULL;
        }
        if (!req->body || req->body_len == 0) {
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, "body", "a JSON object is required");
                return NULL;
        }
        tok = json_tokener_new();
        if (!tok) {
                api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
                return NULL;
        }
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        o = json_tokener_parse_ex(tok, req->body, (int) req->body_len);
        e = json_tokener_get_error(tok);
        end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (!o || e != json_tokener_success ||
            strspn(req->body + end, " \t\r\n") != req->body_len - end) {
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, "body", "the body is not valid JSON (%s)",
                          o && e == json_tokener_success ? "trailing data"
                          : e == json_tokener_continue  ? "it ends too early"
                                                         : json_tokener_error_desc(e));
                json_object_put(o);
                return NULL;
        }
        if (!json_object_is_type(o, json_type_object)) {
                api_error(reply, NFV_ERR_INVALID_ARGUMENT, "body", "the body must be a JSON object");
                json_object_put(o);
                return NULL;
        }
        return o;
}

void api_request_done(ApiRequest *req) {
        clear_params(req);
}
