/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * NIC families nfvcap knows by device ID. The table (family.c) holds every
 * Intel ID in the reference facts sheet (docs/nic-families.md names the
 * sources). A device that is not in it is "generic": still listed and managed
 * through the kernel's SR-IOV and rtnetlink interfaces, without register
 * features. Nothing is ever refused for not being in the table.
 */

#include <stdbool.h>
#include <stdint.h>

typedef enum NicFamily {
        NIC_FAMILY_GENERIC,
        NIC_FAMILY_IXGBE,
        NIC_FAMILY_IGB,
        _NIC_FAMILY_MAX,
} NicFamily;

typedef struct NicModel {
        uint16_t vendor;
        uint16_t device;
        NicFamily family;
        const char *model; /* "82599", "X540", "X550", "X552", "X553", "82576", "I350", ... */
        bool is_vf;        /* a virtual function's ID */
        bool has_sriov;    /* false for the 82598, listed so that it is recognised */
        const char *variant;
} NicModel;

/* The model for vendor:device, or NULL when the device is generic. */
const NicModel *nic_model_lookup(uint16_t vendor, uint16_t device);
const char *nic_family_to_string(NicFamily f);
/* Number of rows, and row i, for tests that walk the whole table. */
unsigned nic_model_count(void);
const NicModel *nic_model_get(unsigned i);
