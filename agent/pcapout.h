/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pcap output of one receive queue, written with libpcap, rotated by size.
 * Files are OUTPUT_DIR/NAME-qQUEUE-SEQ.pcap with nanosecond timestamps; each
 * queue has its own files so that receive threads never share a lock. Used by
 * one thread at a time.
 */

#include <stdint.h>
#include <time.h>

#include "agent-msg.h"

typedef struct PcapOut PcapOut;

/* snaplen is the capture's (0: whole frames). Fills err on failure. */
int pcap_out_open(const char *dir, const AgentOutput *o, unsigned queue, int64_t snaplen,
                  PcapOut **ret, char *err, size_t errlen);
/* Write one frame; -errno when it could not be written (counted as an
 * output drop by the caller). */
int pcap_out_write(PcapOut *p, const struct timespec *ts, const void *data, uint32_t caplen,
                   uint32_t len);
void pcap_out_close(PcapOut *p);
