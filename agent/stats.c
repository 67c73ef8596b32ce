/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stats.h"

#include <string.h>

void stats_tracker_reset(StatsTracker *t) {
        int64_t seq = t->seq; /* sequence numbers keep growing across captures */
        memset(t, 0, sizeof(*t));
        t->seq = seq;
}

int64_t stats_total_drops(const int64_t drops[_AGENT_DROP_MAX]) {
        int64_t sum = -1;
        for (size_t i = 0; i < _AGENT_DROP_MAX; i++)
                /* Duplicates removed on purpose are not loss. */
                if (drops[i] >= 0 && i != AGENT_DROP_DUPLICATE)
                        sum = (sum < 0 ? 0 : sum) + drops[i];
        return sum;
}

/* Events per second between two readings; 0 when a counter went backwards. */
static int64_t rate(int64_t now, int64_t before, uint64_t dt_usec, int64_t scale, int64_t max) {
        double r;
        if (dt_usec == 0 || now < before || before < 0)
                return 0;
        r = (double) (now - before) * (double) scale * 1e6 / (double) dt_usec;
        return r > (double) max ? max : (int64_t) (r + 0.5);
}

void stats_build(StatsTracker *t, const EngineCounters *c, const AgentCaptureInfo *capture,
                 uint64_t now_usec, int64_t realtime_ns, AgentStats *out) {
        uint64_t dt = t->last_usec ? now_usec - t->last_usec : 0;
        int64_t drops = stats_total_drops(c->drops);

        memset(out, 0, sizeof(*out));
        out->seq = t->seq++;
        out->timestamp_ns = realtime_ns;
        out->interval_ms = (int64_t) (dt / 1000);
        out->capture = *capture;
        memcpy(out->engine.source, c->source, sizeof(out->engine.source));
        out->engine.packets = c->packets;
        out->engine.bytes = c->bytes;
        memcpy(out->engine.drops, c->drops, sizeof(out->engine.drops));
        out->engine.backlog_bytes = c->backlog_bytes;
        out->nic = c->nic;
        out->rates.pps = rate(c->packets, t->last_packets, dt, 1, AGENT_PPS_MAX);
        out->rates.bps = rate(c->bytes, t->last_bytes, dt, 8, AGENT_BPS_MAX);
        out->rates.drop_pps = drops >= 0 ? rate(drops, t->last_drops, dt, 1, AGENT_PPS_MAX) : 0;
        out->n_queues = c->n_queues;
        for (size_t q = 0; q < c->n_queues && q < AGENT_MAX_QUEUES; q++) {
                AgentQueueStats *qs = &out->queues[q];
                qs->queue = (int64_t) q;
                qs->packets = c->queues[q].packets;
                qs->bytes = c->queues[q].bytes;
                qs->drops = c->queues[q].drops;
                qs->pps = rate(qs->packets, t->last_q_packets[q], dt, 1, AGENT_PPS_MAX);
                qs->bps = rate(qs->bytes, t->last_q_bytes[q], dt, 8, AGENT_BPS_MAX);
                t->last_q_packets[q] = qs->packets;
                t->last_q_bytes[q] = qs->bytes;
        }
        t->last_usec = now_usec;
        t->last_packets = c->packets;
        t->last_bytes = c->bytes;
        t->last_drops = drops;
}
