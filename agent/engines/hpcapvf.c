/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hpcapvf: HPCAP's VF driver (hpcn-uam/HPCAP, HPCAP4/driver/hpcap_ixgbevf-2.14.2),
 * the engine the research behind nfvcap measured. The kernel module does the
 * capture: in Mode=2 it polls the VF from kernel threads and writes frames
 * into a per-queue buffer, one character device per queue. This engine loads
 * the module with HPCAP's parameters, hands the VF to it, finds its devices
 * and consumes the buffers (counting, and writing pcap if asked).
 *
 * The interface, as HPCAP defines it:
 *   - module hpcapvf.ko, per-interface array parameters RXQ, TXQ, Core,
 *     Caplen, Mode (1 standard, 2 capture), Dup, Pages, InterruptThrottleRate;
 *   - the interface of adapter N is "hpcapN" in Mode=2 ("xgbN" in Mode=1);
 *   - queue Q of adapter N is char device major 1010+N, minor Q, registered
 *     as "hpcap" in /proc/devices; HPCAP's install script makes the nodes
 *     /dev/hpcap_N_Q itself (the driver creates none);
 *   - ioctls (magic 69) BUFOFF, POPWAIT and OFFSETS on those devices;
 *   - no statistics ioctl: counters are the netdev's and `ethtool -S`'s.
 * Opening a queue's device makes the opener that buffer's listener, which the
 * driver waits for; so the agent must be the consumer, never a bystander.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "engine.h"
#include "engines/hpcap-ring.h"
#include "ethtool.h"
#include "kmod.h"
#include "log.h"
#include "macros.h"
#include "pcapout.h"
#include "pcibind.h"
#include "sysutil.h"

#define HPCAP_MODULE "hpcapvf"
#define HPCAP_MAJOR 1010
#define HPCAP_IOC_MAGIC 69
#define HPCAP_IOC_POPWAIT _IOW(HPCAP_IOC_MAGIC, 3, int *)
#define HPCAP_IOC_BUFOFF _IOR(HPCAP_IOC_MAGIC, 5, int *)
#define HPCAP_IOC_OFFSETS _IOR(HPCAP_IOC_MAGIC, 6, int *)
#define HPCAP_MODE_CAPTURE 2
#define POPWAIT_TIMEOUT_NS (100ull * 1000 * 1000) /* how soon a stop is noticed */
#define MAX_FRAME 16384 /* HPCAP's jumbo limit is 15.5 KiB */

/* The VFs hpcapvf drives: the ixgbevf IDs of its 2.14.2 base. */
static const struct {
        uint16_t vendor, device;
        const char *model;
} supported[] = {
        { 0x8086, 0x10ed, "82599 VF" },
        { 0x8086, 0x1515, "X540 VF" },
};

typedef struct HpQueue {
        QueueCounters c;
        struct Hpcap *hp;
        unsigned queue;
        int fd;
        uint8_t *map;
        size_t map_size;
        HpcapCursor cursor;
        PcapOut *out;
        pthread_t thread;
        bool started;
} HpQueue;

typedef struct Hpcap {
        Engine base;
        const AgentOptions *opts;
        unsigned adapter; /* N of hpcapN */
        char ifname[IF_NAMESIZE];
        PciBinding binding;
        unsigned n;
        HpQueue *queues;
        _Atomic bool stop, failed;
        bool stopped;
        char why[160];
} Hpcap;

static void probe(const AgentOptions *o, AgentEngineInfo *info) {
        char why[200];

        info->available = true;
        if (kmod_loaded(o->root, HPCAP_MODULE)) {
                agent_text_printf(info->reason, sizeof(info->reason), "module %s is loaded", HPCAP_MODULE);
                return;
        }
        if (o->hpcapvf_module) {
                if (access(o->hpcapvf_module, R_OK) == 0)
                        return;
                info->available = false;
                agent_text_printf(info->reason, sizeof(info->reason), "%s: %s", o->hpcapvf_module,
                         strerror(errno));
                return;
        }
        if (kmod_installed(HPCAP_MODULE, why, sizeof(why)))
                return;
        info->available = false;
        agent_text_printf(info->reason, sizeof(info->reason),
                 "%s (HPCAP's VF driver, hpcn-uam/HPCAP HPCAP4/driver/hpcap_ixgbevf-2.14.2: "
                 "install it, or give its .ko with --hpcapvf-module)",
                 why);
}

