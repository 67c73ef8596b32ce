/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "api.h"
#include "core/events.h"

/* GET /v1/events: server-sent events (text/event-stream), one event per
 * statistics report, monitor state change and agent error. */

typedef struct EventStream {
        ApiStream base;
        EventSubscriber *sub;
} EventStream;

static ssize_t stream_read(ApiStream *s, char *buf, size_t max) {
        EventStream *es = (EventStream *) s;
        ssize_t n = event_subscriber_read(es->sub, buf, max);
        return n == -EPIPE ? -1 : n;
}

static void stream_free(ApiStream *s) {
        EventStream *es = (EventStream *) s;
        event_unsubscribe(es->sub);
        free(es);
}

static void on_event(void *userdata) {
        EventStream *es = userdata;
        api_stream_wake(&es->base);
}

int api_get_events(ApiRequest *req, ApiReply *reply) {
        EventStream *es = calloc(1, sizeof(*es));
        int r;

        if (!es)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        es->base.read = stream_read;
        es->base.free = stream_free;
        r = event_subscribe(req->manager->events, on_event, es, &es->sub);
        if (r < 0) {
                free(es);
                return api_error(reply, NFV_ERR_UNAVAILABLE, NULL,
                                 "too many event streams are open (at most %d)",
                                 EVENTS_MAX_SUBSCRIBERS);
        }
        reply->status = 200;
        reply->stream = &es->base;
        reply->content_type = "text/event-stream";
        return 0;
}
