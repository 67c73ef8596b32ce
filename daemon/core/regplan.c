/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The register part of a PF's plan: pool receive flags and mirror rules.
 * What the NIC holds is read from its registers (not remembered): the
 * drivers rewrite these registers on resets and receive-mode changes, so
 * the registers are the only truth. The family model (hw/nic) turns each
 * wanted change into read-modify-writes; this file decides which are due.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/vfmgr.h"
#include "hw/regio.h"

static bool wants_registers(const DesiredPf *p) {
        return p && (p->rx_modes.n || p->rx_originals.n || p->n_mirrors);
}

int vfmgr_open_registers(Manager *m, Observation *ob) {
        if (ob->regio)
                return 0;
        if (ob->regio_errno)
                return ob->regio_errno;
        ob->regio_errno = regio_open(m->sysfs, ob->address, &ob->regio, ob->regio_error,
                                     sizeof(ob->regio_error));
        return ob->regio_errno;
}

static int push_ops(Plan *plan, const RegOp *ops, int n, int rx_vf, uint32_t rx_before,
                    const char *why) {
        for (int i = 0; i < n; i++) {
                Action a = { .kind = ACTION_REG, .reg = ops[i], .rx_vf = rx_vf,
                             .rx_before = rx_before };
                snprintf(a.why, sizeof(a.why), "%s", why);
                if (plan_push(plan, &a) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int family_error(PlanError *err, int r, const NicRegs *nic, const char *field,
                        const char *what) {
        if (r == -E2BIG)
                return plan_fail(err, NFV_ERR_UNSUPPORTED, r, field, "%s: the %s has only %u mirror rules",
                            what, nic->model, nic->mirror_rules);
        if (r == -EOPNOTSUPP)
                return plan_fail(err, NFV_ERR_UNSUPPORTED, r, field, "%s: the %s (%s family) cannot do that",
                            what, nic->model, nic_family_to_string(nic->family));
        return plan_fail(err, NFV_ERR_INVALID_ARGUMENT, r, field, "%s: out of range for the %s", what,
                    nic->model);
}

/* Receive flags of one VF's pool. */
static int plan_rx(Observation *ob, const NicRegs *nic, unsigned vf, const RxEntry *want,
                   const RxEntry *before, const RxEntry *orig, unsigned count, bool reapply,
                   Plan *plan, PlanError *err) {
        uint32_t managed = want ? want->managed : 0, on = want ? want->on : 0;
        uint32_t dropped = (before ? before->managed : 0) & ~managed;
        unsigned pool = nic_vf_pool(vf);
        uint32_t reg, value, cur, set, clear;
        RegOp ops[NIC_MAX_OPS];
        char why[48];
        int n;

        if (vf >= count && managed)
                return plan_fail(err, NFV_ERR_INVALID_ARGUMENT, -EINVAL, "index",
                            "VF %u does not exist: %s has %u VFs", vf, ob->address, count);
        if (vf >= count || pool >= nic->pools)
                return 0; /* the VF goes away: nothing to give back */
        if (managed & ~nic->rx_flags) {
                for (int f = 0; f < _POOL_RX_MAX; f++)
                        if (managed & ~nic->rx_flags & (1u << f))
                                return plan_fail(err, NFV_ERR_UNSUPPORTED, -EOPNOTSUPP,
                                            pool_rx_flag_to_string((PoolRxFlag) f),
                                            "the %s has no per-pool %s flag", nic->model,
                                            pool_rx_flag_to_string((PoolRxFlag) f));
        }
        /* Flags no longer managed go back to what the pool had. */
        if (dropped && orig) {
                managed |= dropped;
                on |= orig->on & dropped;
        }
        reg = nic->pool_rx_reg(pool);
        if (reg == NIC_REG_NONE || regio_read(ob->regio, reg, &value) < 0)
                return plan_fail(err, NFV_ERR_INTERNAL, -EIO, NULL, "cannot read the flags of pool %u",
                            pool);
        cur = nic->pool_rx_flags_decode(value);
        set = managed & on & (reapply ? ~0u : ~cur);
        clear = managed & ~on & (reapply ? ~0u : cur);
        if (!set && !clear)
                return 0;
        n = nic->pool_rx_flags(pool, set, clear, ops);
        if (n < 0)
                return family_error(err, n, nic, "index", "receive flags");
        snprintf(why, sizeof(why), "%s VF %u", want ? "rx-mode" : "rx-mode restore", vf);
        return push_ops(plan, ops, n, (int) vf, cur, why);
}

/* The VLAN-filter slots holding the mirror's VLANs, read from the NIC. */
static int vlan_slots(Observation *ob, const NicRegs *nic, const MirrorEntry *m, uint64_t *slots,
                      PlanError *err) {
        *slots = 0;
        for (unsigned k = 0; k < m->n_sources; k++) {
                bool found = false;
                for (unsigned i = 0; i < nic->vlvf_entries && !found; i++) {
                        uint32_t value;
                        uint16_t vid;
                        bool enabled;
                        if (regio_read(ob->regio, nic->vlvf_reg(i), &value) < 0)
                                return plan_fail(err, NFV_ERR_INTERNAL, -EIO, NULL,
                                            "cannot read VLAN filter %u", i);
                        if (nic->vlvf_decode(value, &vid, &enabled) >= 0 && enabled &&
                            vid == m->sources[k]) {
                                *slots |= 1ull << i;
                                found = true;
                        }
                }
                if (!found)
                        return plan_fail(err, NFV_ERR_CONFLICT, -ENOENT, "sources",
                                    "VLAN %u is not in the VLAN filter table of %s, so the NIC "
                                    "cannot mirror it: give a VF that VLAN first (nfvcapctl vf set "
                                    "--vlan)",
                                    m->sources[k], ob->address);
        }
        return 0;
}

static int rule_of(Observation *ob, const NicRegs *nic, const MirrorEntry *m, unsigned count,
                   MirrorRule *r, PlanError *err) {
        *r = (MirrorRule){ .type = m->type, .dst_pool = nic_vf_pool(m->destination_vf),
                           .snaplen = m->snaplen, .sample_rate = m->sample_rate,
                           .encapsulate = m->encapsulate };
        if (m->destination_vf >= count)
                return plan_fail(err, NFV_ERR_INVALID_ARGUMENT, -EINVAL, "destination_vf",
                            "VF %u does not exist: %s has %u VFs", m->destination_vf, ob->address,
                            count);
        if (m->type == MIRROR_POOL)
                for (unsigned k = 0; k < m->n_sources; k++) {
                        if (m->sources[k] >= count)
                                return plan_fail(err, NFV_ERR_INVALID_ARGUMENT, -EINVAL, "sources",
                                            "VF %u does not exist: %s has %u VFs", m->sources[k],
                                            ob->address, count);
                        r->pools |= 1ull << nic_vf_pool(m->sources[k]);
                }
        if (m->type == MIRROR_VLAN)
                return vlan_slots(ob, nic, m, &r->vlvf_slots, err);
        return 0;
}

static int plan_mirror(Observation *ob, const NicRegs *nic, unsigned id, const MirrorEntry *want,
                       const MirrorEntry *before, unsigned count, bool reapply, Plan *plan,
                       PlanError *err) {
        uint32_t offsets[8], words[8];
        RegOp ops[NIC_MAX_OPS];
        MirrorRule have = { 0 }, rule;
        bool enabled = false;
        char why[48];
        int n, r;

        if (want && !(nic->mirror_types & (1u << want->type)))
                return plan_fail(err, NFV_ERR_UNSUPPORTED, -EOPNOTSUPP, "type",
                            "the %s cannot mirror by %s", nic->model,
                            mirror_type_to_string(want->type));
        n = nic->mirror_regs(id, offsets);
        if (n < 0)
                return family_error(err, n, nic, "id", "mirror rule");
        for (int i = 0; i < n; i++)
                if (regio_read(ob->regio, offsets[i], &words[i]) < 0)
                        return plan_fail(err, NFV_ERR_INTERNAL, -EIO, NULL, "cannot read mirror rule %u",
                                    id);
        r = nic->mirror_decode(id, words, &have, &enabled);
        /* A live rule nfvcapd did not make is somebody else's: leave it alone. */
        if (!before && (enabled || r == -EBADMSG))
                return plan_fail(err, NFV_ERR_CONFLICT, -EBUSY, "id",
                            "mirror rule %u of %s is already in use by something other than "
                            "nfvcapd",
                            id, ob->address);
        snprintf(why, sizeof(why), "mirror %u", id);
        if (!want) {
                if (!enabled && r != -EBADMSG && !reapply)
                        return 0;
                n = nic->mirror_clear(id, ops);
                if (n < 0)
                        return family_error(err, n, nic, "id", "mirror rule");
                return push_ops(plan, ops, n, -1, 0, why);
        }
        r = rule_of(ob, nic, want, count, &rule, err);
        if (r < 0)
                return r;
        if (!reapply && enabled && have.type == rule.type && have.pools == rule.pools &&
            have.vlvf_slots == rule.vlvf_slots && have.dst_pool == rule.dst_pool && !rule.snaplen &&
            rule.sample_rate <= 1 && !rule.encapsulate)
                return 0;
        n = nic->mirror_set(id, &rule, ops);
        if (n == -EOPNOTSUPP && (rule.snaplen || rule.sample_rate > 1 || rule.encapsulate))
                return plan_fail(err, NFV_ERR_UNSUPPORTED, n,
                            rule.snaplen ? "snaplen" : rule.sample_rate > 1 ? "sample_rate"
                                                                            : "encapsulation",
                            "the %s mirrors whole frames, every one, unencapsulated: it cannot %s",
                            nic->model,
                            rule.snaplen           ? "truncate mirrored frames (snaplen)"
                            : rule.sample_rate > 1 ? "sample (sample_rate)"
                                                   : "encapsulate mirrored frames");
        if (n < 0)
                return family_error(err, n, nic, "id", "mirror rule");
        return push_ops(plan, ops, n, -1, 0, why);
}

int regplan_pf(Manager *m, const DesiredPf *want, const DesiredPf *before, Observation *ob,
               unsigned count, bool reapply, Plan *plan, PlanError *err) {
        const NicRegs *nic;
        int r;

        if (!wants_registers(want) && !wants_registers(before))
                return 0;
        r = vfmgr_open_registers(m, ob);
        if (r < 0)
                return plan_fail(err, r == -EOPNOTSUPP ? NFV_ERR_UNSUPPORTED : NFV_ERR_UNAVAILABLE, r,
                            NULL, "%s", ob->regio_error);
        nic = regio_model(ob->regio);

        /* Receive flags: every VF either side names, in order (both lists are sorted). */
        const RxList *wl = want ? &want->rx_modes : NULL, *bl = before ? &before->rx_modes : NULL;
        size_t wi = 0, bi = 0;
        while ((wl && wi < wl->n) || (bl && bi < bl->n)) {
                unsigned wx = wl && wi < wl->n ? wl->items[wi].index : UINT32_MAX;
                unsigned bx = bl && bi < bl->n ? bl->items[bi].index : UINT32_MAX;
                unsigned vf = wx < bx ? wx : bx;
                const RxEntry *w = wx == vf ? &wl->items[wi++] : NULL;
                const RxEntry *b = bx == vf ? &bl->items[bi++] : NULL;
                r = plan_rx(ob, nic, vf, w, b,
                            before ? rx_list_find(&before->rx_originals, vf) : NULL, count,
                            reapply, plan, err);
                if (r < 0)
                        return r;
        }
        /* Mirror rules: every id either side names. */
        for (unsigned id = 0; id < 64; id++) {
                const MirrorEntry *w = want ? desired_pf_find_mirror(want, id) : NULL;
                const MirrorEntry *b = before ? desired_pf_find_mirror(before, id) : NULL;
                if (!w && !b)
                        continue;
                r = plan_mirror(ob, nic, id, w, b, count, reapply, plan, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
