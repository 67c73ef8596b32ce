/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The igb register model (82576, I350) against the reference facts sheet
 * (shared reference nic-registers.md, section 7). Expected values typed from it:
 *   VT_CTL 0x0581C (VM_REPL_EN bit 30)   VMOLR[n] 0x05AD0 + 4n (bits 24..28, MPME = 28)
 *   RAL/RAH[n] 0x05400/0x05404 + 8n (n <= 15), 0x054E0/0x054E4 + 8(n-16) above;
 *   RAH pool select bit 18 + pool, AV bit 31
 *   VLVF[n] 0x05D00 + 4n: VID 11:0, POOLSEL 19:12, enable 31   VFTA[k] 0x05600 + 4k
 *   VMRCTL 0x05D80, VMRVLAN 0x05D90, VMRVM 0x05DA0: pool bit 0, uplink bit 1,
 *   downlink bit 2, destination pool 10:8
 */
#include "nic-test.h"

static const NicRegs *m82576(void) {
        const NicRegs *m = nic_regs_for(INTEL, 0x10C9);
        assert_non_null(m);
        return m;
}

static const NicRegs *mi350(void) {
        const NicRegs *m = nic_regs_for(INTEL, 0x1521);
        assert_non_null(m);
        return m;
}

/* Per-pool receive flags */

static void test_pool_rx_flags_land_in_vmolr_of_pools_0_and_7(void **state) {
        const NicRegs *m = m82576();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->pool_rx_flags(0, 1u << POOL_RX_MULTICAST_PROMISC, 0, ops), 1);
        expect_op(&ops[0], 0x05AD0, 0x10000000, 0x10000000, "VMOLR[0]");
        assert_int_equal(
                m->pool_rx_flags(7, 1u << POOL_RX_ACCEPT_UNTAGGED | 1u << POOL_RX_BROADCAST,
                                 1u << POOL_RX_MULTICAST_HASH | 1u << POOL_RX_UNICAST_HASH, ops),
                1);
        expect_op(&ops[0], 0x05AEC, 0x0f000000, 0x09000000, "VMOLR[7]");
        assert_int_equal(m->pool_rx_reg(0), 0x05AD0);
        assert_int_equal(m->pool_rx_reg(7), 0x05AEC);
}

static void test_pool_8_is_refused(void **state) {
        const NicRegs *m = m82576();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->pools, 8);
        assert_int_equal(m->pool_rx_flags(8, 1u << POOL_RX_BROADCAST, 0, ops), -ERANGE);
        assert_int_equal(m->pool_rx_reg(8), NIC_REG_NONE);
        assert_int_equal(m->mac_filter(0, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, 1u << 8, ops),
                         -ERANGE);
        assert_int_equal(m->vlan_filter(0, 10, 1u << 8, ops), -ERANGE);
        assert_int_equal(
                m->mirror_set(0, &(MirrorRule){ .type = MIRROR_UPLINK, .dst_pool = 8 }, ops),
                -ERANGE);
        assert_int_equal(
                m->mirror_set(0, &(MirrorRule){ .type = MIRROR_POOL, .pools = 1u << 8 }, ops),
                -ERANGE);
}

static void test_pool_rx_flags_decode_inverts_encode_and_keeps_strip_bits(void **state) {
        const NicRegs *m = mi350();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        for (uint32_t set = 0; set < (1u << _POOL_RX_MAX); set++) {
                /* STRVLAN, STRCRC, UPE (bit 29), VPE (bit 23), LPE and RLPML belong to igb */
                RegFile f = { .background = 0xe08105ee };
                uint32_t clear = ~set & ((1u << _POOL_RX_MAX) - 1);

                regfile_apply(&f, ops, m->pool_rx_flags(5, set, clear, ops));
                assert_int_equal(m->pool_rx_flags_decode(regfile_read(&f, 0x05AE4)), set);
                assert_int_equal(regfile_read(&f, 0x05AE4) & ~0x1f000000u, 0xe08105eeu);
        }
}

/* Mirror rules */

static void test_mirror_pool_rule_is_vmrvm_then_vmrctl(void **state) {
        const NicRegs *m = m82576();
        RegOp ops[NIC_MAX_OPS];
        MirrorRule r = { .type = MIRROR_POOL, .pools = 1u << 0 | 1u << 7, .dst_pool = 3 };
        (void) state;

        assert_int_equal(m->mirror_set(1, &r, ops), 3);
        expect_op(&ops[0], 0x05DA4, 0xffffffff, 0x00000081, "VMRVM[1]");
        expect_op(&ops[1], 0x05D94, 0xffffffff, 0, "VMRVLAN[1]");
        expect_op(&ops[2], 0x05D84, 0xffffffff, 0x00000301, "VMRCTL[1]");
}

