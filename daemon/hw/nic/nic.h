/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * NIC family register models: what nfvcap writes into an Intel PF's BAR0 for
 * per-pool receive flags, MAC and VLAN filters to pools, mirror rules and
 * replication. Each family is data (a table of named registers, bit tables)
 * plus small pure functions. Nothing here does I/O: encoders turn an intention
 * into a list of read-modify-writes (RegOp), decoders turn register values back
 * into intentions. The register I/O module applies, reads back and audits.
 * Facts, sources and what stays unverified: docs/nic-registers.md.
 *
 * Differences from the interface sketched in issue 6, each forced by the
 * hardware or by the need to read state back:
 *  - NamedReg has `first`: igb's RAL/RAH 0..15 and 16..31 are two blocks
 *    (0x05400 and 0x054E0), so one register array may take two rows.
 *  - The order of ops matters. Encoders put data (pool bitmaps, addresses)
 *    before the bit that makes a filter or rule live, and on removal the
 *    live bit first, so the NIC never acts on a half-written entry. Apply the
 *    ops in array order.
 *  - MirrorRule carries snaplen, sample_rate and encapsulate. No Intel family
 *    can truncate, sample or encapsulate mirrored frames; asking is refused
 *    with -EOPNOTSUPP by the family, not silently ignored.
 *  - A mirror rule index beyond the family's rule count is -E2BIG ("the NIC
 *    has only 4 rules"); -ERANGE stays for pools, VLVF slots, RAR entries.
 *  - NicRegs adds: model, rx_flags and mirror_types (what the family can do,
 *    for capability reports), vt_ctl_reg + replication_decode, vlvf_pool_regs
 *    + vlvf_pools_decode (ixgbe keeps a VLAN filter's pools in PFVLVFB[2i],
 *    [2i+1], igb inside the VLVF word), and rar_regs + rar_decode so MAC
 *    filters can be read back too.
 *  - vlan_filter() also sets (or, removing, clears) the VLAN's bit in the
 *    global VFTA: with VLAN filtering on, a VLVF entry does nothing without it.
 *  - pool_rx_reg() and vlvf_reg() return NIC_REG_NONE for an index the family
 *    does not have.
 *  - nic_regs_for() is NULL for VF IDs and for the 82598 (no SR-IOV; its VMDq
 *    registers differ), as for any non-Intel-family device.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/family.h"

/* A read-modify-write of one 32-bit BAR0 register: new = (old & ~mask) | (value & mask).
 * mask == 0xffffffff is a plain write. */
typedef struct RegOp {
        uint32_t offset; /* byte offset in BAR0, 32-bit aligned */
        uint32_t mask;
        uint32_t value;
        char name[32]; /* datasheet name with index, e.g. "PFVML2FLT[7]", "VMOLR[3]" */
} RegOp;
#define NIC_MAX_OPS 16
#define NIC_REG_NONE UINT32_MAX /* "no such register" from pool_rx_reg() / vlvf_reg() */

/* Per-pool receive flags. Bits 24..28 of PFVML2FLT (ixgbe) and VMOLR (igb):
 * AUPE, ROMPE, ROPE, BAM, MPE (igb: MPME). JSON names: pool_rx_flag_to_string(). */
typedef enum PoolRxFlag {
        POOL_RX_ACCEPT_UNTAGGED,   /* AUPE:  frames without a VLAN tag */
        POOL_RX_MULTICAST_HASH,    /* ROMPE: multicast that hits the MTA hash */
        POOL_RX_UNICAST_HASH,      /* ROPE:  unicast that hits the PFUTA/UTA hash */
        POOL_RX_BROADCAST,         /* BAM:   broadcast */
        POOL_RX_MULTICAST_PROMISC, /* MPE/MPME: all multicast of the pool's VLANs */
        _POOL_RX_MAX,
} PoolRxFlag;

