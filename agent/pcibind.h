/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Handing a PCI function to another driver and back, through the kernel's
 * driver_override (as driverctl and dpdk-devbind do): vfio-pci for DPDK,
 * hpcapvf for HPCAP. The original driver is remembered and given the device
 * back when the capture ends.
 */

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

typedef struct PciBinding {
        char addr[PCI_ADDR_STRLEN];
        char original[64]; /* "" when no driver was bound */
        bool changed;      /* we moved it: restore on release */
} PciBinding;

/* Bind addr to driver (loading the module first). Nothing to do when it is
 * bound to it already. -errno with a sentence in err. */
int pci_bind(const char *root, const char *addr, const char *driver, PciBinding *ret, char *err,
             size_t n);
/* Give the device back to its original driver, if pci_bind moved it. */
void pci_bind_restore(const char *root, PciBinding *b);
