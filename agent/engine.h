/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A capture engine is a row of the engine table: how to tell whether it can
 * run in this guest, and how to start, read and stop a capture. Engines run
 * their receive loops on their own threads (or DPDK lcores); the agent's main
 * thread only reads counters the workers publish, so the channel to the host
 * can never slow capture down.
 */

#include <stdatomic.h>
#include <stdbool.h>

#include "agent-msg.h"
#include "agent.h"

/* What one receive thread publishes. Written by that thread only (plain
 * stores of running totals), read by the main thread; a cache line each so
 * that workers never share one. */
typedef struct QueueCounters {
        _Atomic uint64_t packets;
        _Atomic uint64_t bytes;
        _Atomic uint64_t output_drops; /* frames the pcap output could not take */
} __attribute__((aligned(64))) QueueCounters;

static inline void queue_counters_publish(QueueCounters *q, uint64_t packets, uint64_t bytes) {
        atomic_store_explicit(&q->packets, packets, memory_order_relaxed);
        atomic_store_explicit(&q->bytes, bytes, memory_order_relaxed);
}

/* Counters of a capture, as the engine reads them. -1: no such counter. */
typedef struct EngineCounters {
        AgentText source;
        int64_t packets, bytes;
        int64_t drops[_AGENT_DROP_MAX];
        int64_t backlog_bytes;
        size_t n_queues;
        struct {
                int64_t packets, bytes, drops;
        } queues[AGENT_MAX_QUEUES];
        /* NIC counters the engine reads itself (DPDK owns the NIC); when
         * !nic.present the agent reads the guest interface's statistics. */
        AgentNicCounters nic;
} EngineCounters;

/* Every engine's state starts with this. */
typedef struct Engine {
        const struct EngineOps *ops;
        AgentCaptureSpec spec;
        char netdev[32]; /* the guest interface the NIC counters come from; "" none */
        char driver[64];
} Engine;

typedef struct EngineError {
        AgentErrorCode code;
        AgentText message;
} EngineError;

typedef struct EngineOps {
        AgentEngineId id;
        /* Fill info->available and, when it cannot run, info->reason. */
        void (*probe)(const AgentOptions *o, AgentEngineInfo *info);
        /* Start capturing as spec says; on failure fill err and return < 0. */
        int (*start)(const AgentOptions *o, const AgentCaptureSpec *spec, Engine **ret,
                     EngineError *err);
        void (*counters)(Engine *e, EngineCounters *c);
        /* Whether a receive thread has died, and why. */
        bool (*failed)(Engine *e, char *why, size_t n);
        /* Stop receiving; frames already in flight are still counted. The
         * counters stay readable until free, for the final report. */
        void (*stop)(Engine *e);
        /* Give devices back and free everything (stops first if needed). */
        void (*free)(Engine *e);
} EngineOps;

extern const EngineOps afpacket_engine;
extern const EngineOps dpdk_engine;
extern const EngineOps hpcapvf_engine;

const EngineOps *engine_ops(AgentEngineId id);

/* Set a message with printf formatting; returns -1 for `return engine_fail(...)`. */
int engine_fail(EngineError *err, AgentErrorCode code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Reset c: every counter unknown. */
void engine_counters_init(EngineCounters *c);
