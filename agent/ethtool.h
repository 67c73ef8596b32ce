/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A driver's own statistics, as `ethtool -S` shows them (SIOCETHTOOL). */

#include <stddef.h>
#include <stdint.h>

/* Read the named statistics of interface ifname into values (-1 for a name
 * the driver does not have). -errno when the driver has none at all. */
int ethtool_stats(const char *ifname, const char *const *names, size_t n, int64_t *values);
