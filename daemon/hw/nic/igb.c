/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * igb family (82576, I350): the registers nfvcap programs on the PF. Names and
 * offsets follow the shared e1000 base code (DPDK e1000_regs.h, e1000_82575.h;
 * Linux igb e1000_regs.h, e1000_82575.h). 8 pools; 32 VLVF entries; RAR
 * entries 24 (82576) or 32 (I350); 4 mirror rules of pool, uplink or downlink
 * type. VLAN mirroring is refused: no driver defines a VLAN-mirror bit in
 * VMRCTL, and nfvcap does not write a bit it has no source for.
 * See docs/nic-registers.md.
 */
#include <errno.h>

#include "macros.h"
#include "nic-private.h"

enum {
        IGB_POOLS = 8,
        IGB_RAR_82576 = 24, /* E1000_RAR_ENTRIES_82576 */
        IGB_RAR_I350 = 32,  /* E1000_RAR_ENTRIES_I350 */
        IGB_VLVF = 32,      /* E1000_VLVF_ARRAY_SIZE */
        IGB_RULES = 4,      /* VMRCTL 0x05D80..0x05D8C: VMRVLAN starts at 0x05D90 */
};

/* VMOLR */
#define VMOLR_AUPE (UINT32_C(1) << 24)
#define VMOLR_ROMPE (UINT32_C(1) << 25)
#define VMOLR_ROPE (UINT32_C(1) << 26)
#define VMOLR_BAM (UINT32_C(1) << 27)
#define VMOLR_MPME (UINT32_C(1) << 28)
/* VMRCTL: E1000_VMRCTL_{POOL,UPLINK,DOWNLINK}_MIRROR_ENABLE, destination pool
 * E1000_VMRCTL_MIRROR_DSTPORT_MASK = 7 << 8. Bit 3 is read as an unknown type. */
#define VMRCTL_POOL (UINT32_C(1) << 0)
#define VMRCTL_UPLINK (UINT32_C(1) << 1)
#define VMRCTL_DOWNLINK (UINT32_C(1) << 2)
#define VMRCTL_BIT3 (UINT32_C(1) << 3)
/* VT_CTL */
#define VT_CTL_VM_REPL_EN (UINT32_C(1) << 30)
/* RAH: address 15:0, ASEL 17:16 (00 = match the destination), pool select
 * 25:18 (E1000_RAH_POOL_1 << pool), AV 31. */
#define RAH_ADDR UINT32_C(0x0000ffff)
#define RAH_ASEL UINT32_C(0x00030000)
#define RAH_POOL_SHIFT 18
#define RAH_POOLS (UINT32_C(0xff) << RAH_POOL_SHIFT)
#define RAH_AV (UINT32_C(1) << 31)
/* VLVF: VID 11:0, POOLSEL 19:12, VLANID_ENABLE 31 (LVLAN, bit 20, is not ours) */
#define VLVF_VLAN_ID UINT32_C(0x00000fff)
#define VLVF_POOLSEL_SHIFT 12
#define VLVF_POOLSEL (UINT32_C(0xff) << VLVF_POOLSEL_SHIFT)
#define VLVF_ENABLE (UINT32_C(1) << 31)

/* RAL/RAH 0..15 at 0x05400/0x05404 + 8n, 16.. at 0x054E0/0x054E4 + 8(n-16). */
/* clang-format off */
#define IGB_NAMED(rar_hi)                                       \
        { "VT_CTL",  0x0581C, 1,          0, 0 },               \
        { "VFRE",    0x00C8C, 1,          0, 0 },               \
        { "VFTE",    0x00C90, 1,          0, 0 },               \
        { "VMOLR",   0x05AD0, IGB_POOLS,  4, 0 },               \
        { "VLVF",    0x05D00, IGB_VLVF,   4, 0 },               \
        { "VFTA",    0x05600, 128,        4, 0 },               \
        { "VMRCTL",  0x05D80, IGB_RULES,  4, 0 },               \
        { "VMRVLAN", 0x05D90, IGB_RULES,  4, 0 },               \
        { "VMRVM",   0x05DA0, IGB_RULES,  4, 0 },               \
        { "RAL",     0x05400, 16,         8, 0 },               \
        { "RAH",     0x05404, 16,         8, 0 },               \
        { "RAL",     0x054E0, (rar_hi),   8, 16 },              \
        { "RAH",     0x054E4, (rar_hi),   8, 16 },              \
        { "RCTL",    0x00100, 1,          0, 0 },               \
        { "MRQC",    0x05818, 1,          0, 0 },               \
        { "DTXSWC",  0x03500, 1,          0, 0 },               \
        { "VMVIR",   0x03700, IGB_POOLS,  4, 0 }
