/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nfvcapctl stats [ID] [--watch] | monitor list | monitor show ID |
 * capture start ID ENGINE DEVICE | capture stop ID
 *
 * stats prints one row per source of figures (the capture engine, the guest's
 * NIC) for each monitor: packets, rates, drops and drop ratio. With --watch it
 * refreshes like top; rates of sources the agent gives no rate for are
 * computed between refreshes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "agent-msg.h"
#include "ctl.h"
#include "jsonutil.h"
#include "macros.h"
#include "table.h"

#define MAX_WATCHED 64

/* The previous reading of each monitor's NIC counters (for --watch rates). */
typedef struct NicMemory {
        char id[64];
        int64_t packets, bytes;
        double at;
} NicMemory;


/* path = /v1/monitors/ID<suffix>, for an ID given on the command line. */
static int monitor_path(const char *id, const char *suffix, char *path, size_t len) {
        if (!monitor_id_valid(id)) {
                fprintf(stderr,
                        "nfvcapctl: \"%.64s\" is not a monitor id (1 to %d letters, digits, "
                        "'_', '.' or '-')\n",
                        id, MONITOR_ID_MAX - 1);
                return EXIT_USAGE;
        }
        snprintf(path, len, "/v1/monitors/%s%s", id, suffix);
        return EXIT_OK;
}
static double now_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* 1234567 -> "1.23M"; negative: "-". */
static void human(char *buf, size_t n, double v, const char *unit) {
        static const char *const prefix[] = { "", "k", "M", "G", "T" };
        size_t p = 0;
        if (v < 0) {
                snprintf(buf, n, "-");
                return;
        }
        while (v >= 1000 && p + 1 < ELEMENTSOF(prefix)) {
                v /= 1000;
                p++;
        }
        snprintf(buf, n, p ? "%.2f%s%s" : "%.0f%s%s", v, prefix[p], unit);
}

static int64_t get_int(json_object *o, const char *key) {
        int64_t v = -1;
        if (json_get_int64(o, key, false, INT64_MIN, INT64_MAX, &v) < 0)
                return -1;
        return v;
}

static int64_t sum_drops(json_object *drops) {
        int64_t sum = -1;
        json_object_object_foreach(drops, cause, v) {
                /* Duplicates removed on purpose are not loss. */
                if (streq(cause, "duplicate") || !json_object_is_type(v, json_type_int))
                        continue;
                sum = (sum < 0 ? 0 : sum) + json_object_get_int64(v);
        }
        return sum;
}

static void fmt_count(char *buf, size_t n, int64_t v) {
        if (v < 0)
                snprintf(buf, n, "-");
        else
                snprintf(buf, n, "%lld", (long long) v);
}

static void fmt_ratio(char *buf, size_t n, int64_t drops, int64_t packets) {
        if (drops < 0 || packets < 0)
                snprintf(buf, n, "-");
        else if (drops + packets == 0)
                snprintf(buf, n, "0.00%%");
        else
                snprintf(buf, n, "%.2f%%", 100.0 * (double) drops / (double) (drops + packets));
}

