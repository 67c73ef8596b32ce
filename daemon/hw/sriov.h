/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The SR-IOV extended capability (PCIe Base Specification, "Single Root I/O
 * Virtualization and Sharing"), parsed from a copy of a function's config
 * space. Pure functions: the caller reads the bytes (through libpci).
 */

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "inventory.h"

#define PCI_CFG_SPACE_SIZE 256
#define PCI_CFG_SPACE_EXP_SIZE 4096
#define PCI_EXT_CAP_ID_SRIOV_ 0x0010 /* libpci calls it PCI_EXT_CAP_ID_SRIOV */
#define SRIOV_CAP_LEN 0x40

/* Find and decode the SR-IOV capability in cfg[0..len). Returns its offset
 * (> 0) and fills *ret; -ENODATA when the buffer ends before the list or the
 * capability does (a truncated read: presence cannot be decided), -ENOENT when
 * the list has no SR-IOV entry, -EBADMSG when the list is malformed (loops,
 * misaligned or out-of-space pointers). */
int sriov_cap_parse(const uint8_t *cfg, size_t len, NfvSriovCap *ret);

/* Address of VF n (0-based) from the PF's address, offset and stride:
 * RID(VF n) = RID(PF) + First VF Offset + n * VF Stride. -ERANGE when that
 * leaves the 16-bit routing-ID space. */
int sriov_vf_address(const PciAddr *pf, const NfvSriovCap *cap, unsigned n, PciAddr *ret);
