/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ixgbe register model against the reference facts sheet
 * (shared reference nic-registers.md, section 3). Expected offsets and bits
 * are typed from that sheet, not computed from the code under test:
 *   PFVTCTL 0x051B0 (Rpl_En bit 30)       PFVML2FLT[n] 0x0F000 + 4n (bits 24..28)
 *   PFVLVF[i] 0x0F100 + 4i                PFVLVFB[j] 0x0F200 + 4j (2i lo, 2i+1 hi)
 *   PFMRCTL[r] 0x0F600 + 4r               PFMRVLAN[k] 0x0F610 + 4k, PFMRVM[k] 0x0F630 + 4k
 *   RAL[n]/RAH[n] 0x0A200/0x0A204 + 8n    MPSAR 0x0A600 + 8n (lo), 0x0A604 + 8n (hi)
 *   VFTA[k] 0x0A000 + 4k
 */
#include "nic-test.h"

static const NicRegs *m82599(void) {
        const NicRegs *m = nic_regs_for(INTEL, 0x10FB); /* 82599ES SFP+ */
        assert_non_null(m);
        return m;
}

/* The pools the issue asks about, and where each lands. */
static const struct {
        unsigned pool;
        uint32_t vml2flt; /* PFVML2FLT[pool] */
        uint32_t lo, hi;  /* bit in the low / high bitmap word */
} pools[] = {
        { 0, 0x0F000, 0x00000001, 0 },  { 7, 0x0F01C, 0x00000080, 0 },
        { 31, 0x0F07C, 0x80000000, 0 }, { 32, 0x0F080, 0, 0x00000001 },
        { 63, 0x0F0FC, 0, 0x80000000 },
};

/* Per-pool receive flags */

static void test_pool_rx_flag_lands_in_pfvml2flt_of_pools_0_7_31_32_63(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        char name[32];
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(pools); i++) {
                snprintf(name, sizeof(name), "PFVML2FLT[%u]", pools[i].pool);
                assert_int_equal(
                        m->pool_rx_flags(pools[i].pool, 1u << POOL_RX_MULTICAST_PROMISC, 0, ops),
                        1);
                expect_op(&ops[0], pools[i].vml2flt, 0x10000000, 0x10000000, name);
                assert_int_equal(m->pool_rx_reg(pools[i].pool), pools[i].vml2flt);
        }
}

static void test_pool_rx_flags_are_bits_24_to_28(void **state) {
        static const uint32_t bit[_POOL_RX_MAX] = {
                [POOL_RX_ACCEPT_UNTAGGED] = 1u << 24,   /* AUPE */
                [POOL_RX_MULTICAST_HASH] = 1u << 25,    /* ROMPE */
                [POOL_RX_UNICAST_HASH] = 1u << 26,      /* ROPE */
                [POOL_RX_BROADCAST] = 1u << 27,         /* BAM */
                [POOL_RX_MULTICAST_PROMISC] = 1u << 28, /* MPE */
        };
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        for (unsigned f = 0; f < _POOL_RX_MAX; f++) {
                assert_int_equal(m->pool_rx_flags(3, 1u << f, 0, ops), 1);
                expect_op(&ops[0], 0x0F00C, bit[f], bit[f], "PFVML2FLT[3]");
                assert_int_equal(m->pool_rx_flags(3, 0, 1u << f, ops), 1);
                expect_op(&ops[0], 0x0F00C, bit[f], 0, "PFVML2FLT[3]");
        }
        /* Set and clear in one RMW: the mask covers both, the value only the set. */
        assert_int_equal(m->pool_rx_flags(3,
                                          1u << POOL_RX_BROADCAST | 1u << POOL_RX_MULTICAST_PROMISC,
                                          1u << POOL_RX_ACCEPT_UNTAGGED, ops),
                         1);
        expect_op(&ops[0], 0x0F00C, 0x19000000, 0x18000000, "PFVML2FLT[3]");
        assert_int_equal(m->rx_flags, 0x1f);
}

