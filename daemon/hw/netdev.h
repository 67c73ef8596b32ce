/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The network interface a PCI function's driver registered, as sysfs shows it
 * under bus/pci/devices/ADDR/net/IFNAME/. */

#include "inventory.h"
#include "sysfs.h"

/* Name of the function's interface; with several (rare), the first by name.
 * -ENOENT when the function has none (no driver, vfio-pci, or still probing). */
int pci_netdev_name(Sysfs *s, const char *pci_addr, char **ret);

/* Name, MAC, operstate and speed of that interface. -ENOENT as above. */
int pci_netdev_read(Sysfs *s, const char *pci_addr, NfvNetdev *ret);
