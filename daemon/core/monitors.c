/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "monitors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "log.h"

/* A connected agent that has said nothing for this long (or three of its
 * intervals, if longer) is shown as stale: its figures are not current. */
#define STALE_MIN_MS 3000

struct Monitor {
        Monitors *owner;
        char id[MONITOR_ID_MAX];
        char vm[64];
        char pf[PCI_ADDR_STRLEN];
        int vf;
        char *socket;
        int64_t interval_ms;
        AgentLink *link;

        AgentHello *hello; /* NULL until the first handshake */
        AgentStats *latest;
        bool have_latest;
        int64_t latest_received_ms;
        uint64_t last_message_usec; /* CLOCK_MONOTONIC */
        AgentCaptureInfo capture;   /* as the agent last said */
        MonitorSample history[MONITOR_HISTORY];
        size_t history_n, history_next;

        bool want_capture;
        AgentCaptureSpec desired;
        int64_t start_id;
        char last_error[320];
        int64_t last_error_ms;
};

struct Monitors {
        sd_event *event;
        EventBus *bus;
        Monitor **list;
        size_t n;
};

static int64_t realtime_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t monotonic_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* ---- state shown to the API ---- */

static int64_t stale_after_ms(const Monitor *m) {
        return m->interval_ms * 3 > STALE_MIN_MS ? m->interval_ms * 3 : STALE_MIN_MS;
}

static bool stale(const Monitor *m) {
        return agent_link_state(m->link) == AGENT_LINK_READY &&
               (int64_t) (monotonic_usec() - m->last_message_usec) / 1000 > stale_after_ms(m);
}

static const char *state_string(const Monitor *m) {
        return stale(m) ? "stale" : agent_link_state_to_string(agent_link_state(m->link));
}

static void add_placement(json_object *o, const Monitor *m) {
        json_object_object_add(o, "vm", m->vm[0] ? json_object_new_string(m->vm) : NULL);
        json_object_object_add(o, "pf", m->pf[0] ? json_object_new_string(m->pf) : NULL);
        json_object_object_add(o, "vf", m->vf >= 0 ? json_object_new_int(m->vf) : NULL);
}

static void publish_state(Monitor *m) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "monitor", json_object_new_string(m->id));
        add_placement(o, m);
        json_object_object_add(o, "state", json_object_new_string(state_string(m)));
        json_object_object_add(o, "capture", agent_capture_info_to_json(&m->capture));
        event_bus_publish(m->owner->bus, "monitor", o);
        json_object_put(o);
}

/* ---- commands to the agent ---- */

static void send_interval(Monitor *m) {
        AgentMsg msg;
        agent_msg_init(&msg, AGENT_MSG_SET_INTERVAL);
        msg.interval_ms = m->interval_ms;
        (void) agent_link_send(m->link, &msg);
}

static bool running_as_desired(const Monitor *m) {
        return m->capture.state == AGENT_CAPTURE_RUNNING && m->capture.engine == m->desired.engine &&
               streq(m->capture.device, m->desired.device);
}

/* Make the agent run the desired capture, if there is one and it does not. */
static void apply_capture(Monitor *m) {
        AgentMsg msg;
        int64_t id;

        if (!m->want_capture || agent_link_state(m->link) != AGENT_LINK_READY ||
            running_as_desired(m))
                return;
        if (m->capture.state == AGENT_CAPTURE_RUNNING) {
                agent_msg_init(&msg, AGENT_MSG_STOP_CAPTURE);
                (void) agent_link_send(m->link, &msg);
        }
        agent_msg_init(&msg, AGENT_MSG_START_CAPTURE);
        msg.start = m->desired;
        id = agent_link_send(m->link, &msg);
        if (id < 0) {
                log_warning("monitor %s: cannot send start_capture: %s", m->id, strerror((int) -id));
                return;
        }
        m->start_id = id;
        log_info("monitor %s: asked the agent to capture with %s on %s", m->id,
                 agent_engine_to_string(m->desired.engine), m->desired.device);
}

