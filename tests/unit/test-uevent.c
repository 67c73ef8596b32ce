/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Splitting kernel uevent datagrams. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/uevent.h"

static void test_kernel_uevent(void **state) {
        static const char msg[] = "add@/devices/pci0000:00/0000:00:02.0/0000:01:10.0\0"
                                  "ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:02.0/"
                                  "0000:01:10.0\0SUBSYSTEM=pci\0PCI_ID=8086:10CA\0SEQNUM=1234";
        const char *a, *s;
        (void) state;
        assert_int_equal(uevent_parse(msg, sizeof(msg), &a, &s), 0);
        assert_string_equal(a, "add");
        assert_string_equal(s, "pci");
}

static void test_garbage_is_rejected(void **state) {
        static const char no_subsystem[] = "add@/x\0ACTION=add\0";
        static const char unterminated[] = { 'A', 'C', 'T', 'I', 'O', 'N', '=', 'a' };
        static const char libudev[] = "libudev\0\xfe\xed\xca\xfe";
        const char *a, *s;
        (void) state;
        assert_int_equal(uevent_parse(no_subsystem, sizeof(no_subsystem), &a, &s), -EBADMSG);
        assert_int_equal(uevent_parse(unterminated, sizeof(unterminated), &a, &s), -EBADMSG);
        assert_int_equal(uevent_parse(libudev, sizeof(libudev), &a, &s), -EBADMSG);
        assert_int_equal(uevent_parse("", 0, &a, &s), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kernel_uevent),
                cmocka_unit_test(test_garbage_is_rejected),
        };
        return cmocka_run_group_tests_name("uevent", tests, NULL, NULL);
}
