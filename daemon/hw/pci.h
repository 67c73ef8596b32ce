/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * SR-IOV inventory: which PCI functions are physical functions, what their
 * SR-IOV capability and driver say, and which VFs they have. Enumeration and
 * config space go through libpci (its sysfs method, rooted at the daemon's
 * sysfs root); the SR-IOV attributes, links and netdevs are read from sysfs.
 */

#include <stddef.h>

#include "inventory.h"
#include "sysfs.h"

typedef struct PfList {
        NfvPf *pfs;
        size_t n;
} PfList;

void pf_list_done(PfList *l);

/* Scan the machine under the sysfs root. A PF is a function with the SR-IOV
 * extended capability, or one for which the kernel exposes sriov_totalvfs
 * (config space may be unreadable). Problems with one device become that
 * PF's or VF's warnings; only a failure to enumerate at all is an error. The
 * list is sorted by address. */
int pci_scan_pfs(Sysfs *sysfs, PfList *ret);