int monitor_set_capture(Monitor *m, const AgentCaptureSpec *spec, char *why, size_t n) {
        /* Refuse what the agent already said it cannot do; without a hello yet,
         * remember it and let the agent answer when it connects. */
        for (size_t i = 0; m->hello && i < m->hello->n_engines; i++) {
                const AgentEngineInfo *e = &m->hello->engines[i];
                if (e->name == spec->engine && !e->available) {
                        snprintf(why, n, "the agent of %s cannot run %s: %s", m->id,
                                 agent_engine_to_string(spec->engine), e->reason);
                        return -EOPNOTSUPP;
                }
        }
        m->want_capture = true;
        m->desired = *spec;
        m->last_error[0] = '\0';
        /* A changed capture replaces the running one. */
        if (m->capture.state == AGENT_CAPTURE_RUNNING && !running_as_desired(m))
                log_info("monitor %s: replacing the running capture", m->id);
        apply_capture(m);
        return 0;
}

int monitor_clear_capture(Monitor *m) {
        AgentMsg msg;
        if (!m->want_capture && m->capture.state != AGENT_CAPTURE_RUNNING)
                return -ENOENT;
        m->want_capture = false;
        if (m->capture.state == AGENT_CAPTURE_RUNNING) {
                agent_msg_init(&msg, AGENT_MSG_STOP_CAPTURE);
                (void) agent_link_send(m->link, &msg);
        }
        return 0;
}

/* ---- what the agent says ---- */

static void record_stats(Monitor *m, const AgentStats *s) {
        MonitorSample *h = &m->history[m->history_next];
        json_object *o;
        int64_t drops = -1;

        *m->latest = *s;
        m->have_latest = true;
        m->latest_received_ms = realtime_ms();
        for (size_t i = 0; i < _AGENT_DROP_MAX; i++)
                if (s->engine.drops[i] >= 0 && i != AGENT_DROP_DUPLICATE)
                        drops = (drops < 0 ? 0 : drops) + s->engine.drops[i];
        *h = (MonitorSample){ .received_ms = m->latest_received_ms,
                              .packets = s->engine.packets,
                              .bytes = s->engine.bytes,
                              .drops = drops,
                              .pps = s->rates.pps,
                              .bps = s->rates.bps,
                              .drop_pps = s->rates.drop_pps };
        m->history_next = (m->history_next + 1) % MONITOR_HISTORY;
        if (m->history_n < MONITOR_HISTORY)
                m->history_n++;

        o = json_object_new_object();
        json_object_object_add(o, "monitor", json_object_new_string(m->id));
        add_placement(o, m);
        json_object_object_add(o, "received_at_ms", json_object_new_int64(m->latest_received_ms));
        json_object_object_add(o, "stats", agent_stats_to_json(s));
        event_bus_publish(m->owner->bus, "stats", o);
        json_object_put(o);
}

static void set_capture(Monitor *m, const AgentCaptureInfo *c) {
        bool changed = m->capture.state != c->state || m->capture.engine != c->engine ||
                       !streq(m->capture.device, c->device);
        m->capture = *c;
        if (changed)
                publish_state(m);
}

static void on_error_msg(Monitor *m, const AgentMsg *msg) {
        json_object *o;

        snprintf(m->last_error, sizeof(m->last_error), "%s: %s",
                 agent_error_code_to_string(msg->error.code), msg->error.message);
        m->last_error_ms = realtime_ms();
        log_warning("monitor %s: agent error %s", m->id, m->last_error);
        o = json_object_new_object();
        json_object_object_add(o, "monitor", json_object_new_string(m->id));
        add_placement(o, m);
        json_object_object_add(o, "code",
                               json_object_new_string(agent_error_code_to_string(msg->error.code)));
        json_object_object_add(o, "message", json_object_new_string(msg->error.message));
        json_object_object_add(o, "command",
                               msg->id >= 0 && msg->id == m->start_id
                                       ? json_object_new_string("start_capture")
                                       : NULL);
        event_bus_publish(m->owner->bus, "error", o);
        json_object_put(o);
}

