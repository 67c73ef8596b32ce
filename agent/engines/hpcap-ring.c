/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hpcap-ring.h"

#include <errno.h>
#include <string.h>

/* Copy n bytes starting at off, wrapping at the end of the buffer. */
static void copy_wrapped(const HpcapCursor *c, uint64_t off, void *dst, uint64_t n) {
        uint64_t first = c->size - off < n ? c->size - off : n;
        memcpy(dst, c->buf + off, first);
        memcpy((uint8_t *) dst + first, c->buf, n - first);
}

int hpcap_ring_next(HpcapCursor *c, HpcapRecord *rec, uint8_t *scratch, size_t scratch_size,
                    uint64_t *consumed) {
        uint8_t h[HPCAP_RECORD_HEADER];
        uint64_t data_off, total;

        if (c->avail < HPCAP_RECORD_HEADER)
                return -EAGAIN;
        if (c->size < HPCAP_RECORD_HEADER || c->off >= c->size)
                return -EBADMSG;
        copy_wrapped(c, c->off, h, sizeof(h));
        memcpy(&rec->sec, h, 4);
        memcpy(&rec->nsec, h + 4, 4);
        memcpy(&rec->caplen, h + 8, 2);
        memcpy(&rec->len, h + 10, 2);
        total = HPCAP_RECORD_HEADER + (uint64_t) rec->caplen;
        if (total > c->size)
                return -EBADMSG;
        if (c->avail < total)
                /* The driver publishes whole records; a short one means we raced it. */
                return -EAGAIN;

        data_off = (c->off + HPCAP_RECORD_HEADER) % c->size;
        if (data_off + rec->caplen <= c->size)
                rec->data = c->buf + data_off;
        else if (rec->caplen <= scratch_size) {
                copy_wrapped(c, data_off, scratch, rec->caplen);
                rec->data = scratch;
        } else
                return -EBADMSG;

        c->off = (c->off + total) % c->size;
        c->avail -= total;
        *consumed += total;
        return rec->sec == 0 && rec->nsec == 0 ? 0 : 1;
}
