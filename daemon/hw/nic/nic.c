/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "nic-private.h"

/* Register models by the model name family.c gives each PF ID. */
static const NicRegs *const models[] = {
        &nic_regs_82599, &nic_regs_x540,  &nic_regs_x550, &nic_regs_x552,
        &nic_regs_x553,  &nic_regs_82576, &nic_regs_i350,
};

const NicRegs *nic_regs_for(uint16_t vendor, uint16_t device) {
        const NicModel *m = nic_model_lookup(vendor, device);

        /* A VF's BAR holds no PF registers; the 82598 has no SR-IOV. */
        if (!m || m->is_vf || !m->has_sriov)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(models); i++)
                if (models[i]->family == m->family && streq(models[i]->model, m->model))
                        return models[i];
        return NULL;
}

/* Named register tables */

const NamedReg *named_find(const NamedReg *tab, size_t n, const char *name, unsigned index) {
        for (size_t i = 0; i < n; i++)
                if (streq(tab[i].name, name) && index >= tab[i].first &&
                    index - tab[i].first < tab[i].count)
                        return &tab[i];
        return NULL;
}

uint32_t named_at(const NamedReg *tab, size_t n, const char *name, unsigned index) {
        const NamedReg *r = named_find(tab, n, name, index);
        return r ? r->offset + (index - r->first) * r->stride : NIC_REG_NONE;
}

uint32_t named_end(const NamedReg *tab, size_t n) {
        uint32_t end = 0;
        for (size_t i = 0; i < n; i++) {
                uint32_t last = tab[i].offset + (tab[i].count - 1) * tab[i].stride + 4;
                if (last > end)
                        end = last;
        }
        return end;
}

uint32_t nic_named_offset(const NicRegs *m, const char *name, unsigned index) {
        return m ? named_at(m->named, m->n_named, name, index) : NIC_REG_NONE;
}

void op_add(OpList *l, const char *reg, unsigned index, uint32_t mask, uint32_t value) {
        const NamedReg *r;
        RegOp *op;

        if (l->err < 0)
                return;
        r = named_find(l->tab, l->ntab, reg, index);
        if (!r) {
                l->err = -EFAULT;
                return;
        }
        if (l->n >= NIC_MAX_OPS) {
                l->err = -ENOBUFS;
                return;
        }
        op = &l->ops[l->n++];
        *op = (RegOp){
                .offset = r->offset + (index - r->first) * r->stride,
                .mask = mask,
                .value = value & mask,
        };
        /* A single register is named without an index, as the datasheets do. */
        if (r->count == 1 && r->first == 0)
                snprintf(op->name, sizeof(op->name), "%s", reg);
        else
                snprintf(op->name, sizeof(op->name), "%s[%u]", reg, index);
}

int op_done(const OpList *l) {
        return l->err < 0 ? l->err : l->n;
}

/* MAC addresses in RAL/RAH */

uint32_t nic_ral(const uint8_t mac[6]) {
        return (uint32_t) mac[0] | (uint32_t) mac[1] << 8 | (uint32_t) mac[2] << 16 |
               (uint32_t) mac[3] << 24;
}

uint32_t nic_rah_addr(const uint8_t mac[6]) {
        return (uint32_t) mac[4] | (uint32_t) mac[5] << 8;
}

void nic_mac_from_rar(uint32_t ral, uint32_t rah, uint8_t mac[6]) {
        for (unsigned i = 0; i < 4; i++)
                mac[i] = (uint8_t) (ral >> (8 * i));
        mac[4] = (uint8_t) rah;
        mac[5] = (uint8_t) (rah >> 8);
}

bool nic_mac_is_zero(const uint8_t mac[6]) {
        static const uint8_t zero[6];
        return memcmp(mac, zero, sizeof(zero)) == 0;
}

/* Per-pool receive flags: one RMW of the pool's L2 control register. */