static void test_pool_rx_flags_refuses_pool_64_and_bad_requests(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->pool_rx_flags(64, 1u << POOL_RX_BROADCAST, 0, ops), -ERANGE);
        assert_int_equal(m->pool_rx_reg(64), NIC_REG_NONE);
        assert_int_equal(m->pool_rx_flags(1, 1u << POOL_RX_BROADCAST, 1u << POOL_RX_BROADCAST, ops),
                         -EINVAL);
        assert_int_equal(m->pool_rx_flags(1, 1u << _POOL_RX_MAX, 0, ops), -EINVAL);
        assert_int_equal(m->pool_rx_flags(1, 0, 0, ops), 0); /* nothing to do */
}

static void test_pool_rx_flags_decode_inverts_encode_and_keeps_other_bits(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        for (uint32_t set = 0; set < (1u << _POOL_RX_MAX); set++) {
                /* Start from every flag on plus UPE/VPE and low bits the PF driver owns. */
                RegFile f = { .background = 0x1fc0ffff };
                uint32_t clear = ~set & ((1u << _POOL_RX_MAX) - 1);
                int n = m->pool_rx_flags(9, set, clear, ops);

                regfile_apply(&f, ops, n);
                assert_int_equal(m->pool_rx_flags_decode(regfile_read(&f, 0x0F024)), set);
                assert_int_equal(regfile_read(&f, 0x0F024) & ~0x1f000000u, 0x00c0ffffu);
        }
}

/* Mirror rules */

static void test_mirror_pool_rule_splits_pools_into_pfmrvm_r_and_r_plus_4(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        MirrorRule r = { .type = MIRROR_POOL, .dst_pool = 5 };
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(pools); i++)
                r.pools |= UINT64_C(1) << pools[i].pool;
        assert_int_equal(m->mirror_set(1, &r, ops), 5);
        expect_op(&ops[0], 0x0F634, 0xffffffff, 0x80000081, "PFMRVM[1]");
        expect_op(&ops[1], 0x0F644, 0xffffffff, 0x80000001, "PFMRVM[5]");
        expect_op(&ops[2], 0x0F614, 0xffffffff, 0, "PFMRVLAN[1]");
        expect_op(&ops[3], 0x0F624, 0xffffffff, 0, "PFMRVLAN[5]");
        /* VPME (bit 0), destination pool 5 at bit 8, written last */
        expect_op(&ops[4], 0x0F604, 0xffffffff, 0x00000501, "PFMRCTL[1]");

        /* Each of pools 0, 7, 31, 32, 63 alone: the right word, the right bit. */
        for (size_t i = 0; i < N_ELEMENTS(pools); i++) {
                r.pools = UINT64_C(1) << pools[i].pool;
                r.dst_pool = pools[i].pool == 5 ? 6 : 5;
                assert_int_equal(m->mirror_set(0, &r, ops), 5);
                expect_op(&ops[0], 0x0F630, 0xffffffff, pools[i].lo, "PFMRVM[0]");
                expect_op(&ops[1], 0x0F640, 0xffffffff, pools[i].hi, "PFMRVM[4]");
        }
}

static void test_mirror_uplink_and_downlink_rules_set_upme_and_dpme(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        MirrorRule up = { .type = MIRROR_UPLINK, .dst_pool = 63 };
        MirrorRule down = { .type = MIRROR_DOWNLINK, .dst_pool = 32 };
        (void) state;

        assert_int_equal(m->mirror_set(0, &up, ops), 5);
        for (int i = 0; i < 4; i++)
                assert_int_equal(ops[i].value, 0); /* no stale bitmaps */
        expect_op(&ops[4], 0x0F600, 0xffffffff, 0x00003f02, "PFMRCTL[0]");

        assert_int_equal(m->mirror_set(2, &down, ops), 5);
        expect_op(&ops[0], 0x0F638, 0xffffffff, 0, "PFMRVM[2]");
        expect_op(&ops[1], 0x0F648, 0xffffffff, 0, "PFMRVM[6]");
        expect_op(&ops[4], 0x0F608, 0xffffffff, 0x00002004, "PFMRCTL[2]");
}

