/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What PF drivers cannot do with their VFs' settings. Two sources:
 *  - probing: setting a knob to the value it already has tells whether the
 *    driver implements the operation at all (EOPNOTSUPP when it does not);
 *  - facts that probing cannot reveal because they depend on the value (a
 *    non-zero minimum rate, an 802.1ad VLAN), from the drivers' source, in
 *    the table in vfcaps.c.
 */

#include <stdint.h>

#include "rtnl.h"
#include "vfsettings.h"

typedef struct VfCaps {
        uint32_t unsupported; /* knob bits */
        char reason[_VF_KNOB_MAX][160];
} VfCaps;

/* Start from the driver facts for `driver`. */
void vfcaps_init(VfCaps *c, const char *driver);

/* Probe the operations of the PF with ifindex through VF vf, whose current
 * settings are cur: each knob group is set to its current value. Knobs whose
 * operation the driver lacks become unsupported. Changes nothing on drivers
 * that implement the operations. */
void vfcaps_probe(VfCaps *c, Rtnl *r, int ifindex, const char *driver, unsigned vf,
                  const NfvVfSettings *cur);

/* Learn from a refusal of a real change: returns true when err shows the
 * driver cannot do the group's operation (or the VLAN protocol) at all, after
 * marking the knobs unsupported. */
bool vfcaps_learn(VfCaps *c, const char *driver, VfKnobGroup g, const NfvVfSettings *to, int err);
