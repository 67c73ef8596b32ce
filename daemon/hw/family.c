/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "family.h"

#include <stddef.h>

#include "macros.h"

#define INTEL 0x8086

/* PF rows first, then VF rows; order is irrelevant to lookups. Variant names
 * follow the Linux/DPDK driver macros (IXGBE_DEV_ID_*, E1000_DEV_ID_*). */
#define PF(dev, fam, mdl, var) { INTEL, dev, NIC_FAMILY_##fam, mdl, false, true, var }
#define VF(dev, fam, mdl, var) { INTEL, dev, NIC_FAMILY_##fam, mdl, true, false, var }
#define NOSRIOV(dev, fam, mdl, var) { INTEL, dev, NIC_FAMILY_##fam, mdl, false, false, var }

static const NicModel models[] = {
        /* 82599 (ixgbe_mac_82599EB) */
        PF(0x10F7, IXGBE, "82599", "KX4"),
        PF(0x1514, IXGBE, "82599", "KX4 mezzanine"),
        PF(0x1517, IXGBE, "82599", "KR"),
        PF(0x10F8, IXGBE, "82599", "combo backplane"),
        PF(0x10F9, IXGBE, "82599", "CX4"),
        PF(0x10FB, IXGBE, "82599", "SFP+"),
        PF(0x1507, IXGBE, "82599", "SFP+ express module"),
        PF(0x154D, IXGBE, "82599", "SFP+ SF2"),
        PF(0x154A, IXGBE, "82599", "SFP+ quad port"),
        PF(0x1558, IXGBE, "82599", "QSFP quad port"),
        PF(0x1557, IXGBE, "82599", "82599EN SFP+"),
        PF(0x1529, IXGBE, "82599", "SFP+ FCoE"),
        PF(0x152A, IXGBE, "82599", "backplane FCoE"),
        PF(0x10FC, IXGBE, "82599", "XAUI LOM"),
        PF(0x151C, IXGBE, "82599", "T3 LOM"),
        PF(0x154F, IXGBE, "82599", "LS"),
        /* X540 */
        PF(0x1528, IXGBE, "X540", "X540-AT2"),
        PF(0x1560, IXGBE, "X540", "X540-T1"),
        /* X550 */
        PF(0x1563, IXGBE, "X550", "X550T"),
        PF(0x15D1, IXGBE, "X550", "X550T1"),
        /* X552 = X550EM_x */
        PF(0x15AA, IXGBE, "X552", "KX4"),
        PF(0x15AB, IXGBE, "X552", "KR"),
        PF(0x15AC, IXGBE, "X552", "SFP+"),
        PF(0x15AD, IXGBE, "X552", "10GBASE-T"),
        PF(0x15AE, IXGBE, "X552", "1GBASE-T"),
        PF(0x15B0, IXGBE, "X552", "XFI"),
        /* X553 = X550EM_a */
        PF(0x15C2, IXGBE, "X553", "KR"),
        PF(0x15C3, IXGBE, "X553", "KR_L"),
        PF(0x15C4, IXGBE, "X553", "SFP_N"),
        PF(0x15C6, IXGBE, "X553", "SGMII"),
        PF(0x15C7, IXGBE, "X553", "SGMII_L"),
        PF(0x15C8, IXGBE, "X553", "10GBASE-T"),
        PF(0x15CE, IXGBE, "X553", "SFP"),
        PF(0x15E4, IXGBE, "X553", "1GBASE-T"),
        PF(0x15E5, IXGBE, "X553", "1GBASE-T_L"),
        PF(0x15CA, IXGBE, "X553", "QSFP"),
        PF(0x15CC, IXGBE, "X553", "QSFP_N"),
        /* 82598: ixgbe, but no SR-IOV (its driver skips SR-IOV setup). */
        NOSRIOV(0x10B6, IXGBE, "82598", "82598"),
        NOSRIOV(0x1508, IXGBE, "82598", "BX"),
        NOSRIOV(0x10C6, IXGBE, "82598", "AF dual port"),
        NOSRIOV(0x10C7, IXGBE, "82598", "AF single port"),
        NOSRIOV(0x10C8, IXGBE, "82598", "AT"),
        NOSRIOV(0x150B, IXGBE, "82598", "AT2"),
        NOSRIOV(0x10DB, IXGBE, "82598", "SR dual port EM"),
        NOSRIOV(0x10DD, IXGBE, "82598", "CX4 dual port"),
        NOSRIOV(0x10EC, IXGBE, "82598", "CX4"),
        NOSRIOV(0x10F1, IXGBE, "82598", "DA dual port"),
        NOSRIOV(0x10E1, IXGBE, "82598", "SR dual port EM"),
        NOSRIOV(0x10F4, IXGBE, "82598", "XF LR"),
        /* 82576 */
        PF(0x10C9, IGB, "82576", "copper"),
        PF(0x10E6, IGB, "82576", "fiber"),
        PF(0x10E7, IGB, "82576", "serdes"),
        PF(0x10E8, IGB, "82576", "quad copper"),
        PF(0x1526, IGB, "82576", "quad copper ET2"),
        PF(0x150A, IGB, "82576", "NS"),
        PF(0x1518, IGB, "82576", "NS serdes"),
        PF(0x150D, IGB, "82576", "serdes quad"),
        /* I350 */
        PF(0x1521, IGB, "I350", "copper"),
        PF(0x1522, IGB, "I350", "fiber"),
        PF(0x1523, IGB, "I350", "serdes"),
        PF(0x1524, IGB, "I350", "SGMII"),
        PF(0x1546, IGB, "I350", "DA4"),
        /* Virtual functions */
        VF(0x10ED, IXGBE, "82599", "82599 VF"),
        VF(0x152E, IXGBE, "82599", "82599 VF (Hyper-V)"),
        VF(0x1515, IXGBE, "X540", "X540 VF"),
        VF(0x1530, IXGBE, "X540", "X540 VF (Hyper-V)"),
        VF(0x1565, IXGBE, "X550", "X550 VF"),
        VF(0x1564, IXGBE, "X550", "X550 VF (Hyper-V)"),
        VF(0x15A8, IXGBE, "X552", "X552 VF"),
        VF(0x15A9, IXGBE, "X552", "X552 VF (Hyper-V)"),
        VF(0x15C5, IXGBE, "X553", "X553 VF"),
        VF(0x15B4, IXGBE, "X553", "X553 VF (Hyper-V)"),
        VF(0x57AD, IXGBE, "E610", "E610 VF"),
        VF(0x10CA, IGB, "82576", "82576 VF"),
        VF(0x152D, IGB, "82576", "82576 VF (Hyper-V)"),
        VF(0x1520, IGB, "I350", "I350 VF"),
        VF(0x152F, IGB, "I350", "I350 VF (Hyper-V)"),
};

const NicModel *nic_model_lookup(uint16_t vendor, uint16_t device) {
        for (size_t i = 0; i < ELEMENTSOF(models); i++)
                if (models[i].vendor == vendor && models[i].device == device)
                        return &models[i];
        return NULL;
}

const char *nic_family_to_string(NicFamily f) {
        static const char *const names[_NIC_FAMILY_MAX] = {
                [NIC_FAMILY_GENERIC] = "generic",
                [NIC_FAMILY_IXGBE] = "ixgbe",
                [NIC_FAMILY_IGB] = "igb",
        };
        return (unsigned) f < _NIC_FAMILY_MAX ? names[f] : "generic";
}

unsigned nic_model_count(void) {
        return ELEMENTSOF(models);
}

const NicModel *nic_model_get(unsigned i) {
        return i < ELEMENTSOF(models) ? &models[i] : NULL;
}
