/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error document and its code-to-status table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"

static void test_codes_map_to_http_statuses(void **state) {
        (void) state;
        assert_int_equal(nfv_error_http_status(NFV_ERR_INVALID_ARGUMENT), 400);
        assert_int_equal(nfv_error_http_status(NFV_ERR_FORBIDDEN), 403);
        assert_int_equal(nfv_error_http_status(NFV_ERR_NOT_FOUND), 404);
        assert_int_equal(nfv_error_http_status(NFV_ERR_METHOD_NOT_ALLOWED), 405);
        assert_int_equal(nfv_error_http_status(NFV_ERR_CONFLICT), 409);
        assert_int_equal(nfv_error_http_status(NFV_ERR_PAYLOAD_TOO_LARGE), 413);
        assert_int_equal(nfv_error_http_status(NFV_ERR_UNSUPPORTED), 422);
        assert_int_equal(nfv_error_http_status(NFV_ERR_INTERNAL), 500);
        assert_int_equal(nfv_error_http_status(NFV_ERR_UNAVAILABLE), 503);
}

static void test_every_code_has_a_unique_name(void **state) {
        (void) state;
        for (int i = 0; i < _NFV_ERR_MAX; i++) {
                const char *name = nfv_error_code_to_string((NfvErrorCode) i);
                assert_non_null(name);
                assert_int_equal(nfv_error_code_from_string(name), i);
        }
        assert_int_equal(nfv_error_code_from_string("no_such_code"), -EINVAL);
}

static void test_document_round_trip(void **state) {
        json_object *o = nfv_error_to_json(NFV_ERR_INVALID_ARGUMENT, "VLAN 4095 is reserved", "vlan");
        NfvError e;
        (void) state;
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                            "{\"error\":{\"code\":\"invalid_argument\",\"message\":\"VLAN 4095 is "
                            "reserved\",\"field\":\"vlan\"}}");
        assert_int_equal(nfv_error_from_json(o, &e), 0);
        assert_string_equal(e.code, "invalid_argument");
        assert_string_equal(e.field, "vlan");
        json_object_put(o);

        o = nfv_error_to_json(NFV_ERR_NOT_FOUND, "no such PF", NULL);
        assert_int_equal(nfv_error_from_json(o, &e), 0);
        assert_string_equal(e.field, "");
        json_object_put(o);

        o = json_tokener_parse("{\"error\":\"oops\"}");
        assert_int_equal(nfv_error_from_json(o, &e), -EBADMSG);
        json_object_put(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_codes_map_to_http_statuses),
                cmocka_unit_test(test_every_code_has_a_unique_name),
                cmocka_unit_test(test_document_round_trip),
        };
        return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
