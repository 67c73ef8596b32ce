/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Carrying out plans. A change is a transaction:
 *   1. plan every PF it touches; any refusal ends it before the machine is touched;
 *   2. write the new desired state (so a crash from here on converges to it);
 *   3. before the first change to a VF, record its original settings, and
 *      write them too;
 *   4. run the actions in order, logging each;
 *   5. read back and compare;
 *   6. on any failure, undo the logged actions in reverse and write the old
 *      desired state back.
 * The reconciler runs the same steps 3-5 without the undo.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/audit.h"
#include "core/vfmgr.h"
#include "hw/regio.h"
#include "hw/vfcount.h"
#include "log.h"
#include "store/statefile.h"

typedef struct TxStep {
        char pf[PCI_ADDR_STRLEN];
        int ifindex;
        Action action;
        struct RegIo *regio; /* ACTION_REG: the mapping it went through, and */
        uint32_t reg_old;    /* the register's value before, for the undo */
} TxStep;

typedef struct Tx {
        Manager *m;
        Desired next;   /* the desired state being made true */
        TxStep *steps;  /* what has been done, for the undo */
        size_t n_steps;
        uid_t uid;      /* who asked (the audit log's "by") */
} Tx;

static uint64_t now_realtime(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Errors of a change that got as far as the machine: -EIO to the caller. */
#define set_err(err, code, field, ...) plan_fail(err, code, -EIO, field, __VA_ARGS__)

static const char *errno_name(int e) {
        const char *n = strerrorname_np(abs(e));
        return n ? n : "?";
}

int vfmgr_save_state(Manager *m, const Desired *d) {
        json_object *doc = desired_state_file_doc(d);
        int r = statefile_write(m->config->state_dir, doc);
        json_object_put(doc);
        if (r < 0)
                return log_error_errno(r, "cannot write %s/%s: %m", m->config->state_dir,
                                       STATEFILE_NAME);
        return 0;
}

int vfmgr_load_state(Manager *m) {
        json_object *doc = NULL;
        DesiredError derr;
        char err[512] = "";
        int r = statefile_read(m->config->state_dir, &doc, err, sizeof(err));

        if (r == -ENOENT) {
                log_info("no desired state yet (%s/%s does not exist)", m->config->state_dir,
                         STATEFILE_NAME);
                return 0;
        }
        if (r == -EBADMSG) {
                if (asprintf(&m->read_only_reason, "%s; nfvcapd changes nothing until it is "
                                                   "repaired or moved away (it is kept as it is)",
                             err) < 0)
                        return -ENOMEM;
                log_error("read-only: %s", m->read_only_reason);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "cannot read %s/%s: %m", m->config->state_dir,
                                       STATEFILE_NAME);
        r = desired_from_state_file(doc, &m->desired, &derr);
        json_object_put(doc);
        if (r == -EPROTONOSUPPORT)
                return log_error_errno(r,
                                       "refusing %s/%s: it was %s. Upgrade nfvcapd, or move the "
                                       "file away to start from an empty desired state.",
                                       m->config->state_dir, STATEFILE_NAME, derr.message);
        if (r < 0) {
                if (asprintf(&m->read_only_reason,
                             "%s/%s is damaged (%s%s%s); nfvcapd changes nothing until it is "
                             "repaired or moved away (it is kept as it is)",
                             m->config->state_dir, STATEFILE_NAME, derr.field,
                             derr.field[0] ? ": " : "", derr.message) < 0)
                        return -ENOMEM;
                log_error("read-only: %s", m->read_only_reason);
                return 0;
        }
        log_info("desired state loaded: %zu PF(s)", m->desired.n);
        return 0;
}

static void tx_done(Tx *tx) {
        desired_done(&tx->next);
        free(tx->steps);
        *tx = (Tx){ 0 };
}

static TxStep *tx_log(Tx *tx, const char *pf, int ifindex, const Action *a) {
        TxStep *n = realloc(tx->steps, (tx->n_steps + 1) * sizeof(TxStep));
        if (!n)
                return NULL;
        tx->steps = n;
        n[tx->n_steps] = (TxStep){ .ifindex = ifindex, .action = *a };
        snprintf(n[tx->n_steps].pf, sizeof(n[0].pf), "%s", pf);
        return &n[tx->n_steps++];
}

static void map_count_error(int r, const Action *a, const char *pf, const char *detail,
                            ChangeError *err) {
        switch (r) {
        case -EBUSY:
                set_err(err, NFV_ERR_CONFLICT, "count",
                        "the driver of %s refused to change its VF count to %u: %s (%s); are "
                        "VFs still in use?",
                        pf, a->to_count, strerror(-r), errno_name(r));
                break;
        case -ERANGE:
        case -EINVAL:
                set_err(err, NFV_ERR_INVALID_ARGUMENT, "count",
                        "the driver of %s refused %u VFs: %s (%s)", pf, a->to_count,
                        strerror(-r), errno_name(r));
                break;
        case -ENOMEM:
        case -ENOSPC:
                set_err(err, NFV_ERR_UNAVAILABLE, "count",
                        "not enough resources for %u VFs on %s (bus numbers, MMIO or memory): %s "
                        "(%s)",
                        a->to_count, pf, strerror(-r), errno_name(r));
                break;
        case -EOPNOTSUPP:
        case -ENOSYS:
        case -ENOENT:
                set_err(err, NFV_ERR_UNSUPPORTED, "count",
                        "%s cannot create VFs now (no PF driver bound, or one without SR-IOV "
                        "support): %s (%s)",
                        pf, strerror(-r), errno_name(r));
                break;
        case -ETIMEDOUT:
                set_err(err, NFV_ERR_UNAVAILABLE, "count",
                        "%u VFs of %s were created but are not ready: %s", a->to_count, pf, detail);
                break;
        default:
                set_err(err, NFV_ERR_INTERNAL, "count", "writing sriov_numvfs of %s failed: %s (%s)",
                        pf, strerror(-r), errno_name(r));
        }
}

/* *written: the count was changed (even if the VFs then did not come up),
 * so that the undo knows to put it back. */
static int run_count(Tx *tx, const char *pf, const Action *a, bool *written, ChangeError *err) {
        Manager *m = tx->m;
        char detail[256] = "";
        int r = 0;

        *written = false;
        log_pf_info(pf, "VF count %u -> %u%s", a->from_count, a->to_count,
                    a->from_count && a->to_count ? " (through 0)" : "");
        /* The kernel refuses to change between two non-zero counts. */
        bool zeroed = false;
        if (a->from_count && a->to_count) {
                r = vf_count_write(m->sysfs, pf, 0);
                zeroed = r >= 0;
        }
        if (r >= 0)
                r = vf_count_write(m->sysfs, pf, a->to_count);
        /* Going through 0 alone already removed the VFs: that needs undoing too. */
        *written = zeroed || r >= 0;
        inventory_invalidate(m->inventory, "VF count changed");
        if (r >= 0 && a->to_count)
                r = vf_count_wait(m->sysfs, pf, a->to_count, m->config->vf_wait_timeout_ms * 1000,
                                  detail, sizeof(detail));
        if (r < 0) {
                map_count_error(r, a, pf, detail, err);
                return r;
        }
        return 0;
}

static int run_set(Tx *tx, const char *pf, int ifindex, const Action *a, ChangeError *err) {
        Manager *m = tx->m;
        PfRuntime *rt = runtime_get(m, pf);
        VfKnob first = VF_KNOB_MAC;
        json_object *to;
        int r;

        for (int k = _VF_KNOB_MAX - 1; k >= 0; k--)
                if (vf_group_knobs(a->group) & VF_KNOB_BIT(k))
                        first = (VfKnob) k;
        to = vf_settings_to_json(&a->to);
        log_pf_info(pf, "VF %u: set %s", a->vf, json_object_to_json_string(to));
        r = rtnl_set_vf(m->rtnl, ifindex, a->vf, a->group, &a->to);
        if (r < 0) {
                bool cannot = rt && vfcaps_learn(&rt->caps, rt->driver, a->group, &a->to, r);
                set_err(err, cannot || r == -EINVAL || r == -ERANGE ? NFV_ERR_UNSUPPORTED
                                                                     : NFV_ERR_INTERNAL,
                        a->group == VF_GROUP_VLAN && r == -EPROTONOSUPPORT ? "vlan_proto"
                                                                          : vf_knob_to_string(first),
                        "the driver of %s refused VF %u %s %s: %s (%s)", pf, a->vf,
                        vf_group_to_string(a->group), json_object_to_json_string(to),
                        strerror(-r), errno_name(r));
        }
        json_object_put(to);
        return r;
}

/* Record the VF's settings before nfvcapd first changes them. */
static int snapshot(DesiredPf *np, const PfLink *link, unsigned vf, bool *changed) {
        for (size_t i = 0; i < link->n_vfs; i++)
                if (link->vfs[i].index == vf) {
                        VfEntry *o;
                        if (vf_list_find(&np->originals, vf))
                                return 0;
                        o = vf_list_get(&np->originals, vf);
                        if (!o)
                                return -ENOMEM;
                        o->settings = link->vfs[i].settings;
                        *changed = true;
                        return 0;
                }
        return 0; /* settings unknown: nothing to record; the set below will say why */
}

/* One register write: record the pool's original flags first (as for VF
 * settings), write, read back, audit, and log it for the undo. */
static int run_reg(Tx *tx, const char *pf, DesiredPf *np, Observation *ob, const Action *a,
                   ChangeError *err) {
        Manager *m = tx->m;
        uint32_t old, now;
        TxStep *step;
        int r;

        if (np && a->rx_vf >= 0 && !rx_list_find(&np->rx_originals, (unsigned) a->rx_vf)) {
                RxEntry *o = rx_list_get(&np->rx_originals, (unsigned) a->rx_vf);
                if (!o)
                        return set_err(err, NFV_ERR_INTERNAL, NULL, "out of memory");
                o->managed = regio_model(ob->regio)->rx_flags;
                o->on = a->rx_before;
                r = vfmgr_save_state(m, &tx->next);
                if (r < 0)
                        return set_err(err, NFV_ERR_INTERNAL, NULL,
                                       "cannot record the original flags of VF %d: %s", a->rx_vf,
                                       strerror(-r));
        }
        r = regio_rmw(ob->regio, a->reg.offset, a->reg.mask, a->reg.value, &old, &now);
        if (r == -EINVAL)
                return set_err(err, NFV_ERR_INTERNAL, NULL, "%s at 0x%05x is outside BAR0",
                               a->reg.name, a->reg.offset);
        /* Written either way: the audit log has it, and the undo puts it back. */
        audit_record(m->audit, pf, a->reg.name, a->reg.offset, old, now, tx->uid, a->why);
        step = tx_log(tx, pf, 0, a);
        if (!step)
                return set_err(err, NFV_ERR_INTERNAL, NULL, "out of memory");
        step->regio = ob->regio;
        step->reg_old = old;
        if (r < 0)
                return set_err(err, NFV_ERR_INTERNAL, NULL,
                               "%s of %s did not take the write: 0x%08x written, 0x%08x read back",
                               a->reg.name, pf, (old & ~a->reg.mask) | (a->reg.value & a->reg.mask),
                               now);
        return 0;
}

/* Run a PF's plan. ob describes the PF before the plan. */
static int tx_run_pf(Tx *tx, const Plan *plan, Observation *ob, ChangeError *err) {
        Manager *m = tx->m;
        DesiredPf *np = desired_find_pf(&tx->next, plan->pf);
        PfLink fresh = { 0 };
        const PfLink *link = &ob->link;
        const char *ifname = ob->ifname;
        int ifindex = ob->link.ifindex;
        int r = 0;

        for (size_t i = 0; i < plan->n && r >= 0; i++) {
                const Action *a = &plan->actions[i];
                if (a->kind == ACTION_VF_COUNT) {
                        bool written;
                        r = run_count(tx, plan->pf, a, &written, err);
                        if (written && !tx_log(tx, plan->pf, ifindex, a) && r >= 0)
                                r = -ENOMEM;
                        /* Fresh VFs: their settings are the driver's defaults. Read them
                         * for the snapshots below. The old observation is now stale. */
                        if (r >= 0 && ifname[0] && rtnl_read_pf(m->rtnl, ifname, &fresh) >= 0) {
                                link = &fresh;
                                ifindex = fresh.ifindex;
                        }
                        continue;
                }
                if (a->kind == ACTION_REG) {
                        r = run_reg(tx, plan->pf, np, ob, a, err);
                        continue;
                }
                if (!ifindex) {
                        r = set_err(err, NFV_ERR_UNAVAILABLE, NULL, "%s",
                                    ob->o.settings_error ? ob->o.settings_error
                                                         : "the PF has no network interface");
                        break;
                }
                if (np) {
                        bool changed = false;
                        r = snapshot(np, link, a->vf, &changed);
                        if (r >= 0 && changed)
                                r = vfmgr_save_state(m, &tx->next);
                        if (r < 0) {
                                set_err(err, NFV_ERR_INTERNAL, NULL,
                                        "cannot record the original settings of VF %u: %s", a->vf,
                                        strerror(-r));
                                break;
                        }
                }
                r = run_set(tx, plan->pf, ifindex, a, err);
                if (r >= 0 && !tx_log(tx, plan->pf, ifindex, a))
                        r = -ENOMEM;
        }
        pf_link_done(&fresh);
        return r;
}

static void tx_undo(Tx *tx) {
        Manager *m = tx->m;
        for (size_t i = tx->n_steps; i-- > 0;) {
                const TxStep *s = &tx->steps[i];
                const Action *a = &s->action;
                int r = 0;
                if (a->kind == ACTION_REG) {
                        uint32_t old, now;
                        r = regio_rmw(s->regio, a->reg.offset, ~0u, s->reg_old, &old, &now);
                        audit_record(m->audit, s->pf, a->reg.name, a->reg.offset, old, now,
                                     tx->uid, "undo");
                } else if (a->kind == ACTION_VF_COUNT) {
                        Action back = { .kind = ACTION_VF_COUNT, .from_count = a->to_count,
                                        .to_count = a->from_count };
                        ChangeError ignored;
                        bool written;
                        r = run_count(tx, s->pf, &back, &written, &ignored);
                } else if (a->from_known) {
                        r = rtnl_set_vf(m->rtnl, s->ifindex, a->vf, a->group, &a->from);
                }
                if (r < 0)
                        log_pf_warning_errno(s->pf, r, "undo of step %zu failed: %m", i + 1);
                else
                        log_pf_info(s->pf, "undone: %s", a->kind == ACTION_VF_COUNT
                                                                 ? "VF count"
                                                                 : vf_group_to_string(a->group));
        }
        tx->n_steps = 0;
}

/* The desired entry of a PF after a change: what is wanted, with the originals
 * of VFs that keep existing (VFs that are recreated start afresh). */
static int next_pf_entry(Desired *next, const char *pf, const DesiredPf *want,
                         const DesiredPf *before, const Plan *plan, unsigned count_after) {
        DesiredPf np = { 0 };
        bool recreated = plan->n && plan->actions[0].kind == ACTION_VF_COUNT;
        int r;

        if (want) {
                r = desired_pf_copy(want, &np);
                if (r < 0)
                        return r;
                free(np.originals.items);
                np.originals = (VfList){ 0 };
                free(np.rx_originals.items);
                np.rx_originals = (RxList){ 0 };
        }
        snprintf(np.address, sizeof(np.address), "%s", pf);
        if (before && !recreated) {
                for (size_t i = 0; i < before->originals.n; i++) {
                        VfEntry *o = vf_list_get(&np.originals, before->originals.items[i].index);
                        if (!o) {
                                desired_pf_done(&np);
                                return -ENOMEM;
                        }
                        *o = before->originals.items[i];
                }
                for (size_t i = 0; i < before->rx_originals.n; i++) {
                        RxEntry *o = rx_list_get(&np.rx_originals,
                                                 before->rx_originals.items[i].index);
                        if (!o) {
                                desired_pf_done(&np);
                                return -ENOMEM;
                        }
                        *o = before->rx_originals.items[i];
                }
        }
        desired_pf_truncate(&np, count_after);
        r = desired_put_pf(next, &np);
        desired_pf_done(&np);
        return r;
}

/* After success: VFs without managed knobs no longer need their originals;
 * PFs that are released or manage nothing leave the desired state. */
static void tidy(Desired *d, const char *pf, bool released) {
        DesiredPf *p = desired_find_pf(d, pf);
        if (!p)
                return;
        for (size_t i = p->originals.n; i-- > 0;) {
                const VfEntry *w = vf_list_find(&p->vfs, p->originals.items[i].index);
                if (!w || !w->settings.set)
                        vf_list_remove(&p->originals, p->originals.items[i].index);
        }
        for (size_t i = p->rx_originals.n; i-- > 0;) {
                const RxEntry *w = rx_list_find(&p->rx_modes, p->rx_originals.items[i].index);
                if (!w || !w->managed)
                        rx_list_remove(&p->rx_originals, p->rx_originals.items[i].index);
        }
        /* A PF that is released, or for which nothing is wanted any more, is no
         * longer managed. */
        if (released || desired_pf_is_empty(p))
                desired_remove_pf(d, pf);
}

/* Read back: plan again against what the machine now has. Anything left to do
 * means the driver did not keep what it was given. VF knobs must read back at
 * once. Registers may not: changing a VF's MAC, trust or VLAN makes its driver
 * reset the VF, and the PF driver then rewrites the VF pool's flags (igb sets
 * BAM, ixgbe its xcast bits) a moment later. So register writes that did not
 * stick are made again, a few times, before the change counts as failed. */
#define SETTLE_ROUNDS 5
#define SETTLE_DELAY_MS 200

static int verify(Tx *tx, const char *pf, const DesiredPf *want, ChangeError *err) {
        Manager *m = tx->m;

        for (unsigned round = 0;; round++) {
                Observation ob;
                Plan plan = { 0 };
                PlanError perr;
                PlanOptions opts = { .force = true };
                bool only_registers = true;
                int r = vfmgr_observe(m, pf, &ob);

                if (r < 0)
                        return set_err(err, NFV_ERR_INTERNAL, NULL, "cannot read %s back: %s", pf,
                                       strerror(-r));
                if (ob.o.settings_error && want && want->vfs.n) {
                        set_err(err, NFV_ERR_UNAVAILABLE, NULL, "%s", ob.o.settings_error);
                        observation_done(&ob);
                        return -EIO;
                }
                r = plan_pf(want, want, &ob.o, &opts, &plan, &perr);
                if (r >= 0)
                        r = regplan_pf(m, want, want, &ob, ob.o.vf_count, false, &plan, &perr);
                if (r < 0) {
                        plan_done(&plan);
                        observation_done(&ob);
                        return *err = perr, -EIO;
                }
                for (size_t i = 0; i < plan.n; i++)
                        only_registers = only_registers && plan.actions[i].kind == ACTION_REG;
                if (plan.n && (!only_registers || round == SETTLE_ROUNDS)) {
                        json_object *to = action_to_json(&plan.actions[0]);
                        if (only_registers)
                                set_err(err, NFV_ERR_INTERNAL, NULL,
                                        "%s does not keep what was written: the driver rewrote it "
                                        "%u times; still to do %s",
                                        pf, SETTLE_ROUNDS, json_object_to_json_string(to));
                        else
                                set_err(err, NFV_ERR_INTERNAL, NULL,
                                        "%s does not hold what was set: still to do %s (the driver "
                                        "accepted it but reads back something else)",
                                        pf, json_object_to_json_string(to));
                        json_object_put(to);
                        r = -EIO;
                }
                for (size_t i = 0; r >= 0 && i < plan.n; i++) {
                        struct timespec ts = { .tv_nsec = SETTLE_DELAY_MS * 1000000L };
                        if (i == 0)
                                nanosleep(&ts, NULL); /* let the driver finish its reset */
                        char why[sizeof(plan.actions[i].why)];
                        snprintf(why, sizeof(why), "%s", plan.actions[i].why);
                        snprintf(plan.actions[i].why, sizeof(plan.actions[i].why), "%.30s (again)",
                                 why);
                        r = run_reg(tx, pf, desired_find_pf(&tx->next, pf), &ob, &plan.actions[i],
                                    err);
                }
                bool done = plan.n == 0;
                plan_done(&plan);
                observation_done(&ob);
                if (r < 0)
                        return r;
                if (done)
                        return 0;
        }
}

static void mark_applied(Manager *m, const Plan *plan, bool ok, const char *error) {
        PfRuntime *rt = runtime_get(m, plan->pf);
        uint64_t now = now_realtime();
        if (!rt)
                return;
        rt->status.last_checked = now;
        rt->status.in_sync = ok;
        if (ok) {
                rt->status.last_error[0] = '\0';
                if (plan->n)
                        rt->status.last_applied = now;
        } else
                sync_status_error(&rt->status, "%s", error);
        for (size_t i = 0; i < plan->n; i++) {
                const Action *a = &plan->actions[i];
                SyncStatus *s;
                unsigned vf = a->kind == ACTION_REG ? (unsigned) a->rx_vf : a->vf;
                if ((a->kind != ACTION_VF_SET && !(a->kind == ACTION_REG && a->rx_vf >= 0)) ||
                    !(s = runtime_vf_status(rt, vf)))
                        continue;
                s->last_checked = now;
                s->in_sync = ok;
                if (ok) {
                        s->last_applied = now;
                        s->last_error[0] = '\0';
                } else
                        sync_status_error(s, "%s", error);
        }
        if (plan->n && plan->actions[0].kind == ACTION_VF_COUNT) {
                /* The VFs are new: their earlier history no longer applies. */
                for (size_t i = 0; i < rt->n_vf_status && ok; i++)
                        if (rt->vf_status[i].last_applied != now)
                                rt->vf_status[i] = (SyncStatus){ .in_sync = -1 };
        }
}

static int refuse_read_only(Manager *m, ChangeError *err) {
        return set_err(err, NFV_ERR_UNAVAILABLE, NULL, "nfvcapd is read-only: %s",
                       m->read_only_reason);
}

static unsigned count_after(const Plan *plan, const Observation *ob) {
        return plan->n && plan->actions[0].kind == ACTION_VF_COUNT ? plan->actions[0].to_count
                                                                   : ob->o.vf_count;
}

/* Plan one PF against the current desired state. */
static int plan_one(Manager *m, const char *pf, const DesiredPf *want, const PlanOptions *opts,
                    Observation *ob, Plan *plan, ChangeError *err) {
        PlanError perr;
        int r = vfmgr_observe(m, pf, ob);

        if (r == -ENOENT)
                return set_err(err, NFV_ERR_NOT_FOUND, "addr", "no SR-IOV physical function at %s",
                               pf);
        if (r < 0)
                return set_err(err, NFV_ERR_UNAVAILABLE, NULL, "cannot observe %s: %s", pf,
                               strerror(-r));
        r = plan_pf(want, desired_find_pf(&m->desired, pf), &ob->o, opts, plan, &perr);
        if (r >= 0)
                r = regplan_pf(m, want, desired_find_pf(&m->desired, pf), ob,
                               count_after(plan, ob), false, plan, &perr);
        if (r < 0) {
                plan_done(plan);
                *err = perr;
                observation_done(ob);
                return r;
        }
        return 0;
}

/* VF settings can only be set where they can be read: refuse up front. */
static int check_settings_reachable(const Plan *plans, const Observation *obs, size_t n,
                                    ChangeError *err) {
        for (size_t i = 0; i < n; i++) {
                if (!obs[i].o.settings_error)
                        continue;
                for (size_t k = 0; k < plans[i].n; k++)
                        if (plans[i].actions[k].kind == ACTION_VF_SET)
                                return set_err(err, NFV_ERR_UNAVAILABLE, NULL, "%s",
                                               obs[i].o.settings_error);
        }
        return 0;
}

/* Apply already-made plans (one per PF, with their observations) as one
 * transaction; want[i] NULL releases PF i. */
static int transact(Manager *m, Plan *plans, Observation *obs, const DesiredPf *const *want,
                    size_t n, uid_t uid, ChangeError *err) {
        Tx tx = { .m = m, .uid = uid };
        char failed_pf[PCI_ADDR_STRLEN] = "";
        int r;

        r = check_settings_reachable(plans, obs, n, err);
        if (r < 0)
                return r;

        r = desired_copy(&m->desired, &tx.next);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = next_pf_entry(&tx.next, plans[i].pf, want[i],
                                  desired_find_pf(&m->desired, plans[i].pf), &plans[i],
                                  count_after(&plans[i], &obs[i]));
        if (r < 0) {
                tx_done(&tx);
                return set_err(err, NFV_ERR_INTERNAL, NULL, "out of memory");
        }
        /* The intent is on disk before the machine changes. */
        r = vfmgr_save_state(m, &tx.next);
        if (r < 0) {
                tx_done(&tx);
                return set_err(err, NFV_ERR_INTERNAL, NULL, "cannot write the desired state: %s",
                               strerror(-r));
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = tx_run_pf(&tx, &plans[i], &obs[i], err);
                if (r >= 0)
                        r = verify(&tx, plans[i].pf, desired_find_pf(&tx.next, plans[i].pf), err);
                if (r < 0)
                        snprintf(failed_pf, sizeof(failed_pf), "%s", plans[i].pf);
        }
        if (r < 0) {
                log_pf_warning(failed_pf, "change failed, undoing it: %s", err->message);
                tx_undo(&tx);
                (void) vfmgr_save_state(m, &m->desired);
                for (size_t i = 0; i < n; i++)
                        if (streq(plans[i].pf, failed_pf))
                                mark_applied(m, &plans[i], false, err->message);
                tx_done(&tx);
                reconcile_schedule(m, 0, "after an undone change", NULL);
                return -EIO;
        }
        for (size_t i = 0; i < n; i++) {
                tidy(&tx.next, plans[i].pf, want[i] == NULL);
                mark_applied(m, &plans[i], true, NULL);
        }
        r = vfmgr_save_state(m, &tx.next);
        desired_done(&m->desired);
        m->desired = tx.next;
        tx.next = (Desired){ 0 };
        tx_done(&tx);
        return r < 0 ? set_err(err, NFV_ERR_INTERNAL, NULL,
                               "applied, but cannot write the desired state: %s", strerror(-r))
                     : 0;
}

int vfmgr_change_pf(Manager *m, const char *address, const DesiredPf *want, const PlanOptions *opts,
                    ChangeError *err) {
        Observation ob;
        Plan plan = { 0 };
        int r;

        if (m->read_only_reason)
                return refuse_read_only(m, err);
        r = plan_one(m, address, want, opts, &ob, &plan, err);
        if (r < 0)
                return r;
        r = transact(m, &plan, &ob, &want, 1, opts->uid, err);
        plan_done(&plan);
        observation_done(&ob);
        return r;
}

static void free_all(Plan *plans, Observation *obs, const DesiredPf **w, size_t n) {
        for (size_t i = 0; i < n; i++) {
                plan_done(&plans[i]);
                observation_done(&obs[i]);
        }
        free(plans);
        free(obs);
        free(w);
}

/* Plans for every PF the new desired state or the current one names. */
static int plan_all(Manager *m, const Desired *want, bool force, Plan **ret_plans,
                    Observation **ret_obs, const DesiredPf ***ret_want, size_t *ret_n,
                    ChangeError *err) {
        size_t n = 0, cap = want->n + m->desired.n;
        Plan *plans = calloc(cap ? cap : 1, sizeof(Plan));
        Observation *obs = calloc(cap ? cap : 1, sizeof(Observation));
        const DesiredPf **w = calloc(cap ? cap : 1, sizeof(*w));
        PlanOptions opts = { .force = force, .count_field = "vf_count", .uid = AUDIT_UID_DAEMON };
        int r = 0;

        if (!plans || !obs || !w) {
                free(plans);
                free(obs);
                free(w);
                return set_err(err, NFV_ERR_INTERNAL, NULL, "out of memory");
        }
        for (size_t i = 0; i < cap && r >= 0; i++) {
                const char *pf = i < want->n ? want->pfs[i].address
                                             : m->desired.pfs[i - want->n].address;
                if (i >= want->n && desired_find_pf(want, pf))
                        continue; /* already planned from the new state */
                w[n] = desired_find_pf(want, pf);
                r = plan_one(m, pf, w[n], &opts, &obs[n], &plans[n], err);
                if (r >= 0)
                        n++;
                else if (err->field[0] && !strchr(err->field, '.')) {
                        /* Name the field inside the document. */
                        char f[sizeof(err->field) + PCI_ADDR_STRLEN + 8];
                        snprintf(f, sizeof(f), "pfs.%s.%s", pf, err->field);
                        snprintf(err->field, sizeof(err->field), "%.127s", f);
                }
        }
        if (r < 0) {
                free_all(plans, obs, w, n);
                return r;
        }
        *ret_plans = plans;
        *ret_obs = obs;
        *ret_want = w;
        *ret_n = n;
        return 0;
}

static json_object *plans_to_json(const Plan *plans, size_t n) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                json_object_array_add(a, plan_to_json(&plans[i]));
                total += plans[i].n;
        }
        json_object_object_add(o, "plans", a);
        json_object_object_add(o, "action_count", json_object_new_int((int) total));
        return o;
}

