/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GET /metrics: the monitors' figures in Prometheus text format (0.0.4).
 * Every sample carries monitor, vm, pf and vf; capture samples add engine.
 * Where a figure comes from is in its name (nfvcap_capture_*: the capture
 * engine; nfvcap_guest_nic_*: the guest's NIC; nfvcap_agent_*: the channel)
 * and, in words, in nfvcap_capture_source_info. A counter a source does not
 * have is left out, never exported as 0. The families are a table; each
 * documented one is checked against this output by the component tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "core/monitors.h"

typedef void (*EmitFn)(FILE *f, const char *name, const Monitor *m, const char *labels,
                       const AgentStats *s);

typedef struct Family {
        const char *name, *type, *help;
        bool needs_stats; /* emitted only for monitors that reported statistics */
        EmitFn emit;
} Family;

/* Label values may hold anything: escape as the format requires. */
static void put_escaped(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '\\' || *s == '"')
                        fputc('\\', f);
                if (*s == '\n')
                        fputs("\\n", f);
                else
                        fputc(*s, f);
        }
}

static void sample(FILE *f, const char *name, const char *labels, const char *extra_key,
                   const char *extra_value, int64_t v) {
        if (v < 0)
                return; /* unknown: absent */
        fprintf(f, "%s{%s", name, labels);
        if (extra_key) {
                fprintf(f, ",%s=\"", extra_key);
                put_escaped(f, extra_value);
                fputc('"', f);
        }
        fprintf(f, "} %lld\n", (long long) v);
}

static void emit_up(FILE *f, const char *name, const Monitor *m, const char *labels,
                    const AgentStats *s _unused_) {
        sample(f, name, labels, NULL, NULL, monitor_up(m) ? 1 : 0);
}

static void emit_age(FILE *f, const char *name, const Monitor *m, const char *labels,
                     const AgentStats *s _unused_) {
        int64_t age = monitor_latest_age_ms(m);
        if (age >= 0)
                fprintf(f, "%s{%s} %.3f\n", name, labels, (double) age / 1000.0);
}

#define COUNTER_EMITTER(fn, expr)                                                                  \
        static void fn(FILE *f, const char *name, const Monitor *m _unused_, const char *labels, \
                       const AgentStats *s) {                                                     \
                sample(f, name, labels, NULL, NULL, expr);                                         \
        }
COUNTER_EMITTER(emit_packets, s->engine.packets)
COUNTER_EMITTER(emit_bytes, s->engine.bytes)
COUNTER_EMITTER(emit_pps, s->rates.pps)
COUNTER_EMITTER(emit_bps, s->rates.bps)
COUNTER_EMITTER(emit_drop_pps, s->rates.drop_pps)
COUNTER_EMITTER(emit_backlog, s->engine.backlog_bytes)
COUNTER_EMITTER(emit_nic_packets, s->nic.present ? s->nic.rx_packets : -1)
COUNTER_EMITTER(emit_nic_bytes, s->nic.present ? s->nic.rx_bytes : -1)
COUNTER_EMITTER(emit_nic_dropped, s->nic.present ? s->nic.rx_dropped : -1)
COUNTER_EMITTER(emit_nic_missed, s->nic.present ? s->nic.rx_missed : -1)
COUNTER_EMITTER(emit_nic_errors, s->nic.present ? s->nic.rx_errors : -1)

static void emit_drops(FILE *f, const char *name, const Monitor *m _unused_, const char *labels,
                       const AgentStats *s) {
        for (int c = 0; c < _AGENT_DROP_MAX; c++)
                sample(f, name, labels, "cause", agent_drop_cause_to_string((AgentDropCause) c),
                       s->engine.drops[c]);
}

static void emit_sources(FILE *f, const char *name, const Monitor *m _unused_, const char *labels,
                         const AgentStats *s) {
        sample(f, name, labels, "source", s->engine.source, 1);
        if (s->nic.present)
                sample(f, name, labels, "source", s->nic.source, 1);
}

#define QUEUE_EMITTER(fn, field)                                                                   \
        static void fn(FILE *f, const char *name, const Monitor *m _unused_, const char *labels, \
                       const AgentStats *s) {                                                     \
                for (size_t q = 0; q < s->n_queues; q++) {                                         \
                        char qs[16];                                                               \
                        snprintf(qs, sizeof(qs), "%lld", (long long) s->queues[q].queue);          \
                        sample(f, name, labels, "queue", qs, s->queues[q].field);                 \
                }                                                                                  \
        }
QUEUE_EMITTER(emit_q_packets, packets)
QUEUE_EMITTER(emit_q_bytes, bytes)
QUEUE_EMITTER(emit_q_drops, drops)
QUEUE_EMITTER(emit_q_pps, pps)

#define LINK_EMITTER(fn, field)                                                                    \
        static void fn(FILE *f, const char *name, const Monitor *m, const char *labels,           \
                       const AgentStats *s _unused_) {                                            \
                sample(f, name, labels, NULL, NULL, (int64_t) monitor_link_counters(m)->field);   \
        }
LINK_EMITTER(emit_accepted, accepted)
LINK_EMITTER(emit_connects, connects)
LINK_EMITTER(emit_resyncs, resyncs)
LINK_EMITTER(emit_rx_bytes, bytes)

static void emit_rejected(FILE *f, const char *name, const Monitor *m, const char *labels,
                          const AgentStats *s _unused_) {
        const AgentLinkCounters *c = monitor_link_counters(m);
        for (int r = 0; r < _AGENT_REJECT_MAX; r++)
                sample(f, name, labels, "reason", agent_reject_to_string((AgentReject) r),
                       (int64_t) c->rejected[r]);
}

