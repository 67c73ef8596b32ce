/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent protocol's messages: round trips, and what a hostile guest may
 * send: every malformed line is refused with the reason the host counts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent-msg.h"

static void sample_stats(AgentMsg *m) {
        agent_msg_init(m, AGENT_MSG_STATS);
        m->stats.seq = 42;
        m->stats.timestamp_ns = INT64_C(1700000000123456789);
        m->stats.interval_ms = 100;
        m->stats.capture = (AgentCaptureInfo){ AGENT_CAPTURE_RUNNING, AGENT_ENGINE_AFPACKET, "eth1" };
        snprintf(m->stats.engine.source, sizeof(m->stats.engine.source), "PACKET_STATISTICS");
        m->stats.engine.packets = 1000;
        m->stats.engine.bytes = 64000;
        m->stats.engine.drops[AGENT_DROP_SOCKET_RING_FULL] = 3;
        m->stats.nic.present = true;
        snprintf(m->stats.nic.source, sizeof(m->stats.nic.source), "netdev eth1 (igbvf)");
        m->stats.nic.rx_packets = 1003;
        m->stats.nic.rx_bytes = 64192;
        m->stats.nic.rx_dropped = 0;
        m->stats.nic.rx_errors = 0;
        m->stats.rates = (AgentRates){ 10, 5120, 0 };
        m->stats.n_queues = 2;
        m->stats.queues[0] = (AgentQueueStats){ 0, 600, 38400, 1, 6, 3072 };
        m->stats.queues[1] = (AgentQueueStats){ 1, 400, 25600, 2, 4, 2048 };
}

static char *line_of(const AgentMsg *m) {
        size_t len;
        char *s = agent_msg_format(m, false, &len);
        assert_non_null(s);
        assert_int_equal(s[len - 1], '\n');
        s[len - 1] = '\0';
        return s;
}

/* Render m, replace the value at a dotted path ("engine.packets", "queues.0.pps")
 * with json (NULL deletes the key), and return the line. */