static void on_message(AgentLink *l _unused_, const AgentMsg *msg, void *userdata) {
        Monitor *m = userdata;

        m->last_message_usec = monotonic_usec();
        switch (msg->type) {
        case AGENT_MSG_HELLO:
                if (!m->hello && !(m->hello = malloc(sizeof(AgentHello))))
                        break;
                *m->hello = msg->hello;
                if (msg->hello.protocol != AGENT_PROTOCOL_VERSION)
                        log_warning("monitor %s: agent speaks protocol %lld, nfvcapd %d", m->id,
                                    (long long) msg->hello.protocol, AGENT_PROTOCOL_VERSION);
                set_capture(m, &msg->hello.capture);
                if (msg->hello.interval_ms != m->interval_ms)
                        send_interval(m);
                apply_capture(m);
                break;
        case AGENT_MSG_STATS:
                set_capture(m, &msg->stats.capture);
                record_stats(m, &msg->stats);
                break;
        case AGENT_MSG_HEARTBEAT:
                set_capture(m, &msg->heartbeat.capture);
                break;
        case AGENT_MSG_REPLY:
                if (msg->id == m->start_id)
                        m->last_error[0] = '\0';
                break;
        case AGENT_MSG_ERROR:
                on_error_msg(m, msg);
                break;
        default:
                break;
        }
}

static void on_state(AgentLink *l _unused_, AgentLinkState s, const char *reason, void *userdata) {
        Monitor *m = userdata;
        if (s == AGENT_LINK_DISCONNECTED)
                log_full_errno(m->hello ? LOG_NOTICE : LOG_DEBUG, 0, "monitor %s: %s", m->id,
                               reason ? reason : "disconnected");
        publish_state(m);
}

/* ---- configuration ---- */

static int parse_spec(const char *spec, Monitor *m, char *err, size_t errlen) {
        _cleanup_free_ char *copy = strdup(spec);
        char *save = NULL, *tok;
        int n = 0;

        if (!copy)
                return -ENOMEM;
        m->vf = -1;
        m->interval_ms = 1000;
        for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), n++) {
                char *eq = strchr(tok, '=');
                if (n == 0) {
                        if (!monitor_id_valid(tok)) {
                                snprintf(err, errlen, "\"%.64s\" is not a monitor id "
                                                      "([A-Za-z0-9_.-], at most 63)", tok);
                                return -EINVAL;
                        }
                        snprintf(m->id, sizeof(m->id), "%s", tok);
                } else if (n == 1) {
                        if (tok[0] != '/') {
                                snprintf(err, errlen, "monitor %s: the socket must be an absolute "
                                                      "path, not \"%.128s\"", m->id, tok);
                                return -EINVAL;
                        }
                        m->socket = strdup(tok);
                        if (!m->socket)
                                return -ENOMEM;
                } else if (eq && startswith(tok, "vm=") && monitor_id_valid(eq + 1)) {
                        snprintf(m->vm, sizeof(m->vm), "%s", eq + 1);
                } else if (eq && startswith(tok, "pf=")) {
                        PciAddr a;
                        if (pci_addr_parse(eq + 1, &a) < 0) {
                                snprintf(err, errlen, "monitor %s: pf=%.64s is not a PCI address",
                                         m->id, eq + 1);
                                return -EINVAL;
                        }
                        pci_addr_format(&a, m->pf);
                } else if (eq && startswith(tok, "vf=")) {
                        char *end;
                        long v = strtol(eq + 1, &end, 10);
                        if (*end || end == eq + 1 || v < 0 || v > 65535) {
                                snprintf(err, errlen, "monitor %s: vf=%.16s is not a VF index",
                                         m->id, eq + 1);
                                return -EINVAL;
                        }
                        m->vf = (int) v;
                } else if (eq && startswith(tok, "interval_ms=")) {
                        char *end;
                        long v = strtol(eq + 1, &end, 10);
                        if (*end || v < AGENT_INTERVAL_MIN_MS || v > AGENT_INTERVAL_MAX_MS) {
                                snprintf(err, errlen, "monitor %s: interval_ms must be from %d to %d",
                                         m->id, AGENT_INTERVAL_MIN_MS, AGENT_INTERVAL_MAX_MS);
                                return -EINVAL;
                        }
                        m->interval_ms = v;
                } else {
                        snprintf(err, errlen, "monitor %s: \"%.64s\" is not one of vm=NAME, "
                                              "pf=ADDR, vf=N, interval_ms=MS", m->id, tok);
                        return -EINVAL;
                }
        }
        if (n < 2) {
                snprintf(err, errlen, "monitor \"%.64s\": expected \"ID SOCKET [vm=NAME] [pf=ADDR] "
                                      "[vf=N] [interval_ms=MS]\"", spec);
                return -EINVAL;
        }
        return 0;
}