static const Family families[] = {
        { "nfvcap_monitor_up", "gauge",
          "1 when the monitor's agent is connected, synced and reporting, else 0.", false, emit_up },
        { "nfvcap_capture_stats_age_seconds", "gauge",
          "Time since the monitor's last statistics report arrived.", true, emit_age },
        { "nfvcap_capture_source_info", "gauge",
          "Where the capture and guest NIC figures come from, in words.", true, emit_sources },
        { "nfvcap_capture_packets_total", "counter",
          "Frames the capture engine received (engine counters).", true, emit_packets },
        { "nfvcap_capture_bytes_total", "counter", "Bytes of the frames the capture engine received.",
          true, emit_bytes },
        { "nfvcap_capture_drops_total", "counter",
          "Frames lost before the engine got them, by cause; causes the engine cannot see are absent.",
          true, emit_drops },
        { "nfvcap_capture_packets_per_second", "gauge",
          "Capture rate over the agent's last interval.", true, emit_pps },
        { "nfvcap_capture_bits_per_second", "gauge", "Capture rate in bits over the last interval.",
          true, emit_bps },
        { "nfvcap_capture_drops_per_second", "gauge", "Loss rate over the last interval.", true,
          emit_drop_pps },
        { "nfvcap_capture_backlog_bytes", "gauge",
          "Captured bytes not yet consumed (hpcapvf buffers).", true, emit_backlog },
        { "nfvcap_capture_queue_packets_total", "counter", "Frames received per receive queue.", true,
          emit_q_packets },
        { "nfvcap_capture_queue_bytes_total", "counter", "Bytes received per receive queue.", true,
          emit_q_bytes },
        { "nfvcap_capture_queue_drops_total", "counter",
          "Frames lost per receive queue, where the engine counts per queue.", true, emit_q_drops },
        { "nfvcap_capture_queue_packets_per_second", "gauge", "Per-queue rate over the last interval.",
          true, emit_q_pps },
        { "nfvcap_guest_nic_rx_packets_total", "counter",
          "Frames the guest's NIC received (its own counters).", true, emit_nic_packets },
        { "nfvcap_guest_nic_rx_bytes_total", "counter", "Bytes the guest's NIC received.", true,
          emit_nic_bytes },
        { "nfvcap_guest_nic_rx_dropped_total", "counter",
          "Frames the guest kernel dropped after the NIC received them.", true, emit_nic_dropped },
        { "nfvcap_guest_nic_rx_missed_total", "counter",
          "Frames the NIC missed for lack of descriptors; absent where the NIC has no such "
          "counter (VFs).",
          true, emit_nic_missed },
        { "nfvcap_guest_nic_rx_errors_total", "counter", "Frames the NIC received with errors.",
          true, emit_nic_errors },
        { "nfvcap_agent_messages_total", "counter",
          "Valid messages accepted from the monitor's agent.", false, emit_accepted },
        { "nfvcap_agent_rejected_messages_total", "counter",
          "Lines from the monitor's agent that were refused, by reason.", false, emit_rejected },
        { "nfvcap_agent_connects_total", "counter", "Completed handshakes with the agent.", false,
          emit_connects },
        { "nfvcap_agent_resyncs_total", "counter", "Resync bytes (0xFF) received from the agent.",
          false, emit_resyncs },
        { "nfvcap_agent_received_bytes_total", "counter", "Bytes read from the agent's channel.",
          false, emit_rx_bytes },
};

/* monitor="m",vm="v",pf="p",vf="n" (empty strings for what is not configured),
 * plus engine="e" when with_engine. */
static void labels_of(const Monitor *m, const AgentStats *s, bool with_engine, char **ret) {
        size_t n;
        FILE *f = open_memstream(ret, &n);
        char vf[16] = "";

        if (!f) {
                *ret = NULL;
                return;
        }
        if (monitor_vf(m) >= 0)
                snprintf(vf, sizeof(vf), "%d", monitor_vf(m));
        fputs("monitor=\"", f);
        put_escaped(f, monitor_id(m));
        fputs("\",vm=\"", f);
        put_escaped(f, monitor_vm(m));
        fputs("\",pf=\"", f);
        put_escaped(f, monitor_pf(m));
        fprintf(f, "\",vf=\"%s\"", vf);
        if (with_engine) {
                fputs(",engine=\"", f);
                put_escaped(f, agent_engine_to_string(s->capture.engine));
                fputc('"', f);
        }
        fclose(f);
}

int api_get_metrics(ApiRequest *req, ApiReply *reply) {
        const Monitors *ms = req->manager->monitors;
        char *text = NULL;
        size_t len;
        FILE *f = open_memstream(&text, &len);

        if (!f)
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        for (size_t i = 0; i < ELEMENTSOF(families); i++) {
                const Family *fam = &families[i];
                fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name,
                        fam->type);
                for (size_t k = 0; k < monitors_count(ms); k++) {
                        const Monitor *m = monitors_get(ms, k);
                        const AgentStats *s = monitor_latest(m);
                        char *labels = NULL;
                        if (fam->needs_stats && !s)
                                continue;
                        labels_of(m, s, fam->needs_stats, &labels);
                        if (labels)
                                fam->emit(f, fam->name, m, labels, s);
                        free(labels);
                }
        }
        fprintf(f, "# HELP nfvcap_event_streams Open GET /v1/events streams.\n"
                   "# TYPE nfvcap_event_streams gauge\nnfvcap_event_streams %u\n",
                event_bus_subscribers(req->manager->events));
        if (fclose(f) != 0 || !text) {
                free(text);
                return api_error(reply, NFV_ERR_INTERNAL, NULL, "out of memory");
        }
        api_ok_text(reply, text);
        reply->owned_text = text;
        reply->content_type = "text/plain; version=0.0.4; charset=utf-8";
        return 0;
}
