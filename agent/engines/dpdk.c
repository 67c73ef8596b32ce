/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dpdk: a poll-mode receive loop per queue on its own EAL worker lcore, on a
 * VF the agent hands to vfio-pci (and gives back on stop), or on a DPDK
 * virtual device (net_null, net_pcap) for tests. Counters come from the loop
 * itself, rte_eth_stats (imissed, ierrors, rx_nombuf) and xstats.
 *
 * This is the only file built with DPDK's compiler flags (-march=corei7 and
 * its include paths), so the rest of the agent stays portable.
 */
#include <errno.h>
#include <pthread.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_version.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "engine.h"
#include "log.h"
#include "macros.h"
#include "pcapout.h"
#include "pcibind.h"

#define BURST 32
#define RX_DESC 1024
#define TX_DESC 512
#define POOL_PER_QUEUE 8191 /* mbufs: ring plus bursts in flight, a 2^n-1 as DPDK prefers */
#define POOL_CACHE 256
#define DRAIN_USEC 10000
#define MAX_FRAME 65535 /* what a pcap record can hold */ /* on stop, keep taking frames the NIC already holds this long */

/* PMDs that report 0 for a counter they do not keep ("unsupported = 0" in
 * DPDK's documentation): VFs have no missed-packet counter in hardware, and
 * some virtual devices count no bytes. Those figures are unknown, not 0. */
static const struct {
        const char *pmd;
        bool no_missed, no_bytes;
} pmd_quirks[] = {
        { "net_e1000_igb_vf", true, false },
        { "net_ixgbe_vf", true, false },
        { "net_iavf", true, false },
        { "net_null", true, true },
        { "net_pcap", true, false },
        { "net_ring", true, true },
};

/* The EAL is process-wide and can be initialised only once in a process's
 * life, whatever happens after: its outcome is process state, kept here. */
static struct {
        bool tried, ok;
        char error[200];
        char *args; /* the EAL keeps pointers into its argv for its lifetime */
} eal;

typedef struct DpdkQueue {
        QueueCounters c;
        struct Dpdk *d;
        uint8_t *frame; /* a frame made contiguous for the pcap output (GRO'd frames are large) */
        uint16_t queue;
        unsigned lcore;
        PcapOut *out;
        bool launched;
} DpdkQueue;

typedef struct Dpdk {
        Engine base;
        uint16_t port;
        bool port_ok, started;
        char name[RTE_DEV_NAME_MAX_LEN];
        char pmd[64];
        struct rte_device *device;
        struct rte_mempool *pool;
        PciBinding binding;
        const AgentOptions *opts;
        unsigned n;
        DpdkQueue *queues;
        _Atomic bool stop;
        bool stopped, missed_known, bytes_known;
        /* xstats ids of the NIC counters, -1 when the PMD has no such name */
        int64_t xid[4];
} Dpdk;

static const char *const xstat_names[] = { "rx_good_packets", "rx_good_bytes", "rx_errors",
                                           "rx_missed_errors" };

static int eal_init(const AgentOptions *o) {
        char *copy, *save = NULL;
        char *argv[64];
        int argc = 0, r;
        cpu_set_t before;

        if (eal.tried)
                return eal.ok ? 0 : -EIO;
        eal.tried = true;
        copy = eal.args = strdup(o->dpdk_eal);
        if (!copy) {
                snprintf(eal.error, sizeof(eal.error), "out of memory");
                return -ENOMEM;
        }
        argv[argc++] = (char *) "nfvcap-agent";
        for (char *t = strtok_r(copy, " \t", &save); t && argc < (int) ELEMENTSOF(argv) - 1;
             t = strtok_r(NULL, " \t", &save))
                argv[argc++] = t;
        argv[argc] = NULL;

        /* The EAL pins the calling thread to the main lcore's CPU. That thread
         * is the agent's event loop, which has no reason to be pinned: put its
         * affinity back afterwards. */
        pthread_getaffinity_np(pthread_self(), sizeof(before), &before);
        r = rte_eal_init(argc, argv);
        pthread_setaffinity_np(pthread_self(), sizeof(before), &before);
        if (r < 0) {
                snprintf(eal.error, sizeof(eal.error), "EAL initialisation with \"%s\" failed: %s",
                         o->dpdk_eal, rte_strerror(rte_errno));
                return -EIO;
        }
        eal.ok = true;
        log_info("DPDK EAL ready: %u lcore(s), arguments \"%s\"", rte_lcore_count(), o->dpdk_eal);
        return 0;
}

