/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ixgbe family (82599, X540, X550, X552 = X550EM_x, X553 = X550EM_a): the
 * registers nfvcap programs on the PF. Register names and offsets are the
 * datasheet's (Snabb's 82599 table; X550 datasheet 333369 section 8.2.2);
 * Linux/DPDK macro names are in docs/nic-registers.md. All models share one
 * layout: 64 pools, 128 RAR entries, 64 VLVF entries, 4 mirror rules.
 */
#include <errno.h>

#include "macros.h"
#include "nic-private.h"

enum {
        IXGBE_POOLS = 64,
        IXGBE_RAR = 128, /* IXGBE_82599_RAR_ENTRIES, IXGBE_X540_RAR_ENTRIES */
        IXGBE_VLVF = 64, /* IXGBE_VLVF_ENTRIES */
        IXGBE_RULES = 4, /* PFMRCTL[0..3] */
};

/* PFVML2FLT (Linux/DPDK: VMOLR) */
#define VML2FLT_AUPE (UINT32_C(1) << 24)
#define VML2FLT_ROMPE (UINT32_C(1) << 25)
#define VML2FLT_ROPE (UINT32_C(1) << 26)
#define VML2FLT_BAM (UINT32_C(1) << 27)
#define VML2FLT_MPE (UINT32_C(1) << 28)
/* PFMRCTL (Linux/DPDK: MRCTL) */
#define MRCTL_VPME (UINT32_C(1) << 0)
#define MRCTL_UPME (UINT32_C(1) << 1)
#define MRCTL_DPME (UINT32_C(1) << 2)
#define MRCTL_VLME (UINT32_C(1) << 3)
/* PFVTCTL (VT_CTL) */
#define VTCTL_RPL_EN (UINT32_C(1) << 30)
/* RAH */
#define RAH_AV (UINT32_C(1) << 31)
#define RAH_ADDR UINT32_C(0x0000ffff)
/* PFVLVF (VLVF) */
#define VLVF_VI_EN (UINT32_C(1) << 31)
#define VLVF_VLAN_ID UINT32_C(0x00000fff)

/* Every register nfvcap writes, plus the read-only context a dump needs to
 * explain them (FCTRL, MRQC, switch and anti-spoof control, VLAN insert). */
static const NamedReg named[] = {
        { "PFVTCTL", 0x051B0, 1, 0, 0 },
        { "PFVFRE", 0x051E0, 2, 4, 0 },
        { "PFVFTE", 0x08110, 2, 4, 0 },
        { "PFVMTXSW", 0x05180, 2, 4, 0 },
        { "PFVML2FLT", 0x0F000, IXGBE_POOLS, 4, 0 },
        { "PFVLVF", 0x0F100, IXGBE_VLVF, 4, 0 },
        { "PFVLVFB", 0x0F200, 2 * IXGBE_VLVF, 4, 0 },
        { "VFTA", 0x0A000, 128, 4, 0 },
        { "PFMRCTL", 0x0F600, IXGBE_RULES, 4, 0 },
        { "PFMRVLAN", 0x0F610, 2 * IXGBE_RULES, 4, 0 },
        { "PFMRVM", 0x0F630, 2 * IXGBE_RULES, 4, 0 },
        /* The datasheet addresses for all 128 entries; 0x05400 + 8n (n <= 15),
         * which the drivers use, is the backward-compatible alias of the same
         * entries. */
        { "RAL", 0x0A200, IXGBE_RAR, 8, 0 },
        { "RAH", 0x0A204, IXGBE_RAR, 8, 0 },
        { "MPSAR", 0x0A600, 2 * IXGBE_RAR, 4, 0 },
        { "FCTRL", 0x05080, 1, 0, 0 },
        { "MRQC", 0x0EC80, 1, 0, 0 },
        { "PFDTXGSWC", 0x08220, 1, 0, 0 },
        { "PFVFSPOOF", 0x08200, 8, 4, 0 },
        { "PFVMVIR", 0x08000, IXGBE_POOLS, 4, 0 },
};

