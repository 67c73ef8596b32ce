/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * HPCAP's receive buffer, as hpcapvf fills it and libhpcap reads it: a
 * circular buffer of records "sec u32 | nsec u32 | caplen u16 | len u16 |
 * caplen bytes of frame", in the machine's byte order. A record with sec and
 * nsec both 0 is padding: its caplen bytes are skipped. A record may wrap
 * around the end of the buffer, header included. Pure logic, no I/O.
 */

#include <stdint.h>
#include <stddef.h>

#define HPCAP_RECORD_HEADER 12u /* RAW_HLEN in HPCAP's hpcap.h */

typedef struct HpcapCursor {
        const uint8_t *buf;
        uint64_t size;  /* of the buffer */
        uint64_t off;   /* read offset */
        uint64_t avail; /* bytes written and not yet read */
} HpcapCursor;

typedef struct HpcapRecord {
        uint32_t sec, nsec;
        uint16_t caplen, len;
        const uint8_t *data; /* into the buffer, or into scratch when it wrapped */
} HpcapRecord;

/* Take the next record. Returns 1 with *rec filled, 0 when it was padding
 * (consumed, nothing to report), -EAGAIN when the next record is not all
 * there yet, -EBADMSG when the buffer makes no sense (a record longer than
 * what is available or than scratch). *consumed grows by the bytes taken. */
int hpcap_ring_next(HpcapCursor *c, HpcapRecord *rec, uint8_t *scratch, size_t scratch_size,
                    uint64_t *consumed);
