/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * afpacket: the portable engine. One AF_PACKET socket per queue, each with a
 * TPACKET_V3 ring mapped into the agent, joined into one PACKET_FANOUT group
 * so the kernel spreads flows over the worker threads. Works with any driver
 * (igbvf, ixgbevf, virtio, veth). Drops are the kernel's: PACKET_STATISTICS
 * counts frames that found the ring full.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices.h"
#include "engine.h"
#include "macros.h"
#include "pcapout.h"

/* Ring geometry. 1 MiB blocks hold hundreds of frames; 64 MiB per capture
 * rides out bursts at 10 Gb/s for tens of milliseconds. A block is handed to
 * user space when full or after RETIRE_MS, which bounds how stale a count
 * can be at low rates. */
#define BLOCK_SIZE (1u << 20)
#define RING_BYTES_TOTAL (64u << 20)
#define MIN_BLOCKS 8u
#define FRAME_SIZE 2048u
#define RETIRE_MS 10u

typedef struct AfWorker {
        QueueCounters c; /* first: its own cache line */
        struct AfPacket *af;
        unsigned queue;
        int fd;
        uint8_t *ring;
        size_t ring_size;
        unsigned blocks;
        PcapOut *out;
        pthread_t thread;
        bool started;
        /* Read by the main thread from PACKET_STATISTICS, which resets on read. */
        int64_t kernel_drops, kernel_freezes;
} AfWorker;

typedef struct AfPacket {
        Engine base;
        bool stopped;
        int stop_fd; /* eventfd: readable when the workers must finish */
        unsigned n;
        AfWorker *workers;
        _Atomic bool failed;
        char why[128];
} AfPacket;

static void probe(const AgentOptions *o _unused_, AgentEngineInfo *info) {
        int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                info->available = false;
                agent_text_printf(info->reason, sizeof(info->reason),
                         "cannot open an AF_PACKET socket: %s (the agent needs CAP_NET_RAW)",
                         strerror(errno));
                return;
        }
        close(fd);
        info->available = true;
        agent_text_printf(info->version, sizeof(info->version), "TPACKET_V3");
}

/* Walk one block the kernel handed over: count, and write to the output. */
static void walk_block(AfWorker *w, struct tpacket_block_desc *bd, uint64_t *packets,
                       uint64_t *bytes) {
        uint32_t n = bd->hdr.bh1.num_pkts;
        struct tpacket3_hdr *h = (struct tpacket3_hdr *) ((uint8_t *) bd +
                                                          bd->hdr.bh1.offset_to_first_pkt);
        for (uint32_t i = 0; i < n; i++) {
                *packets += 1;
                *bytes += h->tp_len;
                if (w->out) {
                        struct timespec ts = { h->tp_sec, h->tp_nsec };
                        if (pcap_out_write(w->out, &ts, (uint8_t *) h + h->tp_mac, h->tp_snaplen,
                                           h->tp_len) < 0)
                                atomic_fetch_add_explicit(&w->c.output_drops, 1,
                                                          memory_order_relaxed);
                }
                h = (struct tpacket3_hdr *) ((uint8_t *) h + h->tp_next_offset);
        }
}

static void *worker_main(void *arg) {
        AfWorker *w = arg;
        uint64_t packets = 0, bytes = 0;
        unsigned idx = 0, idle_after_stop = 0;
        bool stopping = false;

        for (;;) {
                struct tpacket_block_desc *bd =
                        (struct tpacket_block_desc *) (w->ring + (size_t) idx * BLOCK_SIZE);
                struct pollfd p[2] = { { .fd = w->fd, .events = POLLIN | POLLERR },
                                       { .fd = w->af->stop_fd, .events = POLLIN } };

                if (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) {
                        walk_block(w, bd, &packets, &bytes);
                        queue_counters_publish(&w->c, packets, bytes);
                        __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
                                         __ATOMIC_RELEASE);
                        idx = (idx + 1) % w->blocks;
                        idle_after_stop = 0;
                        continue;
                }
                /* On stop, frames already in the ring still count: keep taking
                 * blocks until two retire periods pass with none. */
                if (stopping && ++idle_after_stop > 2)
                        break;
                if (poll(p, stopping ? 1 : 2, stopping ? (int) RETIRE_MS : -1) < 0 && errno != EINTR) {
                        snprintf(w->af->why, sizeof(w->af->why), "queue %u: poll: %s", w->queue,
                                 strerror(errno));
                        atomic_store(&w->af->failed, true);
                        break;
                }
                if (p[0].revents & POLLERR) {
                        int err = 0;
                        socklen_t len = sizeof(err);
                        getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                        if (err == ENETDOWN)
                                continue; /* the link went down; frames resume when it is up */
                }
                if (!stopping && (p[1].revents & POLLIN))
                        stopping = true;
        }
        return NULL;
}

