/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Register access to a PF's BAR0 through sysfs resource0, the one way nfvcapd
 * touches NIC registers. Before mapping it checks that the device is one of
 * the families it has a register model for (read afresh from sysfs, not from
 * a cache) and that resource0 is as large as the BAR and the model need.
 * Accesses are aligned 32-bit only; every write is read back. Failures are
 * explained for a person: strict /dev/mem (boot with iomem=relaxed, or use the
 * DPDK PF backend), kernel lockdown, an unknown device.
 *
 * Under --sysfs-root a fixture's resource0 may be a regular file of the BAR's
 * size: mapping it shared makes every write land in the file, which is how
 * component tests check the exact words written.
 */

#include <stddef.h>
#include <stdint.h>

#include "hw/nic/nic.h"
#include "hw/sysfs.h"

typedef struct RegIo RegIo;

/* Map BAR0 of pf. On failure returns -errno and writes a sentence to why. */
int regio_open(Sysfs *s, const char *pf, RegIo **ret, char *why, size_t len);
RegIo *regio_close(RegIo *r);
DEFINE_CLEANUP_FUNC(RegIo *, regio_close);

const NicRegs *regio_model(const RegIo *r);
size_t regio_size(const RegIo *r);

/* Read one register. -EINVAL for a misaligned or out-of-range offset. */
int regio_read(RegIo *r, uint32_t offset, uint32_t *ret);

/* old = read; write (old & ~mask) | (value & mask); read back into *ret_new.
 * -EIO when the read-back differs from what was written in the masked bits
 * (the device did not take it). */
int regio_rmw(RegIo *r, uint32_t offset, uint32_t mask, uint32_t value, uint32_t *ret_old,
              uint32_t *ret_new);
