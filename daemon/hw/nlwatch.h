/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A libnl socket subscribed to one netlink multicast group, whose messages
 * are handed to a callback from the daemon's event loop. Shared by the
 * uevent watch (NETLINK_KOBJECT_UEVENT) and the link watch (NETLINK_ROUTE). */

#include <netlink/netlink.h>
#include <systemd/sd-event.h>

typedef struct NlWatch {
        struct nl_sock *sock;
        sd_event_source *source;
} NlWatch;

/* Open, subscribe to group, make non-blocking and add to the loop. Returns
 * -errno; on failure nothing is left open. */
int nl_watch_open(NlWatch *w, sd_event *e, int protocol, unsigned group, int64_t priority,
                  sd_event_io_handler_t handler, void *userdata);
void nl_watch_close(NlWatch *w);