int nic_pool_rx_flags(const NicLayout *f, unsigned pool, uint32_t set_bits, uint32_t clear_bits,
                      RegOp *ops) {
        OpList l = OPLIST(ops, f->tab, f->ntab);
        uint32_t mask = 0, value = 0;

        if (pool >= f->pools)
                return -ERANGE;
        if (((set_bits | clear_bits) & ~(uint32_t) nic_mask(_POOL_RX_MAX)) ||
            (set_bits & clear_bits))
                return -EINVAL;
        for (unsigned i = 0; i < _POOL_RX_MAX; i++) {
                if (!((set_bits | clear_bits) & (1u << i)))
                        continue;
                if (!f->rx_bit[i])
                        return -EOPNOTSUPP;
                mask |= f->rx_bit[i];
                if (set_bits & (1u << i))
                        value |= f->rx_bit[i];
        }
        if (mask == 0)
                return 0;
        /* Only the named bits: the low bits (RLPML, LPE, strip flags on igb) and
         * UPE/VPE belong to the PF driver. */
        op_add(&l, f->vmolr, pool, mask, value);
        return op_done(&l);
}

uint32_t nic_pool_rx_flags_decode(const NicLayout *f, uint32_t value) {
        uint32_t bits = 0;
        for (unsigned i = 0; i < _POOL_RX_MAX; i++)
                if (f->rx_bit[i] && (value & f->rx_bit[i]))
                        bits |= 1u << i;
        return bits;
}

uint32_t nic_pool_rx_reg(const NicLayout *f, unsigned pool) {
        return pool < f->pools ? named_at(f->tab, f->ntab, f->vmolr, pool) : NIC_REG_NONE;
}

/* Mirror rules */

static int mirror_check_rule(const NicLayout *f, unsigned rule) {
        if (f->mirror_rules == 0)
                return -EOPNOTSUPP;
        if (rule >= f->mirror_rules)
                return -E2BIG;
        return 0;
}

static int mirror_check(const NicLayout *f, unsigned rule, const MirrorRule *r) {
        int k = mirror_check_rule(f, rule);
        if (k < 0)
                return k;
        if (!r || (unsigned) r->type >= _MIRROR_TYPE_MAX)
                return -EINVAL;
        if (!f->mirror_type_bit[r->type])
                return -EOPNOTSUPP;
        /* A mirror rule copies whole frames to a pool, unchanged; there is no
         * truncation, sampling or tunnel field in PFMRCTL/VMRCTL. */
        if (r->snaplen != 0 || r->sample_rate > 1 || r->encapsulate)
                return -EOPNOTSUPP;
        if (r->dst_pool >= f->pools)
                return -ERANGE;

        switch (r->type) {
        case MIRROR_POOL:
                if (r->pools == 0 || r->vlvf_slots != 0)
                        return -EINVAL;
                if (r->pools & ~nic_mask(f->pools))
                        return -ERANGE;
                /* The destination would receive a copy of its own traffic. */
                if (r->pools & (UINT64_C(1) << r->dst_pool))
                        return -EINVAL;
                break;
        case MIRROR_VLAN:
                if (r->vlvf_slots == 0 || r->pools != 0)
                        return -EINVAL;
                if (r->vlvf_slots & ~nic_mask(f->vlvf_entries))
                        return -ERANGE;
                break;
        default:
                if (r->pools != 0 || r->vlvf_slots != 0)
                        return -EINVAL;
                break;
        }
        return 0;
}

/* 32-bit word w (0 low, 1 high) of a 64-bit bitmap, and back. */
static uint32_t word_of(uint64_t bitmap, unsigned w) {
        return w < 2 ? (uint32_t) (bitmap >> (32 * w)) : 0;
}

static uint64_t word_to(uint32_t word, unsigned w) {
        return w < 2 ? (uint64_t) word << (32 * w) : 0;
}

/* Bitmap word w of rule r: low words at r, high words at r + mirror_rules. */
static unsigned mirror_word_index(const NicLayout *f, unsigned rule, unsigned w) {
        return rule + w * f->mirror_rules;
}

