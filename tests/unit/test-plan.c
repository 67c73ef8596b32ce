/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The planner: from wanted, before and observed, the actions or the refusal. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/plan.h"

#define PF "0000:01:00.0"

static VfObserved vfs[4];
static VfUsage usage[4];
static Observed have;

static void machine(unsigned count, bool in_use_vf1) {
        memset(vfs, 0, sizeof(vfs));
        memset(usage, 0, sizeof(usage));
        for (unsigned i = 0; i < count; i++) {
                vfs[i].index = i;
                vfs[i].settings = (NfvVfSettings){ .set = VF_KNOBS_ALL,
                                                   .vlan_proto = VF_VLAN_PROTO_8021Q,
                                                   .spoofchk = true };
                usage[i].index = i;
        }
        if (in_use_vf1) {
                usage[1].in_use = true;
                strcpy(usage[1].reason, "0000:01:10.2 is bound to vfio-pci");
        }
        have = (Observed){ .address = PF, .total_vfs = 7, .vf_count = count, .vfs = vfs,
                           .n_vfs = count, .usage = usage, .n_usage = count };
}

static DesiredPf want_pf(void) {
        DesiredPf p = { 0 };
        strcpy(p.address, PF);
        return p;
}

static void want_vf(DesiredPf *p, unsigned index, const NfvVfSettings *s) {
        VfEntry *e = vf_list_get(&p->vfs, index);
        vf_settings_merge(&e->settings, s);
}

static void test_nothing_to_do_when_in_sync(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(3, false);
        want_vf(&w, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_SPOOFCHK), .spoofchk = true });
        w.has_vf_count = true;
        w.vf_count = 3;
        assert_int_equal(plan_pf(&w, &w, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 0);
        plan_done(&plan);
        desired_pf_done(&w);
}

static void test_changed_knobs_become_one_action_per_group(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(3, false);
        want_vf(&w, 2, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_VLAN) | VF_KNOB_BIT(VF_KNOB_QOS) |
                                                VF_KNOB_BIT(VF_KNOB_TRUST),
                                         .vlan = 100, .qos = 3, .trust = true });
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 2);
        assert_int_equal(plan.actions[0].kind, ACTION_VF_SET);
        assert_int_equal(plan.actions[0].vf, 2);
        assert_int_equal(plan.actions[0].group, VF_GROUP_VLAN);
        /* The group carries every knob of the ndo call: the protocol comes from the VF. */
        assert_int_equal(plan.actions[0].to.vlan, 100);
        assert_int_equal(plan.actions[0].to.qos, 3);
        assert_int_equal(plan.actions[0].to.vlan_proto, VF_VLAN_PROTO_8021Q);
        assert_true(plan.actions[0].from_known);
        assert_int_equal(plan.actions[0].from.vlan, 0);
        assert_int_equal(plan.actions[1].group, VF_GROUP_TRUST);
        plan_done(&plan);
        desired_pf_done(&w);
}

static void test_count_change_goes_first_and_recreates(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(2, false);
        w.has_vf_count = true;
        w.vf_count = 4;
        want_vf(&w, 3, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_SPOOFCHK), .spoofchk = false });
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 2);
        assert_int_equal(plan.actions[0].kind, ACTION_VF_COUNT);
        assert_int_equal(plan.actions[0].from_count, 2);
        assert_int_equal(plan.actions[0].to_count, 4);
        assert_int_equal(plan.actions[1].vf, 3);
        assert_false(plan.actions[1].from_known); /* a new VF: nothing read yet */
        plan_done(&plan);
        desired_pf_done(&w);
}

static void test_count_above_the_driver_limit(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { .count_field = "count" };
        PlanError err;
        Plan plan;
        (void) state;

        machine(2, false);
        w.has_vf_count = true;
        w.vf_count = 8;
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), -EINVAL);
        assert_int_equal(err.code, NFV_ERR_INVALID_ARGUMENT);
        assert_string_equal(err.field, "count");
        assert_non_null(strstr(err.message, "at most 7"));
        desired_pf_done(&w);
}

static void test_count_change_refused_while_in_use_unless_forced(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(3, true);
        w.has_vf_count = true;
        w.vf_count = 4; /* growing too: it goes through 0 */
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), -EBUSY);
        assert_int_equal(err.code, NFV_ERR_CONFLICT);
        assert_non_null(strstr(err.message, "VF 1 is in use"));
        o.force = true;
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 1);
        plan_done(&plan);
        /* From 0 nothing is removed: no conflict possible. */
        machine(0, false);
        o.force = false;
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), 0);
        plan_done(&plan);
        desired_pf_done(&w);
}

static void test_settings_for_a_vf_that_will_not_exist(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(2, false);
        want_vf(&w, 2, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_TRUST), .trust = true });
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), -EINVAL);
        assert_string_equal(err.field, "index");
        desired_pf_done(&w);
}