static void test_mirror_vlan_rule_splits_vlvf_slots_into_pfmrvlan_r_and_r_plus_4(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        MirrorRule r = { .type = MIRROR_VLAN, .dst_pool = 7 };
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(pools); i++) /* slots 0, 7, 31, 32, 63 */
                r.vlvf_slots |= UINT64_C(1) << pools[i].pool;
        assert_int_equal(m->mirror_set(3, &r, ops), 5);
        expect_op(&ops[0], 0x0F63C, 0xffffffff, 0, "PFMRVM[3]");
        expect_op(&ops[1], 0x0F64C, 0xffffffff, 0, "PFMRVM[7]");
        expect_op(&ops[2], 0x0F61C, 0xffffffff, 0x80000081, "PFMRVLAN[3]");
        expect_op(&ops[3], 0x0F62C, 0xffffffff, 0x80000001, "PFMRVLAN[7]");
        expect_op(&ops[4], 0x0F60C, 0xffffffff, 0x00000708, "PFMRCTL[3]"); /* VLME, pool 7 */
}

static void test_mirror_destination_pool_is_six_bits_at_8(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        MirrorRule r = { .type = MIRROR_UPLINK };
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(pools); i++) {
                r.dst_pool = pools[i].pool;
                assert_int_equal(m->mirror_set(0, &r, ops), 5);
                expect_op(&ops[4], 0x0F600, 0xffffffff, 0x2u | pools[i].pool << 8, "PFMRCTL[0]");
        }
        r.dst_pool = 64;
        assert_int_equal(m->mirror_set(0, &r, ops), -ERANGE);
}

static void test_mirror_fifth_rule_is_refused(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[8], words[8] = { 0 };
        MirrorRule r = { .type = MIRROR_UPLINK, .dst_pool = 1 };
        bool enabled;
        (void) state;

        assert_int_equal(m->mirror_rules, 4);
        assert_int_equal(m->mirror_set(4, &r, ops), -E2BIG);
        assert_int_equal(m->mirror_clear(4, ops), -E2BIG);
        assert_int_equal(m->mirror_regs(4, offsets), -E2BIG);
        assert_int_equal(m->mirror_decode(4, words, &r, &enabled), -E2BIG);
}

static void test_mirror_snaplen_sampling_and_encapsulation_are_refused(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        MirrorRule r = { .type = MIRROR_UPLINK, .dst_pool = 1 };
        (void) state;

        r.snaplen = 128;
        assert_int_equal(m->mirror_set(0, &r, ops), -EOPNOTSUPP);
        r.snaplen = 0;
        r.sample_rate = 100;
        assert_int_equal(m->mirror_set(0, &r, ops), -EOPNOTSUPP);
        r.sample_rate = 1; /* every frame: what the NIC does */
        assert_int_equal(m->mirror_set(0, &r, ops), 5);
        r.encapsulate = true;
        assert_int_equal(m->mirror_set(0, &r, ops), -EOPNOTSUPP);
        assert_int_equal(m->mirror_types, 0xf);
}

static void test_mirror_malformed_rules_are_refused(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->mirror_set(0, NULL, ops), -EINVAL);
        assert_int_equal(m->mirror_set(0, &(MirrorRule){ .type = _MIRROR_TYPE_MAX }, ops), -EINVAL);
        /* pool mirror without pools, with VLVF slots, or mirroring into itself */
        assert_int_equal(m->mirror_set(0, &(MirrorRule){ .type = MIRROR_POOL, .dst_pool = 1 }, ops),
                         -EINVAL);
        assert_int_equal(m->mirror_set(0,
                                       &(MirrorRule){ .type = MIRROR_POOL,
                                                      .pools = 1,
                                                      .vlvf_slots = 1,
                                                      .dst_pool = 1 },
                                       ops),
                         -EINVAL);
        assert_int_equal(
                m->mirror_set(0, &(MirrorRule){ .type = MIRROR_POOL, .pools = 3, .dst_pool = 1 },
                              ops),
                -EINVAL);
        /* VLAN mirror without slots */
        assert_int_equal(m->mirror_set(0, &(MirrorRule){ .type = MIRROR_VLAN, .dst_pool = 1 }, ops),
                         -EINVAL);
        /* uplink with a pool bitmap it would ignore */
        assert_int_equal(
                m->mirror_set(0, &(MirrorRule){ .type = MIRROR_UPLINK, .pools = 4, .dst_pool = 1 },
                              ops),
                -EINVAL);
}

