/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Request routing: path parameter validation, 404 versus 405 versus 400;
 * the monitors' {id} is validated before any handler runs, and an id that is
 * not configured is a 404 on "id". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api/api.h"

static Config config;
static Manager manager = { .config = &config }; /* no PFs, no monitors */

static unsigned route(const char *method, const char *path, ApiReply *reply, ApiRequest *req) {
        *req = (ApiRequest){ .manager = &manager, .method = method, .path = path,
                             .peer_known = true, .peer = { .uid = 0 } };
        *reply = (ApiReply){ 0 };
        api_route(req, reply);
        return reply->status;
}

static const char *field(const ApiReply *r) {
        json_object *e = json_object_object_get(r->doc, "error");
        return json_object_get_string(json_object_object_get(e, "field"));
}

static void done(ApiRequest *req, ApiReply *reply) {
        api_request_done(req);
        json_object_put(reply->doc);
}

static void test_malformed_pf_address_is_400_on_addr(void **state) {
        static const char *const paths[] = {
                "/v1/pfs/../../etc",
                "/v1/pfs/0000:zz:00.0",
                "/v1/pfs/0000:zz:00.0/vfs",
                "/v1/pfs/0000:01:00.9/vfs/0",
                "/v1/pfs/%2e%2e",
        };
        ApiRequest req;
        ApiReply reply;
        (void) state;
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                if (route("GET", paths[i], &reply, &req) != 400)
                        fail_msg("%s: %u", paths[i], reply.status);
                assert_string_equal(field(&reply), "addr");
                done(&req, &reply);
        }
}

static void test_300_character_address(void **state) {
        char path[400] = "/v1/pfs/";
        ApiRequest req;
        ApiReply reply;
        (void) state;
        memset(path + 8, '0', 300);
        path[308] = '\0';
        assert_int_equal(route("GET", path, &reply, &req), 400);
        assert_string_equal(field(&reply), "addr");
        /* The message quotes at most 64 characters of it. */
        assert_true(strlen(json_object_to_json_string(reply.doc)) < 250);
        done(&req, &reply);
}

static void test_malformed_vf_index_is_400_on_index(void **state) {
        static const char *const idx[] = { "x", "-1", "01", "65536", "1.0", "99999999999" };
        ApiRequest req;
        ApiReply reply;
        (void) state;
        for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
                char path[128];
                snprintf(path, sizeof(path), "/v1/pfs/0000:01:00.0/vfs/%s", idx[i]);
                if (route("GET", path, &reply, &req) != 400)
                        fail_msg("%s: %u", path, reply.status);
                assert_string_equal(field(&reply), "index");
                done(&req, &reply);
        }
}

static void test_unknown_paths_are_404(void **state) {
        static const char *const paths[] = { "/", "/v2/pfs", "/v1/pf", "/v1/pfs/0000:01:00.0/x",
                                             "/v1/pfs/0000:01:00.0/vfs/0/x", "/v1/versions" };
        ApiRequest req;
        ApiReply reply;
        (void) state;
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                if (route("GET", paths[i], &reply, &req) != 404)
                        fail_msg("%s: %u", paths[i], reply.status);
                done(&req, &reply);
        }
}

static void test_wrong_method_is_405_with_allow(void **state) {
        ApiRequest req;
        ApiReply reply;
        (void) state;
        assert_int_equal(route("DELETE", "/v1/pfs", &reply, &req), 405);
        assert_string_equal(reply.allow, "GET");
        done(&req, &reply);
        assert_int_equal(route("POST", "/v1/version", &reply, &req), 405);
        done(&req, &reply);
}

static void test_version_route(void **state) {
        ApiRequest req;
        ApiReply reply;
        (void) state;
        assert_int_equal(route("GET", "/v1/version", &reply, &req), 200);
        assert_string_equal(json_object_get_string(json_object_object_get(reply.doc, "api")), "v1");
        done(&req, &reply);
}

static void test_short_address_form_reaches_the_resource(void **state) {
        ApiRequest req;
        ApiReply reply;
        (void) state;
        /* "03:00.0" is a valid address (domain 0): the resource exists, the method does not. */
        assert_int_equal(route("PUT", "/v1/pfs/03:00.0/vfs/7", &reply, &req), 405);
        done(&req, &reply);
}

static void test_malformed_monitor_ids_are_400_on_id(void **state) {
        static const char *const paths[] = {
                "/v1/monitors/a%20b", "/v1/monitors/a$b/stats", "/v1/monitors/x:y/capture",
                "/v1/monitors/0123456789012345678901234567890123456789012345678901234567890123",
        };
        ApiRequest req;
        ApiReply reply;
        (void) state;
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                const char *method = strstr(paths[i], "capture") ? "DELETE" : "GET";
                if (route(method, paths[i], &reply, &req) != 400)
                        fail_msg("%s: %u", paths[i], reply.status);
                assert_string_equal(field(&reply), "id");
                done(&req, &reply);
        }
}

static void test_unknown_monitor_is_404(void **state) {
        ApiRequest req;
        ApiReply reply;
        (void) state;
        assert_int_equal(route("GET", "/v1/monitors/mon0/stats", &reply, &req), 404);
        assert_string_equal(field(&reply), "id");
        done(&req, &reply);
        assert_int_equal(route("DELETE", "/v1/monitors/mon0/capture", &reply, &req), 404);
        done(&req, &reply);
}

static void test_monitor_list_without_monitors_is_empty(void **state) {
        ApiRequest req;
        ApiReply reply;
        (void) state;
        assert_int_equal(route("GET", "/v1/monitors", &reply, &req), 200);
        assert_int_equal(json_object_array_length(json_object_object_get(reply.doc, "monitors")), 0);
        done(&req, &reply);
}

static void test_streams_and_metrics_refuse_other_methods(void **state) {
        ApiRequest req;
        ApiReply reply;
        (void) state;
        assert_int_equal(route("POST", "/v1/events", &reply, &req), 405);
        assert_string_equal(reply.allow, "GET");
        done(&req, &reply);
        assert_int_equal(route("PUT", "/metrics", &reply, &req), 405);
        done(&req, &reply);
        assert_int_equal(route("POST", "/v1/monitors/mon0/capture", &reply, &req), 405);
        assert_string_equal(reply.allow, "PUT, DELETE");
        done(&req, &reply);
}

int main(void) {
        config.admin_group = (char *) "nfvcap-admin";
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_malformed_pf_address_is_400_on_addr),
                cmocka_unit_test(test_300_character_address),
                cmocka_unit_test(test_malformed_vf_index_is_400_on_index),
                cmocka_unit_test(test_unknown_paths_are_404),
                cmocka_unit_test(test_wrong_method_is_405_with_allow),
                cmocka_unit_test(test_version_route),
                cmocka_unit_test(test_short_address_form_reaches_the_resource),
                cmocka_unit_test(test_malformed_monitor_ids_are_400_on_id),
                cmocka_unit_test(test_unknown_monitor_is_404),
                cmocka_unit_test(test_monitor_list_without_monitors_is_empty),
                cmocka_unit_test(test_streams_and_metrics_refuse_other_methods),
        };
        return cmocka_run_group_tests_name("routes", tests, NULL, NULL);
}
