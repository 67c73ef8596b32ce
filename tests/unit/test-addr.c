/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI address, MAC address and VLAN id parsers: what they accept and refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"

static void test_pci_addr_full_form_is_canonicalised(void **state) {
        PciAddr a;
        char buf[PCI_ADDR_STRLEN];
        (void) state;

        assert_int_equal(pci_addr_parse("0000:03:00.1", &a), 0);
        assert_int_equal(a.domain, 0);
        assert_int_equal(a.bus, 3);
        assert_int_equal(a.dev, 0);
        assert_int_equal(a.fn, 1);
        assert_int_equal(pci_addr_parse("0000:AF:1F.7", &a), 0);
        assert_string_equal(pci_addr_format(&a, buf), "0000:af:1f.7");
        /* VMD domains are wider than 16 bits. */
        assert_int_equal(pci_addr_parse("10000:e1:00.0", &a), 0);
        assert_int_equal(a.domain, 0x10000);
        assert_string_equal(pci_addr_format(&a, buf), "10000:e1:00.0");
}

static void test_pci_addr_short_form_means_domain_0(void **state) {
        PciAddr a;
        (void) state;
        assert_int_equal(pci_addr_parse("01:10.4", &a), 0);
        assert_int_equal(a.domain, 0);
        assert_int_equal(a.bus, 1);
        assert_int_equal(a.dev, 0x10);
        assert_int_equal(a.fn, 4);
}

static void test_pci_addr_rejects_malformed(void **state) {
        static const char *const bad[] = {
                "",
                "../../etc",
                "0000:zz:00.0",
                "0000:01:00.8",  /* function is 0-7 */
                "0000:01:20.0",  /* device is 0-31 */
                "000:01:00.0",   /* domain too short */
                "000000000:01:00.0", /* nine domain digits */
                "0000:1:00.0",
                "0000:01:0.0",
                "0000:01:00.00",
                "0000:01:00.0 ",
                " 0000:01:00.0",
                "0000:01:00.0\n",
                "0000-01-00.0",
                "+000:01:00.0",
                "0000:01:00",
                "0000:01:00.",
                "0000::00.0",
                "0x00:01:00.0",
        };
        PciAddr a;
        char longer[301];
        (void) state;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (pci_addr_parse(bad[i], &a) != -22)
                        fail_msg("accepted \"%s\"", bad[i]);
        }
        memset(longer, 'a', 300);
        longer[300] = '\0';
        assert_int_equal(pci_addr_parse(longer, &a), -22);
        assert_int_equal(pci_addr_parse(NULL, &a), -22);
}

static void test_pci_rid_round_trip(void **state) {
        PciAddr a, b;
        (void) state;
        assert_int_equal(pci_addr_parse("0000:03:10.6", &a), 0);
        assert_int_equal(pci_addr_rid(&a), 0x0386);
        pci_addr_from_rid(0, 0x0386, &b);
        assert_true(pci_addr_equal(&a, &b));
}

static void test_mac_parse(void **state) {
        MacAddr m;
        char buf[MAC_STRLEN];
        (void) state;

        assert_int_equal(mac_parse("02:AB:cd:00:11:ff", &m), 0);
        assert_string_equal(mac_format(&m, buf), "02:ab:cd:00:11:ff");
        assert_false(mac_is_multicast(&m));
        assert_false(mac_is_zero(&m));
        assert_int_equal(mac_parse("01:00:5e:00:00:01", &m), 0);
        assert_true(mac_is_multicast(&m));
        assert_int_equal(mac_parse("00:00:00:00:00:00", &m), 0);
        assert_true(mac_is_zero(&m));
}

static void test_mac_rejects_malformed(void **state) {
        static const char *const bad[] = {
                "", "02:ab:cd:00:11", "02:ab:cd:00:11:ff:00", "02-ab-cd-00-11-ff",
                "2:ab:cd:00:11:ff", "02:ab:cd:00:11:fg", "02:ab:cd:00:11:ff ", "02abcd0011ff",
                "02:ab:cd:00:11:f", "g2:ab:cd:00:11:ff",
        };
        MacAddr m;
        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                if (mac_parse(bad[i], &m) != -22)
                        fail_msg("accepted \"%s\"", bad[i]);
}

static void test_vlan_parse_bounds(void **state) {
        uint16_t v;
        (void) state;
        assert_int_equal(vlan_parse("0", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(vlan_parse("4094", &v), 0);
        assert_int_equal(v, 4094);
        assert_int_equal(vlan_parse("4095", &v), -22);
        assert_int_equal(vlan_parse("65536", &v), -22);
        assert_int_equal(vlan_parse("-1", &v), -22);
        assert_int_equal(vlan_parse("+1", &v), -22);
        assert_int_equal(vlan_parse("0x10", &v), -22);
        assert_int_equal(vlan_parse("", &v), -22);
        assert_int_equal(vlan_parse("12 ", &v), -22);
        assert_true(vlan_id_valid(4094));
        assert_false(vlan_id_valid(4095));
        assert_false(vlan_id_valid(-1));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pci_addr_full_form_is_canonicalised),
                cmocka_unit_test(test_pci_addr_short_form_means_domain_0),
                cmocka_unit_test(test_pci_addr_rejects_malformed),
                cmocka_unit_test(test_pci_rid_round_trip),
                cmocka_unit_test(test_mac_parse),
                cmocka_unit_test(test_mac_rejects_malformed),
                cmocka_unit_test(test_vlan_parse_bounds),
        };
        return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
