/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Creating and removing VFs through the PF driver's sysfs interface
 * (sriov_numvfs), and waiting until the new VFs are usable.
 */

#include <stddef.h>
#include <stdint.h>

#include "sysfs.h"

/* Write n to sriov_numvfs of pf. The kernel's refusal comes back as -errno
 * (EBUSY: VFs in use or a count change without going through 0; ERANGE: above
 * sriov_totalvfs; ENOMEM/ENOSPC: no resources; EOPNOTSUPP: no PF driver or
 * a driver without SR-IOV support). */
int vf_count_write(Sysfs *s, const char *pf, unsigned n);

/* Wait until VFs 0..n-1 of pf exist (virtfnN links) and, when the kernel
 * probes drivers for new VFs, each has a driver bound and — for network
 * drivers — a network interface. Polls every 20 ms up to timeout_usec. On
 * -ETIMEDOUT, detail says which VF is missing what. */
int vf_count_wait(Sysfs *s, const char *pf, unsigned n, uint64_t timeout_usec, char *detail,
                  size_t len);
