/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The daemon's one context object: everything nfvcapd knows hangs off a
 * Manager, passed explicitly (no globals), so tests can build their own.
 */

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "core/desired.h"
#include "core/events.h"
#include "core/inventory.h"
#include "core/monitors.h"
#include "hw/rtnl.h"
#include "hw/sysfs.h"
#include "hw/uevent.h"

typedef struct ApiServer ApiServer;
typedef struct PfRuntime PfRuntime;
typedef struct AuditLog AuditLog;

/* Event source priorities: hardware news is handled before API requests that
 * arrive in the same loop iteration, so a client never reads a list older
 * than the kernel event that preceded its request. */
#define PRIORITY_HW_EVENTS (-10)
#define PRIORITY_API 0

typedef struct Manager {
        sd_event *event;
        const Config *config; /* owned by main */
        Sysfs *sysfs;
        Inventory *inventory;
        UeventWatch *uevent;
        ApiServer *api;
        Rtnl *rtnl;
        LinkWatch *links;

        /* What the operator wants (persisted in config->state_dir) and, when
         * the state file could not be used, why nothing may change. */
        Desired desired;
        char *read_only_reason;

        AuditLog *audit;     /* register writes */
        PfRuntime **runtime; /* capabilities and sync status, per PF */
        size_t n_runtime;

        sd_event_source *reconcile_timer;
        uint64_t reconcile_due;      /* CLOCK_MONOTONIC usec; 0: none pending */
        char **reapply_pending;      /* PFs to re-apply in full at the next reconcile */
        uint64_t reconcile_runs;
        uint64_t last_reconcile_usec; /* how long the last reconcile took */
        uint64_t last_reconcile_actions; /* and how many changes it made */

        /* Monitoring VMs' agents and what they report; the event stream. */
        EventBus *events;
        Monitors *monitors;

        uint64_t started_realtime_usec;
        gid_t admin_gid;
        bool have_admin_gid;
} Manager;

/* Open the sysfs root, set up the inventory and the kernel event watch. */
int manager_new(sd_event *e, const Config *config, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_CLEANUP_FUNC(Manager *, manager_free);

/* Serve the API on listen_fd (ownership passes to the manager). */
int manager_serve(Manager *m, int listen_fd);

/* Whether a client with these credentials may change state: uid 0 or a
 * member of the admin group. */
bool manager_peer_is_admin(const Manager *m, uid_t uid, gid_t gid);
