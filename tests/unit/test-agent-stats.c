/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Statistics messages from engine counters: rates over the interval, totals,
 * and unknown counters kept unknown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "stats.h"

static void counters(EngineCounters *c, int64_t packets, int64_t bytes, int64_t drops) {
        memset(c, 0, sizeof(*c));
        for (size_t i = 0; i < _AGENT_DROP_MAX; i++)
                c->drops[i] = -1;
        c->backlog_bytes = -1;
        c->packets = packets;
        c->bytes = bytes;
        c->drops[AGENT_DROP_SOCKET_RING_FULL] = drops;
        c->n_queues = 1;
        c->queues[0].packets = packets;
        c->queues[0].bytes = bytes;
        c->queues[0].drops = drops;
}

static const AgentCaptureInfo running = { AGENT_CAPTURE_RUNNING, AGENT_ENGINE_AFPACKET, "eth1" };

static void test_rates_are_per_second_over_the_interval(void **state) {
        StatsTracker t = { 0 };
        EngineCounters c;
        AgentStats s;
        (void) state;
        counters(&c, 1000, 64000, 0);
        stats_build(&t, &c, &running, 1000000, 1, &s);
        /* The first reading has nothing to compare with. */
        assert_int_equal(s.rates.pps, 0);
        counters(&c, 1100, 70400, 5);
        stats_build(&t, &c, &running, 1100000, 2, &s); /* 100 ms later */
        assert_int_equal(s.interval_ms, 100);
        assert_int_equal(s.rates.pps, 1000);
        assert_int_equal(s.rates.bps, 6400 * 8 * 10);
        assert_int_equal(s.rates.drop_pps, 50);
        assert_int_equal(s.queues[0].pps, 1000);
        assert_int_equal(s.seq, 1);
}

static void test_counters_going_back_give_no_negative_rate(void **state) {
        StatsTracker t = { 0 };
        EngineCounters c;
        AgentStats s;
        (void) state;
        counters(&c, 5000, 5000, 0);
        stats_build(&t, &c, &running, 1000000, 1, &s);
        counters(&c, 10, 10, 0);
        stats_build(&t, &c, &running, 2000000, 2, &s);
        assert_int_equal(s.rates.pps, 0);
        assert_int_equal(s.rates.bps, 0);
}

static void test_unknown_drops_stay_unknown(void **state) {
        StatsTracker t = { 0 };
        EngineCounters c;
        AgentStats s;
        (void) state;
        counters(&c, 10, 10, -1);
        stats_build(&t, &c, &running, 1000000, 1, &s);
        assert_int_equal(stats_total_drops(s.engine.drops), -1);
        assert_int_equal(s.engine.drops[AGENT_DROP_NIC_MISSED], -1);
        /* Removed duplicates are not loss. */
        c.drops[AGENT_DROP_DUPLICATE] = 7;
        c.drops[AGENT_DROP_NOMBUF] = 2;
        assert_int_equal(stats_total_drops(c.drops), 2);
}

static void test_rates_are_capped_at_the_protocol_maximum(void **state) {
        StatsTracker t = { 0 };
        EngineCounters c;
        AgentStats s;
        (void) state;
        counters(&c, 0, 0, 0);
        stats_build(&t, &c, &running, 1000000, 1, &s);
        counters(&c, INT64_C(1) << 60, INT64_C(1) << 60, 0);
        stats_build(&t, &c, &running, 1000001, 2, &s);
        assert_int_equal(s.rates.pps, AGENT_PPS_MAX);
        assert_int_equal(s.rates.bps, AGENT_BPS_MAX);
}

static void test_reset_keeps_the_sequence_growing(void **state) {
        StatsTracker t = { 0 };
        EngineCounters c;
        AgentStats s;
        (void) state;
        counters(&c, 1, 1, 0);
        stats_build(&t, &c, &running, 1, 1, &s);
        stats_tracker_reset(&t);
        stats_build(&t, &c, &running, 2, 2, &s);
        assert_int_equal(s.seq, 1);
        assert_int_equal(s.rates.pps, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rates_are_per_second_over_the_interval),
                cmocka_unit_test(test_counters_going_back_give_no_negative_rate),
                cmocka_unit_test(test_unknown_drops_stay_unknown),
                cmocka_unit_test(test_rates_are_capped_at_the_protocol_maximum),
                cmocka_unit_test(test_reset_keeps_the_sequence_growing),
        };
        return cmocka_run_group_tests_name("agent-stats", tests, NULL, NULL);
}
