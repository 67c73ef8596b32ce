/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The guest NIC's own receive counters, from the interface's statistics in
 * sysfs. sysfs shows every counter for every interface, as 0 when the driver
 * keeps no such counter; a table of drivers says which ones are real, so an
 * 82599 VF's missing "missed" counter is reported as unknown, not as 0.
 */

#include "agent-msg.h"

/* Fill c for interface ifname (driver as bound, "" if none). -errno when the
 * interface has no statistics. */
int nic_read(const char *root, const char *ifname, const char *driver, AgentNicCounters *c);
