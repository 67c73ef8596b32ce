/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * When to reconcile: at start, shortly after kernel events about the PFs
 * nfvcapd manages (link changes, VFs or drivers coming and going — bursts are
 * coalesced), and every reconcile_interval_ms in any case, because some
 * drift produces no event at all. One timer serves all three: the earliest
 * due time wins.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "core/vfmgr.h"
#include "jsonutil.h"
#include "log.h"

int vfmgr_reconcile_pf(Manager *m, const char *pf, bool reapply, size_t *acted);

static uint64_t now_mono(Manager *m) {
        uint64_t t;
        sd_event_now(m->event, CLOCK_MONOTONIC, &t);
        return t;
}

static uint64_t mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static bool reapply_wanted(Manager *m, const char *pf) {
        for (size_t i = 0; m->reapply_pending && m->reapply_pending[i]; i++)
                if (streq(m->reapply_pending[i], pf))
                        return true;
        return false;
}

void reconcile_now(Manager *m, const char *reason) {
        uint64_t start = mono_usec();
        char **pfs = NULL;
        size_t acted = 0;

        if (m->read_only_reason) {
                log_debug("reconcile (%s) skipped: read-only", reason);
                return;
        }
        /* Applying may replace m->desired (new snapshots): walk a copy of the names. */
        for (size_t i = 0; i < m->desired.n; i++)
                if (strv_push(&pfs, m->desired.pfs[i].address) < 0)
                        break;
        for (size_t i = 0; pfs && pfs[i]; i++) {
                size_t did = 0;
                (void) vfmgr_reconcile_pf(m, pfs[i], reapply_wanted(m, pfs[i]), &did);
                acted += did;
        }
        strv_free(pfs);
        strv_free(m->reapply_pending);
        m->reapply_pending = NULL;
        m->reconcile_runs++;
        m->last_reconcile_usec = mono_usec() - start;
        m->last_reconcile_actions = acted;
        log_debug("reconcile (%s): %zu PF(s) checked, %zu action(s), %.2f ms", reason,
                  m->desired.n, acted, (double) m->last_reconcile_usec / 1000.0);
}

void reconcile_schedule(Manager *m, uint64_t delay_usec, const char *reason, const char *reapply_pf) {
        uint64_t due = now_mono(m) + delay_usec;

        if (reapply_pf && !reapply_wanted(m, reapply_pf))
                (void) strv_push(&m->reapply_pending, reapply_pf);
        if (!m->reconcile_timer || (m->reconcile_due && m->reconcile_due <= due))
                return;
        log_debug("reconcile due in %llu ms (%s)", (unsigned long long) (delay_usec / 1000), reason);
        m->reconcile_due = due;
        sd_event_source_set_time(m->reconcile_timer, due);
        sd_event_source_set_enabled(m->reconcile_timer, SD_EVENT_ONESHOT);
}

static int on_timer(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Manager *m = userdata;
        m->reconcile_due = 0;
        reconcile_now(m, "scheduled");
        reconcile_schedule(m, m->config->reconcile_interval_ms * 1000, "periodic", NULL);
        return 0;
}

/* The first PF of the desired state that is not there yet, or NULL. */
static const char *missing_pf(Manager *m) {
        for (size_t i = 0; i < m->desired.n; i++) {
                const NfvPf *pf;
                if (inventory_find_pf(m->inventory, m->desired.pfs[i].address, &pf) < 0 ||
                    !pf->has_netdev)
                        return m->desired.pfs[i].address;
        }
        return NULL;
}

/* At boot nfvcapd may start before the PF drivers have probed. Guests that
 * use VFs start after nfvcapd says READY=1, so wait (bounded) until every PF
 * of the desired state is there with its interface, then reconcile. */
static void wait_for_pfs(Manager *m) {
        uint64_t deadline = mono_usec() + m->config->boot_wait_ms * 1000;
        const char *pf;

        while ((pf = missing_pf(m))) {
                if (mono_usec() >= deadline) {
                        log_pf_warning(pf, "not present after %llu ms; going on without it (it is "
                                           "configured when it appears)",
                                       (unsigned long long) m->config->boot_wait_ms);
                        return;
                }
                (void) sd_notifyf(false, "STATUS=Waiting for PF %s to appear\nWATCHDOG=1", pf);
                struct timespec ts = { .tv_nsec = 250 * 1000 * 1000 };
                nanosleep(&ts, NULL);
                inventory_invalidate(m->inventory, "waiting for PFs at start");
        }
}

int reconcile_setup(Manager *m) {
        int r = sd_event_add_time(m->event, &m->reconcile_timer, CLOCK_MONOTONIC, UINT64_MAX,
                                  10 * 1000, on_timer, m);
        if (r < 0)
                return r;
        sd_event_source_set_enabled(m->reconcile_timer, SD_EVENT_OFF);
        /* The first pass runs before READY=1 (see main.c); the next on the timer. */
        if (!m->read_only_reason)
                wait_for_pfs(m);
        reconcile_now(m, "start");
        reconcile_schedule(m, m->config->reconcile_interval_ms * 1000, "periodic", NULL);
        return 0;
}