static void probe(const AgentOptions *o _unused_, AgentEngineInfo *info) {
        agent_text_printf(info->version, sizeof(info->version), "%s", rte_version());
        info->available = !(eal.tried && !eal.ok);
        if (!info->available)
                agent_text_printf(info->reason, sizeof(info->reason), "%s (the EAL cannot be retried "
                         "without restarting the agent)", eal.error);
}

/* Give a burst back to its pool and return the frames' total length, in one
 * pass over the mbufs. Reading pkt_len in a pass of its own, before
 * rte_pktmbuf_free_bulk(), cost about 10% of the receive rate on net_null
 * (make bench); folded into the free, whose loop touches the same cache
 * line, it is close to free. The free path is rte_pktmbuf_free_bulk()'s. */
static inline uint64_t free_burst(struct rte_mbuf **pkts, uint16_t n) {
        void *pending[BURST];
        struct rte_mempool *pool = NULL;
        unsigned np = 0;
        uint64_t bytes = 0;

        for (uint16_t i = 0; i < n; i++) {
                struct rte_mbuf *m = pkts[i];
                bytes += m->pkt_len;
                if (unlikely(m->nb_segs > 1)) {
                        rte_pktmbuf_free(m); /* chains are rare: the general path */
                        continue;
                }
                m = rte_pktmbuf_prefree_seg(m);
                if (unlikely(!m))
                        continue; /* still referenced elsewhere */
                if (unlikely(m->pool != pool)) {
                        if (np)
                                rte_mempool_put_bulk(pool, pending, np);
                        np = 0;
                        pool = m->pool;
                }
                pending[np++] = m;
        }
        if (np)
                rte_mempool_put_bulk(pool, pending, np);
        return bytes;
}

static int rx_loop(void *arg) {
        DpdkQueue *q = arg;
        Dpdk *d = q->d;
        struct rte_mbuf *pkts[BURST];
        uint64_t packets = 0, bytes = 0, drain_until = 0;
        uint32_t snaplen = d->base.spec.snaplen > 0 ? (uint32_t) d->base.spec.snaplen : UINT32_MAX;

        for (;;) {
                uint16_t n = rte_eth_rx_burst(d->port, q->queue, pkts, BURST);
                if (n == 0) {
                        if (atomic_load_explicit(&d->stop, memory_order_relaxed) &&
                            (!drain_until || rte_get_timer_cycles() >= drain_until))
                                break;
                        rte_pause();
                        continue;
                }
                if (q->out) {
                        struct timespec ts;
                        clock_gettime(CLOCK_REALTIME, &ts);
                        for (uint16_t i = 0; i < n; i++) {
                                uint32_t len = pkts[i]->pkt_len;
                                uint32_t cap = len < snaplen ? len : snaplen;
                                const void *data;
                                if (cap > MAX_FRAME)
                                        cap = MAX_FRAME;
                                data = rte_pktmbuf_read(pkts[i], 0, cap, q->frame);
                                if (!data || pcap_out_write(q->out, &ts, data, cap, len) < 0)
                                        atomic_fetch_add_explicit(&q->c.output_drops, 1,
                                                                  memory_order_relaxed);
                        }
                }
                bytes += free_burst(pkts, n);
                packets += n;
                queue_counters_publish(&q->c, packets, bytes);
                /* Told to stop: what the NIC already holds still counts, for a
                 * bounded time (a virtual device may never run dry). */
                if (!drain_until && atomic_load_explicit(&d->stop, memory_order_relaxed))
                        drain_until = rte_get_timer_cycles() +
                                      rte_get_timer_hz() * DRAIN_USEC / 1000000;
                else if (drain_until && rte_get_timer_cycles() >= drain_until)
                        break;
        }
        return 0;
}

static bool is_vdev(const char *device) {
        return startswith(device, "net_");
}

static void dpdk_stop(Engine *e) {
        Dpdk *d = (Dpdk *) e;
        if (d->stopped)
                return;
        d->stopped = true;
        atomic_store(&d->stop, true);
        for (unsigned i = 0; i < d->n; i++)
                if (d->queues[i].launched)
                        rte_eal_wait_lcore(d->queues[i].lcore);
}

