/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PF and VF documents: rendering, parsing back, and refusing malformed ones. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "inventory.h"
#include "jsonutil.h"

static void make_pf(NfvPf *pf) {
        *pf = (NfvPf){ .vendor_id = 0x8086, .device_id = 0x10fb, .sriov_totalvfs = 63,
                       .sriov_numvfs = 2, .numa_node = 0, .has_sriov_cap = true,
                       .sriov = { .total_vfs = 64, .initial_vfs = 64, .num_vfs = 2,
                                  .vf_offset = 128, .vf_stride = 2, .vf_device_id = 0x10ed,
                                  .vf_enable = true },
                       .has_netdev = true, .vf_count = 2 };
        strcpy(pf->address, "0000:03:00.0");
        pf->vendor_name = strdup("Intel Corporation");
        pf->device_name = strdup("82599ES 10-Gigabit SFI/SFP+ Network Connection");
        pf->family = strdup("ixgbe");
        pf->model = strdup("82599");
        pf->driver = strdup("ixgbe");
        pf->netdev = (NfvNetdev){ strdup("enp3s0f0"), strdup("90:e2:ba:00:00:10"), strdup("up"),
                                  10000 };
        nfv_pf_add_warning(pf, "virtfn1 points to %s, which does not exist", "0000:03:10.2");
}

static void test_pf_renders_every_field(void **state) {
        NfvPf pf;
        json_object *o, *v;
        (void) state;

        make_pf(&pf);
        o = nfv_pf_to_json(&pf);
        assert_string_equal(json_object_get_string(json_object_object_get(o, "address")),
                            "0000:03:00.0");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "vendor_id")), "8086");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "device_id")), "10fb");
        assert_string_equal(json_object_get_string(json_object_object_get(o, "family")), "ixgbe");
        assert_int_equal(json_object_get_int(json_object_object_get(o, "sriov_totalvfs")), 63);
        v = json_object_object_get(o, "sriov");
        assert_int_equal(json_object_get_int(json_object_object_get(v, "total_vfs")), 64);
        assert_string_equal(json_object_get_string(json_object_object_get(v, "vf_device_id")),
                            "10ed");
        v = json_object_object_get(o, "warnings");
        assert_int_equal(json_object_array_length(v), 1);
        json_object_put(o);
        nfv_pf_done(&pf);
}

static void test_unknowns_render_as_null(void **state) {
        NfvPf pf = { .sriov_totalvfs = -1, .sriov_numvfs = -1, .numa_node = -1 };
        json_object *o, *v;
        (void) state;

        strcpy(pf.address, "0000:01:00.0");
        pf.family = strdup("generic");
        o = nfv_pf_to_json(&pf);
        for (const char *const *k = (const char *const[]){ "sriov", "sriov_totalvfs", "numa_node",
                                                           "netdev", "driver", "model", NULL };
             *k; k++) {
                assert_true(json_object_object_get_ex(o, *k, &v));
                assert_null(v);
        }
        json_object_put(o);
        nfv_pf_done(&pf);
}

static void test_pf_round_trips(void **state) {
        NfvPf pf, back;
        json_object *o;
        (void) state;

        make_pf(&pf);
        o = nfv_pf_to_json(&pf);
        assert_int_equal(nfv_pf_from_json(o, &back), 0);
        assert_string_equal(back.address, pf.address);
        assert_int_equal(back.vendor_id, 0x8086);
        assert_int_equal(back.device_id, 0x10fb);
        assert_string_equal(back.model, "82599");
        assert_true(back.has_sriov_cap);
        assert_memory_equal(&back.sriov, &pf.sriov, sizeof(pf.sriov));
        assert_int_equal(back.sriov_totalvfs, 63);
        assert_int_equal(back.numa_node, 0);
        assert_string_equal(back.netdev.name, "enp3s0f0");
        assert_int_equal(back.netdev.speed_mbps, 10000);
        assert_int_equal(back.vf_count, 2);
        assert_int_equal(strv_length(back.warnings), 1);
        json_object_put(o);
        nfv_pf_done(&pf);
        nfv_pf_done(&back);
}