static char *mutated(const AgentMsg *m, const char *path, const char *json) {
        json_object *root = agent_msg_to_json(m), *o = root;
        char buf[128], *save = NULL, *seg, *next;
        char *line;

        snprintf(buf, sizeof(buf), "%s", path);
        seg = strtok_r(buf, ".", &save);
        while ((next = strtok_r(NULL, ".", &save))) {
                o = json_object_is_type(o, json_type_array)
                            ? json_object_array_get_idx(o, (size_t) atoi(seg))
                            : json_object_object_get(o, seg);
                assert_non_null(o);
                seg = next;
        }
        if (json)
                json_object_object_add(o, seg, json_tokener_parse(json));
        else
                json_object_object_del(o, seg);
        line = strdup(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
        json_object_put(root);
        return line;
}

static void expect_reject(const char *line, size_t len, AgentPeer from, AgentReject reason,
                          const char *detail_part) {
        AgentMsg *m = malloc(sizeof(*m));
        AgentParseError err;
        int r = agent_msg_parse(line, len, from, m, &err);
        if (r != -EBADMSG)
                fail_msg("accepted: %.200s", line);
        if (err.reason != reason)
                fail_msg("%.200s: reason %s (%s), want %s", line, agent_reject_to_string(err.reason),
                         err.detail, agent_reject_to_string(reason));
        if (detail_part && !strstr(err.detail, detail_part))
                fail_msg("%.200s: detail \"%s\" lacks \"%s\"", line, err.detail, detail_part);
        free(m);
}

static void expect_reject_str(const char *line, AgentReject reason, const char *detail_part) {
        expect_reject(line, strlen(line), AGENT_FROM_GUEST, reason, detail_part);
}

static void test_stats_round_trip(void **state) {
        AgentMsg *m = malloc(sizeof(*m)), *back = malloc(sizeof(*back));
        AgentParseError err;
        char *line, *again;
        (void) state;
        sample_stats(m);
        line = line_of(m);
        assert_int_equal(agent_msg_parse(line, strlen(line), AGENT_FROM_GUEST, back, &err), 0);
        assert_int_equal(back->type, AGENT_MSG_STATS);
        assert_int_equal(back->stats.engine.packets, 1000);
        assert_int_equal(back->stats.engine.drops[AGENT_DROP_SOCKET_RING_FULL], 3);
        /* A cause the engine does not have stays unknown, not zero. */
        assert_int_equal(back->stats.engine.drops[AGENT_DROP_NIC_MISSED], -1);
        assert_int_equal(back->stats.nic.rx_missed, -1);
        assert_int_equal(back->stats.n_queues, 2);
        assert_int_equal(back->stats.queues[1].bytes, 25600);
        assert_string_equal(back->stats.capture.device, "eth1");
        again = line_of(back);
        assert_string_equal(line, again);
        /* Unknown figures are rendered as null, never as 0. */
        assert_non_null(strstr(line, "\"rx_missed\":null"));
        free(line);
        free(again);
        free(m);
        free(back);
}

static void test_every_message_type_round_trips(void **state) {
        AgentMsg *m = malloc(sizeof(*m)), *back = malloc(sizeof(*back));
        AgentParseError err;
        (void) state;
        for (int t = 0; t < _AGENT_MSG_MAX; t++) {
                char *line, *again;
                agent_msg_init(m, (AgentMsgType) t);
                m->id = 7;
                switch (t) {
                case AGENT_MSG_START_CAPTURE:
                        m->start.engine = AGENT_ENGINE_DPDK;
                        snprintf(m->start.device, sizeof(m->start.device), "0000:00:05.0");
                        m->start.queues = 2;
                        m->start.output.format = AGENT_OUTPUT_PCAP;
                        snprintf(m->start.output.name, sizeof(m->start.output.name), "cap");
                        m->start.output.rotate_bytes = 1 << 24;
                        break;
                case AGENT_MSG_HELLO:
                        snprintf(m->hello.agent, sizeof(m->hello.agent), "0.1.0");
                        m->hello.n_engines = 1;
                        m->hello.engines[0] = (AgentEngineInfo){ AGENT_ENGINE_HPCAPVF, false,
                                                                 "module hpcapvf not found", "" };
                        m->hello.n_devices = 1;
                        snprintf(m->hello.devices[0].name, sizeof(AgentName), "eth1");
                        snprintf(m->hello.devices[0].pci, sizeof(AgentName), "0000:00:05.0");
                        break;
                case AGENT_MSG_STATS:
                        sample_stats(m);
                        break;
                case AGENT_MSG_ERROR:
                        m->error.code = AGENT_ERR_ENGINE_UNAVAILABLE;
                        snprintf(m->error.message, sizeof(m->error.message), "no hpcapvf module");
                        break;
                }
                line = line_of(m);
                if (agent_msg_parse(line, strlen(line), agent_msg_sender((AgentMsgType) t), back,
                                    &err) < 0)
                        fail_msg("%s: %s", line, err.detail);
                again = line_of(back);
                assert_string_equal(line, again);
                free(line);
                free(again);
        }
        free(m);
        free(back);
}

static void test_resync_prefix_and_newline(void **state) {
        AgentMsg m;
        size_t len;
        char *s;
        (void) state;
        agent_msg_init(&m, AGENT_MSG_PING);
        m.id = 1;
        s = agent_msg_format(&m, true, &len);
        assert_int_equal((unsigned char) s[0], 0xFF);
        assert_int_equal(s[len - 1], '\n');
        assert_string_equal(s + 1, "{\"type\":\"ping\",\"id\":1}\n");
        free(s);
}

static void test_garbage_is_invalid_json(void **state) {
        static const char *const lines[] = {
                "hello", "{", "{\"type\":\"stats\"", "{\"type\":'ping'}", "{\"type\":\"ping\"} x",
                "{\"type\":\"ping\",}", "nan", "{\"type\":\"heartbeat\"/*c*/}",
        };
        (void) state;
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
                expect_reject_str(lines[i], AGENT_REJECT_INVALID_JSON, NULL);
        expect_reject("{\"type\":\0\"x\"}", 13, AGENT_FROM_GUEST, AGENT_REJECT_INVALID_JSON, "NUL");
}

static void test_invalid_utf8_is_refused(void **state) {
        (void) state;
        expect_reject_str("{\"type\":\"error\",\"code\":\"internal\",\"message\":\"\xc3\x28\"}",
                          AGENT_REJECT_INVALID_UTF8, NULL);
        expect_reject_str("{\"type\":\"error\",\"code\":\"internal\",\"message\":\"\xed\xa0\x80\"}",
                          AGENT_REJECT_INVALID_UTF8, NULL);
        expect_reject_str("{\"type\":\"error\",\"code\":\"internal\",\"message\":\"\xfe\"}",
                          AGENT_REJECT_INVALID_UTF8, NULL);
}

static void test_schema_violations(void **state) {
        AgentMsg *m = malloc(sizeof(*m));
        static const struct {
                const char *path, *json, *detail;
        } cases[] = {
                { "extra", "1", "stats.extra: unknown key" },
                { "engine.packets", "\"1000\"", "stats.engine.packets: must be an integer" },
                { "engine.packets", "1.5", "must be an integer" },
                { "engine.packets", "1e300", "must be an integer" },
                { "engine.packets", "null", "must not be null" },
                { "engine.packets", NULL, "stats.engine.packets: missing" },
                { "engine.drops", "{\"because\":1}", "stats.engine.drops.because: not a drop cause" },
                { "capture.engine", "\"pfring\"", "not one of the known values" },
                { "capture.device", "\"eth 1\"", "character 0x20 not allowed" },
                { "capture.device", "\"\"", "must not be empty" },
                { "engine.source", "\"a\\u0000b\"", "NUL" },
                { "engine.source", "\"line\\nbreak\"", "character 0x0a" },
                { "queues", "{}", "must be a list" },
                { "queues.0.extra", "true", "stats.queues[0].extra: unknown key" },
                { "rates", "[]", "must be an object" },
        };
        (void) state;
        sample_stats(m);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *line = mutated(m, cases[i].path, cases[i].json);
                expect_reject_str(line, AGENT_REJECT_SCHEMA, cases[i].detail);
                free(line);
        }
        expect_reject_str("[1,2]", AGENT_REJECT_SCHEMA, "JSON object");
        expect_reject_str("{\"type\":\"teleport\"}", AGENT_REJECT_SCHEMA, "unknown message type");
        expect_reject_str("{\"type\":7}", AGENT_REJECT_SCHEMA, "type");
        expect_reject_str("{\"id\":1}", AGENT_REJECT_SCHEMA, "type");
        free(m);
}