/* clang-format on */

static const NamedReg named_82576[] = { IGB_NAMED(IGB_RAR_82576 - 16) };
static const NamedReg named_i350[] = { IGB_NAMED(IGB_RAR_I350 - 16) };

/* Encoders look offsets up in the larger (I350) table; igb_mac_filter() checks
 * the model's RAR count first. */
static const NicLayout layout = {
        .tab = named_i350,
        .ntab = ELEMENTSOF(named_i350),
        .pools = IGB_POOLS,
        .vlvf_entries = IGB_VLVF,
        .vmolr = "VMOLR",
        .rx_bit = {
                [POOL_RX_ACCEPT_UNTAGGED] = VMOLR_AUPE,
                [POOL_RX_MULTICAST_HASH] = VMOLR_ROMPE,
                [POOL_RX_UNICAST_HASH] = VMOLR_ROPE,
                [POOL_RX_BROADCAST] = VMOLR_BAM,
                [POOL_RX_MULTICAST_PROMISC] = VMOLR_MPME,
        },
        .mirror_rules = IGB_RULES,
        .mrctl = "VMRCTL",
        .mrvm = "VMRVM",
        .mrvlan = "VMRVLAN",
        .bitmap_words = 1,
        .mirror_type_bit = {
                [MIRROR_POOL] = VMRCTL_POOL,
                [MIRROR_UPLINK] = VMRCTL_UPLINK,
                [MIRROR_DOWNLINK] = VMRCTL_DOWNLINK,
        },
        .mirror_type_field = VMRCTL_POOL | VMRCTL_UPLINK | VMRCTL_DOWNLINK | VMRCTL_BIT3,
        .mirror_dst_shift = 8,
        .mirror_dst_mask = 0x7,
};

NIC_LAYOUT_FUNCTIONS(igb, layout)

/* RAR entry n: pools live in RAH itself, so RAL goes first and one RAH write
 * sets address, pools and AV together (igb_rar_set_qsel's order). */
static int igb_mac_filter(unsigned n_rar, unsigned rar, const uint8_t mac[6], uint64_t pools,
                          RegOp *ops) {
        OpList l = ops_list(ops);
        const uint32_t rah_mask = RAH_AV | RAH_POOLS | RAH_ASEL | RAH_ADDR;

        if (rar >= n_rar || (pools & ~nic_mask(IGB_POOLS)))
                return -ERANGE;
        if (pools == 0) {
                op_add(&l, "RAH", rar, rah_mask, 0);
                op_add(&l, "RAL", rar, UINT32_MAX, 0);
                return op_done(&l);
        }
        if (!mac || nic_mac_is_zero(mac))
                return -EINVAL;
        op_add(&l, "RAL", rar, UINT32_MAX, nic_ral(mac));
        op_add(&l, "RAH", rar, rah_mask,
               RAH_AV | (uint32_t) pools << RAH_POOL_SHIFT | nic_rah_addr(mac));
        return op_done(&l);
}

static int igb_rar_regs(unsigned n_rar, unsigned rar, uint32_t offsets[4]) {
        if (rar >= n_rar)
                return -ERANGE;
        offsets[0] = reg_at("RAL", rar);
        offsets[1] = reg_at("RAH", rar);
        return 2;
}

static int igb_82576_mac_filter(unsigned rar, const uint8_t mac[6], uint64_t pools, RegOp *ops) {
        return igb_mac_filter(IGB_RAR_82576, rar, mac, pools, ops);
}

static int igb_i350_mac_filter(unsigned rar, const uint8_t mac[6], uint64_t pools, RegOp *ops) {
        return igb_mac_filter(IGB_RAR_I350, rar, mac, pools, ops);
}

static int igb_82576_rar_regs(unsigned rar, uint32_t offsets[4]) {
        return igb_rar_regs(IGB_RAR_82576, rar, offsets);
}

static int igb_i350_rar_regs(unsigned rar, uint32_t offsets[4]) {
        return igb_rar_regs(IGB_RAR_I350, rar, offsets);
}

static int igb_rar_decode(const uint32_t *words, uint8_t mac[6], uint64_t *pools, bool *valid) {
        nic_mac_from_rar(words[0], words[1], mac);
        *valid = words[1] & RAH_AV;
        *pools = (words[1] & RAH_POOLS) >> RAH_POOL_SHIFT;
        return 0;
}

