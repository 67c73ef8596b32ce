/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a freshly created VF is assumed to have, for the knobs a driver may be
 * unable to change: asking for these values on such a driver is no change. */
static const NfvVfSettings fresh_vf = {
        .set = VF_KNOBS_ALL,
        .vlan_proto = VF_VLAN_PROTO_8021Q,
        .spoofchk = true,
        .link_state = VF_LINK_STATE_AUTO,
};

void plan_done(Plan *p) {
        free(p->actions);
        *p = (Plan){ 0 };
}

int plan_fail(PlanError *err, NfvErrorCode code, int r, const char *field, const char *fmt, ...) {
        va_list ap;
        err->code = code;
        snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return r;
}

int plan_push(Plan *p, const Action *a) {
        Action *na = realloc(p->actions, (p->n + 1) * sizeof(Action));
        if (!na)
                return -ENOMEM;
        p->actions = na;
        p->actions[p->n++] = *a;
        return 0;
}

static const VfObserved *observed_vf(const Observed *o, unsigned index) {
        if (o->settings_error)
                return NULL;
        for (size_t i = 0; i < o->n_vfs; i++)
                if (o->vfs[i].index == index)
                        return &o->vfs[i];
        return NULL;
}

static int check_count(const DesiredPf *want, const Observed *have, const PlanOptions *opts,
                       unsigned *count_after, PlanError *err) {
        const char *field = opts->count_field ? opts->count_field : "vf_count";

        *count_after = want && want->has_vf_count ? want->vf_count : have->vf_count;
        if (*count_after == have->vf_count)
                return 0;
        if (have->total_vfs >= 0 && *count_after > (unsigned) have->total_vfs)
                return plan_fail(err, NFV_ERR_INVALID_ARGUMENT, -EINVAL, field,
                            "%u VFs requested but the driver of %s allows at most %d "
                            "(sriov_totalvfs)",
                            *count_after, have->address, have->total_vfs);
        /* Any change from a non-zero count goes through 0: every present VF goes away. */
        if (have->vf_count > 0 && !opts->force)
                for (size_t i = 0; i < have->n_usage; i++)
                        if (have->usage[i].in_use)
                                return plan_fail(err, NFV_ERR_CONFLICT, -EBUSY, field,
                                            "changing the VF count of %s from %u to %u removes "
                                            "every VF, and VF %u is in use (%s); detach it first "
                                            "or force",
                                            have->address, have->vf_count, *count_after,
                                            have->usage[i].index, have->usage[i].reason);
        return 0;
}

/* The settings nfvcapd should bring VF index to: wanted knobs at their
 * wanted values, knobs no longer wanted back at their original values. */
static void target_settings(const DesiredPf *want, const DesiredPf *before, unsigned index,
                            NfvVfSettings *target, uint32_t *restored) {
        const VfEntry *w = want ? vf_list_find(&want->vfs, index) : NULL;
        const VfEntry *b = before ? vf_list_find(&before->vfs, index) : NULL;
        const VfEntry *orig = before ? vf_list_find(&before->originals, index) : NULL;
        uint32_t dropped = (b ? b->settings.set : 0) & ~(w ? w->settings.set : 0);

        *target = (NfvVfSettings){ 0 };
        *restored = 0;
        if (orig && dropped) {
                NfvVfSettings back = orig->settings;
                back.set &= dropped;
                vf_settings_merge(target, &back);
                *restored = back.set;
        }
        if (w)
                vf_settings_merge(target, &w->settings);
}