static void test_numbers_out_of_range(void **state) {
        AgentMsg *m = malloc(sizeof(*m));
        static const struct {
                const char *path, *json;
        } cases[] = {
                { "engine.packets", "-1" },
                { "engine.bytes", "9223372036854775808" },
                { "engine.bytes", "18446744073709551616" },
                { "engine.bytes", "-9223372036854775809" },
                { "engine.drops", "{\"socket_ring_full\":-5}" },
                { "rates.pps", "10000000001" },
                { "rates.bps", "99999999999999999" },
                { "queues.0.queue", "64" },
                { "interval_ms", "3600001" },
                { "seq", "-3" },
                { "engine.source", "\"" /* 300 characters follow */
                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"" },
        };
        char big[8192];
        size_t off;
        (void) state;
        sample_stats(m);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *line = mutated(m, cases[i].path, cases[i].json);
                expect_reject_str(line, AGENT_REJECT_OUT_OF_RANGE, NULL);
                free(line);
        }
        /* 65 queues: more than any engine has. */
        off = (size_t) snprintf(big, sizeof(big), "[");
        for (int q = 0; q < 65; q++)
                off += (size_t) snprintf(big + off, sizeof(big) - off,
                                         "%s{\"queue\":0,\"packets\":0,\"bytes\":0,\"drops\":null,"
                                         "\"pps\":0,\"bps\":0}",
                                         q ? "," : "");
        snprintf(big + off, sizeof(big) - off, "]");
        {
                char *line = mutated(m, "queues", big);
                expect_reject_str(line, AGENT_REJECT_OUT_OF_RANGE, "more than 64 entries");
                free(line);
        }
        free(m);
}

static void test_claims_of_identity_are_refused(void **state) {
        AgentMsg *m = malloc(sizeof(*m));
        static const char *const keys[] = { "vm", "monitor", "uuid", "domain", "channel" };
        (void) state;
        sample_stats(m);
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                char *line = mutated(m, keys[i], "\"some-other-vm\"");
                expect_reject_str(line, AGENT_REJECT_IDENTITY_CLAIM, keys[i]);
                free(line);
        }
        /* Nested too. */
        {
                char *line = mutated(m, "capture.vm", "\"x\"");
                expect_reject_str(line, AGENT_REJECT_IDENTITY_CLAIM, "capture.vm");
                free(line);
        }
        free(m);
}

static void test_commands_from_the_guest_are_unexpected(void **state) {
        (void) state;
        expect_reject_str("{\"type\":\"start_capture\",\"id\":1,\"engine\":\"afpacket\",\"device\":\"eth0\"}",
                          AGENT_REJECT_UNEXPECTED, "not sent by the guest");
        expect_reject("{\"type\":\"stats\"}", 16, AGENT_FROM_HOST, AGENT_REJECT_UNEXPECTED,
                      "not sent by the host");
}

static void test_deep_nesting_is_refused(void **state) {
        char line[2100];
        (void) state;
        memset(line, '[', 1000);
        memset(line + 1000, ']', 1000);
        line[2000] = '\0';
        expect_reject_str(line, AGENT_REJECT_SCHEMA, NULL);
}