static void test_mirror_clear_zeroes_control_first_then_bitmaps(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->mirror_clear(2, ops), 5);
        expect_op(&ops[0], 0x0F608, 0xffffffff, 0, "PFMRCTL[2]");
        expect_op(&ops[1], 0x0F638, 0xffffffff, 0, "PFMRVM[2]");
        expect_op(&ops[2], 0x0F648, 0xffffffff, 0, "PFMRVM[6]");
        expect_op(&ops[3], 0x0F618, 0xffffffff, 0, "PFMRVLAN[2]");
        expect_op(&ops[4], 0x0F628, 0xffffffff, 0, "PFMRVLAN[6]");
}

static void test_mirror_regs_are_control_pools_then_vlans(void **state) {
        const NicRegs *m = m82599();
        uint32_t offsets[8];
        (void) state;

        assert_int_equal(m->mirror_regs(0, offsets), 5);
        assert_int_equal(offsets[0], 0x0F600);
        assert_int_equal(offsets[1], 0x0F630);
        assert_int_equal(offsets[2], 0x0F640);
        assert_int_equal(offsets[3], 0x0F610);
        assert_int_equal(offsets[4], 0x0F620);
        assert_int_equal(m->mirror_regs(3, offsets), 5);
        assert_int_equal(offsets[0], 0x0F60C);
        assert_int_equal(offsets[2], 0x0F64C);
        assert_int_equal(offsets[4], 0x0F62C);
}

static void test_mirror_decode_inverts_set_and_clear_for_every_type(void **state) {
        const MirrorRule rules[] = {
                { .type = MIRROR_POOL, .pools = UINT64_C(0x8000000180000081), .dst_pool = 40 },
                { .type = MIRROR_UPLINK, .dst_pool = 63 },
                { .type = MIRROR_DOWNLINK, .dst_pool = 0 },
                { .type = MIRROR_VLAN, .vlvf_slots = UINT64_C(0x8000000100000001), .dst_pool = 31 },
        };
        (void) state;

        for (unsigned rule = 0; rule < 4; rule++)
                check_mirror_round_trip(m82599(), rule, &rules[rule]);
}

static void test_mirror_decode_reports_combined_types_as_foreign(void **state) {
        const NicRegs *m = m82599();
        uint32_t words[5] = { 0x00000306 }; /* UPME|DPME to pool 3, as Snabb's "inout" writes */
        MirrorRule r;
        bool enabled;
        (void) state;

        assert_int_equal(m->mirror_decode(0, words, &r, &enabled), -EBADMSG);
}

/* MAC filters: RAL/RAH and MPSAR */

static void test_mac_filter_writes_mpsar_then_ral_then_rah_with_le_byte_order(void **state) {
        const NicRegs *m = m82599();
        const uint8_t mac[6] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc };
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->mac_filter(5, mac, UINT64_C(1) << 7 | UINT64_C(1) << 32, ops), 4);
        expect_op(&ops[0], 0x0A628, 0xffffffff, 0x00000080, "MPSAR[10]");
        expect_op(&ops[1], 0x0A62C, 0xffffffff, 0x00000001, "MPSAR[11]");
        expect_op(&ops[2], 0x0A228, 0xffffffff, 0xaa211b00, "RAL[5]");
        expect_op(&ops[3], 0x0A22C, 0x8000ffff, 0x8000ccbb, "RAH[5]");
}

