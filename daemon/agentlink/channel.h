/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host end of one agent channel: nfvcapd connects to the unix socket
 * QEMU (or libvirt) serves for a VM's virtio-serial port, handshakes, and
 * passes valid messages up. Everything that arrives is hostile until it has
 * passed here: lines are at most AGENT_LINE_MAX bytes, at most
 * AGENT_LINK_RATE messages a second are looked at (the excess is dropped and
 * counted), every message is parsed strictly, and each rejection is counted
 * by reason. Memory per channel is fixed whatever the guest sends, and one
 * channel's input is read in bounded slices so it cannot starve the others.
 *
 * Handshake, after qemu-guest-agent's guest-sync-delimited: on connect send
 * 0xFF then {"type":"sync","id":R}; discard everything until a hello with id
 * R; resend the sync if none comes. The channel never learns who the guest
 * is from what it says: the caller knows which VM a socket belongs to.
 *
 * A VM's socket stays connected when the agent inside stops: QEMU, not the
 * agent, is the other end. So a ready channel that falls silent for its
 * silence limit sends the sync again (every SYNC timeout while the silence
 * lasts) and stays ready; a restarted agent answers with a hello, which goes
 * up as any other, and the caller sets it up again.
 */

#include <stdint.h>
#include <systemd/sd-event.h>

#include "agent-msg.h"
#include "macros.h"

#define AGENT_LINK_RATE 100 /* messages per second per channel */
#define AGENT_LINK_SILENCE_USEC (3ull * 1000 * 1000)

typedef enum AgentLinkState {
        AGENT_LINK_DISCONNECTED, /* waiting to (re)connect */
        AGENT_LINK_SYNCING,      /* connected, waiting for the hello */
        AGENT_LINK_READY,
        _AGENT_LINK_STATE_MAX,
} AgentLinkState;

typedef struct AgentLink AgentLink;

typedef struct AgentLinkCallbacks {
        /* The state changed; reason says why for DISCONNECTED (may be NULL). */
        void (*on_state)(AgentLink *l, AgentLinkState state, const char *reason, void *userdata);
        /* A valid message from a synced agent (the hello that ends the handshake included). */
        void (*on_message)(AgentLink *l, const AgentMsg *m, void *userdata);
} AgentLinkCallbacks;

/* name is for logs (the monitor's id). Connection attempts start at once. */
int agent_link_new(sd_event *e, const char *name, const char *socket_path,
                   const AgentLinkCallbacks *cb, void *userdata, AgentLink **ret);
AgentLink *agent_link_free(AgentLink *l);
/* How long a ready agent may say nothing before it is asked for a hello again
 * (default AGENT_LINK_SILENCE_USEC). */
void agent_link_set_silence_limit(AgentLink *l, uint64_t usec);
DEFINE_CLEANUP_FUNC(AgentLink *, agent_link_free);

/* Send a command; m->id is assigned. Returns the id, -ENOTCONN when not
 * ready, -ENOBUFS when the guest is not reading its input. */
int64_t agent_link_send(AgentLink *l, AgentMsg *m);

AgentLinkState agent_link_state(const AgentLink *l);
/* Why the channel is not ready (the last connection failure); "" if none. */
const char *agent_link_reason(const AgentLink *l);
const char *agent_link_state_to_string(AgentLinkState s);

typedef struct AgentLinkCounters {
        uint64_t rejected[_AGENT_REJECT_MAX];
        uint64_t accepted;    /* valid messages passed up */
        uint64_t stale;       /* valid but sent before the handshake finished: discarded */
        uint64_t resyncs;     /* 0xFF bytes received */
        uint64_t connects;    /* handshakes completed */
        uint64_t bytes;       /* read from the channel */
} AgentLinkCounters;

const AgentLinkCounters *agent_link_counters(const AgentLink *l);
