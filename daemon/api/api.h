/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a route handler sees and returns. The HTTP plumbing (server.c) builds
 * an ApiRequest, routes.c matches it against the route table and validates
 * path parameters, and the handler fills an ApiReply. Handlers parse and
 * render; the decisions are core's.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "core/manager.h"
#include "core/vfmgr.h"
#include "error.h"

#define API_MAX_PARAMS 4

typedef struct ApiRequest {
        Manager *manager;
        const char *method;
        const char *path;
        /* Path parameters, already validated against their kind; canonical form. */
        char *params[API_MAX_PARAMS];
        unsigned n_params;
        const char *body; /* NUL-terminated; NULL when there was none */
        size_t body_len;
        struct ucred peer; /* pid 0 / uid -1 when unavailable */
        bool peer_known;
        const char *content_type; /* NULL when the client sent none */
        void *conn;               /* the HTTP connection, for api_query() */
} ApiRequest;

/* A body produced over time (server-sent events). The handler makes one and
 * puts it in the reply; the server owns it from then on and frees it when the
 * connection ends. */
typedef struct ApiStream ApiStream;
struct ApiStream {
        /* Up to max bytes into buf: > 0 bytes written, 0 nothing now (the
         * server waits for api_stream_wake()), < 0 the end of the body. */
        ssize_t (*read)(ApiStream *s, char *buf, size_t max);
        void (*free)(ApiStream *s);
        /* Set by the server. */
        void (*wake)(void *wake_data);
        void *wake_data;
};

/* For the producer: there is something to read again. */
static inline void api_stream_wake(ApiStream *s) {
        if (s->wake)
                s->wake(s->wake_data);
}

typedef struct ApiReply {
        unsigned status;
        json_object *doc;   /* rendered as the body, owned by the reply */
        const char *text;   /* or a body rendered already (not owned; valid until sent) */
        char allow[64];     /* for 405: the Allow header */
        const char *content_type; /* of text or stream; NULL: application/json */
        char *owned_text;   /* text the reply owns (freed after sending); text points to it */
        ApiStream *stream;  /* or a streamed body (status 200) */
} ApiReply;

typedef int (*ApiHandler)(ApiRequest *req, ApiReply *reply);

/* Fill reply with an error document. Returns 0 so handlers can `return api_error(...)`. */
int api_error(ApiReply *reply, NfvErrorCode code, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Map a negative errno from core/hw to an error reply (ENOENT -> 404, ...). */
int api_error_errno(ApiReply *reply, int error, const char *what);
/* Reply 200 with doc (ownership taken). */
int api_ok(ApiReply *reply, json_object *doc);
/* Reply 200 with JSON text that outlives the reply (a cache). */
int api_ok_text(ApiReply *reply, const char *text);

/* A query-string argument (?force=true), or NULL. */
const char *api_query(const ApiRequest *req, const char *key);
/* A boolean query flag: absent or "false"/"0" is false, "true"/"1"/"" is true.
 * Anything else is a 400 naming it (returns -EINVAL with the reply filled). */
int api_query_flag(const ApiRequest *req, ApiReply *reply, const char *key, bool *ret);
/* The request body as a JSON object. NULL with a 400/415 reply when it is
 * missing, not JSON (strict: no comments, valid UTF-8) or not an object. */
json_object *api_body_object(const ApiRequest *req, ApiReply *reply);

/* Dispatch one request. Fills reply; never fails. */
void api_route(ApiRequest *req, ApiReply *reply);
/* Free what routing stored in req (the canonical parameters). */
void api_request_done(ApiRequest *req);

/* Handlers (pfs.c, system.c). */
int api_get_version(ApiRequest *req, ApiReply *reply);
int api_get_health(ApiRequest *req, ApiReply *reply);
int api_get_pfs(ApiRequest *req, ApiReply *reply);
int api_get_pf(ApiRequest *req, ApiReply *reply);
int api_get_vfs(ApiRequest *req, ApiReply *reply);
int api_get_vf(ApiRequest *req, ApiReply *reply);
int api_put_vf_count(ApiRequest *req, ApiReply *reply);
int api_patch_vf(ApiRequest *req, ApiReply *reply);
int api_delete_vf_settings(ApiRequest *req, ApiReply *reply);
int api_get_state(ApiRequest *req, ApiReply *reply);
int api_put_state(ApiRequest *req, ApiReply *reply);
int api_post_plan(ApiRequest *req, ApiReply *reply);
int api_get_status(ApiRequest *req, ApiReply *reply);
int api_post_reconcile(ApiRequest *req, ApiReply *reply);
int api_put_rx_mode(ApiRequest *req, ApiReply *reply);
int api_delete_rx_mode(ApiRequest *req, ApiReply *reply);
int api_get_mirrors(ApiRequest *req, ApiReply *reply);
int api_post_mirror(ApiRequest *req, ApiReply *reply);
int api_get_mirror(ApiRequest *req, ApiReply *reply);
int api_delete_mirror(ApiRequest *req, ApiReply *reply);
int api_get_registers(ApiRequest *req, ApiReply *reply);
int api_get_audit(ApiRequest *req, ApiReply *reply);

/* What is wanted for PF pf now (a copy, empty when it is not managed): the
 * starting point of a change. -ENOMEM only. */
int api_current_want(Manager *m, const char *pf, DesiredPf *ret);
/* Reply with a change's error. */
int api_change_error(ApiReply *reply, const ChangeError *err);

/* Shared by the VF resources: the {index} parameter must name an existing VF
 * (400 naming "index" otherwise, 404 for an unknown PF). -1 with the reply filled. */
int api_check_vf_index(ApiRequest *req, ApiReply *reply, unsigned *ret);
/* The "rx_mode" member of a VF document. */
json_object *api_rx_mode_json(Manager *m, Observation *ob, unsigned vf);

/* Monitors, their statistics and events (monitors.c, events.c, metrics.c). */
int api_get_monitors(ApiRequest *req, ApiReply *reply);
int api_get_monitor(ApiRequest *req, ApiReply *reply);
int api_get_monitor_stats(ApiRequest *req, ApiReply *reply);
int api_put_monitor_capture(ApiRequest *req, ApiReply *reply);
int api_delete_monitor_capture(ApiRequest *req, ApiReply *reply);
int api_get_events(ApiRequest *req, ApiReply *reply);
int api_get_metrics(ApiRequest *req, ApiReply *reply);