static void test_mac_filter_pool_bits_for_pools_0_7_31_32_63(void **state) {
        const NicRegs *m = m82599();
        const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(pools); i++) {
                assert_int_equal(m->mac_filter(0, mac, UINT64_C(1) << pools[i].pool, ops), 4);
                expect_op(&ops[0], 0x0A600, 0xffffffff, pools[i].lo, "MPSAR[0]");
                expect_op(&ops[1], 0x0A604, 0xffffffff, pools[i].hi, "MPSAR[1]");
                expect_op(&ops[2], 0x0A200, 0xffffffff, 0x00000002, "RAL[0]");
                expect_op(&ops[3], 0x0A204, 0x8000ffff, 0x80000100, "RAH[0]");
        }
}

static void test_mac_filter_last_entry_is_127(void **state) {
        const NicRegs *m = m82599();
        const uint8_t mac[6] = { 0x02, 1, 2, 3, 4, 5 };
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[4];
        (void) state;

        assert_int_equal(m->rar_entries, 128);
        assert_int_equal(m->mac_filter(127, mac, 1, ops), 4);
        expect_op(&ops[0], 0x0A9F8, 0xffffffff, 1, "MPSAR[254]");
        expect_op(&ops[1], 0x0A9FC, 0xffffffff, 0, "MPSAR[255]");
        assert_int_equal(ops[2].offset, 0x0A5F8);
        assert_int_equal(ops[3].offset, 0x0A5FC);
        assert_int_equal(m->mac_filter(128, mac, 1, ops), -ERANGE);
        assert_int_equal(m->rar_regs(128, offsets), -ERANGE);
}

static void test_mac_filter_removal_clears_av_first_and_refuses_zero_mac(void **state) {
        const NicRegs *m = m82599();
        const uint8_t zero[6] = { 0 };
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->mac_filter(9, NULL, 0, ops), 4);
        expect_op(&ops[0], 0x0A24C, 0x8000ffff, 0, "RAH[9]");
        expect_op(&ops[1], 0x0A248, 0xffffffff, 0, "RAL[9]");
        expect_op(&ops[2], 0x0A648, 0xffffffff, 0, "MPSAR[18]");
        expect_op(&ops[3], 0x0A64C, 0xffffffff, 0, "MPSAR[19]");
        assert_int_equal(m->mac_filter(9, zero, 1, ops), -EINVAL);
        assert_int_equal(m->mac_filter(9, NULL, 1, ops), -EINVAL);
}

static void test_rar_decode_inverts_mac_filter(void **state) {
        const NicRegs *m = m82599();
        const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        const uint64_t want = UINT64_C(0x8000000100000080);
        RegFile f = { .background = 0x7fff0000 }; /* reserved RAH bits must survive */
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[4], words[4];
        uint8_t got[6];
        uint64_t got_pools;
        bool valid;
        (void) state;

        regfile_apply(&f, ops, m->mac_filter(17, mac, want, ops));
        assert_int_equal(m->rar_regs(17, offsets), 4);
        assert_int_equal(offsets[0], 0x0A288);
        assert_int_equal(offsets[1], 0x0A28C);
        assert_int_equal(offsets[2], 0x0A688);
        assert_int_equal(offsets[3], 0x0A68C);
        regfile_gather(&f, offsets, 4, words);
        assert_int_equal(words[1] & 0x7fff0000, 0x7fff0000);
        assert_int_equal(m->rar_decode(words, got, &got_pools, &valid), 0);
        assert_memory_equal(got, mac, 6);
        assert_true(got_pools == want);
        assert_true(valid);

        regfile_apply(&f, ops, m->mac_filter(17, NULL, 0, ops));
        regfile_gather(&f, offsets, 4, words);
        assert_int_equal(m->rar_decode(words, got, &got_pools, &valid), 0);
        assert_false(valid);
        assert_true(got_pools == 0);
}

/* VLAN filters: PFVLVF, PFVLVFB and VFTA */

