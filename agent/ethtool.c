/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ethtool.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "macros.h"
#include "sysutil.h"

static int ethtool_ioctl(int fd, const char *ifname, void *data) {
        struct ifreq ifr = { 0 };
        if (!copy_name(ifr.ifr_name, sizeof(ifr.ifr_name), ifname))
                return -EINVAL;
        ifr.ifr_data = data;
        return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? negative_errno() : 0;
}

int ethtool_stats(const char *ifname, const char *const *names, size_t n, int64_t *values) {
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        _cleanup_free_ struct ethtool_gstrings *strings = NULL;
        _cleanup_free_ struct ethtool_stats *stats = NULL;
        struct {
                struct ethtool_sset_info hdr;
                uint32_t count;
        } sset = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ull << ETH_SS_STATS } };
        uint32_t count;
        int r;

        for (size_t i = 0; i < n; i++)
                values[i] = -1;
        if (fd < 0)
                return negative_errno();
        r = ethtool_ioctl(fd, ifname, &sset);
        if (r < 0)
                return r;
        count = sset.hdr.sset_mask ? sset.count : 0;
        if (count == 0 || count > 4096)
                return -EOPNOTSUPP;

        strings = calloc(1, sizeof(*strings) + (size_t) count * ETH_GSTRING_LEN);
        stats = calloc(1, sizeof(*stats) + (size_t) count * sizeof(uint64_t));
        if (!strings || !stats)
                return -ENOMEM;
        *strings = (struct ethtool_gstrings){ .cmd = ETHTOOL_GSTRINGS, .string_set = ETH_SS_STATS,
                                              .len = count };
        *stats = (struct ethtool_stats){ .cmd = ETHTOOL_GSTATS, .n_stats = count };
        r = ethtool_ioctl(fd, ifname, strings);
        if (r >= 0)
                r = ethtool_ioctl(fd, ifname, stats);
        if (r < 0)
                return r;
        for (uint32_t i = 0; i < count; i++) {
                char name[ETH_GSTRING_LEN + 1];
                memcpy(name, strings->data + (size_t) i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
                name[ETH_GSTRING_LEN] = '\0';
                for (size_t k = 0; k < n; k++)
                        if (streq(name, names[k]) && stats->data[i] <= INT64_MAX)
                                values[k] = (int64_t) stats->data[i];
        }
        return 0;
}