int nic_mirror_set(const NicLayout *f, unsigned rule, const MirrorRule *r, RegOp *ops) {
        OpList l = OPLIST(ops, f->tab, f->ntab);
        uint64_t pools, slots;
        int k;

        k = mirror_check(f, rule, r);
        if (k < 0)
                return k;
        pools = r->type == MIRROR_POOL ? r->pools : 0;
        slots = r->type == MIRROR_VLAN ? r->vlvf_slots : 0;

        /* Bitmaps first, whole words, so that no stale bits from an earlier
         * rule are live when the control word turns this one on. */
        for (unsigned w = 0; w < f->bitmap_words; w++)
                op_add(&l, f->mrvm, mirror_word_index(f, rule, w), UINT32_MAX, word_of(pools, w));
        for (unsigned w = 0; w < f->bitmap_words; w++)
                op_add(&l, f->mrvlan, mirror_word_index(f, rule, w), UINT32_MAX, word_of(slots, w));
        /* One type bit and the destination pool; reserved bits written as zero,
         * as DPDK's ixgbe_mirror_rule_set and Snabb do. */
        op_add(&l, f->mrctl, rule, UINT32_MAX,
               f->mirror_type_bit[r->type] | r->dst_pool << f->mirror_dst_shift);
        return op_done(&l);
}

int nic_mirror_clear(const NicLayout *f, unsigned rule, RegOp *ops) {
        OpList l = OPLIST(ops, f->tab, f->ntab);
        int k = mirror_check_rule(f, rule);
        if (k < 0)
                return k;

        op_add(&l, f->mrctl, rule, UINT32_MAX, 0);
        for (unsigned w = 0; w < f->bitmap_words; w++)
                op_add(&l, f->mrvm, mirror_word_index(f, rule, w), UINT32_MAX, 0);
        for (unsigned w = 0; w < f->bitmap_words; w++)
                op_add(&l, f->mrvlan, mirror_word_index(f, rule, w), UINT32_MAX, 0);
        return op_done(&l);
}

int nic_mirror_regs(const NicLayout *f, unsigned rule, uint32_t offsets[8]) {
        unsigned n = 0;
        int k = mirror_check_rule(f, rule);
        if (k < 0)
                return k;

        /* Same order as nic_mirror_clear(): control, pool words, VLAN words. */
        offsets[n++] = named_at(f->tab, f->ntab, f->mrctl, rule);
        for (unsigned w = 0; w < f->bitmap_words; w++)
                offsets[n++] = named_at(f->tab, f->ntab, f->mrvm, mirror_word_index(f, rule, w));
        for (unsigned w = 0; w < f->bitmap_words; w++)
                offsets[n++] = named_at(f->tab, f->ntab, f->mrvlan, mirror_word_index(f, rule, w));
        for (unsigned i = 0; i < n; i++)
                if (offsets[i] == NIC_REG_NONE)
                        return -EFAULT;
        return (int) n;
}

int nic_mirror_decode(const NicLayout *f, unsigned rule, const uint32_t *words, MirrorRule *r,
                      bool *enabled) {
        uint32_t types;
        uint64_t pools = 0, slots = 0;
        int k = mirror_check_rule(f, rule), type = -1;

        if (k < 0)
                return k;
        *r = (MirrorRule){};
        *enabled = false;
        types = words[0] & f->mirror_type_field;
        if (types == 0)
                return 0;
        for (int t = 0; t < _MIRROR_TYPE_MAX; t++)
                if (f->mirror_type_bit[t] && f->mirror_type_bit[t] == types)
                        type = t;
        /* Several types at once, or a type bit this model does not program. */
        if (type < 0)
                return -EBADMSG;

        for (unsigned w = 0; w < f->bitmap_words; w++) {
                pools |= word_to(words[1 + w], w);
                slots |= word_to(words[1 + f->bitmap_words + w], w);
        }
        r->type = (MirrorType) type;
        r->dst_pool = (words[0] >> f->mirror_dst_shift) & f->mirror_dst_mask;
        if (type == MIRROR_POOL)
                r->pools = pools;
        else if (type == MIRROR_VLAN)
                r->vlvf_slots = slots;
        *enabled = true;
        return 0;
}