static void test_vlan_filter_writes_vlvfb_pair_then_vlvf_then_vfta(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        uint64_t all = 0;
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(pools); i++)
                all |= UINT64_C(1) << pools[i].pool;
        assert_int_equal(m->vlan_filter(3, 100, all, ops), 4);
        expect_op(&ops[0], 0x0F218, 0xffffffff, 0x80000081, "PFVLVFB[6]");
        expect_op(&ops[1], 0x0F21C, 0xffffffff, 0x80000001, "PFVLVFB[7]");
        expect_op(&ops[2], 0x0F10C, 0x80000fff, 0x80000064, "PFVLVF[3]");
        expect_op(&ops[3], 0x0A00C, 0x00000010, 0x00000010, "VFTA[3]"); /* 100 = 3*32 + 4 */

        for (size_t i = 0; i < N_ELEMENTS(pools); i++) {
                assert_int_equal(m->vlan_filter(0, 1, UINT64_C(1) << pools[i].pool, ops), 4);
                expect_op(&ops[0], 0x0F200, 0xffffffff, pools[i].lo, "PFVLVFB[0]");
                expect_op(&ops[1], 0x0F204, 0xffffffff, pools[i].hi, "PFVLVFB[1]");
        }
        assert_int_equal(m->vlan_filter(63, 4095, 1, ops), 4);
        expect_op(&ops[0], 0x0F3F8, 0xffffffff, 1, "PFVLVFB[126]");
        expect_op(&ops[1], 0x0F3FC, 0xffffffff, 0, "PFVLVFB[127]");
        expect_op(&ops[2], 0x0F1FC, 0x80000fff, 0x80000fff, "PFVLVF[63]");
        expect_op(&ops[3], 0x0A1FC, 0x80000000, 0x80000000, "VFTA[127]");
}

static void test_vlan_filter_removal_clears_vfta_first(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->vlan_filter(3, 100, 0, ops), 4);
        expect_op(&ops[0], 0x0A00C, 0x00000010, 0, "VFTA[3]");
        expect_op(&ops[1], 0x0F10C, 0xffffffff, 0, "PFVLVF[3]");
        expect_op(&ops[2], 0x0F218, 0xffffffff, 0, "PFVLVFB[6]");
        expect_op(&ops[3], 0x0F21C, 0xffffffff, 0, "PFVLVFB[7]");
}

static void test_vlan_filter_refuses_slot_64_and_vid_4096(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[2];
        (void) state;

        assert_int_equal(m->vlvf_entries, 64);
        assert_int_equal(m->vlan_filter(64, 10, 1, ops), -ERANGE);
        assert_int_equal(m->vlan_filter(0, 4096, 1, ops), -ERANGE);
        assert_int_equal(m->vlvf_reg(64), NIC_REG_NONE);
        assert_int_equal(m->vlvf_pool_regs(64, offsets), -ERANGE);
}

static void test_vlvf_decoders_invert_vlan_filter(void **state) {
        const NicRegs *m = m82599();
        RegOp ops[NIC_MAX_OPS];
        RegFile f = { 0 };
        uint32_t offsets[2], words[2];
        uint16_t vid;
        bool enabled;
        (void) state;

        regfile_apply(&f, ops, m->vlan_filter(40, 2049, UINT64_C(0x8000000000000001), ops));
        assert_int_equal(m->vlvf_reg(40), 0x0F1A0);
        assert_int_equal(m->vlvf_decode(regfile_read(&f, m->vlvf_reg(40)), &vid, &enabled), 0);
        assert_int_equal(vid, 2049);
        assert_true(enabled);
        assert_int_equal(m->vlvf_pool_regs(40, offsets), 2);
        assert_int_equal(offsets[0], 0x0F340);
        assert_int_equal(offsets[1], 0x0F344);
        regfile_gather(&f, offsets, 2, words);
        assert_true(m->vlvf_pools_decode(words) == UINT64_C(0x8000000000000001));
        assert_int_equal(regfile_read(&f, 0x0A100), 1u << 1); /* VFTA[64], 2049 = 64*32 + 1 */

        regfile_apply(&f, ops, m->vlan_filter(40, 2049, 0, ops));
        assert_int_equal(m->vlvf_decode(regfile_read(&f, m->vlvf_reg(40)), &vid, &enabled), 0);
        assert_false(enabled);
        assert_int_equal(regfile_read(&f, 0x0A100), 0);
}

/* Replication */

static void test_replication_is_pfvtctl_bit_30(void **state) {
        (void) state;
        check_replication(m82599(), 0x051B0, "PFVTCTL");
}