static void test_unsupported_knob_only_refused_when_it_would_change(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(2, false);
        have.unsupported = VF_KNOB_BIT(VF_KNOB_LINK_STATE) | VF_KNOB_BIT(VF_KNOB_MIN_TX_RATE);
        have.unsupported_reason[VF_KNOB_LINK_STATE] = "the igb driver does not implement it";
        want_vf(&w, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_LINK_STATE),
                                         .link_state = VF_LINK_STATE_AUTO });
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 0);
        plan_done(&plan);
        want_vf(&w, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_LINK_STATE),
                                         .link_state = VF_LINK_STATE_DISABLE });
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), -EOPNOTSUPP);
        assert_int_equal(err.code, NFV_ERR_UNSUPPORTED);
        assert_string_equal(err.field, "link_state");
        assert_non_null(strstr(err.message, "igb"));
        /* Re-applying everything skips a group made only of knobs it cannot set. */
        want_vf(&w, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_LINK_STATE),
                                         .link_state = VF_LINK_STATE_AUTO });
        o.reapply = true;
        assert_int_equal(plan_pf(&w, &w, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 0);
        plan_done(&plan);
        desired_pf_done(&w);
}

static void test_reapply_sets_what_reads_back_right(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { .reapply = true };
        PlanError err;
        Plan plan;
        (void) state;

        machine(2, false);
        want_vf(&w, 1, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_SPOOFCHK), .spoofchk = true });
        assert_int_equal(plan_pf(&w, &w, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 1);
        assert_int_equal(plan.actions[0].group, VF_GROUP_SPOOFCHK);
        plan_done(&plan);
        desired_pf_done(&w);
}

static void test_dropped_knobs_are_restored_from_the_original(void **state) {
        DesiredPf before = want_pf(), w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        VfEntry *orig;
        (void) state;

        machine(2, false);
        vfs[0].settings.vlan = 100; /* what nfvcapd set */
        vfs[0].settings.trust = true;
        want_vf(&before, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_VLAN) |
                                                     VF_KNOB_BIT(VF_KNOB_TRUST),
                                              .vlan = 100, .trust = true });
        orig = vf_list_get(&before.originals, 0);
        orig->settings = (NfvVfSettings){ .set = VF_KNOBS_ALL, .vlan_proto = VF_VLAN_PROTO_8021Q,
                                          .spoofchk = true };
        /* Still wanted: trust. No longer wanted: the VLAN. */
        want_vf(&w, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_TRUST), .trust = true });
        assert_int_equal(plan_pf(&w, &before, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 1);
        assert_int_equal(plan.actions[0].group, VF_GROUP_VLAN);
        assert_int_equal(plan.actions[0].to.vlan, 0);
        assert_true(plan.actions[0].restore);
        plan_done(&plan);
        /* Releasing the PF restores everything it managed. */
        assert_int_equal(plan_pf(NULL, &before, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.n, 2);
        assert_true(plan.actions[0].restore && plan.actions[1].restore);
        plan_done(&plan);
        desired_pf_done(&w);
        desired_pf_done(&before);
}

static void test_cross_field_checks(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(1, false);
        want_vf(&w, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_QOS), .qos = 2 });
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), -EINVAL);
        assert_string_equal(err.field, "qos");
        /* With the VF already on a VLAN, QoS alone is fine. */
        vfs[0].settings.vlan = 10;
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), 0);
        assert_int_equal(plan.actions[0].to.vlan, 10);
        plan_done(&plan);
        desired_pf_done(&w);
}

static void test_unknown_settings_plan_everything(void **state) {
        DesiredPf w = want_pf();
        PlanOptions o = { 0 };
        PlanError err;
        Plan plan;
        (void) state;

        machine(2, false);
        have.settings_error = "no such interface";
        want_vf(&w, 0, &(NfvVfSettings){ .set = VF_KNOB_BIT(VF_KNOB_MAC),
                                         .mac = { { 2, 0, 0, 0, 0, 1 } } });
        assert_int_equal(plan_pf(&w, NULL, &have, &o, &plan, &err), 0);
        assert_true(plan.settings_unknown);
        assert_int_equal(plan.n, 1);
        assert_false(plan.actions[0].from_known);
        plan_done(&plan);
        desired_pf_done(&w);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nothing_to_do_when_in_sync),
                cmocka_unit_test(test_changed_knobs_become_one_action_per_group),
                cmocka_unit_test(test_count_change_goes_first_and_recreates),
                cmocka_unit_test(test_count_above_the_driver_limit),
                cmocka_unit_test(test_count_change_refused_while_in_use_unless_forced),
                cmocka_unit_test(test_settings_for_a_vf_that_will_not_exist),
                cmocka_unit_test(test_unsupported_knob_only_refused_when_it_would_change),
                cmocka_unit_test(test_reapply_sets_what_reads_back_right),
                cmocka_unit_test(test_dropped_knobs_are_restored_from_the_original),
                cmocka_unit_test(test_cross_field_checks),
                cmocka_unit_test(test_unknown_settings_plan_everything),
        };
        return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
