/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"

static const EngineOps *const engines[_AGENT_ENGINE_MAX] = {
        [AGENT_ENGINE_AFPACKET] = &afpacket_engine,
        [AGENT_ENGINE_DPDK] = &dpdk_engine,
        [AGENT_ENGINE_HPCAPVF] = &hpcapvf_engine,
};

const EngineOps *engine_ops(AgentEngineId id) {
        return id >= 0 && id < _AGENT_ENGINE_MAX ? engines[id] : NULL;
}

int engine_fail(EngineError *err, AgentErrorCode code, const char *fmt, ...) {
        char msg[sizeof(err->message)];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        err->code = code;
        agent_text_set(err->message, sizeof(err->message), msg);
        return -1;
}

void engine_counters_init(EngineCounters *c) {
        memset(c, 0, sizeof(*c));
        for (size_t i = 0; i < _AGENT_DROP_MAX; i++)
                c->drops[i] = -1;
        c->backlog_bytes = -1;
}