static void test_mirror_uplink_and_downlink_rules(void **state) {
        const NicRegs *m = mi350();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(
                m->mirror_set(0, &(MirrorRule){ .type = MIRROR_UPLINK, .dst_pool = 7 }, ops), 3);
        expect_op(&ops[0], 0x05DA0, 0xffffffff, 0, "VMRVM[0]");
        expect_op(&ops[2], 0x05D80, 0xffffffff, 0x00000702, "VMRCTL[0]");
        assert_int_equal(
                m->mirror_set(3, &(MirrorRule){ .type = MIRROR_DOWNLINK, .dst_pool = 0 }, ops), 3);
        expect_op(&ops[2], 0x05D8C, 0xffffffff, 0x00000004, "VMRCTL[3]");
}

static void test_mirror_vlan_rule_is_refused_without_a_source_for_the_bit(void **state) {
        const NicRegs *m = m82576();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->mirror_types,
                         1u << MIRROR_POOL | 1u << MIRROR_UPLINK | 1u << MIRROR_DOWNLINK);
        assert_int_equal(
                m->mirror_set(0,
                              &(MirrorRule){ .type = MIRROR_VLAN, .vlvf_slots = 1, .dst_pool = 1 },
                              ops),
                -EOPNOTSUPP);
}

static void test_mirror_fifth_rule_snaplen_and_sampling_are_refused(void **state) {
        const NicRegs *m = mi350();
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[8];
        (void) state;

        assert_int_equal(m->mirror_rules, 4);
        assert_int_equal(
                m->mirror_set(4, &(MirrorRule){ .type = MIRROR_UPLINK, .dst_pool = 1 }, ops),
                -E2BIG);
        assert_int_equal(m->mirror_clear(4, ops), -E2BIG);
        assert_int_equal(m->mirror_regs(4, offsets), -E2BIG);
        assert_int_equal(
                m->mirror_set(0,
                              &(MirrorRule){ .type = MIRROR_UPLINK, .dst_pool = 1, .snaplen = 64 },
                              ops),
                -EOPNOTSUPP);
        assert_int_equal(
                m->mirror_set(
                        0, &(MirrorRule){ .type = MIRROR_UPLINK, .dst_pool = 1, .sample_rate = 8 },
                        ops),
                -EOPNOTSUPP);
        assert_int_equal(
                m->mirror_set(
                        0,
                        &(MirrorRule){ .type = MIRROR_UPLINK, .dst_pool = 1, .encapsulate = true },
                        ops),
                -EOPNOTSUPP);
}

static void test_mirror_clear_and_regs(void **state) {
        const NicRegs *m = m82576();
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[8];
        (void) state;

        assert_int_equal(m->mirror_clear(2, ops), 3);
        expect_op(&ops[0], 0x05D88, 0xffffffff, 0, "VMRCTL[2]");
        expect_op(&ops[1], 0x05DA8, 0xffffffff, 0, "VMRVM[2]");
        expect_op(&ops[2], 0x05D98, 0xffffffff, 0, "VMRVLAN[2]");
        assert_int_equal(m->mirror_regs(2, offsets), 3);
        assert_int_equal(offsets[0], 0x05D88);
        assert_int_equal(offsets[1], 0x05DA8);
        assert_int_equal(offsets[2], 0x05D98);
}

static void test_mirror_decode_inverts_set_and_reports_bit_3_as_foreign(void **state) {
        const MirrorRule rules[] = {
                { .type = MIRROR_POOL, .pools = 0x7e, .dst_pool = 0 },
                { .type = MIRROR_UPLINK, .dst_pool = 7 },
                { .type = MIRROR_DOWNLINK, .dst_pool = 4 },
        };
        uint32_t words[3] = { 0x00000108 }; /* bit 3: perhaps VLAN mirroring, unknown to nfvcap */
        MirrorRule got;
        bool enabled;
        (void) state;

        for (unsigned i = 0; i < N_ELEMENTS(rules); i++)
                check_mirror_round_trip(mi350(), i, &rules[i]);
        assert_int_equal(mi350()->mirror_decode(0, words, &got, &enabled), -EBADMSG);
}

/* MAC filters: RAL/RAH with the pool select in RAH */

static void test_mac_filter_puts_pools_in_rah_from_bit_18(void **state) {
        const NicRegs *m = m82576();
        const uint8_t mac[6] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc };
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->mac_filter(3, mac, 1u << 0, ops), 2);
        expect_op(&ops[0], 0x05418, 0xffffffff, 0xaa211b00, "RAL[3]");
        expect_op(&ops[1], 0x0541C, 0x83ffffff, 0x8004ccbb, "RAH[3]");
        assert_int_equal(m->mac_filter(3, mac, 1u << 7, ops), 2);
        expect_op(&ops[1], 0x0541C, 0x83ffffff, 0x8200ccbb, "RAH[3]");
}

