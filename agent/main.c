/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nfvcap-agent: wiring only. Parse the command line, set up logging, the
 * event loop and signals, start the session with the host, run, and on
 * SIGTERM stop any capture so that its device goes back to its driver.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "agent-msg.h"
#include "agent.h"
#include "log.h"
#include "session.h"

static void help(void) {
        printf("Usage: nfvcap-agent [OPTION]...\n"
               "Capture agent of a monitoring VM: runs the capture engine nfvcapd asks for and\n"
               "streams its statistics back over a virtio-serial port.\n\n"
               "      --channel PATH           the port to nfvcapd (default " AGENT_DEFAULT_CHANNEL ")\n"
               "                               or listen:PATH, a unix socket to listen on (tests)\n"
               "      --interval-ms MS         statistics interval until nfvcapd sets one (1000)\n"
               "      --output-dir DIR         where pcap outputs go (" AGENT_DEFAULT_OUTPUT_DIR ")\n"
               "      --dpdk-eal ARGS          EAL arguments for the dpdk engine\n"
               "                               (default \"" AGENT_DEFAULT_DPDK_EAL "\")\n"
               "      --allow-vdev             let nfvcapd name DPDK virtual devices (net_null0,\n"
               "                               net_pcap0,rx_pcap=FILE): for tests only\n"
               "      --hpcapvf-module FILE    HPCAP's hpcapvf.ko (default: the installed module)\n"
               "      --hpcapvf-pages N        HPCAP Pages= per interface (default 262144)\n"
               "      --hpcapvf-core N         HPCAP Core= (default 0)\n"
               "      --hpcapvf-dup            HPCAP Dup=1: drop switching duplicates\n"
               "      --root DIR               find /sys, /proc and /dev under DIR (tests)\n"
               "      --log-level LEVEL        err, warning, notice, info or debug (info)\n"
               "      --log-target TARGET      journal, stderr or auto (auto)\n"
               "      --version                print the version\n"
               "  -h, --help                   show this help\n\n"
               "See nfvcap-agent(8) and docs/agent-protocol.md.\n");
}

enum {
        OPT_CHANNEL = 0x100,
        OPT_INTERVAL,
        OPT_OUTPUT_DIR,
        OPT_DPDK_EAL,
        OPT_ALLOW_VDEV,
        OPT_HPCAPVF_MODULE,
        OPT_HPCAPVF_PAGES,
        OPT_HPCAPVF_CORE,
        OPT_HPCAPVF_DUP,
        OPT_ROOT,
        OPT_LOG_LEVEL,
        OPT_LOG_TARGET,
        OPT_VERSION,
};

