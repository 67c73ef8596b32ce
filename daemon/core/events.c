/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* A comment line every so often: proxies keep the stream open, and a client
 * that went away is noticed when the write fails. */
#define KEEPALIVE_USEC (15ull * 1000 * 1000)

struct EventSubscriber {
        EventBus *bus;
        EventNotify notify;
        void *userdata;
        char *buf;
        size_t len, sent;
        bool ended;
        EventSubscriber *next;
};

struct EventBus {
        sd_event_source *keepalive;
        EventSubscriber *subscribers;
        unsigned n_subscribers;
        uint64_t next_id;
        bool closing;
};

static void append(EventSubscriber *s, const char *text, size_t n) {
        char *nb;
        if (s->ended)
                return;
        /* Bytes already sent are dropped from the front before growing. */
        if (s->sent > 0) {
                memmove(s->buf, s->buf + s->sent, s->len - s->sent);
                s->len -= s->sent;
                s->sent = 0;
        }
        if (s->len + n > EVENTS_BUFFER_MAX) {
                log_notice("event stream fell %zu bytes behind: ending it", s->len);
                s->ended = true;
                return;
        }
        nb = realloc(s->buf, s->len + n);
        if (!nb) {
                s->ended = true;
                return;
        }
        s->buf = nb;
        memcpy(s->buf + s->len, text, n);
        s->len += n;
}

static void broadcast(EventBus *b, const char *text, size_t n) {
        for (EventSubscriber *s = b->subscribers; s; s = s->next) {
                append(s, text, n);
                s->notify(s->userdata);
        }
}

static int on_keepalive(sd_event_source *src, uint64_t usec, void *userdata) {
        static const char comment[] = ": keepalive\n\n";
        broadcast(userdata, comment, sizeof(comment) - 1);
        sd_event_source_set_time(src, usec + KEEPALIVE_USEC);
        return sd_event_source_set_enabled(src, SD_EVENT_ON);
}

int event_bus_new(sd_event *e, EventBus **ret) {
        EventBus *b = calloc(1, sizeof(*b));
        uint64_t now;
        int r;

        if (!b)
                return -ENOMEM;
        b->next_id = 1;
        sd_event_now(e, CLOCK_MONOTONIC, &now);
        r = sd_event_add_time(e, &b->keepalive, CLOCK_MONOTONIC, now + KEEPALIVE_USEC,
                              1000 * 1000, on_keepalive, b);
        if (r < 0) {
                free(b);
                return r;
        }
        *ret = b;
        return 0;
}

static void bus_release(EventBus *b) {
        sd_event_source_disable_unref(b->keepalive);
        free(b);
}

void event_bus_free(EventBus *b) {
        if (!b)
                return;
        b->closing = true;
        b->keepalive = sd_event_source_disable_unref(b->keepalive);
        for (EventSubscriber *s = b->subscribers; s; s = s->next) {
                s->ended = true;
                s->notify(s->userdata);
        }
        if (b->n_subscribers == 0)
                bus_release(b);
}

void event_bus_publish(EventBus *b, const char *kind, json_object *data) {
        const char *json;
        char *text = NULL;
        int n;

        if (!b || b->closing)
                return;
        /* One line of JSON (a plain rendering has no newline in it). */
        json = json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
        n = asprintf(&text, "id: %llu\nevent: %s\ndata: %s\n\n",
                     (unsigned long long) b->next_id++, kind, json);
        if (n < 0)
                return;
        broadcast(b, text, (size_t) n);
        free(text);
}

uint64_t event_bus_published(const EventBus *b) {
        return b->next_id - 1;
}

unsigned event_bus_subscribers(const EventBus *b) {
        return b->n_subscribers;
}

int event_subscribe(EventBus *b, EventNotify notify, void *userdata, EventSubscriber **ret) {
        static const char hello[] = ": nfvcapd event stream\n\n";
        EventSubscriber *s;

        if (b->closing || b->n_subscribers >= EVENTS_MAX_SUBSCRIBERS)
                return -EBUSY;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        *s = (EventSubscriber){ .bus = b, .notify = notify, .userdata = userdata,
                                .next = b->subscribers };
        b->subscribers = s;
        b->n_subscribers++;
        /* Something to send at once: the client sees the stream is open. */
        append(s, hello, sizeof(hello) - 1);
        *ret = s;
        return 0;
}

void event_unsubscribe(EventSubscriber *s) {
        EventBus *b;
        if (!s)
                return;
        b = s->bus;
        for (EventSubscriber **p = &b->subscribers; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        b->n_subscribers--;
        free(s->buf);
        free(s);
        if (b->closing && b->n_subscribers == 0)
                bus_release(b);
}

ssize_t event_subscriber_read(EventSubscriber *s, char *buf, size_t max) {
        size_t n = s->len - s->sent;
        if (n == 0)
                return s->ended ? -EPIPE : 0;
        if (n > max)
                n = max;
        memcpy(buf, s->buf + s->sent, n);
        s->sent += n;
        return (ssize_t) n;
}
