/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pcapout.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macros.h"

struct PcapOut {
        pcap_t *dead; /* libpcap's handle for writing without a live capture */
        pcap_dumper_t *dumper;
        char dir[256];
        AgentOutput spec;
        unsigned queue;
        uint64_t seq; /* number of the file being written */
        uint64_t oldest; /* the oldest file still on disk */
        bool failed;
};

static void file_name(const PcapOut *p, uint64_t seq, char *buf, size_t n) {
        snprintf(buf, n, "%s/%s-q%u-%llu.pcap", p->dir, p->spec.name, p->queue,
                 (unsigned long long) seq);
}

static int open_next(PcapOut *p, char *err, size_t errlen) {
        char path[512];

        file_name(p, p->seq, path, sizeof(path));
        p->dumper = pcap_dump_open(p->dead, path);
        if (!p->dumper) {
                snprintf(err, errlen, "cannot write %s: %s", path, pcap_geterr(p->dead));
                return -EIO;
        }
        /* Keep at most keep_files files of this queue: remove the oldest. */
        while (p->spec.keep_files > 0 && p->seq - p->oldest + 1 > (uint64_t) p->spec.keep_files) {
                file_name(p, p->oldest++, path, sizeof(path));
                (void) unlink(path);
        }
        return 0;
}

int pcap_out_open(const char *dir, const AgentOutput *o, unsigned queue, int64_t snaplen,
                  PcapOut **ret, char *err, size_t errlen) {
        PcapOut *p = calloc(1, sizeof(*p));
        int r;

        if (!p)
                return -ENOMEM;
        snprintf(p->dir, sizeof(p->dir), "%s", dir);
        p->spec = *o;
        p->queue = queue;
        p->dead = pcap_open_dead_with_tstamp_precision(
                DLT_EN10MB, snaplen > 0 ? (int) snaplen : AGENT_SNAPLEN_MAX,
                PCAP_TSTAMP_PRECISION_NANO);
        if (!p->dead) {
                free(p);
                snprintf(err, errlen, "libpcap: cannot create a handle for writing");
                return -ENOMEM;
        }
        r = open_next(p, err, errlen);
        if (r < 0) {
                pcap_out_close(p);
                return r;
        }
        *ret = p;
        return 0;
}

int pcap_out_write(PcapOut *p, const struct timespec *ts, const void *data, uint32_t caplen,
                   uint32_t len) {
        /* With nanosecond precision, libpcap keeps nanoseconds in tv_usec. */
        struct pcap_pkthdr h = { .ts = { .tv_sec = ts->tv_sec, .tv_usec = ts->tv_nsec },
                                 .caplen = caplen,
                                 .len = len };
        char err[256];

        if (!p->dumper)
                return -EIO;
        if (p->spec.rotate_bytes > 0 && pcap_dump_ftell64(p->dumper) >= p->spec.rotate_bytes) {
                pcap_dump_close(p->dumper);
                p->dumper = NULL;
                p->seq++;
                if (open_next(p, err, sizeof(err)) < 0) {
                        p->failed = true;
                        return -EIO;
                }
        }
        pcap_dump((u_char *) p->dumper, &h, data);
        /* pcap_dump() has no return value; a full disk shows on the stream. */
        if (ferror(pcap_dump_file(p->dumper))) {
                clearerr(pcap_dump_file(p->dumper));
                return -EIO;
        }
        return 0;
}

void pcap_out_close(PcapOut *p) {
        if (!p)
                return;
        if (p->dumper)
                pcap_dump_close(p->dumper);
        pcap_close(p->dead);
        free(p);
}
