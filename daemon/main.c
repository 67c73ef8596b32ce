/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nfvcapd: wiring only. Read the configuration, set up logging, the event
 * loop and signals, hand the API socket to the Manager, tell systemd we are
 * ready, run, and clean up.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "api/server.h"
#include "conf.h"
#include "core/manager.h"
#include "core/vfmgr.h"
#include "log.h"


enum { OPT_CONFIG = 0x100, OPT_DUMP_CONFIG, OPT_VERSION, OPT_HELP, OPT_KEY_BASE = 0x200 };

static void help(void) {
        printf("Usage: nfvcapd [OPTION]...\n"
               "SR-IOV monitoring host daemon: inventories SR-IOV NICs and serves the nfvcap\n"
               "REST API on a unix socket.\n\n"
               "      --config FILE              read FILE instead of " NFVCAPD_DEFAULT_CONFIG "\n"
               "      --dump-config              print the effective configuration and exit\n");
        for (size_t i = 0; i < config_key_count(); i++) {
                char opt[64];
                snprintf(opt, sizeof(opt), "--%s %s", config_key_option(i), config_key_arg(i));
                printf("      %-26s %s\n", opt, config_key_help(i));
        }
        printf("      --version                  print the version and exit\n"
               "  -h, --help                     show this help\n\n"
               "Every option except --config also exists as a key in the configuration file,\n"
               "spelled with underscores (sysfs_root = /sys); the command line wins.\n"
               "See nfvcapd(8) and nfvcapd.conf(5).\n");
}

/* Options are parsed twice: first for --config, then, after the file is
 * loaded, for everything else, so that the command line overrides the file. */
static int parse_args(int argc, char **argv, Config *c) {
        size_t nkeys = config_key_count();
        struct option opts[CONFIG_MAX_KEYS + 5];
        const char *config_path = NULL;
        bool dump = false;
        char err[512];
        int o, r;

        for (size_t i = 0; i < nkeys; i++)
                opts[i] = (struct option){ config_key_option(i), required_argument, NULL,
                                           OPT_KEY_BASE + (int) i };
        opts[nkeys] = (struct option){ "config", required_argument, NULL, OPT_CONFIG };
        opts[nkeys + 1] = (struct option){ "dump-config", no_argument, NULL, OPT_DUMP_CONFIG };
        opts[nkeys + 2] = (struct option){ "version", no_argument, NULL, OPT_VERSION };
        opts[nkeys + 3] = (struct option){ "help", no_argument, NULL, 'h' };
        opts[nkeys + 4] = (struct option){ 0 };

        while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (o) {
                case 'h':
                        help();
                        return 0;
                case OPT_VERSION:
                        puts("nfvcapd " NFVCAP_VERSION);
                        return 0;
                case OPT_CONFIG:
                        config_path = optarg;
                        break;
                case OPT_DUMP_CONFIG:
                        dump = true;
                        break;
                case '?':
                        fprintf(stderr, "Try 'nfvcapd --help'.\n");
                        return -EINVAL;
                default:
                        break;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "nfvcapd: unexpected argument \"%s\"\nTry 'nfvcapd --help'.\n",
                        argv[optind]);
                return -EINVAL;
        }

        r = config_load_file(c, config_path ?: NFVCAPD_DEFAULT_CONFIG, err, sizeof(err));
        /* The default file is optional; one named on the command line is not. */
        if (r < 0 && !(r == -ENOENT && !config_path)) {
                fprintf(stderr, "nfvcapd: %s\n", err);
                return r;
        }

        optind = 0;
        while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                if (o < OPT_KEY_BASE)
                        continue;
                if (config_set(c, config_key_name((size_t) (o - OPT_KEY_BASE)), optarg, err,
                               sizeof(err)) < 0) {
                        fprintf(stderr, "nfvcapd: --%s\n", err);
                        return -EINVAL;
                }
        }
        if (dump) {
                config_dump(c, stdout);
                return 0;
        }
        return 1;
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si,
                        void *userdata _unused_) {
        log_info("received %s, shutting down", strsignal((int) si->ssi_signo));
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int on_hangup(sd_event_source *s _unused_, const struct signalfd_siginfo *si _unused_,
                     void *userdata) {
        Manager *m = userdata;
        inventory_invalidate(m->inventory, "SIGHUP");
        reconcile_schedule(m, 0, "SIGHUP", NULL);
        log_info("SIGHUP: rescanning the hardware and reconciling");
        return 0;
}

static int run(int argc, char **argv) {
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        Config config;
        const PfList *pfs;
        sigset_t mask;
        bool created = false;
        int fd = -1, r;

        config_init_defaults(&config);
        r = parse_args(argc, argv, &config);
        if (r <= 0)
                goto out;

        log_setup(log_target_from_string(config.log_target),
                  log_level_from_string(config.log_level));

        /* Signals are delivered through the event loop (signalfd), so block them. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&e);
        if (r < 0) {
                log_error_errno(r, "cannot create the event loop: %m");
                goto out;
        }
        r = manager_new(e, &config, &m);
        if (r < 0)
                goto out;
        r = vfmgr_load_state(m);
        if (r < 0)
                goto out;

        /* Scan once before accepting requests: a broken sysfs root fails start-up
         * loudly instead of every request. */
        r = inventory_get(m->inventory, &pfs);
        if (r < 0) {
                log_error_errno(r, "cannot read the PCI inventory under %s: %m",
                                config.sysfs_root);
                goto out;
        }

        /* Make the desired state true before saying READY=1: units ordered after
         * nfvcapd.service (libvirt's guests) find their VFs in place. */
        r = reconcile_setup(m);
        if (r < 0) {
                log_error_errno(r, "cannot set up reconciliation: %m");
                goto out;
        }

        r = api_listen(config.socket_path, config.socket_group, &fd, &created);
        if (r < 0)
                goto out;
        r = manager_serve(m, fd);
        if (r < 0)
                goto out;

        if ((r = sd_event_add_signal(e, NULL, SIGTERM, on_terminate, NULL)) < 0 ||
            (r = sd_event_add_signal(e, NULL, SIGINT, on_terminate, NULL)) < 0 ||
            (r = sd_event_add_signal(e, NULL, SIGHUP, on_hangup, m)) < 0) {
                log_error_errno(r, "cannot watch signals: %m");
                goto out;
        }
        /* sd-event pings the watchdog itself when WatchdogSec= is set. */
        r = sd_event_set_watchdog(e, true);
        if (r < 0)
                log_warning_errno(r, "cannot enable the watchdog: %m");

        /* The reconcile may have rescanned: ask again rather than keep the old pointer. */
        r = inventory_get(m->inventory, &pfs);
        if (r < 0)
                goto out;
        log_info("nfvcapd " NFVCAP_VERSION " serving %s (%zu SR-IOV PF(s) under %s)%s",
                 created ? config.socket_path : "the systemd socket", pfs->n, config.sysfs_root,
                 m->read_only_reason ? ", read-only" : "");
        (void) sd_notifyf(false, "READY=1\nSTATUS=Serving %zu SR-IOV PF(s) on %s%s", pfs->n,
                          created ? config.socket_path : "the systemd socket",
                          m->read_only_reason ? " (read-only: state file unusable)" : "");

        r = sd_event_loop(e);
        if (r < 0)
                log_error_errno(r, "event loop failed: %m");
out:
        if (created)
                (void) unlink(config.socket_path);
        m = manager_free(m);
        config_done(&config);
        return r;
}

int main(int argc, char **argv) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
