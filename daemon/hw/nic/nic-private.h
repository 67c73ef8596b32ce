/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What ixgbe.c and igb.c share: building op lists from a table of named
 * registers, and the encoders whose only difference between the families is
 * data (per-pool receive flags, mirror rules). Not for use outside hw/nic/.
 */

#include "nic.h"

/* An op list under construction. Encoders name registers ("PFVML2FLT", 7);
 * the table turns that into an offset, so the table is the only place an
 * address is written down. A name or index the table lacks is a bug in the
 * family file; it makes op_done() fail with -EFAULT rather than emit a write
 * to a wrong address. */
typedef struct OpList {
        RegOp *ops;
        int n;
        int err;
        const NamedReg *tab;
        size_t ntab;
} OpList;

#define OPLIST(ops_, tab_, ntab_) ((OpList){ .ops = (ops_), .tab = (tab_), .ntab = (ntab_) })

void op_add(OpList *l, const char *reg, unsigned index, uint32_t mask, uint32_t value);
/* The number of ops, or the first error. */
int op_done(const OpList *l);

/* The row of tab holding name[index], or NULL. */
const NamedReg *named_find(const NamedReg *tab, size_t n, const char *name, unsigned index);
/* The offset of name[index], or NIC_REG_NONE. */
uint32_t named_at(const NamedReg *tab, size_t n, const char *name, unsigned index);
/* One past the last byte of any register in tab. */
uint32_t named_end(const NamedReg *tab, size_t n);

/* Bits 0..n-1 set (n <= 64). */
static inline uint64_t nic_mask(unsigned n) {
        return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/* The shape of one family's pool flags and mirror rules. */
typedef struct NicLayout {
        const NamedReg *tab;
        size_t ntab;
        unsigned pools;
        unsigned vlvf_entries;
        const char *vmolr;             /* per-pool L2 control: "PFVML2FLT" / "VMOLR" */
        uint32_t rx_bit[_POOL_RX_MAX]; /* its bit per PoolRxFlag; 0 = the family lacks the flag */

        unsigned mirror_rules;
        const char *mrctl, *mrvm, *mrvlan; /* rule control, pool bitmap, VLVF-slot bitmap */
        /* 32-bit words per bitmap: 2 on ixgbe (rule r's low word at index r, high word at
         * r + mirror_rules), 1 on igb (8 pools, 32 VLVF entries). */
        unsigned bitmap_words;
        uint32_t mirror_type_bit[_MIRROR_TYPE_MAX]; /* control bit per type; 0 = unsupported */
        uint32_t
                mirror_type_field; /* every type-enable bit of the control register, known or not */
        unsigned mirror_dst_shift;
        uint32_t mirror_dst_mask; /* field width, unshifted: 0x3f ixgbe, 0x7 igb */
} NicLayout;

int nic_pool_rx_flags(const NicLayout *f, unsigned pool, uint32_t set_bits, uint32_t clear_bits,
                      RegOp *ops);
uint32_t nic_pool_rx_flags_decode(const NicLayout *f, uint32_t value);
uint32_t nic_pool_rx_reg(const NicLayout *f, unsigned pool);

int nic_mirror_set(const NicLayout *f, unsigned rule, const MirrorRule *r, RegOp *ops);
int nic_mirror_clear(const NicLayout *f, unsigned rule, RegOp *ops);
int nic_mirror_regs(const NicLayout *f, unsigned rule, uint32_t offsets[8]);
int nic_mirror_decode(const NicLayout *f, unsigned rule, const uint32_t *words, MirrorRule *r,
                      bool *enabled);

/* The functions a family file needs around its layout: op lists and offsets
 * from its table, and the layout-only encoders and decoders in the signatures
 * NicRegs wants (which take no model argument). */
#define NIC_LAYOUT_FUNCTIONS(prefix, layout)                                                       \
        static OpList ops_list(RegOp *ops) {                                                       \
                return OPLIST(ops, (layout).tab, (layout).ntab);                                   \
        }                                                                                          \
        static uint32_t reg_at(const char *name, unsigned index) {                                 \
                return named_at((layout).tab, (layout).ntab, name, index);                         \
        }                                                                                          \
        static int prefix##_pool_rx_flags(unsigned pool, uint32_t set_bits, uint32_t clear_bits,   \
                                          RegOp *ops) {                                            \
                return nic_pool_rx_flags(&(layout), pool, set_bits, clear_bits, ops);              \
        }                                                                                          \
        static uint32_t prefix##_pool_rx_flags_decode(uint32_t value) {                            \
                return nic_pool_rx_flags_decode(&(layout), value);                                 \
        }                                                                                          \
        static uint32_t prefix##_pool_rx_reg(unsigned pool) {                                      \
                return nic_pool_rx_reg(&(layout), pool);                                           \
        }                                                                                          \
        static int prefix##_mirror_set(unsigned rule, const MirrorRule *r, RegOp *ops) {           \
                return nic_mirror_set(&(layout), rule, r, ops);                                    \
        }                                                                                          \
        static int prefix##_mirror_clear(unsigned rule, RegOp *ops) {                              \
                return nic_mirror_clear(&(layout), rule, ops);                                     \
        }                                                                                          \
        static int prefix##_mirror_regs(unsigned rule, uint32_t offsets[8]) {                      \
                return nic_mirror_regs(&(layout), rule, offsets);                                  \
        }                                                                                          \
        static int prefix##_mirror_decode(unsigned rule, const uint32_t *words, MirrorRule *r,     \
                                          bool *enabled) {                                         \
                return nic_mirror_decode(&(layout), rule, words, r, enabled);                      \
        }

/* MAC address <-> RAL/RAH words: the NIC keeps byte 0 in bits 7:0 of RAL
 * (little-endian), bytes 4 and 5 in RAH bits 15:0. */
uint32_t nic_ral(const uint8_t mac[6]);
uint32_t nic_rah_addr(const uint8_t mac[6]);
void nic_mac_from_rar(uint32_t ral, uint32_t rah, uint8_t mac[6]);
bool nic_mac_is_zero(const uint8_t mac[6]);

/* The models each family file defines. */
extern const NicRegs nic_regs_82599, nic_regs_x540, nic_regs_x550, nic_regs_x552, nic_regs_x553;
extern const NicRegs nic_regs_82576, nic_regs_i350;