/* Rows of one monitor's statistics document. */
static void add_rows(Table *t, json_object *doc, NicMemory *mem, size_t *n_mem) {
        json_object *latest = json_object_object_get(doc, "latest");
        const char *id = ctl_str(doc, "monitor", NULL), *vm = ctl_str(doc, "vm", NULL),
                   *state = ctl_str(doc, "state", NULL);
        char packets[32], pps[32], bps[32], drops[32], ratio[32], age[32], source[96];
        json_object *cap, *eng, *nic, *rates;

        if (!latest) {
                table_add_row(t, id, vm, NULL, state, "no statistics yet", NULL, NULL, NULL,
                              NULL, NULL, NULL);
                return;
        }
        cap = json_object_object_get(latest, "capture");
        eng = json_object_object_get(latest, "engine");
        nic = json_object_object_get(latest, "nic");
        rates = json_object_object_get(latest, "rates");
        snprintf(age, sizeof(age), "%.1fs", (double) get_int(doc, "age_ms") / 1000.0);

        /* The engine's own row. */
        int64_t ed = sum_drops(json_object_object_get(eng, "drops"));
        fmt_count(packets, sizeof(packets), get_int(eng, "packets"));
        human(pps, sizeof(pps), (double) get_int(rates, "pps"), "");
        human(bps, sizeof(bps), (double) get_int(rates, "bps"), "b/s");
        fmt_count(drops, sizeof(drops), ed);
        fmt_ratio(ratio, sizeof(ratio), ed, get_int(eng, "packets"));
        snprintf(source, sizeof(source), "engine: %.80s", ctl_str(eng, "source", "n/a"));
        table_add_row(t, id, vm, ctl_str(cap, "engine", NULL), ctl_str(cap, "state", NULL), source,
                      packets, pps, bps, drops, ratio, age);

        /* The guest NIC's row: its own counters, rates from our previous look. */
        if (nic) {
                int64_t rx = get_int(nic, "rx_packets"), rxb = get_int(nic, "rx_bytes");
                int64_t dropped = get_int(nic, "rx_dropped"), missed = get_int(nic, "rx_missed");
                int64_t nd = dropped < 0 && missed < 0 ? -1
                                                       : (dropped > 0 ? dropped : 0) +
                                                                 (missed > 0 ? missed : 0);
                double now = now_seconds(), r_pps = -1, r_bps = -1;
                NicMemory *m = NULL;
                for (size_t i = 0; i < *n_mem; i++)
                        if (streq(mem[i].id, id))
                                m = &mem[i];
                if (m && now > m->at && rx >= m->packets) {
                        r_pps = (double) (rx - m->packets) / (now - m->at);
                        r_bps = rxb >= m->bytes ? 8.0 * (double) (rxb - m->bytes) / (now - m->at)
                                                : -1;
                }
                if (!m && *n_mem < MAX_WATCHED) {
                        m = &mem[(*n_mem)++];
                        snprintf(m->id, sizeof(m->id), "%s", id);
                }
                if (m) {
                        m->packets = rx;
                        m->bytes = rxb;
                        m->at = now;
                }
                fmt_count(packets, sizeof(packets), rx);
                human(pps, sizeof(pps), r_pps, "");
                human(bps, sizeof(bps), r_bps, "b/s");
                fmt_count(drops, sizeof(drops), nd);
                fmt_ratio(ratio, sizeof(ratio), nd, rx);
                snprintf(source, sizeof(source), "guest NIC: %.77s", ctl_str(nic, "source", "n/a"));
                /* A continuation row: blank, not "-", under the monitor's columns. */
                table_add_row(t, " ", " ", " ", " ", source, packets, pps, bps, drops, ratio, " ");
        }
}

/* The statistics documents to show: one monitor's, or every monitor's. */
static int fetch(Ctl *ctl, const char *id, json_object **ret) {
        json_object *list = NULL, *all, *a;
        char path[128];
        int r;

        if (id) {
                json_object *doc;
                r = monitor_path(id, "/stats", path, sizeof(path));
                if (r != EXIT_OK)
                        return r;
                r = ctl_get(ctl, path, &doc);
                if (r != EXIT_OK)
                        return r;
                *ret = json_object_new_array();
                json_object_array_add(*ret, doc);
                return EXIT_OK;
        }
        r = ctl_get(ctl, "/v1/monitors", &list);
        if (r != EXIT_OK)
                return r;
        all = json_object_new_array();
        a = json_object_object_get(list, "monitors");
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                const char *mid = ctl_str(json_object_array_get_idx(a, i), "id", NULL);
                json_object *doc;
                if (!mid || strlen(mid) > 64)
                        continue;
                snprintf(path, sizeof(path), "/v1/monitors/%s/stats", mid);
                r = ctl_get(ctl, path, &doc);
                if (r != EXIT_OK) {
                        json_object_put(all);
                        json_object_put(list);
                        return r;
                }
                json_object_array_add(all, doc);
        }
        json_object_put(list);
        *ret = all;
        return EXIT_OK;
}

static void print_table(json_object *docs, NicMemory *mem, size_t *n_mem) {
        Table *t = table_new(11, "MONITOR", "VM", "ENGINE", "CAPTURE", "SOURCE", "PACKETS", "PPS",
                             "BPS", "DROPS", "DROP%", "AGE");
        for (size_t i = 0; i < json_object_array_length(docs); i++)
                add_rows(t, json_object_array_get_idx(docs, i), mem, n_mem);
        table_print(t, stdout);
        table_free(t);
}

