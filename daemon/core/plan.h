/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Planning: from what the operator wants for a PF, what was wanted before,
 * and what the machine has, derive the ordered actions that make it so —
 * or the reason it cannot be done, before anything is touched. Pure: no
 * I/O, so `POST /v1/plan`, every change and the reconciler share it and the
 * unit tests can drive it with made-up machines.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "core/desired.h"
#include "error.h"
#include "hw/nic/nic.h"
#include "hw/rtnl.h"

/* Whether a VF is busy: bound to vfio-pci (assigned to a guest) or claimed. */
typedef struct VfUsage {
        unsigned index;
        bool in_use;
        char reason[96];
} VfUsage;

typedef struct Observed {
        const char *address;
        int total_vfs;             /* the driver's sriov_totalvfs; -1 unknown */
        unsigned vf_count;         /* VFs present now */
        const char *settings_error; /* why VF settings are unknown; NULL when known */
        const VfObserved *vfs;     /* settings of the present VFs, by index */
        size_t n_vfs;
        const VfUsage *usage;
        size_t n_usage;
        uint32_t unsupported;      /* knob bits the PF's driver cannot change */
        const char *unsupported_reason[_VF_KNOB_MAX];
} Observed;

typedef enum ActionKind {
        ACTION_VF_COUNT, /* write sriov_numvfs (through 0 when both counts are non-zero) */
        ACTION_VF_SET,   /* one knob group of one VF, one rtnetlink request */
        ACTION_REG,      /* one read-modify-write of a NIC register (core/regplan.c) */
} ActionKind;

typedef struct Action {
        ActionKind kind;
        unsigned from_count, to_count;
        unsigned vf;
        VfKnobGroup group;
        bool from_known;
        NfvVfSettings from; /* the group's knobs before, when known */
        NfvVfSettings to;   /* every knob of the group */
        bool restore;       /* giving back the VF's original settings */
        /* ACTION_REG */
        RegOp reg;
        int rx_vf;          /* the VF whose pool receive flags this changes, or -1 */
        uint32_t rx_before; /* those flags before the plan, for the original snapshot */
        char why[48];       /* for the audit log: "rx-mode VF 3", "mirror 1", ... */
} Action;

typedef struct Plan {
        char pf[PCI_ADDR_STRLEN];
        Action *actions;
        size_t n;
        bool settings_unknown; /* actions assume defaults: observed settings were unavailable */
} Plan;

typedef struct PlanOptions {
        bool force;   /* allow destroying VFs that are in use */
        bool reapply; /* set every managed knob even when it reads back right */
        const char *count_field; /* how the request names the VF count ("count", "vf_count") */
        uid_t uid;    /* who asks, for the audit log of register writes (-1: nfvcapd) */
} PlanOptions;

/* Why something cannot be done: the API error code, the request field at
 * fault (empty when none) and a sentence for a person. */
typedef struct PlanError {
        NfvErrorCode code;
        char field[128];
        char message[512];
} PlanError;

/* Fill err and return r (a negative errno), so that callers can
 * `return plan_fail(err, NFV_ERR_..., -EINVAL, "field", "...")`. */
int plan_fail(PlanError *err, NfvErrorCode code, int r, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

void plan_done(Plan *p);
int plan_push(Plan *p, const Action *a);

/* Plan PF have->address towards want (NULL: stop managing it), given what was
 * wanted before (NULL: nothing). Knobs managed before and no longer wanted
 * are restored to the VF's original settings. Returns 0 with the actions
 * (possibly none), or -EINVAL/-EBUSY/-EOPNOTSUPP with err filled. */
int plan_pf(const DesiredPf *want, const DesiredPf *before, const Observed *have,
            const PlanOptions *opts, Plan *ret, PlanError *err);

json_object *plan_to_json(const Plan *p);
json_object *action_to_json(const Action *a);
