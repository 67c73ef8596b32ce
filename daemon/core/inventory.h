/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The daemon's view of the SR-IOV hardware: the last scan of hw/pci, kept
 * until something says it is stale. A scan is a sysfs crawl, far too slow to
 * repeat for every API request, so it is redone only when a kernel uevent for
 * a PCI or network device arrived, when nfvcapd changed something itself,
 * on SIGHUP, or when it is older than the configured maximum age (a safety
 * net for events that never come, as on a fixture tree).
 */

#include <systemd/sd-event.h>

#include "hw/pci.h"
#include "hw/sysfs.h"

typedef struct Inventory Inventory;

/* max_age_usec 0 means: rescan for every request. */
int inventory_new(Sysfs *sysfs, uint64_t max_age_usec, Inventory **ret);
Inventory *inventory_free(Inventory *inv);
DEFINE_CLEANUP_FUNC(Inventory *, inventory_free);

/* The current list, rescanned first if stale. The list stays valid until the
 * next call of inventory_get or inventory_invalidate. */
int inventory_get(Inventory *inv, const PfList **ret);
/* Look up one PF by canonical address; -ENOENT when there is none. */
int inventory_find_pf(Inventory *inv, const char *address, const NfvPf **ret);
/* Mark the list stale; the next get rescans. */
void inventory_invalidate(Inventory *inv, const char *reason);
/* GET /v1/pfs is the most frequent request (dashboards, orchestrators poll
 * it), so the rendered {"pfs":[...]} document of the current list is kept
 * with it and rebuilt only after a rescan. The text stays valid until the
 * next call of inventory_get or inventory_invalidate. */
int inventory_pfs_text(Inventory *inv, const char **ret);

/* Number of scans done so far (for health and tests of the refresh policy). */
uint64_t inventory_scan_count(const Inventory *inv);