/* VLVF entry i holds VLAN id, pools and enable in one word; the VLAN's VFTA
 * bit goes after it on set and before it on removal (igb_vfta_set). */
static int igb_vlan_filter(unsigned vlvf, uint16_t vid, uint64_t pools, RegOp *ops) {
        OpList l = ops_list(ops);
        uint32_t vfta_bit = UINT32_C(1) << (vid % 32);

        if (vlvf >= IGB_VLVF || vid > VLVF_VLAN_ID || (pools & ~nic_mask(IGB_POOLS)))
                return -ERANGE;
        if (pools == 0) {
                op_add(&l, "VFTA", vid / 32, vfta_bit, 0);
                op_add(&l, "VLVF", vlvf, UINT32_MAX, 0);
                return op_done(&l);
        }
        op_add(&l, "VLVF", vlvf, VLVF_ENABLE | VLVF_POOLSEL | VLVF_VLAN_ID,
               VLVF_ENABLE | (uint32_t) pools << VLVF_POOLSEL_SHIFT | vid);
        op_add(&l, "VFTA", vid / 32, vfta_bit, vfta_bit);
        return op_done(&l);
}

static uint32_t igb_vlvf_reg(unsigned index) {
        return index < IGB_VLVF ? reg_at("VLVF", index) : NIC_REG_NONE;
}

static int igb_vlvf_decode(uint32_t value, uint16_t *vid, bool *enabled) {
        *vid = (uint16_t) (value & VLVF_VLAN_ID);
        *enabled = value & VLVF_ENABLE;
        return 0;
}

static int igb_vlvf_pool_regs(unsigned index, uint32_t offsets[2]) {
        if (index >= IGB_VLVF)
                return -ERANGE;
        offsets[0] = reg_at("VLVF", index);
        return 1;
}

static uint64_t igb_vlvf_pools_decode(const uint32_t *words) {
        return (words[0] & VLVF_POOLSEL) >> VLVF_POOLSEL_SHIFT;
}

static int igb_replication(bool enable, RegOp *ops) {
        OpList l = ops_list(ops);
        op_add(&l, "VT_CTL", 0, VT_CTL_VM_REPL_EN, enable ? VT_CTL_VM_REPL_EN : 0);
        return op_done(&l);
}

static bool igb_replication_decode(uint32_t value) {
        return value & VT_CTL_VM_REPL_EN;
}

#define IGB_MODEL(name_, n_rar, mac_filter_, rar_regs_, named_)                                    \
        {                                                                                          \
                .family = NIC_FAMILY_IGB, .model = name_, .pools = IGB_POOLS,                      \
                .mirror_rules = IGB_RULES, .rar_entries = n_rar, .vlvf_entries = IGB_VLVF,         \
                .rx_flags = (UINT32_C(1) << _POOL_RX_MAX) - 1,                                     \
                .mirror_types = 1u << MIRROR_POOL | 1u << MIRROR_UPLINK | 1u << MIRROR_DOWNLINK,   \
                .pool_rx_flags = igb_pool_rx_flags, .mirror_set = igb_mirror_set,                  \
                .mirror_clear = igb_mirror_clear, .mac_filter = mac_filter_,                       \
                .vlan_filter = igb_vlan_filter, .replication = igb_replication,                    \
                .pool_rx_flags_decode = igb_pool_rx_flags_decode, .pool_rx_reg = igb_pool_rx_reg,  \
                .vlvf_decode = igb_vlvf_decode, .vlvf_reg = igb_vlvf_reg,                          \
                .vlvf_pool_regs = igb_vlvf_pool_regs, .vlvf_pools_decode = igb_vlvf_pools_decode,  \
                .mirror_regs = igb_mirror_regs, .mirror_decode = igb_mirror_decode,                \
                .rar_regs = rar_regs_, .rar_decode = igb_rar_decode, .vt_ctl_reg = 0x0581C,        \
                .replication_decode = igb_replication_decode, .named = named_,                     \
                .n_named = ELEMENTSOF(named_), .bar0_min_size = 0x05DB0,                           \
        }

const NicRegs nic_regs_82576 =
        IGB_MODEL("82576", IGB_RAR_82576, igb_82576_mac_filter, igb_82576_rar_regs, named_82576);
const NicRegs nic_regs_i350 =
        IGB_MODEL("I350", IGB_RAR_I350, igb_i350_mac_filter, igb_i350_rar_regs, named_i350);