static const NicLayout layout = {
        .tab = named,
        .ntab = ELEMENTSOF(named),
        .pools = IXGBE_POOLS,
        .vlvf_entries = IXGBE_VLVF,
        .vmolr = "PFVML2FLT",
        .rx_bit = {
                [POOL_RX_ACCEPT_UNTAGGED] = VML2FLT_AUPE,
                [POOL_RX_MULTICAST_HASH] = VML2FLT_ROMPE,
                [POOL_RX_UNICAST_HASH] = VML2FLT_ROPE,
                [POOL_RX_BROADCAST] = VML2FLT_BAM,
                [POOL_RX_MULTICAST_PROMISC] = VML2FLT_MPE,
        },
        .mirror_rules = IXGBE_RULES,
        .mrctl = "PFMRCTL",
        .mrvm = "PFMRVM",
        .mrvlan = "PFMRVLAN",
        .bitmap_words = 2,
        .mirror_type_bit = {
                [MIRROR_POOL] = MRCTL_VPME,
                [MIRROR_UPLINK] = MRCTL_UPME,
                [MIRROR_DOWNLINK] = MRCTL_DPME,
                [MIRROR_VLAN] = MRCTL_VLME,
        },
        .mirror_type_field = MRCTL_VPME | MRCTL_UPME | MRCTL_DPME | MRCTL_VLME,
        .mirror_dst_shift = 8, /* MP, bits 13:8 */
        .mirror_dst_mask = 0x3f,
};

NIC_LAYOUT_FUNCTIONS(ixgbe, layout)

/* RAR entry n: address in RAL[n]/RAH[n], pools in MPSAR[2n] (0..31) and
 * MPSAR[2n+1] (32..63). Pools first, then the address with AV, the order of
 * ixgbe_set_rar_generic(); removal clears AV first. */
static int ixgbe_mac_filter(unsigned rar, const uint8_t mac[6], uint64_t pools, RegOp *ops) {
        OpList l = ops_list(ops);

        if (rar >= IXGBE_RAR)
                return -ERANGE;
        if (pools == 0) {
                op_add(&l, "RAH", rar, RAH_AV | RAH_ADDR, 0);
                op_add(&l, "RAL", rar, UINT32_MAX, 0);
                op_add(&l, "MPSAR", 2 * rar, UINT32_MAX, 0);
                op_add(&l, "MPSAR", 2 * rar + 1, UINT32_MAX, 0);
                return op_done(&l);
        }
        if (!mac || nic_mac_is_zero(mac))
                return -EINVAL;
        op_add(&l, "MPSAR", 2 * rar, UINT32_MAX, (uint32_t) pools);
        op_add(&l, "MPSAR", 2 * rar + 1, UINT32_MAX, (uint32_t) (pools >> 32));
        op_add(&l, "RAL", rar, UINT32_MAX, nic_ral(mac));
        /* Bits 30:16 are left alone (X550: bit 30 ADTYPE = E-tag; 82598: VIND). */
        op_add(&l, "RAH", rar, RAH_AV | RAH_ADDR, RAH_AV | nic_rah_addr(mac));
        return op_done(&l);
}

static int ixgbe_rar_regs(unsigned rar, uint32_t offsets[4]) {
        if (rar >= IXGBE_RAR)
                return -ERANGE;
        offsets[0] = reg_at("RAL", rar);
        offsets[1] = reg_at("RAH", rar);
        offsets[2] = reg_at("MPSAR", 2 * rar);
        offsets[3] = reg_at("MPSAR", 2 * rar + 1);
        return 4;
}

static int ixgbe_rar_decode(const uint32_t *words, uint8_t mac[6], uint64_t *pools, bool *valid) {
        nic_mac_from_rar(words[0], words[1], mac);
        *valid = words[1] & RAH_AV;
        *pools = (uint64_t) words[2] | (uint64_t) words[3] << 32;
        return 0;
}

/* VLVF entry i: VLAN id and enable in PFVLVF[i], pools in PFVLVFB[2i] and
 * PFVLVFB[2i+1], and the VLAN's bit in the global VFTA, without which the
 * VLAN is dropped before pool selection while VLAN filtering is on. */