typedef enum MirrorType {
        MIRROR_POOL,     /* traffic of the source pools (PFMRVM/VMRVM bitmap) */
        MIRROR_UPLINK,   /* everything received from the wire */
        MIRROR_DOWNLINK, /* everything sent to the wire */
        MIRROR_VLAN,     /* traffic of the VLANs in the VLVF slots (PFMRVLAN bitmap) */
        _MIRROR_TYPE_MAX,
} MirrorType;

/* One mirror rule: one type per rule (the X550 datasheet allows no more, and
 * nothing shows the 82599 does). Fields a type does not use must be zero. */
typedef struct MirrorRule {
        MirrorType type;
        uint64_t pools;       /* MIRROR_POOL: source pools bitmap */
        uint64_t vlvf_slots;  /* MIRROR_VLAN: VLVF entry indexes (not VLAN ids) bitmap */
        unsigned dst_pool;    /* pool that receives the copies */
        uint32_t snaplen;     /* bytes kept per copy, 0 = whole frame; nonzero: -EOPNOTSUPP */
        uint32_t sample_rate; /* mirror 1 in N, 0 or 1 = every frame; N > 1: -EOPNOTSUPP */
        bool encapsulate;     /* deliver copies inside a tunnel header: -EOPNOTSUPP */
} MirrorRule;

/* A register array for dumps and for encoders: name[first] .. name[first+count-1]
 * at offset, offset+stride, ... A single register has count 1. */
typedef struct NamedReg {
        const char *name;
        uint32_t offset;
        unsigned count;
        uint32_t stride;
        unsigned first;
} NamedReg;

