/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * regio-bench: the cost of one verified register write (read, write, read
 * back — what nfvcapd's register module does for every write) on a PF's
 * BAR0, beside the same three accesses on ordinary memory in the same run.
 *
 *   regio-bench SYSFS_ROOT PF VF N
 *
 * Toggles the broadcast flag of VF's pool N times and leaves it as it was.
 * Output: "verified_write_ns=... memory_rmw_ns=... writes=N".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hw/regio.h"

static double now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}

int main(int argc, char **argv) {
        _cleanup_(sysfs_freep) Sysfs *s = NULL;
        _cleanup_(regio_closep) RegIo *io = NULL;
        volatile uint32_t *mem;
        uint32_t reg, old, now, bit, start_value;
        char why[512];
        double t0, bar_ns, mem_ns;
        long n;

        if (argc != 5 || (n = atol(argv[4])) <= 0) {
                fprintf(stderr, "usage: regio-bench SYSFS_ROOT PF VF N\n");
                return 2;
        }
        if (sysfs_open(argv[1], &s) < 0 || regio_open(s, argv[2], &io, why, sizeof(why)) < 0) {
                fprintf(stderr, "regio-bench: %s\n", why);
                return 1;
        }
        reg = regio_model(io)->pool_rx_reg(nic_vf_pool((unsigned) atoi(argv[3])));
        bit = 1u << 27; /* BAM on both families */
        if (regio_read(io, reg, &start_value) < 0)
                return 1;

        t0 = now_ns();
        for (long i = 0; i < n; i++)
                if (regio_rmw(io, reg, bit, (i & 1) ? 0 : bit, &old, &now) < 0) {
                        fprintf(stderr, "regio-bench: write %ld did not read back\n", i);
                        return 1;
                }
        bar_ns = (now_ns() - t0) / (double) n;
        regio_rmw(io, reg, ~0u, start_value, &old, &now);

        /* The same read / write / read on memory: what is left is the device's cost. */
        mem = calloc(1, 4096);
        t0 = now_ns();
        for (long i = 0; i < n; i++) {
                uint32_t v = mem[7];
                mem[7] = (v & ~bit) | ((i & 1) ? 0 : bit);
                if (mem[7] != ((v & ~bit) | ((i & 1) ? 0 : bit)))
                        return 1;
        }
        mem_ns = (now_ns() - t0) / (double) n;
        printf("verified_write_ns=%.0f memory_rmw_ns=%.1f writes=%ld\n", bar_ns, mem_ns, n);
        free((void *) mem);
        return 0;
}