static void test_vf_round_trips(void **state) {
        NfvVf vf = { .index = 5, .vendor_id = 0x8086, .device_id = 0x10ca }, back;
        json_object *o;
        (void) state;

        strcpy(vf.address, "0000:01:11.2");
        vf.driver = strdup("igbvf");
        o = nfv_vf_to_json(&vf);
        assert_int_equal(nfv_vf_from_json(o, &back), 0);
        assert_int_equal(back.index, 5);
        assert_string_equal(back.address, "0000:01:11.2");
        assert_int_equal(back.device_id, 0x10ca);
        assert_string_equal(back.driver, "igbvf");
        assert_null(back.netdev);
        json_object_put(o);
        nfv_vf_done(&vf);
        nfv_vf_done(&back);
}

static void test_malformed_documents_are_refused(void **state) {
        static const char *const bad[] = {
                "[]",
                "{}",
                "{\"address\":\"0000:zz:00.0\",\"vendor_id\":\"8086\",\"device_id\":\"10fb\"}",
                "{\"address\":\"0000:01:00.0\",\"vendor_id\":8086,\"device_id\":\"10fb\"}",
                "{\"address\":\"0000:01:00.0\",\"vendor_id\":\"8086\",\"device_id\":\"10fb\","
                "\"sriov_numvfs\":\"3\"}",
                "{\"address\":\"0000:01:00.0\",\"vendor_id\":\"8086\",\"device_id\":\"10fb\","
                "\"sriov\":{\"total_vfs\":-1}}",
                "{\"address\":\"0000:01:00.0\",\"vendor_id\":\"8086\",\"device_id\":\"10fb\","
                "\"warnings\":[1]}",
        };
        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                json_object *o = json_tokener_parse(bad[i]);
                NfvPf pf;
                assert_non_null(o);
                if (nfv_pf_from_json(o, &pf) != -EBADMSG)
                        fail_msg("accepted %s", bad[i]);
                json_object_put(o);
        }
}

static void test_unknown_keys_are_ignored(void **state) {
        json_object *o = json_tokener_parse(
                "{\"address\":\"0000:01:00.0\",\"vendor_id\":\"8086\",\"device_id\":\"10c9\","
                "\"some_future_field\":{\"x\":1}}");
        NfvPf pf;
        (void) state;
        assert_int_equal(nfv_pf_from_json(o, &pf), 0);
        assert_int_equal(pf.device_id, 0x10c9);
        nfv_pf_done(&pf);
        json_object_put(o);
}

static void test_int_getter_bounds(void **state) {
        json_object *o = json_tokener_parse(
                "{\"a\":5,\"b\":1.5,\"c\":\"5\",\"d\":99999999999999999999,\"e\":null,\"f\":-3}");
        int64_t v = 0;
        (void) state;
        assert_int_equal(json_get_int64(o, "a", true, 0, 10, &v), 0);
        assert_int_equal(v, 5);
        assert_int_equal(json_get_int64(o, "a", true, 0, 4, &v), -ERANGE);
        assert_int_equal(json_get_int64(o, "b", true, 0, 10, &v), -EINVAL);
        assert_int_equal(json_get_int64(o, "c", true, 0, 10, &v), -EINVAL);
        assert_int_equal(json_get_int64(o, "d", true, 0, INT64_MAX, &v), -ERANGE);
        assert_int_equal(json_get_int64(o, "e", true, 0, 10, &v), -ENOENT);
        assert_int_equal(json_get_int64(o, "e", false, 0, 10, &v), 0);
        assert_int_equal(json_get_int64(o, "missing", true, 0, 10, &v), -ENOENT);
        assert_int_equal(json_get_int64(o, "f", true, 0, 10, &v), -ERANGE);
        json_object_put(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pf_renders_every_field),
                cmocka_unit_test(test_unknowns_render_as_null),
                cmocka_unit_test(test_pf_round_trips),
                cmocka_unit_test(test_vf_round_trips),
                cmocka_unit_test(test_malformed_documents_are_refused),
                cmocka_unit_test(test_unknown_keys_are_ignored),
                cmocka_unit_test(test_int_getter_bounds),
        };
        return cmocka_run_group_tests_name("inventory-json", tests, NULL, NULL);
}