/* HPCAP's parameters are arrays indexed by adapter, in probe order: give every
 * adapter the same values, as HPCAP's install script does for its interfaces. */
static void module_params(const AgentOptions *o, const AgentCaptureSpec *spec, unsigned adapters,
                          char *buf, size_t n) {
        static const char *const names[] = { "RXQ", "TXQ", "Core", "Caplen", "Mode", "Dup", "Pages" };
        const int64_t values[] = { spec->queues, 1, o->hpcapvf_core, spec->snaplen,
                                   HPCAP_MODE_CAPTURE, o->hpcapvf_dup ? 1 : 0, o->hpcapvf_pages };
        size_t off = 0;

        buf[0] = '\0';
        for (size_t p = 0; p < ELEMENTSOF(names) && off < n; p++) {
                off += (size_t) snprintf(buf + off, n - off, "%s%s=", p ? " " : "", names[p]);
                for (unsigned a = 0; a < adapters && off < n; a++)
                        off += (size_t) snprintf(buf + off, n - off, "%s%" PRId64, a ? "," : "",
                                                 values[p]);
        }
}

static const char *supported_model(const char *root, const char *addr) {
        int64_t vendor, device;
        if (read_int64_at(root, &vendor, "/sys/bus/pci/devices/%s/vendor", addr) < 0 ||
            read_int64_at(root, &device, "/sys/bus/pci/devices/%s/device", addr) < 0)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(supported); i++)
                if (supported[i].vendor == vendor && supported[i].device == device)
                        return supported[i].model;
        return NULL;
}

/* Whether /proc/devices lists char major `major` as "hpcap". */
static bool chardev_registered(const char *root, unsigned major) {
        char path[512], line[128];
        bool in_char = false, found = false;
        FILE *f;

        if (root_path(path, sizeof(path), root, "/proc/devices") < 0 || !(f = fopen(path, "re")))
                return false;
        while (fgets(line, sizeof(line), f)) {
                unsigned m;
                char name[64];
                if (startswith(line, "Character devices:"))
                        in_char = true;
                else if (startswith(line, "Block devices:"))
                        in_char = false;
                else if (in_char && sscanf(line, "%u %63s", &m, name) == 2 && m == major &&
                         streq(name, "hpcap"))
                        found = true;
        }
        fclose(f);
        return found;
}

static int set_up_promisc(const char *ifname) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = { 0 };

        if (fd < 0 || !copy_name(ifr.ifr_name, sizeof(ifr.ifr_name), ifname))
                return -EINVAL;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return negative_errno();
        ifr.ifr_flags |= IFF_UP | IFF_PROMISC;
        return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? negative_errno() : 0;
}

static void *queue_main(void *arg) {
        HpQueue *q = arg;
        Hpcap *hp = q->hp;
        uint8_t *scratch = malloc(MAX_FRAME);
        uint64_t packets = 0, bytes = 0, acks = 0;

        while (scratch && !atomic_load_explicit(&hp->stop, memory_order_relaxed)) {
                /* POPWAIT: give back `acks` bytes, wait (bounded) for more. */
                uint64_t io[3] = { 1, acks, POPWAIT_TIMEOUT_NS };
                HpcapRecord rec;
                int r;

                if (ioctl(q->fd, HPCAP_IOC_POPWAIT, io) < 0) {
                        snprintf(hp->why, sizeof(hp->why), "queue %u: POPWAIT: %s", q->queue,
                                 strerror(errno));
                        atomic_store(&hp->failed, true);
                        break;
                }
                acks = 0;
                q->cursor.off = io[0];
                q->cursor.avail = io[1];
                while ((r = hpcap_ring_next(&q->cursor, &rec, scratch, MAX_FRAME, &acks)) >= 0) {
                        if (r == 0)
                                continue; /* padding */
                        packets++;
                        bytes += rec.len;
                        if (q->out) {
                                struct timespec ts = { rec.sec, rec.nsec };
                                if (pcap_out_write(q->out, &ts, rec.data, rec.caplen, rec.len) < 0)
                                        atomic_fetch_add_explicit(&q->c.output_drops, 1,
                                                                  memory_order_relaxed);
                        }
                }
                if (r == -EBADMSG) {
                        snprintf(hp->why, sizeof(hp->why), "queue %u: malformed record at "
                                 "offset %" PRIu64, q->queue, q->cursor.off);
                        atomic_store(&hp->failed, true);
                        break;
                }
                queue_counters_publish(&q->c, packets, bytes);
        }
        free(scratch);
        return NULL;
}

