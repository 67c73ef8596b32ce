/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Statistics messages from engine counters: the counters as read, and rates
 * (pps, bps, drop pps) over the time since the previous reading, per capture
 * and per queue.
 */

#include <stdint.h>

#include "agent-msg.h"
#include "engine.h"

typedef struct StatsTracker {
        int64_t seq;
        uint64_t last_usec; /* CLOCK_MONOTONIC of the previous reading; 0: none */
        int64_t last_packets, last_bytes, last_drops;
        int64_t last_q_packets[AGENT_MAX_QUEUES], last_q_bytes[AGENT_MAX_QUEUES];
} StatsTracker;

/* Forget the previous reading (a new capture starts from zero). */
void stats_tracker_reset(StatsTracker *t);

/* Fill out from counters read at now_usec (monotonic) / realtime_ns. */
void stats_build(StatsTracker *t, const EngineCounters *c, const AgentCaptureInfo *capture,
                 uint64_t now_usec, int64_t realtime_ns, AgentStats *out);

/* The sum of the drop counters that exist; -1 when none does. */
int64_t stats_total_drops(const int64_t drops[_AGENT_DROP_MAX]);
