/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pcibind.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kmod.h"
#include "log.h"
#include "sysutil.h"

static int current_driver(const char *root, const char *addr, char *buf, size_t n) {
        int r = read_link_name_at(root, buf, n, "/sys/bus/pci/devices/%s/driver", addr);
        if (r == -ENOENT) {
                buf[0] = '\0';
                return 0;
        }
        return r;
}

int pci_bind(const char *root, const char *addr, const char *driver, PciBinding *ret, char *err,
             size_t n) {
        char now[64], msg[256];
        int r;

        *ret = (PciBinding){ 0 };
        snprintf(ret->addr, sizeof(ret->addr), "%s", addr);
        r = current_driver(root, addr, ret->original, sizeof(ret->original));
        if (r < 0) {
                snprintf(err, n, "%s: cannot read its driver: %s", addr, strerror(-r));
                return r;
        }
        if (streq(ret->original, driver))
                return 0;
        if (streq(driver, "vfio-pci") &&
            !path_exists_at(root, "/sys/bus/pci/devices/%s/iommu_group", addr)) {
                /* Debian kernels have no VFIO no-IOMMU mode: vfio needs a real group. */
                snprintf(err, n, "%s has no IOMMU group: vfio-pci needs an IOMMU (in a VM, a "
                                 "virtual IOMMU such as QEMU's intel-iommu and intel_iommu=on)",
                         addr);
                return -ENODEV;
        }
        if (!kmod_loaded(root, driver) && !path_exists_at(root, "/sys/bus/pci/drivers/%s", driver)) {
                r = kmod_load(driver, NULL, msg, sizeof(msg));
                if (r < 0) {
                        snprintf(err, n, "cannot load %s: %s", driver, msg);
                        return r;
                }
        }

        r = write_text_at(root, driver, "/sys/bus/pci/devices/%s/driver_override", addr);
        if (r < 0) {
                snprintf(err, n, "%s: cannot set driver_override: %s", addr, strerror(-r));
                return r;
        }
        ret->changed = true;
        if (ret->original[0]) {
                r = write_text_at(root, addr, "/sys/bus/pci/devices/%s/driver/unbind", addr);
                if (r < 0) {
                        snprintf(err, n, "%s: cannot unbind it from %s: %s", addr, ret->original,
                                 strerror(-r));
                        pci_bind_restore(root, ret);
                        return r;
                }
        }
        (void) write_text_at(root, addr, "/sys/bus/pci/drivers_probe");
        r = current_driver(root, addr, now, sizeof(now));
        if (r < 0 || !streq(now, driver)) {
                snprintf(err, n, "%s did not bind to %s (its driver is now %s; see the kernel log)",
                         addr, driver, now[0] ? now : "none");
                pci_bind_restore(root, ret);
                return -EIO;
        }
        log_info("%s: moved from %s to %s", addr, ret->original[0] ? ret->original : "no driver",
                 driver);
        return 0;
}

void pci_bind_restore(const char *root, PciBinding *b) {
        char now[64];

        if (!b->changed)
                return;
        b->changed = false;
        /* Clear the override first, or the device would bind straight back. */
        (void) write_text_at(root, "\n", "/sys/bus/pci/devices/%s/driver_override", b->addr);
        if (current_driver(root, b->addr, now, sizeof(now)) == 0 && now[0])
                (void) write_text_at(root, b->addr, "/sys/bus/pci/devices/%s/driver/unbind",
                                     b->addr);
        (void) write_text_at(root, b->addr, "/sys/bus/pci/drivers_probe");
        if (current_driver(root, b->addr, now, sizeof(now)) == 0)
                log_info("%s: given back to %s", b->addr, now[0] ? now : "no driver");
}