static int open_queue(Hpcap *hp, HpQueue *q, EngineError *err) {
        char node[512];
        uint64_t bufoff[2];
        long page = sysconf(_SC_PAGESIZE);
        dev_t dev = makedev(HPCAP_MAJOR + hp->adapter, q->queue);
        struct stat st;

        if (root_path(node, sizeof(node), hp->opts->root, "/dev/hpcap_%u_%u", hp->adapter,
                      q->queue) < 0)
                return engine_fail(err, AGENT_ERR_INTERNAL, "device path too long");
        /* The driver registers the numbers but makes no nodes; HPCAP's own
         * install script runs mknod, and so does the agent. */
        if (stat(node, &st) < 0 && mknod(node, S_IFCHR | 0600, dev) < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "cannot create %s (char %u:%u): %s",
                                   node, major(dev), minor(dev), strerror(errno));
        q->fd = open(node, O_RDWR | O_CLOEXEC);
        if (q->fd < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED,
                                   "cannot open %s (char %u:%u): %s; is %s driving %s with %lld "
                                   "queue(s)?",
                                   node, major(dev), minor(dev), strerror(errno), HPCAP_MODULE,
                                   hp->ifname, (long long) hp->base.spec.queues);
        if (ioctl(q->fd, HPCAP_IOC_BUFOFF, bufoff) < 0)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s: BUFOFF: %s", node,
                                   strerror(errno));
        /* As libhpcap maps it: from offset 0, the buffer starts bufoff[0] in. */
        q->map_size = ((bufoff[0] + bufoff[1] + (uint64_t) page - 1) / (uint64_t) page) *
                      (uint64_t) page;
        q->map = mmap(NULL, q->map_size, PROT_READ, MAP_SHARED, q->fd, 0);
        if (q->map == MAP_FAILED) {
                q->map = NULL;
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s: mmap of %" PRIu64 " bytes: %s",
                                   node, bufoff[1], strerror(errno));
        }
        q->cursor = (HpcapCursor){ .buf = q->map + bufoff[0], .size = bufoff[1] };
        return 0;
}

static void hp_stop(Engine *e) {
        Hpcap *hp = (Hpcap *) e;
        if (hp->stopped)
                return;
        hp->stopped = true;
        atomic_store(&hp->stop, true);
        for (unsigned i = 0; i < hp->n; i++)
                if (hp->queues[i].started)
                        pthread_join(hp->queues[i].thread, NULL);
}

static void hp_free(Engine *e) {
        Hpcap *hp = (Hpcap *) e;
        hp_stop(e);
        for (unsigned i = 0; hp->queues && i < hp->n; i++) {
                HpQueue *q = &hp->queues[i];
                if (q->map)
                        munmap(q->map, q->map_size);
                if (q->fd >= 0)
                        close(q->fd);
                pcap_out_close(q->out);
        }
        pci_bind_restore(hp->opts->root, &hp->binding);
        free(hp->queues);
        free(hp);
}

/* How many VFs hpcapvf could drive here: its parameters need one value each. */
static unsigned count_supported(const char *root) {
        AgentDeviceInfo devs[AGENT_MAX_DEVICES];
        size_t n = devices_list(root, devs, ELEMENTSOF(devs));
        unsigned count = 0;
        for (size_t i = 0; i < n; i++)
                if (devs[i].pci[0] && supported_model(root, devs[i].pci))
                        count++;
        return count ? count : 1;
}

