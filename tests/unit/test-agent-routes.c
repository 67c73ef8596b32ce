/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitors' routes: the {id} parameter is validated before any handler
 * runs, and an id that is not configured is a 404 on "id". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "api/api.h"

static Config config;
static Manager manager = { .config = &config }; /* no monitors configured */

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
                cmocka_unit_test(test_malformed_monitor_ids_are_400_on_id),
                cmocka_unit_test(test_unknown_monitor_is_404),
                cmocka_unit_test(test_monitor_list_without_monitors_is_empty),
                cmocka_unit_test(test_streams_and_metrics_refuse_other_methods),
        };
        return cmocka_run_group_tests_name("agent-routes", tests, NULL, NULL);
}