static void dpdk_free(Engine *e) {
        Dpdk *d = (Dpdk *) e;
        int r;

        dpdk_stop(e);
        if (d->port_ok) {
                if (d->started)
                        (void) rte_eth_dev_stop(d->port);
                (void) rte_eth_dev_close(d->port);
        }
        /* Detach the device from the EAL so vfio lets go of it. */
        if (d->device && (r = rte_dev_remove(d->device)) < 0)
                log_warning("DPDK: cannot detach %s: %s", d->name, rte_strerror(-r));
        for (unsigned i = 0; d->queues && i < d->n; i++) {
                pcap_out_close(d->queues[i].out);
                free(d->queues[i].frame);
        }
        rte_mempool_free(d->pool);
        pci_bind_restore(d->opts->root, &d->binding);
        free(d->queues);
        free(d);
}

/* Find the device's DPDK name (and hand a VF to vfio-pci). */
static int prepare_device(Dpdk *d, const AgentCaptureSpec *spec, char *devargs, size_t n,
                          EngineError *err) {
        const AgentOptions *o = d->opts;
        DeviceRef dev;
        char msg[256];
        int r;

        if (is_vdev(spec->device)) {
                snprintf(devargs, n, "%s", spec->device);
                snprintf(d->name, sizeof(d->name), "%.*s", (int) strcspn(spec->device, ","),
                         spec->device);
                return 0;
        }
        r = device_resolve(o->root, spec->device, &dev);
        if (r < 0 || !dev.pci[0])
                return engine_fail(err, AGENT_ERR_INVALID_ARGUMENT,
                                   "dpdk needs a PCI device (an address or its interface); "
                                   "\"%s\" %s",
                                   spec->device, r == -ENODEV ? "does not exist in this guest"
                                                 : r < 0      ? "is neither"
                                                              : "is not a PCI device");
        if (!streq(dev.driver, "vfio-pci") &&
            pci_bind(o->root, dev.pci, "vfio-pci", &d->binding, msg, sizeof(msg)) < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s", msg);
        snprintf(devargs, n, "%s", dev.pci);
        snprintf(d->name, sizeof(d->name), "%s", dev.pci);
        return 0;
}

static int configure_port(Dpdk *d, EngineError *err) {
        struct rte_eth_conf conf = { 0 };
        struct rte_eth_dev_info info;
        uint16_t nb_rxd = RX_DESC, nb_txd = TX_DESC;
        int socket = rte_eth_dev_socket_id(d->port), r;

        r = rte_eth_dev_info_get(d->port, &info);
        if (r < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s: device info: %s", d->name,
                                   rte_strerror(-r));
        d->device = info.device;
        snprintf(d->pmd, sizeof(d->pmd), "%s", info.driver_name);
        if (d->n > info.max_rx_queues)
                return engine_fail(err, AGENT_ERR_INVALID_ARGUMENT,
                                   "%s (%s) has at most %u receive queue(s)", d->name,
                                   info.driver_name, info.max_rx_queues);
        if (d->n > 1) {
                /* Spread flows over the queues by RSS, as the NIC can. */
                conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
                conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
                                                   (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
                                                    RTE_ETH_RSS_UDP);
        }
        r = rte_eth_dev_configure(d->port, (uint16_t) d->n, 1, &conf);
        if (r >= 0)
                r = rte_eth_dev_adjust_nb_rx_tx_desc(d->port, &nb_rxd, &nb_txd);
        for (uint16_t q = 0; r >= 0 && q < d->n; q++)
                r = rte_eth_rx_queue_setup(d->port, q, nb_rxd, (unsigned) socket, NULL, d->pool);
        /* Some PMDs refuse to start without a transmit queue; it stays idle. */
        if (r >= 0)
                r = rte_eth_tx_queue_setup(d->port, 0, nb_txd, (unsigned) socket, NULL);
        if (r < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s: configuring %u queue(s): %s",
                                   d->name, d->n, rte_strerror(-r));
        r = rte_eth_promiscuous_enable(d->port);
        if (r < 0)
                log_notice("%s: no promiscuous mode (%s); the VF receives what the PF gives it",
                           d->name, rte_strerror(-r));
        (void) rte_eth_stats_reset(d->port);
        (void) rte_eth_xstats_reset(d->port);
        r = rte_eth_dev_start(d->port);
        if (r < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s: start: %s", d->name,
                                   rte_strerror(-r));
        d->started = true;
        for (size_t i = 0; i < ELEMENTSOF(xstat_names); i++) {
                uint64_t id;
                d->xid[i] = rte_eth_xstats_get_id_by_name(d->port, xstat_names[i], &id) == 0
                                    ? (int64_t) id
                                    : -1;
        }
        d->missed_known = d->bytes_known = true;
        for (size_t i = 0; i < ELEMENTSOF(pmd_quirks); i++)
                if (streq(d->pmd, pmd_quirks[i].pmd)) {
                        d->missed_known = !pmd_quirks[i].no_missed;
                        d->bytes_known = !pmd_quirks[i].no_bytes;
                }
        return 0;
}

static int dpdk_start(const AgentOptions *o, const AgentCaptureSpec *spec, Engine **ret,
                      EngineError *err) {
        static unsigned generation; /* mempool names must be unique in the EAL */
        char devargs[256], pool[RTE_MEMPOOL_NAMESIZE], msg[256];
        unsigned lcore, workers;
        Dpdk *d;
        int r;

        /* Refuse what can be refused before the EAL starts: it cannot be undone. */
        if (is_vdev(spec->device) && !o->allow_vdev)
                return engine_fail(err, AGENT_ERR_INVALID_ARGUMENT,
                                   "%s is a DPDK virtual device; those are for tests (start the "
                                   "agent with --allow-vdev)",
                                   spec->device);
        d = calloc(1, sizeof(*d));
        if (!d)
                return engine_fail(err, AGENT_ERR_INTERNAL, "out of memory");
        d->base.ops = &dpdk_engine;
        d->base.spec = *spec;
        d->opts = o;
        d->n = (unsigned) spec->queues;
        d->queues = aligned_alloc(64, sizeof(DpdkQueue) * d->n);
        if (!d->queues) {
                free(d);
                return engine_fail(err, AGENT_ERR_INTERNAL, "out of memory");
        }
        memset(d->queues, 0, sizeof(DpdkQueue) * d->n);

        /* The device first: a VF is given to vfio-pci (loading the module)
         * before the EAL starts, because the EAL sets up VFIO only if the
         * module is there when it initialises. */
        if (prepare_device(d, spec, devargs, sizeof(devargs), err) < 0)
                goto fail;
        if (eal_init(o) < 0) {
                engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s", eal.error);
                goto fail;
        }
        workers = rte_lcore_count() - 1;
        if (spec->queues > (int64_t) workers) {
                engine_fail(err, AGENT_ERR_INVALID_ARGUMENT,
                            "%lld queue(s) need as many EAL worker lcores; the EAL has %u (set -l "
                            "in --dpdk-eal)",
                            (long long) spec->queues, workers);
                goto fail;
        }
        if (rte_eth_dev_get_port_by_name(d->name, &d->port) != 0) {
                r = rte_dev_probe(devargs);
                if (r < 0) {
                        engine_fail(err, AGENT_ERR_ENGINE_FAILED, "cannot attach %s: %s", devargs,
                                    rte_strerror(-r));
                        goto fail;
                }
                if (rte_eth_dev_get_port_by_name(d->name, &d->port) != 0) {
                        engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s attached but has no port",
                                    d->name);
                        goto fail;
                }
        }
        d->port_ok = true;
        snprintf(pool, sizeof(pool), "nfvcap%u", generation++);
        d->pool = rte_pktmbuf_pool_create(pool, POOL_PER_QUEUE * d->n, POOL_CACHE, 0,
                                          RTE_MBUF_DEFAULT_BUF_SIZE,
                                          rte_eth_dev_socket_id(d->port));
        if (!d->pool) {
                engine_fail(err, AGENT_ERR_ENGINE_FAILED, "no memory for %u mbufs: %s (more "
                            "hugepages, or -m in --dpdk-eal)",
                            POOL_PER_QUEUE * d->n, rte_strerror(rte_errno));
                goto fail;
        }
        if (configure_port(d, err) < 0)
                goto fail;

        lcore = rte_get_next_lcore(-1, 1, 0);
        for (unsigned i = 0; i < d->n; i++, lcore = rte_get_next_lcore(lcore, 1, 0)) {
                DpdkQueue *q = &d->queues[i];
                q->d = d;
                q->queue = (uint16_t) i;
                q->lcore = lcore;
                if (spec->output.format == AGENT_OUTPUT_PCAP) {
                        q->frame = malloc(MAX_FRAME);
                        if (!q->frame ||
                            pcap_out_open(o->output_dir, &spec->output, i, spec->snaplen, &q->out,
                                          msg, sizeof(msg)) < 0) {
                                engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s",
                                            q->frame ? msg : "out of memory");
                                goto fail;
                        }
                }
                r = rte_eal_remote_launch(rx_loop, q, lcore);
                if (r < 0) {
                        engine_fail(err, AGENT_ERR_ENGINE_FAILED, "lcore %u is busy", lcore);
                        goto fail;
                }
                q->launched = true;
        }
        log_info("DPDK capture on %s (%s), port %u, %u queue(s)", d->name, d->pmd, d->port, d->n);
        *ret = &d->base;
        return 0;
