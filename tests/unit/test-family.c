/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The NIC family table against the IDs in the reference facts sheet
 * (shared reference nic-registers.md, section 1). The lists below are typed
 * from that sheet, independently of daemon/hw/family.c, so a missing or
 * misfiled row fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/family.h"

typedef struct {
        uint16_t id;
        const char *model;
} Ref;

static const Ref ixgbe_pfs[] = {
        /* 1a: 82599 */
        { 0x10F7, "82599" }, { 0x1514, "82599" }, { 0x1517, "82599" }, { 0x10F8, "82599" },
        { 0x10F9, "82599" }, { 0x10FB, "82599" }, { 0x1507, "82599" }, { 0x154D, "82599" },
        { 0x154A, "82599" }, { 0x1558, "82599" }, { 0x1557, "82599" }, { 0x1529, "82599" },
        { 0x152A, "82599" }, { 0x10FC, "82599" }, { 0x151C, "82599" }, { 0x154F, "82599" },
        /* 1c */
        { 0x1528, "X540" }, { 0x1560, "X540" }, { 0x1563, "X550" }, { 0x15D1, "X550" },
        { 0x15AA, "X552" }, { 0x15AB, "X552" }, { 0x15AC, "X552" }, { 0x15AD, "X552" },
        { 0x15AE, "X552" }, { 0x15B0, "X552" }, { 0x15C2, "X553" }, { 0x15C3, "X553" },
        { 0x15C4, "X553" }, { 0x15C6, "X553" }, { 0x15C7, "X553" }, { 0x15C8, "X553" },
        { 0x15CE, "X553" }, { 0x15E4, "X553" }, { 0x15E5, "X553" }, { 0x15CA, "X553" },
        { 0x15CC, "X553" },
};

static const uint16_t ixgbe_82598[] = { 0x10B6, 0x1508, 0x10C6, 0x10C7, 0x10C8, 0x150B,
                                        0x10DB, 0x10DD, 0x10EC, 0x10F1, 0x10E1, 0x10F4 };

static const Ref ixgbe_vfs[] = {
        { 0x10ED, "82599" }, { 0x152E, "82599" }, { 0x1515, "X540" }, { 0x1530, "X540" },
        { 0x1565, "X550" },  { 0x1564, "X550" },  { 0x15A8, "X552" }, { 0x15A9, "X552" },
        { 0x15C5, "X553" },  { 0x15B4, "X553" },  { 0x57AD, "E610" },
};

static const Ref igb_pfs[] = {
        { 0x10C9, "82576" }, { 0x10E6, "82576" }, { 0x10E7, "82576" }, { 0x10E8, "82576" },
        { 0x1526, "82576" }, { 0x150A, "82576" }, { 0x1518, "82576" }, { 0x150D, "82576" },
        { 0x1521, "I350" },  { 0x1522, "I350" },  { 0x1523, "I350" },  { 0x1524, "I350" },
        { 0x1546, "I350" },
};

static const Ref igb_vfs[] = {
        { 0x10CA, "82576" }, { 0x152D, "82576" }, { 0x1520, "I350" }, { 0x152F, "I350" },
};

static void check(const Ref *refs, size_t n, NicFamily fam, bool is_vf) {
        for (size_t i = 0; i < n; i++) {
                const NicModel *m = nic_model_lookup(0x8086, refs[i].id);
                if (!m)
                        fail_msg("8086:%04x missing from the family table", refs[i].id);
                assert_int_equal(m->family, fam);
                assert_string_equal(m->model, refs[i].model);
                assert_int_equal(m->is_vf, is_vf);
                assert_int_equal(m->has_sriov, !is_vf);
        }
}

static void test_every_ixgbe_pf_id_is_known(void **state) {
        (void) state;
        check(ixgbe_pfs, sizeof(ixgbe_pfs) / sizeof(ixgbe_pfs[0]), NIC_FAMILY_IXGBE, false);
}

static void test_every_igb_pf_id_is_known(void **state) {
        (void) state;
        check(igb_pfs, sizeof(igb_pfs) / sizeof(igb_pfs[0]), NIC_FAMILY_IGB, false);
}

static void test_every_vf_id_is_known(void **state) {
        (void) state;
        check(ixgbe_vfs, sizeof(ixgbe_vfs) / sizeof(ixgbe_vfs[0]), NIC_FAMILY_IXGBE, true);
        check(igb_vfs, sizeof(igb_vfs) / sizeof(igb_vfs[0]), NIC_FAMILY_IGB, true);
}

static void test_82598_is_ixgbe_without_sriov(void **state) {
        (void) state;
        for (size_t i = 0; i < sizeof(ixgbe_82598) / sizeof(ixgbe_82598[0]); i++) {
                const NicModel *m = nic_model_lookup(0x8086, ixgbe_82598[i]);
                assert_non_null(m);
                assert_string_equal(m->model, "82598");
                assert_false(m->has_sriov);
        }
}

static void test_unknown_devices_are_generic(void **state) {
        (void) state;
        assert_null(nic_model_lookup(0x15b3, 0x1017)); /* ConnectX-5 */
        assert_null(nic_model_lookup(0x8086, 0x1572)); /* X710: i40e, not in the families */
        assert_null(nic_model_lookup(0x10fb, 0x8086)); /* swapped vendor/device */
        assert_string_equal(nic_family_to_string(NIC_FAMILY_GENERIC), "generic");
        assert_string_equal(nic_family_to_string(NIC_FAMILY_IXGBE), "ixgbe");
        assert_string_equal(nic_family_to_string(NIC_FAMILY_IGB), "igb");
}

static void test_table_has_no_duplicates_and_nothing_extra(void **state) {
        size_t expected = sizeof(ixgbe_pfs) / sizeof(ixgbe_pfs[0]) +
                          sizeof(ixgbe_82598) / sizeof(ixgbe_82598[0]) +
                          sizeof(ixgbe_vfs) / sizeof(ixgbe_vfs[0]) +
                          sizeof(igb_pfs) / sizeof(igb_pfs[0]) + sizeof(igb_vfs) / sizeof(igb_vfs[0]);
        (void) state;
        assert_int_equal(nic_model_count(), expected);
        for (unsigned i = 0; i < nic_model_count(); i++)
                for (unsigned j = i + 1; j < nic_model_count(); j++) {
                        const NicModel *a = nic_model_get(i), *b = nic_model_get(j);
                        if (a->vendor == b->vendor && a->device == b->device)
                                fail_msg("%04x:%04x listed twice", a->vendor, a->device);
                }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_ixgbe_pf_id_is_known),
                cmocka_unit_test(test_every_igb_pf_id_is_known),
                cmocka_unit_test(test_every_vf_id_is_known),
                cmocka_unit_test(test_82598_is_ixgbe_without_sriov),
                cmocka_unit_test(test_unknown_devices_are_generic),
                cmocka_unit_test(test_table_has_no_duplicates_and_nothing_extra),
        };
        return cmocka_run_group_tests_name("family", tests, NULL, NULL);
}