static int hp_start(const AgentOptions *o, const AgentCaptureSpec *spec, Engine **ret,
                    EngineError *err) {
        Hpcap *hp;
        DeviceRef dev;
        char msg[256], params[512];
        const char *model;
        int r;

        r = device_resolve(o->root, spec->device, &dev);
        if (r < 0 || !dev.pci[0])
                return engine_fail(err, AGENT_ERR_INVALID_ARGUMENT,
                                   "hpcapvf needs a VF (a PCI address or its interface); \"%s\" %s",
                                   spec->device, r == -ENODEV ? "does not exist in this guest"
                                                 : r < 0      ? "is neither"
                                                              : "is not a PCI device");
        model = supported_model(o->root, dev.pci);
        if (!model)
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED,
                                   "%s is not a VF hpcapvf drives (82599 VF 8086:10ed, X540 VF "
                                   "8086:1515)",
                                   dev.pci);

        if (!kmod_loaded(o->root, HPCAP_MODULE)) {
                module_params(o, spec, count_supported(o->root), params, sizeof(params));
                r = kmod_load(o->hpcapvf_module ?: HPCAP_MODULE, params, msg, sizeof(msg));
                if (r < 0)
                        return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s", msg);
                log_info("loaded %s %s", HPCAP_MODULE, params);
        } else
                log_info("%s is loaded already: its parameters stay as they were", HPCAP_MODULE);

        hp = calloc(1, sizeof(*hp));
        if (!hp)
                return engine_fail(err, AGENT_ERR_INTERNAL, "out of memory");
        hp->base.ops = &hpcapvf_engine;
        hp->base.spec = *spec;
        hp->opts = o;
        hp->n = (unsigned) spec->queues;
        hp->queues = calloc(hp->n, sizeof(HpQueue));
        if (!hp->queues) {
                hp_free(&hp->base);
                return engine_fail(err, AGENT_ERR_INTERNAL, "out of memory");
        }
        for (unsigned i = 0; i < hp->n; i++)
                hp->queues[i] = (HpQueue){ .hp = hp, .queue = i, .fd = -1 };

        r = pci_bind(o->root, dev.pci, HPCAP_MODULE, &hp->binding, msg, sizeof(msg));
        if (r < 0) {
                hp_free(&hp->base);
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s", msg);
        }
        /* Its interface is named after the adapter number: hpcapN in capture mode.
         * (Look again: binding it to hpcapvf gave it a new interface.) */
        char pci[PCI_ADDR_STRLEN];
        copy_name(pci, sizeof(pci), dev.pci);
        r = device_resolve(o->root, pci, &dev);
        if (r < 0 || sscanf(dev.netdev, "hpcap%u", &hp->adapter) != 1) {
                hp_free(&hp->base);
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED,
                                   "%s has %s%s%s, not hpcapN: %s is not in capture mode (Mode=2) "
                                   "for it",
                                   pci, dev.netdev[0] ? "interface " : "no interface",
                                   dev.netdev, "", HPCAP_MODULE);
        }
        copy_name(hp->ifname, sizeof(hp->ifname), dev.netdev);
        copy_name(hp->base.netdev, sizeof(hp->base.netdev), dev.netdev);
        copy_name(hp->base.driver, sizeof(hp->base.driver), HPCAP_MODULE);
        if (!chardev_registered(o->root, HPCAP_MAJOR + hp->adapter)) {
                hp_free(&hp->base);
                return engine_fail(err, AGENT_ERR_ENGINE_FAILED,
                                   "/proc/devices has no \"hpcap\" character major %u for %s",
                                   HPCAP_MAJOR + hp->adapter, hp->ifname);
        }
        for (unsigned i = 0; i < hp->n; i++) {
                HpQueue *q = &hp->queues[i];
                if (open_queue(hp, q, err) < 0)
                        goto fail;
                if (spec->output.format == AGENT_OUTPUT_PCAP &&
                    pcap_out_open(o->output_dir, &spec->output, i, spec->snaplen, &q->out, msg,
                                  sizeof(msg)) < 0) {
                        engine_fail(err, AGENT_ERR_ENGINE_FAILED, "%s", msg);
                        goto fail;
                }
        }
        /* The driver starts its poll threads when the interface opens. */
        r = set_up_promisc(hp->ifname);
        if (r < 0) {
                engine_fail(err, AGENT_ERR_ENGINE_FAILED, "cannot bring %s up in promiscuous mode: %s",
                            hp->ifname, strerror(-r));
                goto fail;
        }
        for (unsigned i = 0; i < hp->n; i++) {
                r = pthread_create(&hp->queues[i].thread, NULL, queue_main, &hp->queues[i]);
                if (r != 0) {
                        engine_fail(err, AGENT_ERR_ENGINE_FAILED, "cannot start a thread: %s",
                                    strerror(r));
                        goto fail;
                }
                hp->queues[i].started = true;
        }
        log_info("hpcapvf capture on %s (%s, %s), %u queue(s)", hp->ifname, dev.pci, model, hp->n);
        *ret = &hp->base;
        return 0;