static void test_start_capture_is_validated(void **state) {
        AgentMsg m;
        AgentParseError err;
        static const char ok[] =
                "{\"type\":\"start_capture\",\"id\":3,\"engine\":\"afpacket\",\"device\":\"veth1\","
                "\"queues\":2,\"output\":{\"format\":\"pcap\",\"name\":\"cap\",\"keep_files\":4}}";
        (void) state;
        assert_int_equal(agent_msg_parse(ok, strlen(ok), AGENT_FROM_HOST, &m, &err), 0);
        assert_int_equal(m.start.engine, AGENT_ENGINE_AFPACKET);
        assert_int_equal(m.start.queues, 2);
        assert_int_equal(m.start.snaplen, 0);
        assert_int_equal(m.start.output.format, AGENT_OUTPUT_PCAP);
        assert_int_equal(m.start.output.keep_files, 4);
        assert_int_equal(m.start.output.rotate_bytes, -1);

        static const struct {
                const char *line, *detail;
        } bad[] = {
                { "{\"type\":\"start_capture\",\"id\":3,\"engine\":\"afpacket\",\"device\":\"veth1\","
                  "\"output\":{\"format\":\"pcap\",\"name\":\"../../etc/shadow\"}}",
                  "file name" },
                { "{\"type\":\"start_capture\",\"id\":3,\"engine\":\"afpacket\",\"device\":\"veth1\","
                  "\"output\":{\"format\":\"pcap\"}}",
                  "file name" },
                { "{\"type\":\"start_capture\",\"id\":3,\"engine\":\"afpacket\",\"device\":\"veth1\","
                  "\"queues\":0}",
                  "start_capture.queues: out of range" },
                { "{\"type\":\"start_capture\",\"id\":3,\"engine\":\"afpacket\"}",
                  "start_capture.device: missing" },
                { "{\"type\":\"start_capture\",\"engine\":\"afpacket\",\"device\":\"x\"}",
                  "start_capture.id: missing" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                AgentReject want = strstr(bad[i].detail, "out of range") ? AGENT_REJECT_OUT_OF_RANGE
                                                                        : AGENT_REJECT_SCHEMA;
                expect_reject(bad[i].line, strlen(bad[i].line), AGENT_FROM_HOST, want, bad[i].detail);
        }
}

static void test_capture_spec_body(void **state) {
        AgentCaptureSpec s;
        AgentParseError err;
        json_object *o = json_tokener_parse("{\"engine\":\"dpdk\",\"device\":\"net_null0\",\"queues\":1}");
        json_object *bad = json_tokener_parse("{\"type\":\"x\",\"engine\":\"dpdk\",\"device\":\"d\"}");
        (void) state;
        assert_int_equal(agent_capture_spec_from_json(o, &s, &err), 0);
        assert_int_equal(s.engine, AGENT_ENGINE_DPDK);
        assert_string_equal(s.device, "net_null0");
        assert_int_equal(s.output.format, AGENT_OUTPUT_NONE);
        /* "type" is not special in a capture body. */
        assert_int_equal(agent_capture_spec_from_json(bad, &s, &err), -EBADMSG);
        assert_non_null(strstr(err.detail, "capture.type: unknown key"));
        json_object_put(o);
        json_object_put(bad);
}

static void test_random_lines_never_crash(void **state) {
        AgentMsg *m = malloc(sizeof(*m));
        AgentParseError err;
        unsigned seed = 11;
        char line[512];
        static const char alphabet[] = "{}[]\":,0123456789-.etrufalsn \\u\xc3\xa9\xff\x01typestats";
        (void) state;
        for (int i = 0; i < 20000; i++) {
                size_t n = (size_t) (rand_r(&seed) % (sizeof(line) - 1));
                for (size_t k = 0; k < n; k++)
                        line[k] = (i & 1) ? (char) (rand_r(&seed) & 0xff)
                                          : alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
                line[n] = '\0';
                int r = agent_msg_parse(line, n, AGENT_FROM_GUEST, m, &err);
                assert_true(r == 0 || r == -EBADMSG);
        }
        free(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stats_round_trip),
                cmocka_unit_test(test_every_message_type_round_trips),
                cmocka_unit_test(test_resync_prefix_and_newline),
                cmocka_unit_test(test_garbage_is_invalid_json),
                cmocka_unit_test(test_invalid_utf8_is_refused),
                cmocka_unit_test(test_schema_violations),
                cmocka_unit_test(test_numbers_out_of_range),
                cmocka_unit_test(test_claims_of_identity_are_refused),
                cmocka_unit_test(test_commands_from_the_guest_are_unexpected),
                cmocka_unit_test(test_deep_nesting_is_refused),
                cmocka_unit_test(test_start_capture_is_validated),
                cmocka_unit_test(test_capture_spec_body),
                cmocka_unit_test(test_random_lines_never_crash),
        };
        return cmocka_run_group_tests_name("agent-msg", tests, NULL, NULL);
}
