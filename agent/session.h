/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The agent's side of the protocol: answer the host's sync with hello, run
 * the commands (start/stop capture, interval, ping), and send statistics,
 * heartbeats and errors. Owns the channel and the running capture.
 */

#include <systemd/sd-event.h>

#include "agent.h"
#include "macros.h"

typedef struct Session Session;

int session_new(sd_event *e, const AgentOptions *o, Session **ret);
/* Stops a running capture (giving its device back) and frees. */
Session *session_free(Session *s);
DEFINE_CLEANUP_FUNC(Session *, session_free);
