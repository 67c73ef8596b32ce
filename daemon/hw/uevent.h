/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Kernel uevents for PCI and network devices (VFs appearing, drivers
 * binding, interfaces renamed), received on a NETLINK_KOBJECT_UEVENT socket
 * opened through libnl. Only the fact that something changed matters to
 * nfvcapd: the callback gets the subsystem and action and then rescans.
 * Works without udev, as in a bare initramfs.
 */

#include <systemd/sd-event.h>

#include "macros.h"

typedef struct UeventWatch UeventWatch;
typedef void (*uevent_handler_t)(const char *subsystem, const char *action, void *userdata);

/* Start watching; the handler runs from the event loop at the given priority. */
int uevent_watch_new(sd_event *e, int64_t priority, uevent_handler_t handler, void *userdata,
                     UeventWatch **ret);
UeventWatch *uevent_watch_free(UeventWatch *w);
DEFINE_CLEANUP_FUNC(UeventWatch *, uevent_watch_free);

/* Split one uevent datagram ("action@devpath\0KEY=VALUE\0...") into its
 * ACTION and SUBSYSTEM values; -EBADMSG if either is missing. Pointers point
 * into buf. Exposed for the unit tests. */
int uevent_parse(const char *buf, size_t len, const char **action, const char **subsystem);
