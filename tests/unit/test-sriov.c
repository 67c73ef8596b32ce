/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SR-IOV capability parser and VF address arithmetic. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/sriov.h"

static uint8_t cfg[4096];

static void put16(size_t off, uint16_t v) {
        cfg[off] = v & 0xff;
        cfg[off + 1] = v >> 8;
}
static void put32(size_t off, uint32_t v) {
        put16(off, v & 0xffff);
        put16(off + 2, v >> 16);
}
static void ext_cap(size_t off, uint16_t id, uint8_t ver, size_t next) {
        put32(off, id | (uint32_t) ver << 16 | (uint32_t) next << 20);
}

/* The 82599 layout: AER at 0x100, DSN 0x140, ARI 0x150, SR-IOV 0x160. */
static void build_82599(uint16_t num_vfs) {
        memset(cfg, 0, sizeof(cfg));
        put16(0, 0x8086);
        put16(2, 0x10fb);
        ext_cap(0x100, 0x0001, 2, 0x140);
        ext_cap(0x140, 0x0003, 1, 0x150);
        ext_cap(0x150, 0x000e, 1, 0x160);
        ext_cap(0x160, 0x0010, 1, 0);
        put16(0x168, num_vfs ? 0x0019 : 0x0010);
        put16(0x16c, 64);  /* InitialVFs */
        put16(0x16e, 64);  /* TotalVFs */
        put16(0x170, num_vfs);
        put16(0x174, 128); /* First VF Offset */
        put16(0x176, 2);   /* VF Stride */
        put16(0x17a, 0x10ed);
}

static void test_parses_82599_capability(void **state) {
        NfvSriovCap c;
        (void) state;
        build_82599(4);
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), 0x160);
        assert_int_equal(c.total_vfs, 64);
        assert_int_equal(c.initial_vfs, 64);
        assert_int_equal(c.num_vfs, 4);
        assert_int_equal(c.vf_offset, 128);
        assert_int_equal(c.vf_stride, 2);
        assert_int_equal(c.vf_device_id, 0x10ed);
        assert_true(c.vf_enable);
        build_82599(0);
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), 0x160);
        assert_false(c.vf_enable);
}

static void test_capability_first_in_list(void **state) {
        NfvSriovCap c;
        (void) state;
        memset(cfg, 0, sizeof(cfg));
        ext_cap(0x100, 0x0010, 1, 0);
        put16(0x10e, 8);
        put16(0x114, 128);
        put16(0x116, 2);
        put16(0x11a, 0x10ca);
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), 0x100);
        assert_int_equal(c.total_vfs, 8);
        assert_int_equal(c.vf_device_id, 0x10ca);
}

static void test_absent_capability(void **state) {
        NfvSriovCap c;
        (void) state;
        build_82599(0);
        ext_cap(0x150, 0x000e, 1, 0); /* list ends before SR-IOV */
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), -ENOENT);
        memset(cfg, 0, sizeof(cfg)); /* no extended capabilities at all */
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), -ENOENT);
        memset(cfg, 0xff, sizeof(cfg)); /* function gone: reads all ones */
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), -ENOENT);
}

static void test_truncated_config_is_undecidable(void **state) {
        NfvSriovCap c;
        (void) state;
        build_82599(2);
        assert_int_equal(sriov_cap_parse(cfg, 64, &c), -ENODATA);   /* unprivileged read */
        assert_int_equal(sriov_cap_parse(cfg, 256, &c), -ENODATA);  /* conventional PCI size */
        assert_int_equal(sriov_cap_parse(cfg, 0x148, &c), -ENODATA); /* list cut mid-way */
        assert_int_equal(sriov_cap_parse(cfg, 0x170, &c), -ENODATA); /* capability cut */
}

static void test_malformed_lists_are_rejected(void **state) {
        NfvSriovCap c;
        (void) state;
        build_82599(0);
        ext_cap(0x150, 0x000e, 1, 0x100); /* loops back to AER */
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), -EBADMSG);
        build_82599(0);
        ext_cap(0x140, 0x0003, 1, 0x152); /* misaligned */
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), -EBADMSG);
        build_82599(0);
        ext_cap(0x140, 0x0003, 1, 0x80); /* into the legacy space */
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), -EBADMSG);
        build_82599(0);
        ext_cap(0x100, 0x0010, 1, 0);
        memmove(cfg + 0xfe0, cfg + 0x100, 4); /* capability that would run past 4096 */
        ext_cap(0x100, 0x0001, 2, 0xfe0);
        assert_int_equal(sriov_cap_parse(cfg, sizeof(cfg), &c), -EBADMSG);
}

static void test_vf_addresses_follow_offset_and_stride(void **state) {
        NfvSriovCap x = { .vf_offset = 128, .vf_stride = 2 };
        NfvSriovCap i350 = { .vf_offset = 0x180, .vf_stride = 4 };
        PciAddr pf, vf;
        char buf[PCI_ADDR_STRLEN];
        (void) state;

        assert_int_equal(pci_addr_parse("0000:03:00.0", &pf), 0);
        assert_int_equal(sriov_vf_address(&pf, &x, 0, &vf), 0);
        assert_string_equal(pci_addr_format(&vf, buf), "0000:03:10.0");
        assert_int_equal(sriov_vf_address(&pf, &x, 3, &vf), 0);
        assert_string_equal(pci_addr_format(&vf, buf), "0000:03:10.6");
        assert_int_equal(sriov_vf_address(&pf, &x, 62, &vf), 0);
        assert_string_equal(pci_addr_format(&vf, buf), "0000:03:1f.4");
        assert_int_equal(pci_addr_parse("0000:03:00.1", &pf), 0);
        assert_int_equal(sriov_vf_address(&pf, &x, 0, &vf), 0);
        assert_string_equal(pci_addr_format(&vf, buf), "0000:03:10.1");
        /* I350 port 0: VFs four functions apart, starting at 0x180. */
        assert_int_equal(pci_addr_parse("0000:07:00.0", &pf), 0);
        assert_int_equal(sriov_vf_address(&pf, &i350, 1, &vf), 0);
        assert_string_equal(pci_addr_format(&vf, buf), "0000:08:10.4");
        /* Past the last bus. */
        assert_int_equal(pci_addr_parse("0000:ff:00.0", &pf), 0);
        assert_int_equal(sriov_vf_address(&pf, &x, 200, &vf), -ERANGE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parses_82599_capability),
                cmocka_unit_test(test_capability_first_in_list),
                cmocka_unit_test(test_absent_capability),
                cmocka_unit_test(test_truncated_config_is_undecidable),
                cmocka_unit_test(test_malformed_lists_are_rejected),
                cmocka_unit_test(test_vf_addresses_follow_offset_and_stride),
        };
        return cmocka_run_group_tests_name("sriov", tests, NULL, NULL);
}