static int parse_number(const char *opt, const char *arg, int64_t min, int64_t max, int64_t *ret) {
        char *end;
        long long v;
        errno = 0;
        v = strtoll(arg, &end, 10);
        if (errno || end == arg || *end || v < min || v > max) {
                fprintf(stderr, "nfvcap-agent: --%s takes a number from %lld to %lld\n", opt,
                        (long long) min, (long long) max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

/* Returns 1 to run, 0 to exit successfully (--help), < 0 on a usage error. */
static int parse_args(int argc, char **argv, AgentOptions *o, const char **level,
                      const char **target) {
        static const struct option opts[] = {
                { "channel", required_argument, NULL, OPT_CHANNEL },
                { "interval-ms", required_argument, NULL, OPT_INTERVAL },
                { "output-dir", required_argument, NULL, OPT_OUTPUT_DIR },
                { "dpdk-eal", required_argument, NULL, OPT_DPDK_EAL },
                { "allow-vdev", no_argument, NULL, OPT_ALLOW_VDEV },
                { "hpcapvf-module", required_argument, NULL, OPT_HPCAPVF_MODULE },
                { "hpcapvf-pages", required_argument, NULL, OPT_HPCAPVF_PAGES },
                { "hpcapvf-core", required_argument, NULL, OPT_HPCAPVF_CORE },
                { "hpcapvf-dup", no_argument, NULL, OPT_HPCAPVF_DUP },
                { "root", required_argument, NULL, OPT_ROOT },
                { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
                { "log-target", required_argument, NULL, OPT_LOG_TARGET },
                { "version", no_argument, NULL, OPT_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case OPT_CHANNEL:
                        o->channel = optarg;
                        break;
                case OPT_INTERVAL:
                        if (parse_number("interval-ms", optarg, AGENT_INTERVAL_MIN_MS,
                                         AGENT_INTERVAL_MAX_MS, &o->interval_ms) < 0)
                                return -EINVAL;
                        break;
                case OPT_OUTPUT_DIR:
                        o->output_dir = optarg;
                        break;
                case OPT_DPDK_EAL:
                        o->dpdk_eal = optarg;
                        break;
                case OPT_ALLOW_VDEV:
                        o->allow_vdev = true;
                        break;
                case OPT_HPCAPVF_MODULE:
                        o->hpcapvf_module = optarg;
                        break;
                case OPT_HPCAPVF_PAGES:
                        if (parse_number("hpcapvf-pages", optarg, 1, INT32_MAX, &o->hpcapvf_pages) < 0)
                                return -EINVAL;
                        break;
                case OPT_HPCAPVF_CORE:
                        if (parse_number("hpcapvf-core", optarg, -1, 4095, &o->hpcapvf_core) < 0)
                                return -EINVAL;
                        break;
                case OPT_HPCAPVF_DUP:
                        o->hpcapvf_dup = true;
                        break;
                case OPT_ROOT:
                        /* "/" is the real machine: paths are used as they are. */
                        o->root = streq(optarg, "/") ? "" : optarg;
                        break;
                case OPT_LOG_LEVEL:
                        if (log_level_from_string(optarg) < 0) {
                                fprintf(stderr, "nfvcap-agent: --log-level: \"%s\" is not one of "
                                                "err, warning, notice, info, debug\n", optarg);
                                return -EINVAL;
                        }
                        *level = optarg;
                        break;
                case OPT_LOG_TARGET:
                        if (log_target_from_string(optarg) < 0) {
                                fprintf(stderr, "nfvcap-agent: --log-target: \"%s\" is not one "
                                                "of auto, stderr, journal\n", optarg);
                                return -EINVAL;
                        }
                        *target = optarg;
                        break;
                case OPT_VERSION:
                        puts("nfvcap-agent " NFVCAP_VERSION);
                        return 0;
                case 'h':
                        help();
                        return 0;
                default:
                        fprintf(stderr, "Try 'nfvcap-agent --help'.\n");
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "nfvcap-agent: unexpected argument \"%s\"\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si,
                        void *userdata _unused_) {
        log_info("received %s, shutting down", strsignal((int) si->ssi_signo));
        (void) sd_notify(false, "STOPPING=1");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int run(int argc, char **argv) {
        AgentOptions o = {
                .channel = AGENT_DEFAULT_CHANNEL,
                .root = "",
                .output_dir = AGENT_DEFAULT_OUTPUT_DIR,
                .dpdk_eal = AGENT_DEFAULT_DPDK_EAL,
                .hpcapvf_pages = 262144,
                .hpcapvf_core = 0,
                .interval_ms = 1000,
        };
        const char *level = "info", *target = "auto";
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(session_freep) Session *s = NULL;
        sigset_t mask;
        int r;

        r = parse_args(argc, argv, &o, &level, &target);
        if (r <= 0)
                return r;
        log_setup(log_target_from_string(target), log_level_from_string(level));

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&e);
        if (r < 0)
                return log_error_errno(r, "cannot create the event loop: %m");
        if ((r = sd_event_add_signal(e, NULL, SIGTERM, on_terminate, NULL)) < 0 ||
            (r = sd_event_add_signal(e, NULL, SIGINT, on_terminate, NULL)) < 0)
                return log_error_errno(r, "cannot watch signals: %m");
        r = session_new(e, &o, &s);
        if (r < 0)
                return r;
        (void) sd_event_set_watchdog(e, true);
        log_info("nfvcap-agent " NFVCAP_VERSION " on %s", o.channel);
        (void) sd_notify(false, "READY=1");
        r = sd_event_loop(e);
        if (r < 0)
                log_error_errno(r, "event loop failed: %m");
        return r;
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