/* Models and tables */

static void test_every_ixgbe_pf_id_has_the_ixgbe_model(void **state) {
        static const struct {
                uint16_t id;
                const char *model;
        } ids[] = {
                { 0x10F7, "82599" }, { 0x1514, "82599" }, { 0x1517, "82599" }, { 0x10F8, "82599" },
                { 0x10F9, "82599" }, { 0x10FB, "82599" }, { 0x1507, "82599" }, { 0x154D, "82599" },
                { 0x154A, "82599" }, { 0x1558, "82599" }, { 0x1557, "82599" }, { 0x1529, "82599" },
                { 0x152A, "82599" }, { 0x10FC, "82599" }, { 0x151C, "82599" }, { 0x154F, "82599" },
                { 0x1528, "X540" },  { 0x1560, "X540" },  { 0x1563, "X550" },  { 0x15D1, "X550" },
                { 0x15AA, "X552" },  { 0x15AB, "X552" },  { 0x15AC, "X552" },  { 0x15AD, "X552" },
                { 0x15AE, "X552" },  { 0x15B0, "X552" },  { 0x15C2, "X553" },  { 0x15C3, "X553" },
                { 0x15C4, "X553" },  { 0x15C6, "X553" },  { 0x15C7, "X553" },  { 0x15C8, "X553" },
                { 0x15CE, "X553" },  { 0x15E4, "X553" },  { 0x15E5, "X553" },  { 0x15CA, "X553" },
                { 0x15CC, "X553" },
        };
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(ids); i++) {
                const NicRegs *m = nic_regs_for(INTEL, ids[i].id);
                if (!m)
                        fail_msg("8086:%04x has no register model", ids[i].id);
                assert_int_equal(m->family, NIC_FAMILY_IXGBE);
                assert_string_equal(m->model, ids[i].model);
                assert_int_equal(m->pools, 64);
                assert_int_equal(m->mirror_rules, 4);
                assert_int_equal(m->rar_entries, 128);
                assert_int_equal(m->vlvf_entries, 64);
        }
}

static void test_vfs_82598_and_other_vendors_have_no_model(void **state) {
        static const uint16_t vfs[] = { 0x10ED, 0x152E, 0x1515, 0x1530, 0x1565, 0x1564,
                                        0x15A8, 0x15A9, 0x15C5, 0x15B4, 0x57AD };
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(vfs); i++)
                assert_null(nic_regs_for(INTEL, vfs[i]));
        assert_null(nic_regs_for(INTEL, 0x10B6));  /* 82598: no SR-IOV */
        assert_null(nic_regs_for(INTEL, 0x1572));  /* X710 (i40e): generic */
        assert_null(nic_regs_for(0x15b3, 0x1017)); /* Mellanox ConnectX-5 */
        assert_null(nic_regs_for(0x15b3, 0x1018)); /* and its VF */
}

static void test_named_table_is_aligned_disjoint_and_inside_bar0_min_size(void **state) {
        static const uint16_t ids[] = { 0x10FB, 0x1528, 0x1563, 0x15AD, 0x15C8 };
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(ids); i++)
                check_named_table(nic_regs_for(INTEL, ids[i]));
        /* PFMRVM[7] ends the map */
        assert_int_equal(m82599()->bar0_min_size, 0x0F650);
        assert_int_equal(nic_named_offset(m82599(), "RAL", 0), 0x0A200);
        assert_int_equal(nic_named_offset(m82599(), "PFVTCTL", 0), m82599()->vt_ctl_reg);
        assert_int_equal(nic_named_offset(m82599(), "PFMRCTL", 4), NIC_REG_NONE);
        assert_int_equal(nic_named_offset(NULL, "RAL", 0), NIC_REG_NONE);
}