fail:
        hp_free(&hp->base);
        return -1;
}

static void hp_counters(Engine *e, EngineCounters *c) {
        static const char *const hw_names[] = { "rx_packets", "rx_bytes" };
        Hpcap *hp = (Hpcap *) e;
        int64_t hw[ELEMENTSOF(hw_names)], driver_bytes;
        char source[sizeof(c->nic.source)];

        snprintf(c->source, sizeof(c->source),
                 "hpcapvf buffers of %s (records consumed by the agent; OFFSETS for the backlog)",
                 hp->ifname);
        c->n_queues = hp->n;
        c->backlog_bytes = 0;
        for (unsigned i = 0; i < hp->n; i++) {
                HpQueue *q = &hp->queues[i];
                uint64_t off[2];
                c->queues[i].packets = (int64_t) atomic_load_explicit(&q->c.packets,
                                                                      memory_order_relaxed);
                c->queues[i].bytes = (int64_t) atomic_load_explicit(&q->c.bytes,
                                                                    memory_order_relaxed);
                /* HPCAP has no drop counter: a full buffer stalls the VF ring and
                 * the NIC drops frames a VF cannot count. Unknown, not 0. */
                c->queues[i].drops = -1;
                c->packets += c->queues[i].packets;
                c->bytes += c->queues[i].bytes;
                if (q->fd >= 0 && ioctl(q->fd, HPCAP_IOC_OFFSETS, off) == 0 && q->cursor.size)
                        c->backlog_bytes += (int64_t) ((off[1] + q->cursor.size - off[0]) %
                                                       q->cursor.size);
        }
        if (hp->base.spec.output.format != AGENT_OUTPUT_NONE) {
                c->drops[AGENT_DROP_OUTPUT] = 0;
                for (unsigned i = 0; i < hp->n; i++)
                        c->drops[AGENT_DROP_OUTPUT] += (int64_t) atomic_load_explicit(
                                &hp->queues[i].c.output_drops, memory_order_relaxed);
        }
        /* With Dup=1 (and HPCAP's default REMOVE_DUPS build) the driver adds the
         * duplicates it removed to each ring's byte counter, which the netdev
         * reports as rx_bytes. */
        if (hp->opts->hpcapvf_dup &&
            read_int64_at(hp->opts->root, &driver_bytes, "/sys/class/net/%s/statistics/rx_bytes",
                          hp->ifname) == 0)
                c->drops[AGENT_DROP_DUPLICATE] = driver_bytes;

        /* The VF's own hardware counters, through the driver's ethtool stats. */
        if (ethtool_stats(hp->ifname, hw_names, ELEMENTSOF(hw_names), hw) == 0) {
                c->nic = (AgentNicCounters){ .present = true,
                                             .rx_packets = hw[0],
                                             .rx_bytes = hw[1],
                                             .rx_dropped = -1,
                                             .rx_missed = -1, /* an 82599 VF has none */
                                             .rx_errors = -1 };
                snprintf(source, sizeof(source), "ethtool -S %s (VF hardware counters)", hp->ifname);
                agent_text_set(c->nic.source, sizeof(c->nic.source), source);
        }
}

static bool hp_failed(Engine *e, char *why, size_t n) {
        Hpcap *hp = (Hpcap *) e;
        if (!atomic_load(&hp->failed))
                return false;
        snprintf(why, n, "%s", hp->why);
        return true;
}

const EngineOps hpcapvf_engine = {
        .id = AGENT_ENGINE_HPCAPVF,
        .probe = probe,
        .start = hp_start,
        .counters = hp_counters,
        .failed = hp_failed,
        .stop = hp_stop,
        .free = hp_free,
};
