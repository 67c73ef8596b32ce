/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent-msg.h"
#include "channel.h"
#include "devices.h"
#include "engine.h"
#include "log.h"
#include "nic.h"
#include "stats.h"

#define HEARTBEAT_USEC (1000 * 1000)

struct Session {
        sd_event *event;
        const AgentOptions *opts;
        Channel *channel;
        /* The host sent sync on this connection: unsolicited messages
         * (statistics, heartbeats) have a reader. Replies are always sent. */
        bool synced;
        int64_t interval_ms;
        sd_event_source *stats_timer, *heartbeat_timer;
        Engine *engine;
        AgentCaptureInfo capture;
        StatsTracker tracker;
        int64_t heartbeat_seq;
        uint64_t started_usec;
        AgentMsg *in, *out; /* large: kept off the stack */
};

static uint64_t now_usec(clockid_t clock) {
        struct timespec ts;
        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void send_msg(Session *s, const AgentMsg *m, bool resync) {
        size_t len;
        char *line;
        int r;

        if (!s->synced && (m->type == AGENT_MSG_STATS || m->type == AGENT_MSG_HEARTBEAT))
                return;
        line = agent_msg_format(m, resync, &len);
        if (!line)
                return;
        r = channel_send(s->channel, line, len);
        if (r == -ENOBUFS)
                log_debug("channel: output full, %s dropped", agent_msg_type_to_string(m->type));
        free(line);
}

static void send_reply(Session *s, int64_t id) {
        agent_msg_init(s->out, AGENT_MSG_REPLY);
        s->out->id = id;
        send_msg(s, s->out, false);
}

_printf_(4, 5) static void send_error(Session *s, int64_t id, AgentErrorCode code,
                                      const char *fmt, ...) {
        char msg[sizeof(s->out->error.message)];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        agent_msg_init(s->out, AGENT_MSG_ERROR);
        s->out->id = id;
        s->out->error.code = code;
        agent_text_set(s->out->error.message, sizeof(s->out->error.message), msg);
        log_full_errno(code == AGENT_ERR_UNKNOWN_COMMAND ? LOG_NOTICE : LOG_WARNING, 0,
                       "error sent to the host: %s: %s", agent_error_code_to_string(code), msg);
        send_msg(s, s->out, false);
}

static void send_hello(Session *s, int64_t id) {
        AgentHello *h;

        agent_msg_init(s->out, AGENT_MSG_HELLO);
        s->out->id = id;
        h = &s->out->hello;
        h->protocol = AGENT_PROTOCOL_VERSION;
        snprintf(h->agent, sizeof(h->agent), "%s", NFVCAP_VERSION);
        for (int e = 0; e < _AGENT_ENGINE_MAX; e++) {
                AgentEngineInfo *info = &h->engines[h->n_engines++];
                *info = (AgentEngineInfo){ .name = (AgentEngineId) e };
                engine_ops((AgentEngineId) e)->probe(s->opts, info);
        }
        h->n_devices = devices_list(s->opts->root, h->devices, AGENT_MAX_DEVICES);
        h->capture = s->capture;
        h->interval_ms = s->interval_ms;
        /* The resync byte tells the host's reader to drop anything torn before it. */
        send_msg(s, s->out, true);
}

static void read_counters(Session *s, EngineCounters *c) {
        engine_counters_init(c);
        s->engine->ops->counters(s->engine, c);
        if (!c->nic.present && s->engine->netdev[0])
                (void) nic_read(s->opts->root, s->engine->netdev, s->engine->driver, &c->nic);
}

static void send_stats(Session *s) {
        EngineCounters c;

        read_counters(s, &c);
        agent_msg_init(s->out, AGENT_MSG_STATS);
        stats_build(&s->tracker, &c, &s->capture, now_usec(CLOCK_MONOTONIC),
                    (int64_t) now_usec(CLOCK_REALTIME) * 1000, &s->out->stats);
        send_msg(s, s->out, false);
}

static void arm_stats_timer(Session *s, bool now) {
        uint64_t t;
        sd_event_now(s->event, CLOCK_MONOTONIC, &t);
        sd_event_source_set_time(s->stats_timer,
                                 t + (now ? 0 : (uint64_t) s->interval_ms * 1000u));
        sd_event_source_set_enabled(s->stats_timer, s->engine ? SD_EVENT_ON : SD_EVENT_OFF);
}

/* End the capture: final counters in a last statistics message with the
 * given state, then give everything back. */
static void end_capture(Session *s, AgentCaptureState final) {
        if (!s->engine)
                return;
        s->engine->ops->stop(s->engine);
        s->capture.state = final;
        send_stats(s);
        s->engine->ops->free(s->engine);
        s->engine = NULL;
        s->capture = (AgentCaptureInfo){ AGENT_CAPTURE_IDLE, AGENT_ENGINE_NONE, "" };
        sd_event_source_set_enabled(s->stats_timer, SD_EVENT_OFF);
}

static void do_start(Session *s, const AgentMsg *m) {
        const EngineOps *ops = engine_ops(m->start.engine);
        AgentEngineInfo info = { .name = m->start.engine };
        EngineError err = { 0 };
        Engine *e;

        if (s->engine) {
                send_error(s, m->id, AGENT_ERR_BUSY, "a %s capture on %s is running; stop it first",
                           agent_engine_to_string(s->capture.engine), s->capture.device);
                return;
        }
        ops->probe(s->opts, &info);
        if (!info.available) {
                send_error(s, m->id, AGENT_ERR_ENGINE_UNAVAILABLE, "%s: %s",
                           agent_engine_to_string(m->start.engine), info.reason);
                return;
        }
        if (ops->start(s->opts, &m->start, &e, &err) < 0) {
                send_error(s, m->id, err.code, "%s on %s: %s",
                           agent_engine_to_string(m->start.engine), m->start.device, err.message);
                return;
        }
        s->engine = e;
        s->capture = (AgentCaptureInfo){ AGENT_CAPTURE_RUNNING, m->start.engine, "" };
        snprintf(s->capture.device, sizeof(s->capture.device), "%s", m->start.device);
        stats_tracker_reset(&s->tracker);
        log_info("capture started: %s on %s, %lld queue(s)",
                 agent_engine_to_string(m->start.engine), m->start.device,
                 (long long) m->start.queues);
        send_reply(s, m->id);
        /* A first report at once: the host sees the capture running within a moment. */
        send_stats(s);
        arm_stats_timer(s, false);
}

static void dispatch(Session *s, const AgentMsg *m) {
        switch (m->type) {
        case AGENT_MSG_SYNC:
                s->synced = true;
                log_debug("sync %lld from the host (protocol %lld)", (long long) m->id,
                          (long long) m->protocol);
                send_hello(s, m->id);
                return;
        case AGENT_MSG_START_CAPTURE:
                do_start(s, m);
                return;
        case AGENT_MSG_STOP_CAPTURE:
                if (!s->engine) {
                        send_error(s, m->id, AGENT_ERR_NOT_RUNNING, "no capture is running");
                        return;
                }
                log_info("capture stopped by the host");
                end_capture(s, AGENT_CAPTURE_STOPPED);
                send_reply(s, m->id);
                return;
        case AGENT_MSG_SET_INTERVAL:
                s->interval_ms = m->interval_ms;
                if (s->engine)
                        arm_stats_timer(s, false);
                send_reply(s, m->id);
                return;
        case AGENT_MSG_PING:
                send_reply(s, m->id);
                return;
        default:
                /* The parser only lets the host's message types through. */
                send_error(s, m->id, AGENT_ERR_UNKNOWN_COMMAND, "%s is not a command",
                           agent_msg_type_to_string(m->type));
                return;
        }
}

/* A line from the host that did not parse: answer with an error that names
 * the command's id if the line has one, so the host can match it. */
static void reply_bad_line(Session *s, const char *line, const AgentParseError *err) {
        json_object *o = json_tokener_parse(line), *v;
        int64_t id = -1;
        const char *type = NULL;

        if (o && json_object_is_type(o, json_type_object)) {
                if (json_object_object_get_ex(o, "id", &v) && json_object_is_type(v, json_type_int) &&
                    json_object_get_int64(v) >= 0)
                        id = json_object_get_int64(v);
                if (json_object_object_get_ex(o, "type", &v) &&
                    json_object_is_type(v, json_type_string))
                        type = json_object_get_string(v);
        }
        if (err->reason == AGENT_REJECT_SCHEMA && type && strstr(err->detail, "unknown message type"))
                send_error(s, id, AGENT_ERR_UNKNOWN_COMMAND, "unknown command \"%.64s\"", type);
        else
                send_error(s, id, AGENT_ERR_INVALID_ARGUMENT, "%s", err->detail);
        json_object_put(o);
}

static void on_input(void *userdata, LineEvent ev, const char *line, size_t len) {
        Session *s = userdata;
        AgentParseError err;

        switch (ev) {
        case LINE_RESYNC:
                log_debug("resync byte from the host");
                return;
        case LINE_TOO_LONG:
                send_error(s, -1, AGENT_ERR_INVALID_ARGUMENT, "message longer than %u bytes",
                           AGENT_LINE_MAX);
                return;
        case LINE_COMPLETE:
                if (agent_msg_parse(line, len, AGENT_FROM_HOST, s->in, &err) < 0) {
                        reply_bad_line(s, line, &err);
                        return;
                }
                dispatch(s, s->in);
                return;
        }
}

static void on_connect(void *userdata) {
        Session *s = userdata;
        /* Whoever is there must sync before it gets unsolicited messages. */
        s->synced = false;
}

static void on_disconnect(void *userdata) {
        Session *s = userdata;
        /* The capture goes on: it does not depend on anyone watching. */
        s->synced = false;
}

static int on_stats_timer(sd_event_source *src, uint64_t usec, void *userdata) {
        Session *s = userdata;
        char why[256];

        if (!s->engine)
                return 0;
        if (s->engine->ops->failed(s->engine, why, sizeof(why))) {
                send_error(s, -1, AGENT_ERR_ENGINE_FAILED, "%s on %s stopped: %s",
                           agent_engine_to_string(s->capture.engine), s->capture.device, why);
                end_capture(s, AGENT_CAPTURE_FAILED);
                return 0;
        }
        send_stats(s);
        /* Periodic from the previous deadline, so the interval does not drift. */
        sd_event_source_set_time(src, usec + (uint64_t) s->interval_ms * 1000u);
        return sd_event_source_set_enabled(src, SD_EVENT_ON);
}

static int on_heartbeat(sd_event_source *src, uint64_t usec, void *userdata) {
        Session *s = userdata;

        agent_msg_init(s->out, AGENT_MSG_HEARTBEAT);
        s->out->heartbeat.seq = s->heartbeat_seq++;
        s->out->heartbeat.uptime_ms = (int64_t) ((now_usec(CLOCK_MONOTONIC) - s->started_usec) /
                                                 1000u);
        s->out->heartbeat.capture = s->capture;
        send_msg(s, s->out, false);
        sd_event_source_set_time(src, usec + HEARTBEAT_USEC);
        return sd_event_source_set_enabled(src, SD_EVENT_ON);
}

int session_new(sd_event *e, const AgentOptions *o, Session **ret) {
        static const ChannelCallbacks cb = {
                .on_connect = on_connect,
                .on_disconnect = on_disconnect,
                .on_input = on_input,
        };
        _cleanup_(session_freep) Session *s = calloc(1, sizeof(*s));
        uint64_t now;
        int r;

        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(e);
        s->opts = o;
        s->interval_ms = o->interval_ms;
        s->capture = (AgentCaptureInfo){ AGENT_CAPTURE_IDLE, AGENT_ENGINE_NONE, "" };
        s->started_usec = now_usec(CLOCK_MONOTONIC);
        s->in = malloc(sizeof(AgentMsg));
        s->out = malloc(sizeof(AgentMsg));
        if (!s->in || !s->out)
                return -ENOMEM;

        sd_event_now(e, CLOCK_MONOTONIC, &now);
        /* 1 ms accuracy: sd-event's default (250 ms) would bunch 10 Hz reports. */
        r = sd_event_add_time(e, &s->stats_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
                              on_stats_timer, s);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->stats_timer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time(e, &s->heartbeat_timer, CLOCK_MONOTONIC,
                                      now + HEARTBEAT_USEC, 0, on_heartbeat, s);
        if (r < 0)
                return log_error_errno(r, "cannot set up timers: %m");
        r = channel_new(e, o->channel, &cb, s, &s->channel);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

Session *session_free(Session *s) {
        if (!s)
                return NULL;
        if (s->engine) {
                log_info("stopping the capture before exit");
                end_capture(s, AGENT_CAPTURE_STOPPED);
        }
        channel_free(s->channel);
        sd_event_source_disable_unref(s->stats_timer);
        sd_event_source_disable_unref(s->heartbeat_timer);
        sd_event_unref(s->event);
        free(s->in);
        free(s->out);
        free(s);
        return NULL;
}