int vfmgr_plan_state(Manager *m, const Desired *want, bool force, json_object **ret,
                     ChangeError *err) {
        Plan *plans;
        Observation *obs;
        const DesiredPf **w;
        size_t n;
        int r = plan_all(m, want, force, &plans, &obs, &w, &n, err);

        if (r < 0)
                return r;
        *ret = plans_to_json(plans, n);
        free_all(plans, obs, w, n);
        return 0;
}

int vfmgr_replace_state(Manager *m, const Desired *want, bool force, uid_t uid,
                        json_object **ret_plans, ChangeError *err) {
        Plan *plans;
        Observation *obs;
        const DesiredPf **w;
        size_t n;
        int r;

        if (m->read_only_reason)
                return refuse_read_only(m, err);
        r = plan_all(m, want, force, &plans, &obs, &w, &n, err);
        if (r < 0)
                return r;
        *ret_plans = plans_to_json(plans, n);
        r = transact(m, plans, obs, w, n, uid, err);
        if (r < 0) {
                json_object_put(*ret_plans);
                *ret_plans = NULL;
        }
        free_all(plans, obs, w, n);
        return r;
}

/* Reconciler's apply: same steps, no undo. Used by reconcile.c. */
int vfmgr_reconcile_pf(Manager *m, const char *pf, bool reapply, size_t *acted);
int vfmgr_reconcile_pf(Manager *m, const char *pf, bool reapply, size_t *acted) {
        const DesiredPf *want = desired_find_pf(&m->desired, pf);
        PlanOptions opts = { .reapply = reapply, .uid = AUDIT_UID_DAEMON };
        Tx tx = { .m = m, .uid = AUDIT_UID_DAEMON };
        ChangeError err = { 0 };
        Observation ob;
        PlanError perr;
        Plan plan = { 0 };
        PfRuntime *rt = runtime_get(m, pf);
        int r;

        *acted = 0;
        if (!rt)
                return -ENOMEM;
        r = vfmgr_observe(m, pf, &ob);
        if (r < 0) {
                rt->status.in_sync = 0;
                rt->status.last_checked = now_realtime();
                sync_status_error(&rt->status, r == -ENOENT ? "%s is not present" : "cannot observe %s",
                                  pf);
                return r;
        }
        r = plan_pf(want, want, &ob.o, &opts, &plan, &perr);
        if (r >= 0)
                r = regplan_pf(m, want, want, &ob, count_after(&plan, &ob), reapply, &plan, &perr);
        if (r < 0) {
                plan_done(&plan);
                rt->status.in_sync = 0;
                rt->status.last_checked = now_realtime();
                sync_status_error(&rt->status, "%s", perr.message);
                observation_done(&ob);
                return r;
        }
        if (plan.n == 0) {
                mark_applied(m, &plan, true, NULL);
                /* Every managed VF reads back as wanted. */
                for (size_t i = 0; want && i < want->vfs.n; i++) {
                        SyncStatus *s = runtime_vf_status(rt, want->vfs.items[i].index);
                        if (s) {
                                s->in_sync = 1;
                                s->last_checked = rt->status.last_checked;
                        }
                }
                plan_done(&plan);
                observation_done(&ob);
                return 0;
        }
        *acted = plan.n;
        log_pf_info(pf, "reconcile: %zu action(s)%s", plan.n, reapply ? " (re-applying all)" : "");
        r = desired_copy(&m->desired, &tx.next);
        if (r >= 0)
                r = tx_run_pf(&tx, &plan, &ob, &err);
        if (r >= 0)
                r = verify(&tx, pf, want, &err);
        if (r >= 0 && tx.next.n) {
                /* Snapshots taken on the way are kept. */
                desired_done(&m->desired);
                m->desired = tx.next;
                tx.next = (Desired){ 0 };
        }
        mark_applied(m, &plan, r >= 0, err.message);
        if (r < 0)
                log_pf_warning(pf, "reconcile failed: %s", err.message);
        tx_done(&tx);
        plan_done(&plan);
        observation_done(&ob);
        return r;
}
