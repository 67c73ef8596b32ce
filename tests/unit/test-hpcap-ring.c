/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Walking HPCAP's receive buffer: records, padding, and records that wrap
 * around the end of the buffer, header or data. The layout is HPCAP's
 * (sec u32 | nsec u32 | caplen u16 | len u16 | data), built here by hand. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engines/hpcap-ring.h"

typedef struct Ring {
        uint8_t buf[256];
        uint64_t size, wr, used;
} Ring;

/* Append one record at the write offset, wrapping like the driver. */
static void put(Ring *r, uint32_t sec, uint32_t nsec, uint16_t caplen, uint16_t len, uint8_t fill) {
        uint8_t rec[HPCAP_RECORD_HEADER + 64];
        memcpy(rec, &sec, 4);
        memcpy(rec + 4, &nsec, 4);
        memcpy(rec + 8, &caplen, 2);
        memcpy(rec + 10, &len, 2);
        memset(rec + HPCAP_RECORD_HEADER, fill, caplen);
        for (size_t i = 0; i < HPCAP_RECORD_HEADER + caplen; i++)
                r->buf[(r->wr + i) % r->size] = rec[i];
        r->wr = (r->wr + HPCAP_RECORD_HEADER + caplen) % r->size;
        r->used += HPCAP_RECORD_HEADER + caplen;
}

static void test_records_in_order(void **state) {
        Ring r = { .size = 256 };
        HpcapCursor c;
        HpcapRecord rec;
        uint8_t scratch[64];
        uint64_t consumed = 0;
        (void) state;
        put(&r, 1, 500, 20, 60, 0xaa);
        put(&r, 2, 600, 30, 30, 0xbb);
        c = (HpcapCursor){ .buf = r.buf, .size = r.size, .off = 0, .avail = r.used };
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), 1);
        assert_int_equal(rec.sec, 1);
        assert_int_equal(rec.nsec, 500);
        assert_int_equal(rec.caplen, 20);
        assert_int_equal(rec.len, 60); /* cut by Caplen: len is the frame's */
        assert_int_equal(rec.data[19], 0xaa);
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), 1);
        assert_int_equal(rec.len, 30);
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), -EAGAIN);
        assert_int_equal(consumed, r.used);
}

static void test_padding_is_skipped(void **state) {
        Ring r = { .size = 256 };
        HpcapCursor c;
        HpcapRecord rec;
        uint8_t scratch[64];
        uint64_t consumed = 0;
        (void) state;
        put(&r, 0, 0, 40, 0, 0); /* padding: sec = nsec = 0 */
        put(&r, 3, 1, 10, 10, 0xcc);
        c = (HpcapCursor){ .buf = r.buf, .size = r.size, .avail = r.used };
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), 0);
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), 1);
        assert_int_equal(rec.sec, 3);
        assert_int_equal(consumed, 12 + 40 + 12 + 10);
}

static void test_record_wrapping_in_its_header_and_its_data(void **state) {
        Ring r = { .size = 100 };
        HpcapCursor c;
        HpcapRecord rec;
        uint8_t scratch[64];
        uint64_t consumed = 0;
        (void) state;
        /* Start near the end: the header of the first record wraps. */
        r.wr = 94;
        put(&r, 7, 8, 16, 16, 0x11);
        /* The data of the second one wraps: it starts at 22 + 12 = 34... place
         * it so that data crosses the end. */
        c = (HpcapCursor){ .buf = r.buf, .size = r.size, .off = 94, .avail = r.used };
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), 1);
        assert_int_equal(rec.sec, 7);
        assert_int_equal(rec.nsec, 8);
        assert_int_equal(rec.caplen, 16);
        for (int i = 0; i < 16; i++)
                assert_int_equal(rec.data[i], 0x11);

        r = (Ring){ .size = 100, .wr = 80 };
        put(&r, 9, 9, 30, 30, 0x22); /* header at 80..91, data 92..121 -> wraps */
        c = (HpcapCursor){ .buf = r.buf, .size = r.size, .off = 80, .avail = r.used };
        consumed = 0;
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), 1);
        assert_ptr_equal(rec.data, scratch);
        for (int i = 0; i < 30; i++)
                assert_int_equal(rec.data[i], 0x22);
        assert_int_equal(c.off, (80 + 42) % 100);
}

static void test_incomplete_and_corrupt_records(void **state) {
        Ring r = { .size = 256 };
        HpcapCursor c;
        HpcapRecord rec;
        uint8_t scratch[8];
        uint64_t consumed = 0;
        (void) state;
        put(&r, 1, 1, 20, 20, 0);
        /* Only part of the record is published yet. */
        c = (HpcapCursor){ .buf = r.buf, .size = r.size, .avail = 20 };
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), -EAGAIN);
        assert_int_equal(consumed, 0);
        /* A caplen beyond the buffer is nonsense, not a wait. */
        r = (Ring){ .size = 64 };
        put(&r, 1, 1, 40, 40, 0);
        r.buf[8] = 0xff;
        r.buf[9] = 0x7f;
        c = (HpcapCursor){ .buf = r.buf, .size = r.size, .avail = 64 };
        assert_int_equal(hpcap_ring_next(&c, &rec, scratch, sizeof(scratch), &consumed), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_records_in_order),
                cmocka_unit_test(test_padding_is_skipped),
                cmocka_unit_test(test_record_wrapping_in_its_header_and_its_data),
                cmocka_unit_test(test_incomplete_and_corrupt_records),
        };
        return cmocka_run_group_tests_name("hpcap-ring", tests, NULL, NULL);
}