static int ixgbe_vlan_filter(unsigned vlvf, uint16_t vid, uint64_t pools, RegOp *ops) {
        OpList l = ops_list(ops);
        uint32_t vfta_bit = UINT32_C(1) << (vid % 32);

        if (vlvf >= IXGBE_VLVF || vid > VLVF_VLAN_ID)
                return -ERANGE;
        if (pools == 0) {
                /* VFTA first, then the entry: the order igb_vfta_set() gives,
                 * so no frame of the VLAN slips to the default pool. */
                op_add(&l, "VFTA", vid / 32, vfta_bit, 0);
                op_add(&l, "PFVLVF", vlvf, UINT32_MAX, 0);
                op_add(&l, "PFVLVFB", 2 * vlvf, UINT32_MAX, 0);
                op_add(&l, "PFVLVFB", 2 * vlvf + 1, UINT32_MAX, 0);
                return op_done(&l);
        }
        op_add(&l, "PFVLVFB", 2 * vlvf, UINT32_MAX, (uint32_t) pools);
        op_add(&l, "PFVLVFB", 2 * vlvf + 1, UINT32_MAX, (uint32_t) (pools >> 32));
        op_add(&l, "PFVLVF", vlvf, VLVF_VI_EN | VLVF_VLAN_ID, VLVF_VI_EN | vid);
        op_add(&l, "VFTA", vid / 32, vfta_bit, vfta_bit);
        return op_done(&l);
}

static uint32_t ixgbe_vlvf_reg(unsigned index) {
        return index < IXGBE_VLVF ? reg_at("PFVLVF", index) : NIC_REG_NONE;
}

static int ixgbe_vlvf_decode(uint32_t value, uint16_t *vid, bool *enabled) {
        *vid = (uint16_t) (value & VLVF_VLAN_ID);
        *enabled = value & VLVF_VI_EN;
        return 0;
}

static int ixgbe_vlvf_pool_regs(unsigned index, uint32_t offsets[2]) {
        if (index >= IXGBE_VLVF)
                return -ERANGE;
        offsets[0] = reg_at("PFVLVFB", 2 * index);
        offsets[1] = reg_at("PFVLVFB", 2 * index + 1);
        return 2;
}

static uint64_t ixgbe_vlvf_pools_decode(const uint32_t *words) {
        return (uint64_t) words[0] | (uint64_t) words[1] << 32;
}

static int ixgbe_replication(bool enable, RegOp *ops) {
        OpList l = ops_list(ops);
        op_add(&l, "PFVTCTL", 0, VTCTL_RPL_EN, enable ? VTCTL_RPL_EN : 0);
        return op_done(&l);
}

static bool ixgbe_replication_decode(uint32_t value) {
        return value & VTCTL_RPL_EN;
}

#define ALL_RX_FLAGS ((UINT32_C(1) << _POOL_RX_MAX) - 1)
#define ALL_MIRROR_TYPES ((UINT32_C(1) << _MIRROR_TYPE_MAX) - 1)

#define IXGBE_MODEL(name_)                                                                         \
        {                                                                                          \
                .family = NIC_FAMILY_IXGBE, .model = name_, .pools = IXGBE_POOLS,                  \
                .mirror_rules = IXGBE_RULES, .rar_entries = IXGBE_RAR, .vlvf_entries = IXGBE_VLVF, \
                .rx_flags = ALL_RX_FLAGS, .mirror_types = ALL_MIRROR_TYPES,                        \
                .pool_rx_flags = ixgbe_pool_rx_flags, .mirror_set = ixgbe_mirror_set,              \
                .mirror_clear = ixgbe_mirror_clear, .mac_filter = ixgbe_mac_filter,                \
                .vlan_filter = ixgbe_vlan_filter, .replication = ixgbe_replication,                \
                .pool_rx_flags_decode = ixgbe_pool_rx_flags_decode,                                \
                .pool_rx_reg = ixgbe_pool_rx_reg, .vlvf_decode = ixgbe_vlvf_decode,                \
                .vlvf_reg = ixgbe_vlvf_reg, .vlvf_pool_regs = ixgbe_vlvf_pool_regs,                \
                .vlvf_pools_decode = ixgbe_vlvf_pools_decode, .mirror_regs = ixgbe_mirror_regs,    \
                .mirror_decode = ixgbe_mirror_decode, .rar_regs = ixgbe_rar_regs,                  \
                .rar_decode = ixgbe_rar_decode, .vt_ctl_reg = 0x051B0,                             \
                .replication_decode = ixgbe_replication_decode, .named = named,                    \
                .n_named = ELEMENTSOF(named), .bar0_min_size = 0x0F650,                            \
        }

const NicRegs nic_regs_82599 = IXGBE_MODEL("82599");
const NicRegs nic_regs_x540 = IXGBE_MODEL("X540");
const NicRegs nic_regs_x550 = IXGBE_MODEL("X550");
const NicRegs nic_regs_x552 = IXGBE_MODEL("X552");
const NicRegs nic_regs_x553 = IXGBE_MODEL("X553");