static int stats(Ctl *ctl, int argc, char **argv) {
        const char *watch = ctl_option(ctl, "watch"), *interval_arg = ctl_option(ctl, "interval"),
                   *count_arg = ctl_option(ctl, "count");
        double interval = 1.0;
        long count = -1;
        NicMemory mem[MAX_WATCHED];
        size_t n_mem = 0;
        bool tty = isatty(STDOUT_FILENO);
        char path[128];

        if (argc == 1 && monitor_path(argv[0], "", path, sizeof(path)) != EXIT_OK)
                return EXIT_USAGE;
        if (interval_arg) {
                char *end;
                interval = strtod(interval_arg, &end);
                if (*end || interval < 0.1 || interval > 3600) {
                        fprintf(stderr, "nfvcapctl: --interval takes 0.1 to 3600 seconds\n");
                        return EXIT_USAGE;
                }
        }
        if (count_arg) {
                char *end;
                count = strtol(count_arg, &end, 10);
                if (*end || count < 1) {
                        fprintf(stderr, "nfvcapctl: --count takes a positive number\n");
                        return EXIT_USAGE;
                }
        }
        if (!watch)
                count = 1;

        for (long round = 0; count < 0 || round < count; round++) {
                json_object *docs = NULL;
                int r = fetch(ctl, argc ? argv[0] : NULL, &docs);
                if (r != EXIT_OK)
                        return r;
                if (ctl->json) {
                        /* --watch --json: one document per line, for scripts. */
                        if (watch)
                                puts(json_object_to_json_string_ext(docs, JSON_C_TO_STRING_PLAIN));
                        else
                                ctl_print_json(argc ? json_object_array_get_idx(docs, 0) : docs);
                } else {
                        if (watch) {
                                time_t now = time(NULL);
                                char when[32];
                                strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
                                /* Redraw in place on a terminal, as top does. */
                                if (tty)
                                        fputs("\033[H\033[2J", stdout);
                                printf("nfvcapctl stats - %s, every %.1fs (Ctrl-C to quit)\n\n",
                                       when, interval);
                        }
                        if (json_object_array_length(docs) == 0)
                                printf("No monitors are configured (monitor = ... in nfvcapd.conf).\n");
                        else
                                print_table(docs, mem, &n_mem);
                        if (watch && !tty)
                                putchar('\n');
                }
                fflush(stdout);
                json_object_put(docs);
                if (count < 0 || round + 1 < count)
                        usleep((useconds_t) (interval * 1e6));
        }
        return EXIT_OK;
}

static int monitor_list(Ctl *ctl, int argc _unused_, char **argv _unused_) {
        json_object *doc = NULL, *a;
        Table *t;
        int r = ctl_fetch(ctl, "GET", "/v1/monitors", NULL, &doc);

        if (r != EXIT_OK || !doc)
                return r;
        a = json_object_object_get(doc, "monitors");
        t = table_new(8, "MONITOR", "VM", "PF", "VF", "STATE", "AGENT", "CAPTURE", "LAST ERROR");
        for (size_t i = 0; a && i < json_object_array_length(a); i++) {
                json_object *m = json_object_array_get_idx(a, i), *ag, *cap, *err;
                char vf[24], capture[160];
                fmt_count(vf, sizeof(vf), get_int(m, "vf"));
                ag = json_object_object_get(m, "agent");
                cap = json_object_object_get(m, "capture");
                err = json_object_object_get(m, "last_error");
                const char *engine = ctl_str(cap, "engine", NULL), *device = ctl_str(cap, "device", NULL);
                snprintf(capture, sizeof(capture), "%s%s%s%s%s", ctl_str(cap, "state", "n/a"),
                         engine ? " " : "", engine ?: "", device ? " on " : "", device ?: "");
                table_add_row(t, ctl_str(m, "id", NULL), ctl_str(m, "vm", NULL),
                              ctl_str(m, "pf", NULL), vf, ctl_str(m, "state", NULL),
                              ctl_str(ag, "agent", NULL), capture, ctl_str(err, "message", NULL));
        }
        table_print(t, stdout);
        table_free(t);
        json_object_put(doc);
        return EXIT_OK;
}

static int monitor_show(Ctl *ctl, int argc _unused_, char **argv) {
        json_object *doc = NULL;
        char path[128];
        int r;

        r = monitor_path(argv[0], "", path, sizeof(path));
        if (r != EXIT_OK)
                return r;
        r = ctl_get(ctl, path, &doc);
        if (r != EXIT_OK)
                return r;
        /* The document is the description; its shape is in the API reference. */
        ctl_print_json(doc);
        json_object_put(doc);
        return EXIT_OK;
}

