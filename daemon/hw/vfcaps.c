/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vfcaps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "macros.h"

/* Value-dependent refusals, read in the Linux drivers:
 *  igb   igb_ndo_set_vf_bw(): "if (min_tx_rate) return -EINVAL";
 *        igb_ndo_set_vf_vlan(): "if (vlan_proto != htons(ETH_P_8021Q)) return -EPROTONOSUPPORT"
 *  ixgbe ixgbe_ndo_set_vf_bw(): "if (min_tx_rate) return -EINVAL";
 *        ixgbe_ndo_set_vf_vlan(): same 802.1Q-only check.
 * The reasons below are what an operator sees. */
static const struct {
        const char *driver;
        VfKnob knob;
        const char *reason;
} driver_facts[] = {
        { "igb", VF_KNOB_MIN_TX_RATE, "the igb driver accepts no minimum rate (only 0)" },
        { "igb", VF_KNOB_VLAN_PROTO, "the igb driver does 802.1Q VLANs only" },
        { "ixgbe", VF_KNOB_MIN_TX_RATE, "the ixgbe driver accepts no minimum rate (only 0)" },
        { "ixgbe", VF_KNOB_VLAN_PROTO, "the ixgbe driver does 802.1Q VLANs only" },
};

static void mark(VfCaps *c, uint32_t knobs, const char *reason) {
        for (int k = 0; k < _VF_KNOB_MAX; k++)
                if (knobs & VF_KNOB_BIT(k)) {
                        c->unsupported |= VF_KNOB_BIT(k);
                        snprintf(c->reason[k], sizeof(c->reason[k]), "%s", reason);
                }
}

void vfcaps_init(VfCaps *c, const char *driver) {
        *c = (VfCaps){ 0 };
        for (size_t i = 0; i < ELEMENTSOF(driver_facts); i++)
                if (driver && streq(driver, driver_facts[i].driver)) {
                        c->unsupported |= VF_KNOB_BIT(driver_facts[i].knob);
                        snprintf(c->reason[driver_facts[i].knob], sizeof(c->reason[0]), "%s",
                                 driver_facts[i].reason);
                }
}

bool vfcaps_learn(VfCaps *c, const char *driver, VfKnobGroup g, const NfvVfSettings *to, int err) {
        char reason[160];

        if (err == -EOPNOTSUPP) {
                snprintf(reason, sizeof(reason), "the %s driver does not implement setting %s",
                         strna(driver), vf_group_to_string(g));
                mark(c, vf_group_knobs(g), reason);
                return true;
        }
        if (err == -EPROTONOSUPPORT && g == VF_GROUP_VLAN && to->vlan_proto != VF_VLAN_PROTO_8021Q) {
                snprintf(reason, sizeof(reason), "the %s driver refuses VLAN protocol %s",
                         strna(driver), vf_vlan_proto_to_string(to->vlan_proto));
                mark(c, VF_KNOB_BIT(VF_KNOB_VLAN_PROTO), reason);
                return true;
        }
        return false;
}

void vfcaps_probe(VfCaps *c, Rtnl *r, int ifindex, const char *driver, unsigned vf,
                  const NfvVfSettings *cur) {
        /* MAC and VLAN are left out: every SR-IOV PF driver implements them, and
         * re-setting a MAC marks it administratively set (the VF may then no
         * longer change it), which is not a no-op. */
        static const VfKnobGroup probed[] = { VF_GROUP_SPOOFCHK, VF_GROUP_TRUST,
                                              VF_GROUP_LINK_STATE, VF_GROUP_RATE };

        for (size_t i = 0; i < ELEMENTSOF(probed); i++) {
                int e = rtnl_set_vf(r, ifindex, vf, probed[i], cur);
                if (e < 0 && vfcaps_learn(c, driver, probed[i], cur, e))
                        log_debug("%s: %s unsupported (probe: %s)", strna(driver),
                                  vf_group_to_string(probed[i]), strerror(-e));
        }
}
