/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Framing of the agent channel: lines, the 0xFF resync byte, the line limit. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agent-frame.h"

typedef struct Seen {
        char lines[8][128];
        size_t lens[8];
        unsigned n_lines, too_long, resyncs;
        int stop_after; /* stop the feed after this many lines; 0: never */
} Seen;

static int on_event(void *userdata, LineEvent ev, const char *line, size_t len) {
        Seen *s = userdata;
        switch (ev) {
        case LINE_COMPLETE:
                if (s->n_lines < 8) {
                        memcpy(s->lines[s->n_lines], line, len < 127 ? len : 127);
                        s->lens[s->n_lines] = len;
                }
                s->n_lines++;
                if (s->stop_after && (int) s->n_lines == s->stop_after)
                        return -ECANCELED;
                break;
        case LINE_TOO_LONG:
                s->too_long++;
                break;
        case LINE_RESYNC:
                s->resyncs++;
                break;
        }
        return 0;
}

static void feed(LineReader *lr, Seen *s, const char *text) {
        assert_int_equal(line_reader_feed(lr, text, strlen(text), on_event, s), 0);
}

static void test_lines_split_across_reads_are_joined(void **state) {
        LineReader lr;
        Seen s = { 0 };
        (void) state;
        assert_int_equal(line_reader_init(&lr, 0), 0);
        feed(&lr, &s, "{\"type\":");
        assert_int_equal(s.n_lines, 0);
        feed(&lr, &s, "\"ping\"}\n{\"a\"");
        feed(&lr, &s, ":1}\n");
        assert_int_equal(s.n_lines, 2);
        assert_string_equal(s.lines[0], "{\"type\":\"ping\"}");
        assert_string_equal(s.lines[1], "{\"a\":1}");
        line_reader_done(&lr);
}

static void test_resync_byte_drops_the_partial_line(void **state) {
        LineReader lr;
        Seen s = { 0 };
        (void) state;
        assert_int_equal(line_reader_init(&lr, 0), 0);
        feed(&lr, &s, "{\"torn\":");
        feed(&lr, &s, "\xff{\"whole\":1}\n");
        assert_int_equal(s.resyncs, 1);
        assert_int_equal(s.n_lines, 1);
        assert_string_equal(s.lines[0], "{\"whole\":1}");
        line_reader_done(&lr);
}

static void test_overlong_line_is_reported_once_and_skipped(void **state) {
        LineReader lr;
        Seen s = { 0 };
        char chunk[1000];
        (void) state;
        memset(chunk, 'x', sizeof(chunk));
        assert_int_equal(line_reader_init(&lr, 100), 0);
        for (int i = 0; i < 10; i++)
                assert_int_equal(line_reader_feed(&lr, chunk, sizeof(chunk), on_event, &s), 0);
        feed(&lr, &s, "tail of the long line\nnext\n");
        assert_int_equal(s.too_long, 1);
        assert_int_equal(s.n_lines, 1);
        assert_string_equal(s.lines[0], "next");
        line_reader_done(&lr);
}

static void test_line_exactly_at_the_limit_passes(void **state) {
        LineReader lr;
        Seen s = { 0 };
        char line[102];
        (void) state;
        memset(line, 'y', 100);
        line[100] = '\n';
        line[101] = '\0';
        assert_int_equal(line_reader_init(&lr, 100), 0);
        feed(&lr, &s, line);
        assert_int_equal(s.n_lines, 1);
        assert_int_equal(s.lens[0], 100);
        assert_int_equal(s.too_long, 0);
        line_reader_done(&lr);
}

static void test_a_100_megabyte_line_keeps_memory_bounded(void **state) {
        LineReader lr;
        Seen s = { 0 };
        size_t chunk = 1 << 20;
        char *buf = malloc(chunk);
        (void) state;
        assert_non_null(buf);
        memset(buf, 'z', chunk);
        assert_int_equal(line_reader_init(&lr, 0), 0);
        for (int i = 0; i < 100; i++)
                assert_int_equal(line_reader_feed(&lr, buf, chunk, on_event, &s), 0);
        /* Nothing of it was kept: the reader's buffer is its fixed allocation. */
        assert_int_equal(lr.len, 0);
        assert_int_equal(lr.max, AGENT_LINE_MAX);
        feed(&lr, &s, "\n{\"ok\":true}\n");
        assert_int_equal(s.too_long, 1);
        assert_int_equal(s.n_lines, 1);
        assert_string_equal(s.lines[0], "{\"ok\":true}");
        free(buf);
        line_reader_done(&lr);
}

static void test_resync_ends_an_overlong_line(void **state) {
        LineReader lr;
        Seen s = { 0 };
        (void) state;
        assert_int_equal(line_reader_init(&lr, 4), 0);
        feed(&lr, &s, "0123456789\xffok\n");
        assert_int_equal(s.too_long, 1);
        assert_int_equal(s.resyncs, 1);
        assert_int_equal(s.n_lines, 1);
        assert_string_equal(s.lines[0], "ok");
        line_reader_done(&lr);
}

static void test_empty_lines_are_ignored_and_nul_is_passed_on(void **state) {
        LineReader lr;
        Seen s = { 0 };
        static const char data[] = "\n\n{\"a\":\0}\n";
        (void) state;
        assert_int_equal(line_reader_init(&lr, 0), 0);
        assert_int_equal(line_reader_feed(&lr, data, sizeof(data) - 1, on_event, &s), 0);
        assert_int_equal(s.n_lines, 1);
        /* The NUL stays in the line; the parser refuses it, the framing does not hide it. */
        assert_int_equal(s.lens[0], 7);
        line_reader_done(&lr);
}

static void test_callback_can_stop_the_feed(void **state) {
        LineReader lr;
        Seen s = { .stop_after = 1 };
        (void) state;
        assert_int_equal(line_reader_init(&lr, 0), 0);
        assert_int_equal(line_reader_feed(&lr, "a\nb\n", 4, on_event, &s), -ECANCELED);
        assert_int_equal(s.n_lines, 1);
        line_reader_done(&lr);
}

static void test_random_bytes_never_overflow(void **state) {
        LineReader lr;
        Seen s = { 0 };
        unsigned char buf[4096];
        unsigned seed = 7;
        (void) state;
        assert_int_equal(line_reader_init(&lr, 512), 0);
        for (int round = 0; round < 2000; round++) {
                for (size_t i = 0; i < sizeof(buf); i++)
                        buf[i] = (unsigned char) (rand_r(&seed) & 0xff);
                assert_int_equal(line_reader_feed(&lr, buf, sizeof(buf), on_event, &s), 0);
                assert_true(lr.len <= lr.max);
        }
        assert_true(s.resyncs > 0);
        line_reader_done(&lr);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines_split_across_reads_are_joined),
                cmocka_unit_test(test_resync_byte_drops_the_partial_line),
                cmocka_unit_test(test_overlong_line_is_reported_once_and_skipped),
                cmocka_unit_test(test_line_exactly_at_the_limit_passes),
                cmocka_unit_test(test_a_100_megabyte_line_keeps_memory_bounded),
                cmocka_unit_test(test_resync_ends_an_overlong_line),
                cmocka_unit_test(test_empty_lines_are_ignored_and_nul_is_passed_on),
                cmocka_unit_test(test_callback_can_stop_the_feed),
                cmocka_unit_test(test_random_bytes_never_overflow),
        };
        return cmocka_run_group_tests_name("agent-frame", tests, NULL, NULL);
}
