/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Framing of the agent channel: one JSON message per line, '\n'-terminated,
 * and a resync byte 0xFF that may come before any message (as in
 * qemu-guest-agent's guest-sync-delimited). 0xFF never occurs in UTF-8 text,
 * so a reader that sees it knows everything before it was a torn or stale
 * message and starts afresh.
 *
 * The reader is pure (no I/O): bytes go in, complete lines come out through a
 * callback. Its memory is bounded by the line limit whatever a peer sends: a
 * line longer than the limit is reported once and its remaining bytes are
 * skipped until the next '\n' or 0xFF.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENT_LINE_MAX (64u * 1024u) /* longest message, newline excluded */
#define AGENT_RESYNC_BYTE 0xFF

typedef enum LineEvent {
        LINE_COMPLETE, /* a line (without its '\n', NUL-terminated; may contain NULs) */
        LINE_TOO_LONG, /* a line passed the limit; its bytes are being discarded */
        LINE_RESYNC,   /* a 0xFF arrived; a partial line before it, if any, was dropped */
} LineEvent;

/* Return < 0 to stop feeding (the value is returned by line_reader_feed). */
typedef int (*LineCallback)(void *userdata, LineEvent ev, const char *line, size_t len);

typedef struct LineReader {
        char *buf;       /* max + 1 bytes */
        size_t len, max;
        bool discarding; /* inside an over-long line */
} LineReader;

/* max is the longest line accepted; 0 means AGENT_LINE_MAX. -ENOMEM. */
int line_reader_init(LineReader *lr, size_t max);
void line_reader_done(LineReader *lr);
/* Forget any partial line (a new connection starts clean). */
void line_reader_reset(LineReader *lr);
/* Consume n bytes, calling cb for each event. Returns 0, or what cb returned
 * when it stopped the feed (the bytes after that point are not consumed). */
int line_reader_feed(LineReader *lr, const void *data, size_t n, LineCallback cb, void *userdata);