static void test_mac_filter_entries_16_and_up_live_at_0x054e0(void **state) {
        const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 1 };
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[4];
        (void) state;

        assert_int_equal(m82576()->rar_entries, 24);
        assert_int_equal(mi350()->rar_entries, 32);
        assert_int_equal(m82576()->mac_filter(15, mac, 1, ops), 2);
        assert_int_equal(ops[0].offset, 0x05478);
        assert_int_equal(m82576()->mac_filter(16, mac, 1, ops), 2);
        expect_op(&ops[0], 0x054E0, 0xffffffff, 0x00000002, "RAL[16]");
        expect_op(&ops[1], 0x054E4, 0x83ffffff, 0x80040100, "RAH[16]");
        assert_int_equal(m82576()->mac_filter(23, mac, 1, ops), 2);
        assert_int_equal(ops[0].offset, 0x05518);
        assert_int_equal(m82576()->mac_filter(24, mac, 1, ops), -ERANGE);
        assert_int_equal(m82576()->rar_regs(24, offsets), -ERANGE);
        assert_int_equal(mi350()->mac_filter(24, mac, 1, ops), 2);
        assert_int_equal(ops[0].offset, 0x05520);
        assert_int_equal(mi350()->mac_filter(31, mac, 1, ops), 2);
        expect_op(&ops[1], 0x0555C, 0x83ffffff, 0x80040100, "RAH[31]");
        assert_int_equal(mi350()->mac_filter(32, mac, 1, ops), -ERANGE);
}

static void test_mac_filter_removal_clears_rah_first(void **state) {
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m82576()->mac_filter(2, NULL, 0, ops), 2);
        expect_op(&ops[0], 0x05414, 0x83ffffff, 0, "RAH[2]");
        expect_op(&ops[1], 0x05410, 0xffffffff, 0, "RAL[2]");
}

static void test_rar_decode_inverts_mac_filter(void **state) {
        const NicRegs *m = mi350();
        const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
        RegFile f = { .background = 0x10000000 }; /* QSEL_ENABLE, not ours */
        RegOp ops[NIC_MAX_OPS];
        uint32_t offsets[4], words[4];
        uint8_t got[6];
        uint64_t pools;
        bool valid;
        (void) state;

        regfile_apply(&f, ops, m->mac_filter(20, mac, 0x81, ops));
        assert_int_equal(m->rar_regs(20, offsets), 2);
        assert_int_equal(offsets[0], 0x05500);
        assert_int_equal(offsets[1], 0x05504);
        regfile_gather(&f, offsets, 2, words);
        assert_int_equal(words[1] & 0x10000000, 0x10000000);
        assert_int_equal(m->rar_decode(words, got, &pools, &valid), 0);
        assert_memory_equal(got, mac, 6);
        assert_true(pools == 0x81);
        assert_true(valid);
}

/* VLAN filters: one VLVF word per entry, and VFTA */

static void test_vlan_filter_writes_vlvf_with_poolsel_then_vfta(void **state) {
        const NicRegs *m = m82576();
        RegOp ops[NIC_MAX_OPS];
        (void) state;

        assert_int_equal(m->vlan_filter(5, 100, 1u << 0 | 1u << 7, ops), 2);
        expect_op(&ops[0], 0x05D14, 0x800fffff, 0x80081064, "VLVF[5]");
        expect_op(&ops[1], 0x0560C, 0x00000010, 0x00000010, "VFTA[3]");
        assert_int_equal(m->vlan_filter(31, 1, 1, ops), 2);
        expect_op(&ops[0], 0x05D7C, 0x800fffff, 0x80001001, "VLVF[31]");
        assert_int_equal(m->vlan_filter(32, 1, 1, ops), -ERANGE);
        assert_int_equal(m->vlan_filter(0, 4096, 1, ops), -ERANGE);

        assert_int_equal(m->vlan_filter(5, 100, 0, ops), 2);
        expect_op(&ops[0], 0x0560C, 0x00000010, 0, "VFTA[3]");
        expect_op(&ops[1], 0x05D14, 0xffffffff, 0, "VLVF[5]");
}

static void test_vlvf_decoders_invert_vlan_filter(void **state) {
        const NicRegs *m = mi350();
        RegOp ops[NIC_MAX_OPS];
        RegFile f = { 0 };
        uint32_t offsets[2], words[2];
        uint16_t vid;
        bool enabled;
        (void) state;

        regfile_apply(&f, ops, m->vlan_filter(9, 4094, 0x42, ops));
        assert_int_equal(m->vlvf_reg(9), 0x05D24);
        assert_int_equal(m->vlvf_reg(32), NIC_REG_NONE);
        assert_int_equal(m->vlvf_decode(regfile_read(&f, 0x05D24), &vid, &enabled), 0);
        assert_int_equal(vid, 4094);
        assert_true(enabled);
        assert_int_equal(m->vlvf_pool_regs(9, offsets), 1);
        assert_int_equal(offsets[0], 0x05D24);
        regfile_gather(&f, offsets, 1, words);
        assert_true(m->vlvf_pools_decode(words) == 0x42);
        assert_int_equal(m->vlvf_pool_regs(32, offsets), -ERANGE);
}