typedef struct NicRegs {
        NicFamily family;
        const char *model;     /* "82599", "X540", "X550", "X552", "X553", "82576", "I350" */
        unsigned pools;        /* 64 ixgbe, 8 igb */
        unsigned mirror_rules; /* 4 on ixgbe and igb */
        unsigned rar_entries;  /* 128 ixgbe; 82576 24, I350 32 */
        unsigned vlvf_entries; /* 64 ixgbe, 32 igb */
        uint32_t rx_flags;     /* bitmap of 1u << PoolRxFlag the family has */
        uint32_t mirror_types; /* bitmap of 1u << MirrorType the family can do */

        /* Encoders: write at most NIC_MAX_OPS ops, return their number or -errno:
         * -ERANGE a pool, VLVF slot, RAR entry or VLAN id out of range for the family,
         * -E2BIG a mirror rule index beyond mirror_rules,
         * -EOPNOTSUPP a mirror type, flag or mirror option the family lacks,
         * -EINVAL a malformed request (empty bitmap, set and clear overlapping, ...). */

        /* Set and clear bits (1u << PoolRxFlag) in the pool's PFVML2FLT/VMOLR; other bits kept. */
        int (*pool_rx_flags)(unsigned pool, uint32_t set_bits, uint32_t clear_bits, RegOp *ops);
        /* Program rule `rule` completely (bitmaps, then control); unused bitmaps are zeroed.
         * A pool rule whose sources include dst_pool is -EINVAL (it would copy into itself). */
        int (*mirror_set)(unsigned rule, const MirrorRule *r, RegOp *ops);
        /* Disable rule `rule`: control first, then its bitmaps, all zero. */
        int (*mirror_clear)(unsigned rule, RegOp *ops);
        /* RAR entry `rar` = mac, delivered to `pools`; pools == 0 removes the entry (mac may be
         * NULL). RAR 0 (the PF's address) and, on ixgbe, the SAN MAC in the last RAR belong to
         * the PF driver: the caller picks entries the driver does not use. */
        int (*mac_filter)(unsigned rar, const uint8_t mac[6], uint64_t pools, RegOp *ops);
        /* VLVF entry `vlvf` = VLAN vid for `pools`, and its VFTA bit; pools == 0 removes both,
         * so on removal vid must be the VLAN the entry holds. Keep the PF's pool in `pools` if
         * the PF uses the VLAN too. */
        int (*vlan_filter)(unsigned vlvf, uint16_t vid, uint64_t pools, RegOp *ops);
        /* VT_CTL replication (ixgbe Rpl_En, igb VM_REPL_EN): multicast/broadcast to every matching
         * pool. */
        int (*replication)(bool enable, RegOp *ops);

        /* Decoders, for read-back and drift detection. */
        uint32_t (*pool_rx_flags_decode)(uint32_t vmolr_value); /* -> set bits */
        uint32_t (*pool_rx_reg)(unsigned pool); /* offset of the pool's PFVML2FLT/VMOLR */
        int (*vlvf_decode)(uint32_t vlvf_value, uint16_t *vid, bool *enabled); /* one VLVF word */
        uint32_t (*vlvf_reg)(unsigned index); /* offset of VLVF[index] */
        /* Registers holding VLVF entry `index`'s pools (ixgbe PFVLVFB[2i], [2i+1]; igb VLVF[i]);
         * count. */
        int (*vlvf_pool_regs)(unsigned index, uint32_t offsets[2]);
        uint64_t (*vlvf_pools_decode)(const uint32_t *words); /* words in vlvf_pool_regs() order */
        /* The registers rule `rule` occupies, control first; returns their count or -E2BIG. */
        int (*mirror_regs)(unsigned rule, uint32_t offsets[8]);
        /* words in mirror_regs() order. *enabled false (and r zeroed) when no type bit is set.
         * -EBADMSG: a rule nfvcap never writes (several types, a type bit nfvcap does not know). */
        int (*mirror_decode)(unsigned rule, const uint32_t *words, MirrorRule *r, bool *enabled);
        /* Registers of RAR entry `rar` (RAL, RAH, then ixgbe's MPSAR pair); count or -ERANGE. */
        int (*rar_regs)(unsigned rar, uint32_t offsets[4]);
        /* words in rar_regs() order -> address, pools, address-valid bit. */
        int (*rar_decode)(const uint32_t *words, uint8_t mac[6], uint64_t *pools, bool *valid);
        uint32_t vt_ctl_reg; /* PFVTCTL 0x051B0 / VT_CTL 0x0581C */
        bool (*replication_decode)(uint32_t vt_ctl_value);

        const NamedReg *named; /* named registers for a read-only dump (GET /registers) */
        size_t n_named;
        uint32_t bar0_min_size; /* one past the last byte of any register above */
} NicRegs;

/* The register model of a PF, or NULL for a generic (non-Intel-family) device,
 * a VF, or an 82598. The result is static; never freed. */
const NicRegs *nic_regs_for(uint16_t vendor, uint16_t device);

/* The pool a VF uses: VF n -> pool n under both Linux PF drivers (ixgbe pools
 * VFs from 0 and puts the PF at VMDQ_P(0) = num_vfs; igb sets VF n's MAC and
 * VLANs with pool select n). Source: docs/nic-registers.md. */
static inline unsigned nic_vf_pool(unsigned vf) {
        return vf;
}
/* The PF's own pool with num_vfs VFs (ixgbe VMDQ_P(0), igb vfs_allocated_count,
 * DPDK's default pool): the first pool after the VFs. */
static inline unsigned nic_pf_pool(unsigned num_vfs) {
        return num_vfs;
}

/* JSON names; from_string returns the enum value or -EINVAL. In names.c (Makefile
 * NIC_NAMES_SRC), which needs nothing else, for code that only parses desired state. */
const char *pool_rx_flag_to_string(PoolRxFlag f);
int pool_rx_flag_from_string(const char *s);
const char *mirror_type_to_string(MirrorType t);
int mirror_type_from_string(const char *s);

/* The offset of name[index] in the model's named table, or NIC_REG_NONE. */
uint32_t nic_named_offset(const NicRegs *m, const char *name, unsigned index);