static int plan_vf(const Observed *have, unsigned index, bool recreated, const NfvVfSettings *target,
                   uint32_t restored, const PlanOptions *opts, Plan *plan, PlanError *err) {
        const VfObserved *obs = recreated ? NULL : observed_vf(have, index);
        NfvVfSettings base = obs ? obs->settings : fresh_vf, effective = base;
        const char *bad = NULL;
        char msg[256], field[64];

        vf_settings_merge(&effective, target);
        if (vf_settings_check(&effective, &bad, msg, sizeof(msg)) < 0) {
                snprintf(field, sizeof(field), "%s", bad);
                return plan_fail(err, NFV_ERR_INVALID_ARGUMENT, -EINVAL, field, "VF %u: %s", index, msg);
        }

        for (int g = 0; g < _VF_GROUP_MAX; g++) {
                uint32_t knobs = target->set & vf_group_knobs((VfKnobGroup) g);
                uint32_t changing, refused;
                Action a = { .kind = ACTION_VF_SET, .vf = index, .group = (VfKnobGroup) g };

                if (!knobs)
                        continue;
                changing = vf_settings_diff(target, &base) & knobs;
                /* Re-applying (after a PF reset) sets what reads back right too, except
                 * groups made only of knobs the driver cannot set at all. */
                if (!changing && (!opts->reapply || !(knobs & ~have->unsupported)))
                        continue;
                /* A knob the driver cannot change is refused only when it would change. */
                refused = changing & have->unsupported;
                for (int k = 0; refused && k < _VF_KNOB_MAX; k++)
                        if (refused & VF_KNOB_BIT(k))
                                return plan_fail(err, NFV_ERR_UNSUPPORTED, -EOPNOTSUPP,
                                            vf_knob_to_string((VfKnob) k),
                                            "VF %u: %s cannot be changed on %s: %s", index,
                                            vf_knob_to_string((VfKnob) k), have->address,
                                            have->unsupported_reason[k]
                                                    ? have->unsupported_reason[k]
                                                    : "the driver does not support it");
                a.from_known = obs != NULL;
                a.from = base;
                a.from.set = vf_group_knobs((VfKnobGroup) g);
                a.to = effective;
                a.to.set = vf_group_knobs((VfKnobGroup) g);
                a.restore = (knobs & ~restored) == 0;
                if (plan_push(plan, &a) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int plan_pf(const DesiredPf *want, const DesiredPf *before, const Observed *have,
            const PlanOptions *opts, Plan *ret, PlanError *err) {
        Plan plan = { 0 };
        unsigned count_after;
        bool recreated;
        int r;

        *err = (PlanError){ 0 };
        snprintf(plan.pf, sizeof(plan.pf), "%s", have->address);
        r = check_count(want, have, opts, &count_after, err);
        if (r < 0)
                return r;
        recreated = count_after != have->vf_count;
        if (recreated) {
                Action a = { .kind = ACTION_VF_COUNT, .from_count = have->vf_count,
                             .to_count = count_after };
                if (plan_push(&plan, &a) < 0)
                        return -ENOMEM;
        }
        plan.settings_unknown = have->settings_error && count_after > 0;

        /* Every VF either side mentions, in index order (both lists are sorted). */
        size_t wi = 0, bi = 0;
        const VfList *wl = want ? &want->vfs : NULL, *bl = before ? &before->vfs : NULL;
        while ((wl && wi < wl->n) || (bl && bi < bl->n)) {
                unsigned wx = wl && wi < wl->n ? wl->items[wi].index : UINT32_MAX;
                unsigned bx = bl && bi < bl->n ? bl->items[bi].index : UINT32_MAX;
                unsigned index = wx < bx ? wx : bx;
                bool wanted = wx == index && wl->items[wi].settings.set;
                NfvVfSettings target;
                uint32_t restored;

                wi += wx == index;
                bi += bx == index;
                if (index >= count_after) {
                        if (wanted) {
                                plan_done(&plan);
                                return plan_fail(err, NFV_ERR_INVALID_ARGUMENT, -EINVAL, "index",
                                            "VF %u does not exist: %s has %u VFs", index,
                                            have->address, count_after);
                        }
                        continue; /* it goes away with its settings */
                }
                target_settings(want, before, index, &target, &restored);
                r = plan_vf(have, index, recreated, &target, restored, opts, &plan, err);
                if (r < 0) {
                        plan_done(&plan);
                        return r;
                }
        }
        *ret = plan;
        return 0;
}

json_object *action_to_json(const Action *a) {
        json_object *o = json_object_new_object();
        char hex[16];

        if (a->kind == ACTION_REG) {
                json_object_object_add(o, "action", json_object_new_string("write_register"));
                json_object_object_add(o, "register", json_object_new_string(a->reg.name));
                snprintf(hex, sizeof(hex), "0x%05x", a->reg.offset);
                json_object_object_add(o, "offset", json_object_new_string(hex));
                snprintf(hex, sizeof(hex), "0x%08x", a->reg.mask);
                json_object_object_add(o, "mask", json_object_new_string(hex));
                snprintf(hex, sizeof(hex), "0x%08x", a->reg.value & a->reg.mask);
                json_object_object_add(o, "value", json_object_new_string(hex));
                json_object_object_add(o, "why", json_object_new_string(a->why));
                return o;
        }

        if (a->kind == ACTION_VF_COUNT) {
                json_object_object_add(o, "action", json_object_new_string("set_vf_count"));
                json_object_object_add(o, "from", json_object_new_int((int) a->from_count));
                json_object_object_add(o, "to", json_object_new_int((int) a->to_count));
                json_object_object_add(o, "through_zero",
                                       json_object_new_boolean(a->from_count && a->to_count));
                return o;
        }
        json_object_object_add(o, "action", json_object_new_string(a->restore ? "restore_vf"
                                                                               : "set_vf"));
        json_object_object_add(o, "vf", json_object_new_int((int) a->vf));
        json_object_object_add(o, "knobs", json_object_new_string(vf_group_to_string(a->group)));
        json_object_object_add(o, "from", a->from_known ? vf_settings_to_json(&a->from) : NULL);
        json_object_object_add(o, "to", vf_settings_to_json(&a->to));
        return o;
}

json_object *plan_to_json(const Plan *p) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        json_object_object_add(o, "pf", json_object_new_string(p->pf));
        for (size_t i = 0; i < p->n; i++)
                json_object_array_add(a, action_to_json(&p->actions[i]));
        json_object_object_add(o, "actions", a);
        json_object_object_add(o, "settings_unknown", json_object_new_boolean(p->settings_unknown));
        return o;
}
