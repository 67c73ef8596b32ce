/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vfcount.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macros.h"
#include "netdev.h"

/* Drivers that take VFs without creating a network interface: VFs bound to
 * them are ready as soon as they are bound. */
static const char *const non_network_drivers[] = {
        "vfio-pci", "pci-stub", "uio_pci_generic", "igb_uio",
};

int vf_count_write(Sysfs *s, const char *pf, unsigned n) {
        _cleanup_free_ char *path = sysfs_path("bus/pci/devices/%s/sriov_numvfs", pf);
        char value[16];

        if (!path)
                return -ENOMEM;
        snprintf(value, sizeof(value), "%u", n);
        return sysfs_write(s, path, value);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static bool is_network_driver(const char *driver) {
        for (size_t i = 0; i < ELEMENTSOF(non_network_drivers); i++)
                if (streq(driver, non_network_drivers[i]))
                        return false;
        return true;
}

/* 1 when VF i is ready, 0 when not yet (detail says why), -errno on error. */
static int vf_ready(Sysfs *s, const char *pf, unsigned i, bool autoprobe, char *detail,
                    size_t len) {
        _cleanup_free_ char *link = sysfs_path("bus/pci/devices/%s/virtfn%u", pf, i);
        _cleanup_free_ char *vf = NULL, *drv_path = NULL, *driver = NULL, *ifname = NULL;

        if (!link)
                return -ENOMEM;
        if (sysfs_read_link_name(s, link, &vf) < 0) {
                snprintf(detail, len, "VF %u does not exist (no virtfn%u link)", i, i);
                return 0;
        }
        if (!autoprobe)
                return 1;
        drv_path = sysfs_path("bus/pci/devices/%s/driver", vf);
        if (!drv_path)
                return -ENOMEM;
        if (sysfs_read_link_name(s, drv_path, &driver) < 0) {
                snprintf(detail, len, "VF %u (%s) has no driver bound", i, vf);
                return 0;
        }
        if (is_network_driver(driver) && pci_netdev_name(s, vf, &ifname) < 0) {
                snprintf(detail, len, "VF %u (%s) has no network interface (driver %s)", i, vf,
                         driver);
                return 0;
        }
        return 1;
}

int vf_count_wait(Sysfs *s, const char *pf, unsigned n, uint64_t timeout_usec, char *detail,
                  size_t len) {
        _cleanup_free_ char *ap_path = sysfs_path("bus/pci/devices/%s/sriov_drivers_autoprobe", pf);
        uint64_t deadline = now_usec() + timeout_usec;
        long autoprobe = 1;

        if (!ap_path)
                return -ENOMEM;
        /* Without autoprobe the kernel binds no driver: existing is all we can wait for. */
        (void) sysfs_read_int(s, ap_path, &autoprobe);
        for (;;) {
                unsigned ready = 0;
                for (unsigned i = 0; i < n; i++) {
                        int r = vf_ready(s, pf, i, autoprobe != 0, detail, len);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                break;
                        ready++;
                }
                if (ready == n)
                        return 0;
                if (now_usec() >= deadline)
                        return -ETIMEDOUT;
                struct timespec ts = { .tv_nsec = 20 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
}
