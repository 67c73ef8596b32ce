/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nfvcapd.conf parsing: keys, types, comments, errors that name the line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"

static char path[64];

static void write_conf(const char *text) {
        FILE *f;
        strcpy(path, "/tmp/nfvcap-test-conf-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        f = fdopen(fd, "w");
        fputs(text, f);
        fclose(f);
}

static void test_defaults(void **state) {
        Config c;
        (void) state;
        config_init_defaults(&c);
        assert_string_equal(c.socket_path, "/run/nfvcap/nfvcapd.sock");
        assert_string_equal(c.sysfs_root, "/sys");
        assert_int_equal(c.max_body_bytes, 65536);
        config_done(&c);
}

static void test_file_sets_keys(void **state) {
        Config c;
        char err[256];
        (void) state;
        write_conf("# comment\n[nfvcapd]\n\nsocket = /tmp/x.sock\n  sysfs_root=/srv/sys  \n"
                   "log_level = debug\ninventory_max_age_ms = 0\n; another comment\n");
        config_init_defaults(&c);
        assert_int_equal(config_load_file(&c, path, err, sizeof(err)), 0);
        assert_string_equal(c.socket_path, "/tmp/x.sock");
        assert_string_equal(c.sysfs_root, "/srv/sys");
        assert_string_equal(c.log_level, "debug");
        assert_int_equal(c.inventory_max_age_ms, 0);
        config_done(&c);
        unlink(path);
}

static void test_errors_name_the_line(void **state) {
        static const struct {
                const char *text;
                const char *expect;
        } cases[] = {
                { "socket = /a\nsokcet = /b\n", ":2: unknown setting \"sokcet\"" },
                { "log_level = loud\n", "log_level: \"loud\" is not one of" },
                { "max_body_bytes = -1\n", "max_body_bytes: \"-1\" is not a number" },
                { "max_body_bytes = 12abc\n", "is not a number" },
                { "max_body_bytes = 999999999999\n", "is not a number from 0 to" },
                { "just words\n", ":1: expected \"key = value\"" },
                { "socket =\n", "socket: empty value" },
        };
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                Config c;
                char err[256] = "";
                write_conf(cases[i].text);
                config_init_defaults(&c);
                assert_int_equal(config_load_file(&c, path, err, sizeof(err)), -EINVAL);
                if (!strstr(err, cases[i].expect))
                        fail_msg("for %s: got \"%s\", want \"%s\"", cases[i].text, err,
                                 cases[i].expect);
                config_done(&c);
                unlink(path);
        }
}

static void test_missing_file(void **state) {
        Config c;
        char err[256];
        (void) state;
        config_init_defaults(&c);
        assert_int_equal(config_load_file(&c, "/nonexistent/nfvcapd.conf", err, sizeof(err)),
                         -ENOENT);
        config_done(&c);
}

static void test_every_key_has_an_option_and_help(void **state) {
        (void) state;
        for (size_t i = 0; i < config_key_count(); i++) {
                char expect[64];
                /* The option is the key with '-' for '_'. */
                snprintf(expect, sizeof(expect), "%s", config_key_name(i));
                for (char *p = expect; *p; p++)
                        if (*p == '_')
                                *p = '-';
                assert_string_equal(config_key_option(i), expect);
                assert_true(strlen(config_key_help(i)) > 10);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_file_sets_keys),
                cmocka_unit_test(test_errors_name_the_line),
                cmocka_unit_test(test_missing_file),
                cmocka_unit_test(test_every_key_has_an_option_and_help),
        };
        return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