/* Replication */

static void test_replication_is_vt_ctl_bit_30(void **state) {
        (void) state;
        check_replication(m82576(), 0x0581C, "VT_CTL");
}

/* Models and tables */

static void test_every_igb_pf_id_has_the_igb_model(void **state) {
        static const struct {
                uint16_t id;
                const char *model;
                unsigned rar;
        } ids[] = {
                { 0x10C9, "82576", 24 }, { 0x10E6, "82576", 24 }, { 0x10E7, "82576", 24 },
                { 0x10E8, "82576", 24 }, { 0x1526, "82576", 24 }, { 0x150A, "82576", 24 },
                { 0x1518, "82576", 24 }, { 0x150D, "82576", 24 }, { 0x1521, "I350", 32 },
                { 0x1522, "I350", 32 },  { 0x1523, "I350", 32 },  { 0x1524, "I350", 32 },
                { 0x1546, "I350", 32 },
        };
        (void) state;

        for (size_t i = 0; i < N_ELEMENTS(ids); i++) {
                const NicRegs *m = nic_regs_for(INTEL, ids[i].id);
                if (!m)
                        fail_msg("8086:%04x has no register model", ids[i].id);
                assert_int_equal(m->family, NIC_FAMILY_IGB);
                assert_string_equal(m->model, ids[i].model);
                assert_int_equal(m->rar_entries, ids[i].rar);
                assert_int_equal(m->pools, 8);
                assert_int_equal(m->vlvf_entries, 32);
                assert_int_equal(m->mirror_rules, 4);
        }
        /* igb VFs and a Mellanox PF have none */
        assert_null(nic_regs_for(INTEL, 0x10CA));
        assert_null(nic_regs_for(INTEL, 0x152D));
        assert_null(nic_regs_for(INTEL, 0x1520));
        assert_null(nic_regs_for(INTEL, 0x152F));
        assert_null(nic_regs_for(0x15b3, 0x1017));
}

static void test_named_tables_are_aligned_disjoint_and_inside_bar0_min_size(void **state) {
        (void) state;

        check_named_table(m82576());
        check_named_table(mi350());
        assert_int_equal(m82576()->bar0_min_size, 0x05DB0); /* VMRVM[3] ends the map */
        assert_int_equal(nic_named_offset(m82576(), "RAL", 23), 0x05518);
        assert_int_equal(nic_named_offset(m82576(), "RAL", 24), NIC_REG_NONE);
        assert_int_equal(nic_named_offset(mi350(), "RAH", 31), 0x0555C);
        assert_int_equal(nic_named_offset(mi350(), "VT_CTL", 0), mi350()->vt_ctl_reg);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pool_rx_flags_land_in_vmolr_of_pools_0_and_7),
                cmocka_unit_test(test_pool_8_is_refused),
                cmocka_unit_test(test_pool_rx_flags_decode_inverts_encode_and_keeps_strip_bits),
                cmocka_unit_test(test_mirror_pool_rule_is_vmrvm_then_vmrctl),
                cmocka_unit_test(test_mirror_uplink_and_downlink_rules),
                cmocka_unit_test(test_mirror_vlan_rule_is_refused_without_a_source_for_the_bit),
                cmocka_unit_test(test_mirror_fifth_rule_snaplen_and_sampling_are_refused),
                cmocka_unit_test(test_mirror_clear_and_regs),
                cmocka_unit_test(test_mirror_decode_inverts_set_and_reports_bit_3_as_foreign),
                cmocka_unit_test(test_mac_filter_puts_pools_in_rah_from_bit_18),
                cmocka_unit_test(test_mac_filter_entries_16_and_up_live_at_0x054e0),
                cmocka_unit_test(test_mac_filter_removal_clears_rah_first),
                cmocka_unit_test(test_rar_decode_inverts_mac_filter),
                cmocka_unit_test(test_vlan_filter_writes_vlvf_with_poolsel_then_vfta),
                cmocka_unit_test(test_vlvf_decoders_invert_vlan_filter),
                cmocka_unit_test(test_replication_is_vt_ctl_bit_30),
                cmocka_unit_test(test_every_igb_pf_id_has_the_igb_model),
                cmocka_unit_test(test_named_tables_are_aligned_disjoint_and_inside_bar0_min_size),
        };
        return cmocka_run_group_tests_name("nic-igb", tests, NULL, NULL);
}
