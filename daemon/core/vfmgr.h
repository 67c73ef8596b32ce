/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VF lifecycle and settings (kernel PF backend): what the API's changes and
 * the reconciler call. Everything here runs on the daemon's one thread.
 *
 *   observe.c    what a PF has now (inventory + sysfs + one rtnetlink request)
 *   runtime.c    per-PF capabilities and sync status
 *   apply.c      carrying out a plan: snapshots, persistence, rollback
 *   reconcile.c  when to compare and re-apply, and doing it
 */

#include <json-c/json.h>
#include <stdbool.h>

#include "core/desired.h"
#include "core/manager.h"
#include "core/plan.h"
#include "hw/vfcaps.h"

/* Sync status of one object (PF or VF). */
typedef struct SyncStatus {
        int in_sync;             /* 1, 0, or -1: not checked yet */
        char last_error[384];    /* empty: none */
        uint64_t last_applied;   /* CLOCK_REALTIME usec of the last successful change; 0: never */
        uint64_t last_checked;   /* CLOCK_REALTIME usec of the last comparison */
} SyncStatus;

typedef struct PfRuntime {
        char address[PCI_ADDR_STRLEN];
        char driver[64];       /* capabilities below are for this driver */
        bool probed;
        VfCaps caps;
        int ifindex;           /* of the PF's netdev when last seen; 0: unknown */
        bool carrier;
        SyncStatus status;
        SyncStatus *vf_status; /* by VF index */
        size_t n_vf_status;
} PfRuntime;

PfRuntime *runtime_get(Manager *m, const char *address);
PfRuntime *runtime_find(Manager *m, const char *address);
SyncStatus *runtime_vf_status(PfRuntime *rt, unsigned index);
void runtime_free_all(Manager *m);
void sync_status_error(SyncStatus *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
json_object *sync_status_to_json(const SyncStatus *s);
json_object *vf_caps_to_json(const VfCaps *c);

/* What a PF has now. Owns the storage the Observed points into (copies, not
 * pointers into the inventory, which a VF count change rescans). */
typedef struct Observation {
        Observed o;
        char address[PCI_ADDR_STRLEN];
        char ifname[64]; /* the PF's netdev; empty when it has none */
        PfLink link;
        VfUsage *usage;
        char settings_error[256];
        char driver[64];
        /* BAR0, mapped when a plan needs the registers (vfmgr_open_registers). */
        struct RegIo *regio;
        int regio_errno;
        char regio_error[512];
} Observation;

void observation_done(Observation *ob);
/* -ENOENT: no such PF. Problems reading settings are not errors: they are
 * recorded in ob->o.settings_error. */
int vfmgr_observe(Manager *m, const char *address, Observation *ob);

/* Map the PF's registers for ob (once); -errno with ob->regio_error explaining. */
int vfmgr_open_registers(Manager *m, Observation *ob);

/* Append the register writes that bring the PF's pool receive flags and mirror
 * rules to want (see core/regplan.c). count: the VF count after the plan. */
int regplan_pf(Manager *m, const DesiredPf *want, const DesiredPf *before, Observation *ob,
               unsigned count, bool reapply, Plan *plan, PlanError *err);

/* An error to hand to the API: the code and a sentence. */
typedef PlanError ChangeError;

/* Change what is wanted for one PF to want (NULL: release it: restore every VF
 * it manages and stop managing it), carry it out, and keep it. All or
 * nothing: on failure, what was applied is rolled back and the desired state
 * is as before. */
int vfmgr_change_pf(Manager *m, const char *address, const DesiredPf *want, const PlanOptions *opts,
                    ChangeError *err);

/* Replace the whole desired state (PUT /v1/state). PFs left out are released. */
int vfmgr_replace_state(Manager *m, const Desired *want, bool force, uid_t uid,
                        json_object **ret_plans, ChangeError *err);

/* Plan only (POST /v1/plan, and PUT /v1/state before applying): the actions per
 * PF, or the first error. */
int vfmgr_plan_state(Manager *m, const Desired *want, bool force, json_object **ret,
                     ChangeError *err);

/* Load DIR/state.json at start. A missing file is an empty state; a damaged
 * one puts the daemon in read-only mode (m->read_only_reason says why) and
 * is left in place; one from a newer nfvcapd is -EPROTONOSUPPORT. */
int vfmgr_load_state(Manager *m);
/* Write the desired state (atomically). */
int vfmgr_save_state(Manager *m, const Desired *d);

/* Reconciliation. */
int reconcile_setup(Manager *m);
/* Run a reconcile after delay_usec (coalescing with one already due sooner).
 * reapply_pf: also re-set every managed knob of this PF (after a PF reset);
 * NULL for none. */
void reconcile_schedule(Manager *m, uint64_t delay_usec, const char *reason, const char *reapply_pf);
/* Compare and re-apply every managed PF now. */
void reconcile_now(Manager *m, const char *reason);
