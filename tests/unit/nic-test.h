/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Helpers shared by test-nic-ixgbe.c and test-nic-igb.c: check one RegOp
 * against a row of the reference table, and a tiny register file that applies
 * op lists the way the register I/O module will (RMW, in order), so decoders
 * can be tested as inverses of encoders.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hw/nic/nic.h"

#define INTEL 0x8086

static inline void expect_op(const RegOp *op, uint32_t offset, uint32_t mask, uint32_t value,
                             const char *name) {
        if (op->offset != offset || op->mask != mask || op->value != value ||
            strcmp(op->name, name) != 0)
                fail_msg("op %s @0x%05x mask 0x%08x value 0x%08x, expected %s @0x%05x mask 0x%08x "
                         "value 0x%08x",
                         op->name, op->offset, op->mask, op->value, name, offset, mask, value);
}

/* A sparse register file; unknown registers read as `background`. */
typedef struct RegFile {
        uint32_t offset[64];
        uint32_t value[64];
        unsigned n;
        uint32_t background;
} RegFile;

static inline uint32_t regfile_read(const RegFile *f, uint32_t offset) {
        for (unsigned i = 0; i < f->n; i++)
                if (f->offset[i] == offset)
                        return f->value[i];
        return f->background;
}

static inline void regfile_write(RegFile *f, uint32_t offset, uint32_t value) {
        for (unsigned i = 0; i < f->n; i++)
                if (f->offset[i] == offset) {
                        f->value[i] = value;
                        return;
                }
        assert_true(f->n < 64);
        f->offset[f->n] = offset;
        f->value[f->n++] = value;
}

static inline void regfile_apply(RegFile *f, const RegOp *ops, int n) {
        assert_true(n >= 0 && n <= NIC_MAX_OPS);
        for (int i = 0; i < n; i++) {
                uint32_t old = regfile_read(f, ops[i].offset);
                assert_int_equal(ops[i].offset % 4, 0);
                regfile_write(f, ops[i].offset,
                              (old & ~ops[i].mask) | (ops[i].value & ops[i].mask));
        }
}

/* Read the registers listed in offsets[0..n-1] into words. */
static inline void regfile_gather(const RegFile *f, const uint32_t *offsets, int n,
                                  uint32_t *words) {
        assert_true(n > 0);
        for (int i = 0; i < n; i++)
                words[i] = regfile_read(f, offsets[i]);
}

/* Program `want` into rule `rule` of a register file full of garbage, read the
 * rule's registers back and decode: the same rule, enabled. Then clear it:
 * decoded as disabled. */
static inline void check_mirror_round_trip(const NicRegs *m, unsigned rule,
                                           const MirrorRule *want) {
        RegFile f = { .background = 0xffffffff };
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[8], words[8];
        MirrorRule got;
        bool enabled;
        int n = m->mirror_regs(rule, offsets);

        regfile_apply(&f, ops, m->mirror_set(rule, want, ops));
        regfile_gather(&f, offsets, n, words);
        assert_int_equal(m->mirror_decode(rule, words, &got, &enabled), 0);
        assert_true(enabled);
        assert_memory_equal(&got, want, sizeof(got));

        regfile_apply(&f, ops, m->mirror_clear(rule, ops));
        regfile_gather(&f, offsets, n, words);
        assert_int_equal(m->mirror_decode(rule, words, &got, &enabled), 0);
        assert_false(enabled);
}

/* Replication is one bit, 30, of the VT control register at `offset`. */
static inline void check_replication(const NicRegs *m, uint32_t offset, const char *name) {
        RegOp ops[NIC_MAX_OPS];

        assert_int_equal(m->replication(true, ops), 1);
        expect_op(&ops[0], offset, 0x40000000, 0x40000000, name);
        assert_int_equal(m->replication(false, ops), 1);
        expect_op(&ops[0], offset, 0x40000000, 0, name);
        assert_int_equal(m->vt_ctl_reg, offset);
        assert_true(m->replication_decode(0x40000000));
        assert_false(m->replication_decode(~0x40000000u));
}

/* Every model's named table: aligned, non-overlapping, inside bar0_min_size,
 * which is exactly one past the last register. */
static inline void check_named_table(const NicRegs *m) {
        uint32_t end = 0;

        assert_non_null(m->named);
        for (size_t i = 0; i < m->n_named; i++) {
                const NamedReg *a = &m->named[i];
                uint32_t a_end = a->offset + (a->count - 1) * a->stride + 4;
                assert_int_equal(a->offset % 4, 0);
                assert_true(a->count >= 1);
                assert_true(a->count == 1 || a->stride % 4 == 0);
                if (a_end > end)
                        end = a_end;
                for (size_t j = 0; j < m->n_named; j++) {
                        const NamedReg *b = &m->named[j];
                        if (i == j)
                                continue;
                        /* Arrays may interleave (RAL/RAH stride 8): compare every entry. */
                        for (unsigned x = 0; x < a->count; x++)
                                for (unsigned y = 0; y < b->count; y++)
                                        if (a->offset + x * a->stride == b->offset + y * b->stride)
                                                fail_msg("%s[%u] and %s[%u] share 0x%05x", a->name,
                                                         a->first + x, b->name, b->first + y,
                                                         a->offset + x * a->stride);
                }
        }
        assert_int_equal(end, m->bar0_min_size);
}

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))
