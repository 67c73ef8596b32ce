/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The event bus behind GET /v1/events: core publishes what happens (live
 * statistics, monitor state changes, agent errors) and each subscriber (an
 * open event stream) receives it as server-sent events text. An event is
 * rendered once and copied to each subscriber's bounded buffer; a subscriber
 * that falls too far behind is ended rather than allowed to grow, and the
 * number of subscribers is bounded.
 */

#include <json-c/json.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "macros.h"

#define EVENTS_MAX_SUBSCRIBERS 32
#define EVENTS_BUFFER_MAX (1u << 20) /* bytes a subscriber may be behind */

typedef struct EventBus EventBus;
typedef struct EventSubscriber EventSubscriber;

/* Called when a subscriber has something to read (or has ended). */
typedef void (*EventNotify)(void *userdata);

int event_bus_new(sd_event *e, EventBus **ret);
/* Ends every subscriber (they read the end of stream) and frees the bus once
 * the last one unsubscribes; the caller forgets it now. */
void event_bus_free(EventBus *b);
DEFINE_CLEANUP_FUNC(EventBus *, event_bus_free);

/* Publish an event of kind ("stats", "monitor", "error"); data is rendered
 * and not taken. */
void event_bus_publish(EventBus *b, const char *kind, json_object *data);
uint64_t event_bus_published(const EventBus *b);
unsigned event_bus_subscribers(const EventBus *b);

/* -EBUSY when there are EVENTS_MAX_SUBSCRIBERS already. */
int event_subscribe(EventBus *b, EventNotify notify, void *userdata, EventSubscriber **ret);
void event_unsubscribe(EventSubscriber *s);
/* Copy up to max pending bytes: > 0 copied, 0 nothing now, -EPIPE the stream
 * has ended (the bus is going away, or this subscriber fell behind). */
ssize_t event_subscriber_read(EventSubscriber *s, char *buf, size_t max);
