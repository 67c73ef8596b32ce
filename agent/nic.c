/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nic.h"

#include <errno.h>
#include <stdio.h>

#include "macros.h"
#include "sysutil.h"

/* Drivers that count frames the NIC had to drop for lack of receive
 * descriptors (rx_missed_errors). VF drivers do not: the VF hardware has no
 * such counter (82599 VF, 82576 VF), only the PF sees the loss. */
static const char *const drivers_with_missed[] = {
        "ixgbe", "igb", "e1000e", "e1000", "i40e", "ice", "mlx5_core", "bnxt_en", "tg3",
};

static bool has_missed(const char *driver) {
        for (size_t i = 0; i < ELEMENTSOF(drivers_with_missed); i++)
                if (streq(driver, drivers_with_missed[i]))
                        return true;
        return false;
}

static int64_t counter(const char *root, const char *ifname, const char *name) {
        int64_t v;
        return read_int64_at(root, &v, "/sys/class/net/%s/statistics/%s", ifname, name) == 0 &&
                               v >= 0
                       ? v
                       : -1;
}

int nic_read(const char *root, const char *ifname, const char *driver, AgentNicCounters *c) {
        char source[sizeof(c->source) + 64];

        *c = (AgentNicCounters){ .present = true };
        c->rx_packets = counter(root, ifname, "rx_packets");
        if (c->rx_packets < 0) {
                *c = (AgentNicCounters){ 0 };
                return -ENODEV;
        }
        c->rx_bytes = counter(root, ifname, "rx_bytes");
        c->rx_dropped = counter(root, ifname, "rx_dropped");
        c->rx_errors = counter(root, ifname, "rx_errors");
        c->rx_missed = has_missed(driver) ? counter(root, ifname, "rx_missed_errors") : -1;
        snprintf(source, sizeof(source), "netdev %s%s%s%s statistics", ifname,
                 driver[0] ? " (" : "", driver, driver[0] ? ")" : "");
        agent_text_set(c->source, sizeof(c->source), source);
        return 0;
}
