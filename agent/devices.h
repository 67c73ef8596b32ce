/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The guest's capture devices: network interfaces and the PCI network
 * functions behind them (or without one, when bound to vfio-pci), for the
 * hello message and for resolving the device a start_capture names.
 */

#include <net/if.h>
#include <stddef.h>

#include "addr.h"
#include "agent-msg.h"

typedef struct DeviceRef {
        char netdev[IF_NAMESIZE]; /* empty: no interface (e.g. bound to vfio-pci) */
        char pci[PCI_ADDR_STRLEN]; /* empty: not a PCI device (veth, virtual) */
        char driver[64];           /* of the PCI function, or of the interface */
} DeviceRef;

/* Fill at most max entries; returns how many. */
size_t devices_list(const char *root, AgentDeviceInfo *out, size_t max);

/* Resolve an interface name or a PCI address. -ENODEV when it names nothing
 * here, -EINVAL when it is neither form. */
int device_resolve(const char *root, const char *arg, DeviceRef *ret);