static void test_json_names_round_trip(void **state) {
        static const char *const flags[] = { "accept_untagged", "multicast_hash", "unicast_hash",
                                             "broadcast", "multicast_promiscuous" };
        static const char *const types[] = { "pool", "uplink", "downlink", "vlan" };
        (void) state;

        for (int i = 0; i < _POOL_RX_MAX; i++) {
                assert_string_equal(pool_rx_flag_to_string((PoolRxFlag) i), flags[i]);
                assert_int_equal(pool_rx_flag_from_string(flags[i]), i);
        }
        for (int i = 0; i < _MIRROR_TYPE_MAX; i++) {
                assert_string_equal(mirror_type_to_string((MirrorType) i), types[i]);
                assert_int_equal(mirror_type_from_string(types[i]), i);
        }
        assert_int_equal(pool_rx_flag_from_string("promiscuous"), -EINVAL);
        assert_int_equal(mirror_type_from_string(NULL), -EINVAL);
        assert_null(pool_rx_flag_to_string(_POOL_RX_MAX));
        assert_null(mirror_type_to_string(_MIRROR_TYPE_MAX));
}

static void test_vf_n_uses_pool_n_and_the_pf_the_next(void **state) {
        (void) state;
        assert_int_equal(nic_vf_pool(0), 0);
        assert_int_equal(nic_vf_pool(62), 62);
        assert_int_equal(nic_pf_pool(63), 63);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pool_rx_flag_lands_in_pfvml2flt_of_pools_0_7_31_32_63),
                cmocka_unit_test(test_pool_rx_flags_are_bits_24_to_28),
                cmocka_unit_test(test_pool_rx_flags_refuses_pool_64_and_bad_requests),
                cmocka_unit_test(test_pool_rx_flags_decode_inverts_encode_and_keeps_other_bits),
                cmocka_unit_test(test_mirror_pool_rule_splits_pools_into_pfmrvm_r_and_r_plus_4),
                cmocka_unit_test(test_mirror_uplink_and_downlink_rules_set_upme_and_dpme),
                cmocka_unit_test(
                        test_mirror_vlan_rule_splits_vlvf_slots_into_pfmrvlan_r_and_r_plus_4),
                cmocka_unit_test(test_mirror_destination_pool_is_six_bits_at_8),
                cmocka_unit_test(test_mirror_fifth_rule_is_refused),
                cmocka_unit_test(test_mirror_snaplen_sampling_and_encapsulation_are_refused),
                cmocka_unit_test(test_mirror_malformed_rules_are_refused),
                cmocka_unit_test(test_mirror_clear_zeroes_control_first_then_bitmaps),
                cmocka_unit_test(test_mirror_regs_are_control_pools_then_vlans),
                cmocka_unit_test(test_mirror_decode_inverts_set_and_clear_for_every_type),
                cmocka_unit_test(test_mirror_decode_reports_combined_types_as_foreign),
                cmocka_unit_test(test_mac_filter_writes_mpsar_then_ral_then_rah_with_le_byte_order),
                cmocka_unit_test(test_mac_filter_pool_bits_for_pools_0_7_31_32_63),
                cmocka_unit_test(test_mac_filter_last_entry_is_127),
                cmocka_unit_test(test_mac_filter_removal_clears_av_first_and_refuses_zero_mac),
                cmocka_unit_test(test_rar_decode_inverts_mac_filter),
                cmocka_unit_test(test_vlan_filter_writes_vlvfb_pair_then_vlvf_then_vfta),
                cmocka_unit_test(test_vlan_filter_removal_clears_vfta_first),
                cmocka_unit_test(test_vlan_filter_refuses_slot_64_and_vid_4096),
                cmocka_unit_test(test_vlvf_decoders_invert_vlan_filter),
                cmocka_unit_test(test_replication_is_pfvtctl_bit_30),
                cmocka_unit_test(test_every_ixgbe_pf_id_has_the_ixgbe_model),
                cmocka_unit_test(test_vfs_82598_and_other_vendors_have_no_model),
                cmocka_unit_test(test_named_table_is_aligned_disjoint_and_inside_bar0_min_size),
                cmocka_unit_test(test_json_names_round_trip),
                cmocka_unit_test(test_vf_n_uses_pool_n_and_the_pf_the_next),
        };
        return cmocka_run_group_tests_name("nic-ixgbe", tests, NULL, NULL);
}