fail:
        dpdk_free(&d->base);
        return -1;
}

static void dpdk_counters(Engine *e, EngineCounters *c) {
        Dpdk *d = (Dpdk *) e;
        struct rte_eth_stats st;
        uint64_t ids[ELEMENTSOF(xstat_names)], values[ELEMENTSOF(xstat_names)];
        int64_t x[ELEMENTSOF(xstat_names)];
        unsigned nid = 0;
        char source[sizeof(c->source) + 64];

        snprintf(source, sizeof(source), "DPDK rx_burst loop and rte_eth_stats (%s, %s)", d->name,
                 d->pmd);
        agent_text_set(c->source, sizeof(c->source), source);
        c->n_queues = d->n;
        for (unsigned i = 0; i < d->n; i++) {
                DpdkQueue *q = &d->queues[i];
                c->queues[i].packets = (int64_t) atomic_load_explicit(&q->c.packets,
                                                                      memory_order_relaxed);
                c->queues[i].bytes = (int64_t) atomic_load_explicit(&q->c.bytes,
                                                                    memory_order_relaxed);
                c->queues[i].drops = -1; /* the NIC counts drops per port, not per queue */
                c->packets += c->queues[i].packets;
                c->bytes += c->queues[i].bytes;
        }
        if (d->base.spec.output.format != AGENT_OUTPUT_NONE) {
                c->drops[AGENT_DROP_OUTPUT] = 0;
                for (unsigned i = 0; i < d->n; i++)
                        c->drops[AGENT_DROP_OUTPUT] += (int64_t) atomic_load_explicit(
                                &d->queues[i].c.output_drops, memory_order_relaxed);
        }
        if (rte_eth_stats_get(d->port, &st) == 0) {
                c->drops[AGENT_DROP_NOMBUF] = (int64_t) st.rx_nombuf;
                c->drops[AGENT_DROP_NIC_ERRORS] = (int64_t) st.ierrors;
                if (d->missed_known)
                        c->drops[AGENT_DROP_NIC_MISSED] = (int64_t) st.imissed;
        }

        /* The NIC's view, from xstats by their standard names. */
        for (size_t i = 0; i < ELEMENTSOF(xstat_names); i++)
                if (d->xid[i] >= 0)
                        ids[nid++] = (uint64_t) d->xid[i];
        for (size_t i = 0; i < ELEMENTSOF(x); i++)
                x[i] = -1;
        if (nid && rte_eth_xstats_get_by_id(d->port, ids, values, nid) == (int) nid)
                for (size_t i = 0, k = 0; i < ELEMENTSOF(xstat_names); i++)
                        if (d->xid[i] >= 0)
                                x[i] = values[k] <= INT64_MAX ? (int64_t) values[k++] : (k++, -1);
        c->nic = (AgentNicCounters){ .present = true,
                                     .rx_packets = x[0],
                                     .rx_bytes = d->bytes_known ? x[1] : -1,
                                     .rx_dropped = -1,
                                     .rx_errors = x[2],
                                     .rx_missed = d->missed_known ? x[3] : -1 };
        snprintf(source, sizeof(source), "rte_eth_xstats of %s (%s)", d->name, d->pmd);
        agent_text_set(c->nic.source, sizeof(c->nic.source), source);
}

static bool dpdk_failed(Engine *e _unused_, char *why _unused_, size_t n _unused_) {
        /* The receive loops cannot fail: rx_burst has no error path. */
        return false;
}

const EngineOps dpdk_engine = {
        .id = AGENT_ENGINE_DPDK,
        .probe = probe,
        .start = dpdk_start,
        .counters = dpdk_counters,
        .failed = dpdk_failed,
        .stop = dpdk_stop,
        .free = dpdk_free,
};
