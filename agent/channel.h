/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The agent's end of the channel to nfvcapd: a virtio-serial port in a VM, or
 * for tests "listen:PATH", a unix socket the agent listens on exactly as QEMU
 * listens on a VM's channel socket (nfvcapd connects to it the same way).
 *
 * Nothing here blocks: output goes to a bounded queue drained when the
 * descriptor is writable, and a message that does not fit is dropped (the
 * capture never waits for the host). When the host end goes away the port is
 * closed and reopened, or the next connection is accepted.
 */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "agent-frame.h"

typedef struct Channel Channel;

typedef struct ChannelCallbacks {
        /* A host end may be there: a connection was accepted or the port opened. */
        void (*on_connect)(void *userdata);
        void (*on_disconnect)(void *userdata);
        /* Framed input (see agent-frame.h). */
        void (*on_input)(void *userdata, LineEvent ev, const char *line, size_t len);
} ChannelCallbacks;

int channel_new(sd_event *e, const char *spec, const ChannelCallbacks *cb, void *userdata,
                Channel **ret);
Channel *channel_free(Channel *c);

/* Queue a whole message. -ENOTCONN when no host end is there, -ENOBUFS when
 * the queue is full (the host is not reading): the message is dropped. */
int channel_send(Channel *c, const char *data, size_t len);
/* Messages dropped because the queue was full, since start. */
unsigned long long channel_dropped(const Channel *c);