static void monitor_free(Monitor *m) {
        if (!m)
                return;
        agent_link_free(m->link);
        free(m->socket);
        free(m->hello);
        free(m->latest);
        free(m);
}

int monitors_new(sd_event *e, char *const *specs, EventBus *bus, Monitors **ret, char *err,
                 size_t errlen) {
        static const AgentLinkCallbacks cb = { .on_state = on_state, .on_message = on_message };
        _cleanup_(monitors_freep) Monitors *ms = calloc(1, sizeof(*ms));
        int r;

        if (!ms)
                return -ENOMEM;
        ms->event = sd_event_ref(e);
        ms->bus = bus;
        for (size_t i = 0; specs && specs[i]; i++) {
                Monitor *m = calloc(1, sizeof(*m)), **nl;
                if (!m)
                        return -ENOMEM;
                m->owner = ms;
                m->capture = (AgentCaptureInfo){ AGENT_CAPTURE_IDLE, AGENT_ENGINE_NONE, "" };
                m->start_id = -1;
                r = parse_spec(specs[i], m, err, errlen);
                if (r >= 0 && monitors_find(ms, m->id)) {
                        snprintf(err, errlen, "monitor %s is configured twice", m->id);
                        r = -EINVAL;
                }
                for (size_t k = 0; r >= 0 && k < ms->n; k++)
                        if (streq(ms->list[k]->socket, m->socket)) {
                                snprintf(err, errlen, "monitors %s and %s share socket %s",
                                         ms->list[k]->id, m->id, m->socket);
                                r = -EINVAL;
                        }
                nl = r >= 0 ? realloc(ms->list, (ms->n + 1) * sizeof(*nl)) : NULL;
                if (nl)
                        ms->list = nl;
                m->latest = calloc(1, sizeof(AgentStats));
                if (r < 0 || !nl || !m->latest) {
                        monitor_free(m);
                        return r < 0 ? r : -ENOMEM;
                }
                ms->list[ms->n++] = m;
                r = agent_link_new(e, m->id, m->socket, &cb, m, &m->link);
                if (r < 0) {
                        snprintf(err, errlen, "monitor %s: %s", m->id, strerror(-r));
                        return r;
                }
                /* A stale agent is asked for a hello: it may have restarted. */
                agent_link_set_silence_limit(m->link, (uint64_t) stale_after_ms(m) * 1000);
        }
        *ret = TAKE_PTR(ms);
        return 0;
}

Monitors *monitors_free(Monitors *ms) {
        if (!ms)
                return NULL;
        for (size_t i = 0; i < ms->n; i++)
                monitor_free(ms->list[i]);
        free(ms->list);
        sd_event_unref(ms->event);
        free(ms);
        return NULL;
}

size_t monitors_count(const Monitors *ms) {
        return ms ? ms->n : 0;
}
Monitor *monitors_get(const Monitors *ms, size_t i) {
        return i < ms->n ? ms->list[i] : NULL;
}
Monitor *monitors_find(const Monitors *ms, const char *id) {
        for (size_t i = 0; ms && i < ms->n; i++)
                if (streq(ms->list[i]->id, id))
                        return ms->list[i];
        return NULL;
}

const char *monitor_id(const Monitor *m) {
        return m->id;
}
const char *monitor_vm(const Monitor *m) {
        return m->vm;
}
const char *monitor_pf(const Monitor *m) {
        return m->pf;
}
int monitor_vf(const Monitor *m) {
        return m->vf;
}
bool monitor_up(const Monitor *m) {
        return agent_link_state(m->link) == AGENT_LINK_READY && !stale(m);
}
const AgentStats *monitor_latest(const Monitor *m) {
        return m->have_latest ? m->latest : NULL;
}
int64_t monitor_latest_age_ms(const Monitor *m) {
        return m->have_latest ? realtime_ms() - m->latest_received_ms : -1;
}
const AgentLinkCounters *monitor_link_counters(const Monitor *m) {
        return agent_link_counters(m->link);
}

/* ---- documents ---- */

