/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Monitors: the monitoring VMs whose agents nfvcapd talks to, one per agent
 * channel. Each is named and placed (VM, PF, VF) by nfvcapd's configuration,
 * never by what its agent says. A monitor keeps what its agent last reported
 * (hello, latest statistics, a short history) and the capture the operator
 * asked for, which it (re)starts whenever the agent connects without it.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "addr.h"
#include "agent-msg.h"
#include "agentlink/channel.h"
#include "core/events.h"
#include "macros.h"

#define MONITOR_HISTORY 120 /* samples kept per monitor */

typedef struct MonitorSample {
        int64_t received_ms; /* the host's CLOCK_REALTIME when it arrived */
        int64_t packets, bytes, drops; /* drops -1: no drop counter */
        int64_t pps, bps, drop_pps;
} MonitorSample;

typedef struct Monitor Monitor;
typedef struct Monitors Monitors;

/* Parse the configuration's monitor lines ("ID SOCKET [vm=V] [pf=ADDR] [vf=N]
 * [interval_ms=MS]") and start connecting. On a bad line, err says which and
 * why and -EINVAL is returned. */
int monitors_new(sd_event *e, char *const *specs, EventBus *bus, Monitors **ret, char *err,
                 size_t errlen);
Monitors *monitors_free(Monitors *ms);
DEFINE_CLEANUP_FUNC(Monitors *, monitors_free);

size_t monitors_count(const Monitors *ms);
Monitor *monitors_get(const Monitors *ms, size_t i);
Monitor *monitors_find(const Monitors *ms, const char *id);

/* The operator's capture for this monitor: remembered, and sent to the agent
 * now if it is connected, or when it connects. -EOPNOTSUPP with why when the
 * agent said the engine cannot run there. */
int monitor_set_capture(Monitor *m, const AgentCaptureSpec *spec, char *why, size_t n);
/* Forget the capture and stop it. -ENOENT when none was asked for. */
int monitor_clear_capture(Monitor *m);

/* Documents for the API. Caller owns them. */
json_object *monitor_to_json(const Monitor *m);
json_object *monitor_stats_to_json(const Monitor *m);

/* For the metrics: read-only views. */
const char *monitor_id(const Monitor *m);
const char *monitor_vm(const Monitor *m);
const char *monitor_pf(const Monitor *m);
int monitor_vf(const Monitor *m); /* -1: not given */
bool monitor_up(const Monitor *m);
const AgentStats *monitor_latest(const Monitor *m); /* NULL before any */
int64_t monitor_latest_age_ms(const Monitor *m);
const AgentLinkCounters *monitor_link_counters(const Monitor *m);
