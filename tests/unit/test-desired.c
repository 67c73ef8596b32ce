/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Desired-state documents and the state file's schema. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/desired.h"

static int parse(const char *text, bool originals, Desired *d, DesiredError *e) {
        json_object *o = json_tokener_parse(text);
        int r;
        assert_non_null(o);
        r = desired_from_json(o, originals, d, e);
        json_object_put(o);
        return r;
}

static void test_round_trip(void **state) {
        Desired d;
        DesiredError e;
        json_object *o;
        const char *text = "{\"pfs\":{\"01:00.0\":{\"vf_count\":3,\"vfs\":{\"2\":{\"vlan\":7},"
                           "\"0\":{\"mac\":\"02:00:00:00:00:01\",\"trust\":true}}}}}";
        (void) state;

        assert_int_equal(parse(text, false, &d, &e), 0);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.pfs[0].address, "0000:01:00.0"); /* canonical */
        assert_int_equal(d.pfs[0].vf_count, 3);
        assert_int_equal(d.pfs[0].vfs.n, 2);
        assert_int_equal(d.pfs[0].vfs.items[0].index, 0); /* sorted */
        assert_int_equal(d.pfs[0].vfs.items[1].settings.vlan, 7);
        o = desired_to_json(&d, false);
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                            "{\"pfs\":{\"0000:01:00.0\":{\"vf_count\":3,\"vfs\":{\"0\":{\"mac\":"
                            "\"02:00:00:00:00:01\",\"trust\":true},\"2\":{\"vlan\":7}}}}}");
        json_object_put(o);
        desired_done(&d);
}

static void test_errors_name_the_path(void **state) {
        static const struct {
                const char *text;
                const char *field;
        } cases[] = {
                { "[]", "" },
                { "{}", "pfs" },
                { "{\"pfs\":[]}", "pfs" },
                { "{\"pfs\":{},\"x\":1}", "x" },
                { "{\"pfs\":{\"nope\":{}}}", "pfs" },
                { "{\"pfs\":{\"0000:01:00.0\":5}}", "pfs.0000:01:00.0" },
                { "{\"pfs\":{\"0000:01:00.0\":{},\"01:00.0\":{}}}", "pfs.0000:01:00.0" },
                { "{\"pfs\":{\"0000:01:00.0\":{\"vf_count\":\"2\"}}}", "pfs.0000:01:00.0.vf_count" },
                { "{\"pfs\":{\"0000:01:00.0\":{\"vfs\":{\"01\":{}}}}}", "pfs.0000:01:00.0.vfs.01" },
                { "{\"pfs\":{\"0000:01:00.0\":{\"vfs\":{\"1\":{\"qos\":9}}}}}",
                  "pfs.0000:01:00.0.vfs.1.qos" },
                { "{\"pfs\":{\"0000:01:00.0\":{\"originals\":{}}}}", "pfs.0000:01:00.0.originals" },
        };
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                Desired d;
                DesiredError e;
                if (parse(cases[i].text, false, &d, &e) != -EINVAL)
                        fail_msg("accepted %s", cases[i].text);
                if (strcmp(e.field, cases[i].field) != 0)
                        fail_msg("%s: field \"%s\", want \"%s\"", cases[i].text, e.field,
                                 cases[i].field);
        }
}

static void test_originals_only_in_the_state_file(void **state) {
        Desired d;
        DesiredError e;
        const char *text = "{\"schema_version\":1,\"pfs\":{\"0000:01:00.0\":{\"originals\":"
                           "{\"0\":{\"mac\":\"00:00:00:00:00:00\",\"vlan\":0}}}}}";
        json_object *o = json_tokener_parse(text);
        (void) state;
        /* A VF's recorded original MAC may be "none": accepted there, nowhere else. */
        assert_int_equal(desired_from_state_file(o, &d, &e), 0);
        assert_int_equal(d.pfs[0].originals.n, 1);
        desired_done(&d);
        json_object_put(o);
        assert_int_equal(parse("{\"pfs\":{\"0000:01:00.0\":{\"vfs\":{\"0\":{\"mac\":"
                               "\"00:00:00:00:00:00\"}}}}}",
                               true, &d, &e),
                         -EINVAL);
}

static void test_state_file_versions(void **state) {
        Desired d;
        DesiredError e;
        json_object *o;
        (void) state;

        o = json_tokener_parse("{\"schema_version\":2,\"pfs\":{}}");
        assert_int_equal(desired_from_state_file(o, &d, &e), -EPROTONOSUPPORT);
        assert_non_null(strstr(e.message, "newer nfvcapd"));
        json_object_put(o);
        o = json_tokener_parse("{\"pfs\":{}}");
        assert_int_equal(desired_from_state_file(o, &d, &e), -EBADMSG);
        json_object_put(o);
        o = json_tokener_parse("{\"schema_version\":1,\"pfs\":{\"0000:01:00.0\":{\"vf_count\":-1}}}");
        assert_int_equal(desired_from_state_file(o, &d, &e), -EBADMSG);
        json_object_put(o);
        o = desired_state_file_doc(&(Desired){ 0 });
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                            "{\"pfs\":{},\"schema_version\":1}");
        json_object_put(o);
}

static void test_truncate_drops_vanishing_vfs(void **state) {
        DesiredPf p = { 0 };
        (void) state;
        for (unsigned i = 0; i < 5; i++) {
                vf_list_get(&p.vfs, i)->settings.set = 1;
                vf_list_get(&p.originals, i)->settings.set = VF_KNOBS_ALL;
        }
        desired_pf_truncate(&p, 2);
        assert_int_equal(p.vfs.n, 2);
        assert_int_equal(p.originals.n, 2);
        assert_null(vf_list_find(&p.vfs, 2));
        desired_pf_done(&p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_errors_name_the_path),
                cmocka_unit_test(test_originals_only_in_the_state_file),
                cmocka_unit_test(test_state_file_versions),
                cmocka_unit_test(test_truncate_drops_vanishing_vfs),
        };
        return cmocka_run_group_tests_name("desired", tests, NULL, NULL);
}