static json_object *channel_to_json(const Monitor *m) {
        const AgentLinkCounters *c = agent_link_counters(m->link);
        json_object *o = json_object_new_object(), *rej = json_object_new_object();
        for (int r = 0; r < _AGENT_REJECT_MAX; r++)
                json_object_object_add(rej, agent_reject_to_string((AgentReject) r),
                                       json_object_new_int64((int64_t) c->rejected[r]));
        json_object_object_add(o, "socket", json_object_new_string(m->socket));
        json_object_object_add(o, "accepted", json_object_new_int64((int64_t) c->accepted));
        json_object_object_add(o, "stale", json_object_new_int64((int64_t) c->stale));
        json_object_object_add(o, "resyncs", json_object_new_int64((int64_t) c->resyncs));
        json_object_object_add(o, "connects", json_object_new_int64((int64_t) c->connects));
        json_object_object_add(o, "bytes", json_object_new_int64((int64_t) c->bytes));
        json_object_object_add(o, "rejected", rej);
        return o;
}

json_object *monitor_to_json(const Monitor *m) {
        json_object *o = json_object_new_object(), *err = NULL;
        bool ready = agent_link_state(m->link) == AGENT_LINK_READY;

        json_object_object_add(o, "id", json_object_new_string(m->id));
        add_placement(o, m);
        json_object_object_add(o, "state", json_object_new_string(state_string(m)));
        json_object_object_add(o, "state_reason",
                               !ready && agent_link_reason(m->link)[0]
                                       ? json_object_new_string(agent_link_reason(m->link))
                                       : NULL);
        json_object_object_add(o, "interval_ms", json_object_new_int64(m->interval_ms));
        json_object_object_add(o, "agent", m->hello ? agent_hello_to_json(m->hello) : NULL);
        json_object_object_add(o, "capture", agent_capture_info_to_json(&m->capture));
        json_object_object_add(o, "desired_capture",
                               m->want_capture ? agent_capture_spec_to_json(&m->desired) : NULL);
        if (m->last_error[0]) {
                err = json_object_new_object();
                json_object_object_add(err, "message", json_object_new_string(m->last_error));
                json_object_object_add(err, "at_ms", json_object_new_int64(m->last_error_ms));
        }
        json_object_object_add(o, "last_error", err);
        json_object_object_add(o, "stats_age_ms",
                               m->have_latest ? json_object_new_int64(monitor_latest_age_ms(m))
                                              : NULL);
        json_object_object_add(o, "channel", channel_to_json(m));
        return o;
}

json_object *monitor_stats_to_json(const Monitor *m) {
        json_object *o = json_object_new_object(), *h = json_object_new_array();
        size_t first = (m->history_next + MONITOR_HISTORY - m->history_n) % MONITOR_HISTORY;

        json_object_object_add(o, "monitor", json_object_new_string(m->id));
        add_placement(o, m);
        json_object_object_add(o, "state", json_object_new_string(state_string(m)));
        json_object_object_add(o, "received_at_ms",
                               m->have_latest ? json_object_new_int64(m->latest_received_ms) : NULL);
        json_object_object_add(o, "age_ms",
                               m->have_latest ? json_object_new_int64(monitor_latest_age_ms(m))
                                              : NULL);
        json_object_object_add(o, "latest", m->have_latest ? agent_stats_to_json(m->latest) : NULL);
        for (size_t i = 0; i < m->history_n; i++) {
                const MonitorSample *s = &m->history[(first + i) % MONITOR_HISTORY];
                json_object *e = json_object_new_object();
                json_object_object_add(e, "received_at_ms", json_object_new_int64(s->received_ms));
                json_object_object_add(e, "packets", json_object_new_int64(s->packets));
                json_object_object_add(e, "bytes", json_object_new_int64(s->bytes));
                json_object_object_add(e, "drops", s->drops >= 0 ? json_object_new_int64(s->drops)
                                                                 : NULL);
                json_object_object_add(e, "pps", json_object_new_int64(s->pps));
                json_object_object_add(e, "bps", json_object_new_int64(s->bps));
                json_object_object_add(e, "drop_pps", json_object_new_int64(s->drop_pps));
                json_object_array_add(h, e);
        }
        json_object_object_add(o, "history", h);
        return o;
}