static int capture_start(Ctl *ctl, int argc _unused_, char **argv) {
        static const struct {
                const char *option, *key;
        } numbers[] = { { "queues", "queues" }, { "snaplen", "snaplen" } };
        json_object *body = json_object_new_object(), *reply = NULL;
        const char *pcap = ctl_option(ctl, "pcap");
        char path[128];
        int r;

        r = monitor_path(argv[0], "/capture", path, sizeof(path));
        if (r != EXIT_OK) {
                json_object_put(body);
                return r;
        }
        json_object_object_add(body, "engine", json_object_new_string(argv[1]));
        json_object_object_add(body, "device", json_object_new_string(argv[2]));
        for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
                const char *v = ctl_option(ctl, numbers[i].option);
                char *end;
                long n;
                if (!v)
                        continue;
                n = strtol(v, &end, 10);
                if (*end || !*v) {
                        fprintf(stderr, "nfvcapctl: --%s takes a number\n", numbers[i].option);
                        json_object_put(body);
                        return EXIT_USAGE;
                }
                json_object_object_add(body, numbers[i].key, json_object_new_int64(n));
        }
        if (pcap) {
                json_object *out = json_object_new_object();
                json_object_object_add(out, "format", json_object_new_string("pcap"));
                json_object_object_add(out, "name", json_object_new_string(pcap));
                json_object_object_add(body, "output", out);
        }
        /* The daemon validates everything and names the field at fault. */
        r = ctl_fetch(ctl, "PUT", path, body, &reply);
        json_object_put(body);
        if (r != EXIT_OK || !reply)
                return r;
        printf("%s: capture with %s on %s requested; 'nfvcapctl monitor list' shows when "
               "it runs.\n", argv[0], argv[1], argv[2]);
        json_object_put(reply);
        return EXIT_OK;
}

static int capture_stop(Ctl *ctl, int argc _unused_, char **argv) {
        json_object *reply = NULL;
        char path[128];
        int r;

        r = monitor_path(argv[0], "/capture", path, sizeof(path));
        if (r != EXIT_OK)
                return r;
        r = ctl_fetch(ctl, "DELETE", path, NULL, &reply);
        if (r != EXIT_OK || !reply)
                return r;
        printf("%s: capture stop requested.\n", argv[0]);
        json_object_put(reply);
        return EXIT_OK;
}

static const CtlOption stats_options[] = {
        { "watch", NULL, "refresh until interrupted, like top" },
        { "interval", "SEC", "seconds between refreshes with --watch (default 1)" },
        { "count", "N", "with --watch, stop after N refreshes" },
        {},
};

static const CtlOption start_options[] = {
        { "queues", "N", "receive queues / worker threads (default 1)" },
        { "snaplen", "BYTES", "bytes kept of each frame (default: all)" },
        { "pcap", "NAME", "write pcap files NAME-qQ-SEQ.pcap in the agent's output directory" },
        {},
};

const CtlCommand stats_commands[] = {
        { "stats", NULL, "[ID]", 0, 1, stats, "live capture statistics of the monitors, by source",
          "One row per source of figures: the capture engine's counters and the guest NIC's.\n"
          "PPS and BPS are rates over the agent's interval (for the NIC, between refreshes);\n"
          "DROPS counts frames lost where that source can see it, DROP% against what it got.\n"
          "A '-' is a figure the source does not have (a VF has no missed-frame counter).",
          stats_options },
        { "monitor", "list", "", 0, 0, monitor_list,
          "monitoring VMs, their agents' state and capture", NULL, NULL },
        { "monitor", "show", "ID", 1, 1, monitor_show, "one monitor: agent, engines, devices",
          NULL, NULL },
        { "capture", "start", "ID ENGINE DEVICE", 3, 3, capture_start,
          "capture on a monitor with afpacket, dpdk or hpcapvf",
          "DEVICE is an interface name or PCI address in the monitoring VM. The capture is\n"
          "remembered and restarted whenever the agent reconnects.",
          start_options },
        { "capture", "stop", "ID", 1, 1, capture_stop, "stop a monitor's capture", NULL, NULL },
};
const unsigned stats_commands_count = ELEMENTSOF(stats_commands);
