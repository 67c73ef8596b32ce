/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "agent-frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int line_reader_init(LineReader *lr, size_t max) {
        *lr = (LineReader){ .max = max ? max : AGENT_LINE_MAX };
        lr->buf = malloc(lr->max + 1);
        return lr->buf ? 0 : -ENOMEM;
}

void line_reader_done(LineReader *lr) {
        free(lr->buf);
        *lr = (LineReader){ 0 };
}

void line_reader_reset(LineReader *lr) {
        lr->len = 0;
        lr->discarding = false;
}

/* The next byte that ends something: '\n' or the resync byte. */
static const char *find_delimiter(const char *p, const char *end) {
        for (; p < end; p++)
                if (*p == '\n' || (unsigned char) *p == AGENT_RESYNC_BYTE)
                        return p;
        return NULL;
}

int line_reader_feed(LineReader *lr, const void *data, size_t n, LineCallback cb, void *userdata) {
        const char *p = data, *end = p + n;

        while (p < end) {
                const char *d = find_delimiter(p, end);
                size_t chunk = (size_t) ((d ? d : end) - p);
                int r = 0;

                if (!lr->discarding) {
                        if (lr->len + chunk > lr->max) {
                                /* Report once; keep nothing of it. */
                                lr->discarding = true;
                                lr->len = 0;
                                r = cb(userdata, LINE_TOO_LONG, NULL, 0);
                        } else {
                                memcpy(lr->buf + lr->len, p, chunk);
                                lr->len += chunk;
                        }
                }
                if (!d || r < 0) {
                        if (r < 0)
                                return r;
                        break;
                }
                p = d + 1;

                if ((unsigned char) *d == AGENT_RESYNC_BYTE) {
                        lr->len = 0;
                        lr->discarding = false;
                        r = cb(userdata, LINE_RESYNC, NULL, 0);
                } else if (lr->discarding) {
                        lr->discarding = false;
                } else {
                        size_t len = lr->len;
                        lr->buf[len] = '\0';
                        lr->len = 0;
                        /* Empty lines carry nothing; a peer may use them to flush. */
                        if (len > 0)
                                r = cb(userdata, LINE_COMPLETE, lr->buf, len);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}