static int setup_socket(AfWorker *w, int ifindex, const AgentCaptureSpec *spec, int fanout_id,
                        EngineError *err) {
        int version = TPACKET_V3, one = 1;
        struct tpacket_req3 req = { 0 };
        struct sockaddr_ll sll = { .sll_family = AF_PACKET,
                                   .sll_protocol = htons(ETH_P_ALL),
                                   .sll_ifindex = ifindex };

        /* Protocol 0: the socket sees nothing until it is bound to the
         * interface, so no frame from another interface is ever counted. */
        w->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
        if (w->fd < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "AF_PACKET socket: %s",
                                   strerror(errno));
        if (setsockopt(w->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "TPACKET_V3: %s", strerror(errno));
        /* What the NIC received, not what this guest sends. */
        (void) setsockopt(w->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
        if (spec->snaplen > 0) {
                /* The kernel copies as much of a frame as the filter returns. */
                struct sock_filter keep = BPF_STMT(BPF_RET | BPF_K, (uint32_t) spec->snaplen);
                struct sock_fprog prog = { .len = 1, .filter = &keep };
                if (setsockopt(w->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
                        return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "snaplen filter: %s",
                                           strerror(errno));
        }
        w->blocks = RING_BYTES_TOTAL / BLOCK_SIZE / w->af->n;
        if (w->blocks < MIN_BLOCKS)
                w->blocks = MIN_BLOCKS;
        req.tp_block_size = BLOCK_SIZE;
        req.tp_block_nr = w->blocks;
        req.tp_frame_size = FRAME_SIZE;
        req.tp_frame_nr = BLOCK_SIZE / FRAME_SIZE * w->blocks;
        req.tp_retire_blk_tov = RETIRE_MS;
        if (setsockopt(w->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "PACKET_RX_RING (%u x %u bytes): %s",
                                   w->blocks, BLOCK_SIZE, strerror(errno));
        w->ring_size = (size_t) w->blocks * BLOCK_SIZE;
        w->ring = mmap(NULL, w->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED |
                                                                    MAP_POPULATE, w->fd, 0);
        if (w->ring == MAP_FAILED) {
                /* MAP_LOCKED needs RLIMIT_MEMLOCK room; the ring works unlocked too. */
                w->ring = mmap(NULL, w->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, 0);
                if (w->ring == MAP_FAILED) {
                        w->ring = NULL;
                        return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "mmap of the ring: %s",
                                           strerror(errno));
                }
        }
        if (bind(w->fd, (struct sockaddr *) &sll, sizeof(sll)) < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "bind to %s: %s", spec->device,
                                   strerror(errno));
        if (w->af->n > 1) {
                /* Hash fanout keeps each flow on one queue, in order. */
                int arg = fanout_id | (PACKET_FANOUT_HASH << 16);
                if (setsockopt(w->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
                        return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "PACKET_FANOUT: %s",
                                           strerror(errno));
        }
        return 0;
}

static void af_free(AfPacket *af) {
        for (unsigned i = 0; af->workers && i < af->n; i++) {
                AfWorker *w = &af->workers[i];
                if (w->ring)
                        munmap(w->ring, w->ring_size);
                if (w->fd >= 0)
                        close(w->fd);
                pcap_out_close(w->out);
        }
        if (af->stop_fd >= 0)
                close(af->stop_fd);
        free(af->workers);
        free(af);
}

static void af_stop(Engine *e) {
        AfPacket *af = (AfPacket *) e;
        uint64_t one = 1;

        if (af->stopped)
                return;
        af->stopped = true;
        /* An eventfd write fails only on counter overflow. */
        (void) !write(af->stop_fd, &one, sizeof(one));
        for (unsigned i = 0; i < af->n; i++)
                if (af->workers[i].started)
                        pthread_join(af->workers[i].thread, NULL);
}

static void af_destroy(Engine *e) {
        af_stop(e);
        af_free((AfPacket *) e);
}

static int af_start(const AgentOptions *o, const AgentCaptureSpec *spec, Engine **ret,
                    EngineError *err) {
        AfPacket *af;
        DeviceRef dev;
        unsigned ifindex;
        int r;

        r = device_resolve(o->root, spec->device, &dev);
        if (r < 0 || !dev.netdev[0])
                return engine_fail(err, AGENT_ERR_INVALID_ARGUMENT,
                                   "afpacket needs a network interface; \"%s\" %s", spec->device,
                                   r == -ENODEV ? "does not exist in this guest"
                                   : r < 0      ? "is not an interface name or PCI address"
                                                : "has no interface (bound to a userspace driver?)");
        ifindex = if_nametoindex(dev.netdev);
        if (ifindex == 0)
                return engine_fail(err, AGENT_ERR_INVALID_ARGUMENT, "interface %s: %s", dev.netdev,
                                   strerror(errno));

        af = calloc(1, sizeof(*af));
        if (!af)
                return engine_fail(err, AGENT_ERR_INTERNAL, "out of memory");
        af->base.ops = &afpacket_engine;
        af->base.spec = *spec;
        snprintf(af->base.netdev, sizeof(af->base.netdev), "%s", dev.netdev);
        snprintf(af->base.driver, sizeof(af->base.driver), "%s", dev.driver);
        af->n = (unsigned) spec->queues;
        af->stop_fd = eventfd(0, EFD_CLOEXEC);
        af->workers = aligned_alloc(64, sizeof(AfWorker) * af->n);
        if (af->stop_fd < 0 || !af->workers) {
                af_free(af);
                return engine_fail(err, AGENT_ERR_INTERNAL, "out of resources");
        }
        memset(af->workers, 0, sizeof(AfWorker) * af->n);
        for (unsigned i = 0; i < af->n; i++) {
                af->workers[i].fd = -1;
                af->workers[i].af = af;
                af->workers[i].queue = i;
        }

        for (unsigned i = 0; i < af->n; i++) {
                AfWorker *w = &af->workers[i];
                char msg[256];
                if (setup_socket(w, (int) ifindex, spec, getpid() & 0xffff, err) < 0)
                        goto fail;
                if (spec->output.format == AGENT_OUTPUT_PCAP &&
                    pcap_out_open(o->output_dir, &spec->output, i, spec->snaplen, &w->out, msg,
                                  sizeof(msg)) < 0) {
                        engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s", msg);
                        goto fail;
                }
        }
        for (unsigned i = 0; i < af->n; i++) {
                r = pthread_create(&af->workers[i].thread, NULL, worker_main, &af->workers[i]);
                if (r != 0) {
                        engine_fail(err, AGENT_ERR_ENGINE_FAILED, "cannot start a thread: %s",
                                    strerror(r));
                        goto fail;
                }
                af->workers[i].started = true;
        }
        *ret = &af->base;
        return 0;
fail:
        af_destroy(&af->base);
        return -1;
}

static void af_counters(Engine *e, EngineCounters *c) {
        AfPacket *af = (AfPacket *) e;

        snprintf(c->source, sizeof(c->source), "AF_PACKET TPACKET_V3 ring, PACKET_STATISTICS");
        c->packets = c->bytes = 0;
        c->drops[AGENT_DROP_SOCKET_RING_FULL] = 0;
        c->drops[AGENT_DROP_SOCKET_FREEZE] = 0;
        /* Without an output file nothing can fail to be written: unknown, not 0. */
        if (af->base.spec.output.format != AGENT_OUTPUT_NONE)
                c->drops[AGENT_DROP_OUTPUT] = 0;
        c->n_queues = af->n;
        for (unsigned i = 0; i < af->n; i++) {
                AfWorker *w = &af->workers[i];
                struct tpacket_stats_v3 st = { 0 };
                socklen_t len = sizeof(st);
                uint64_t out_drops = atomic_load_explicit(&w->c.output_drops, memory_order_relaxed);

                /* The kernel zeroes these on every read: keep the running sums. */
                if (getsockopt(w->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
                        w->kernel_drops += st.tp_drops;
                        w->kernel_freezes += st.tp_freeze_q_cnt;
                }
                c->queues[i].packets = (int64_t) atomic_load_explicit(&w->c.packets,
                                                                      memory_order_relaxed);
                c->queues[i].bytes = (int64_t) atomic_load_explicit(&w->c.bytes,
                                                                    memory_order_relaxed);
                c->queues[i].drops = w->kernel_drops + w->kernel_freezes;
                c->packets += c->queues[i].packets;
                c->bytes += c->queues[i].bytes;
                c->drops[AGENT_DROP_SOCKET_RING_FULL] += w->kernel_drops;
                c->drops[AGENT_DROP_SOCKET_FREEZE] += w->kernel_freezes;
                if (c->drops[AGENT_DROP_OUTPUT] >= 0)
                        c->drops[AGENT_DROP_OUTPUT] += (int64_t) out_drops;
        }
}

static bool af_failed(Engine *e, char *why, size_t n) {
        AfPacket *af = (AfPacket *) e;
        if (!atomic_load(&af->failed))
                return false;
        snprintf(why, n, "%s", af->why);
        return true;
}

const EngineOps afpacket_engine = {
        .id = AGENT_ENGINE_AFPACKET,
        .probe = probe,
        .start = af_start,
        .counters = af_counters,
        .failed = af_failed,
        .stop = af_stop,
        .free = af_destroy,
};
