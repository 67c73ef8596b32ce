/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON names of pool receive flags and mirror types. Apart from the register
 * models so that desired-state code can parse and print them without linking
 * the families.
 */
#include <errno.h>
#include <stddef.h>

#include "macros.h"
#include "nic.h"

static const char *const rx_flag_names[_POOL_RX_MAX] = {
        [POOL_RX_ACCEPT_UNTAGGED] = "accept_untagged",
        [POOL_RX_MULTICAST_HASH] = "multicast_hash",
        [POOL_RX_UNICAST_HASH] = "unicast_hash",
        [POOL_RX_BROADCAST] = "broadcast",
        [POOL_RX_MULTICAST_PROMISC] = "multicast_promiscuous",
};

static const char *const mirror_type_names[_MIRROR_TYPE_MAX] = {
        [MIRROR_POOL] = "pool",
        [MIRROR_UPLINK] = "uplink",
        [MIRROR_DOWNLINK] = "downlink",
        [MIRROR_VLAN] = "vlan",
};

static int lookup(const char *const *names, int n, const char *s) {
        if (!s)
                return -EINVAL;
        for (int i = 0; i < n; i++)
                if (streq(names[i], s))
                        return i;
        return -EINVAL;
}

const char *pool_rx_flag_to_string(PoolRxFlag f) {
        return (unsigned) f < _POOL_RX_MAX ? rx_flag_names[f] : NULL;
}

int pool_rx_flag_from_string(const char *s) {
        return lookup(rx_flag_names, _POOL_RX_MAX, s);
}

const char *mirror_type_to_string(MirrorType t) {
        return (unsigned) t < _MIRROR_TYPE_MAX ? mirror_type_names[t] : NULL;
}

int mirror_type_from_string(const char *s) {
        return lookup(mirror_type_names, _MIRROR_TYPE_MAX, s);
}
