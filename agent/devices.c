/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"
#include "sysutil.h"

DEFINE_CLEANUP_FUNC(DIR *, closedir);

/* A directory under root: "/sys/bus/pci/devices" or that plus "/ADDR/net". */
static DIR *open_dir_at(const char *root, const char *dir, const char *pci_addr) {
        char p[512];
        if ((pci_addr ? root_path(p, sizeof(p), root, "%s/%s/net", dir, pci_addr)
                      : root_path(p, sizeof(p), root, "%s", dir)) < 0)
                return NULL;
        return opendir(p);
}

/* The PCI function a netdev sits on, empty if none: the nearest PCI address
 * on the path of its "device" link (a virtio NIC's device is virtioN, whose
 * parent is the PCI function). */
static void netdev_pci(const char *root, const char *ifname, char pci[static PCI_ADDR_STRLEN]) {
        char link[512], real[PATH_MAX], *comp;
        PciAddr a;

        pci[0] = '\0';
        if (root_path(link, sizeof(link), root, "/sys/class/net/%s/device", ifname) < 0 ||
            !realpath(link, real))
                return;
        while ((comp = strrchr(real, '/'))) {
                if (pci_addr_parse(comp + 1, &a) == 0) {
                        pci_addr_format(&a, pci);
                        return;
                }
                *comp = '\0';
        }
}

/* Virtual interfaces (veth, bridges) have no device and so no driver. */
static void netdev_driver(const char *root, const char *ifname, char *drv, size_t n) {
        if (read_link_name_at(root, drv, n, "/sys/class/net/%s/device/driver", ifname) < 0)
                drv[0] = '\0';
}

/* Whether a PCI function is an Ethernet controller (class 0x0200xx). */
static bool pci_is_ethernet(const char *root, const char *addr) {
        int64_t cls;
        return read_int64_at(root, &cls, "/sys/bus/pci/devices/%s/class", addr) == 0 &&
               (cls >> 8) == 0x0200;
}

/* Keep a string only if the receiver will accept it. */
static void keep_if_name(char *s) {
        if (!agent_name_valid(s))
                s[0] = '\0';
}

size_t devices_list(const char *root, AgentDeviceInfo *out, size_t max) {
        size_t n = 0;
        _cleanup_(closedirp) DIR *d = open_dir_at(root, "/sys/class/net", NULL);
        _cleanup_(closedirp) DIR *p = open_dir_at(root, "/sys/bus/pci/devices", NULL);
        struct dirent *de;

        while (d && (de = readdir(d)) && n < max) {
                AgentDeviceInfo *di = &out[n];
                if (de->d_name[0] == '.' || streq(de->d_name, "lo") ||
                    !agent_name_valid(de->d_name))
                        continue;
                *di = (AgentDeviceInfo){ 0 };
                copy_name(di->name, sizeof(di->name), de->d_name);
                netdev_pci(root, de->d_name, di->pci);
                netdev_driver(root, de->d_name, di->driver, sizeof(di->driver));
                if (read_line_at(root, di->mac, sizeof(di->mac), "/sys/class/net/%s/address",
                                 de->d_name) < 0)
                        di->mac[0] = '\0';
                keep_if_name(di->mac);
                keep_if_name(di->driver);
                n++;
        }

        /* Ethernet functions without an interface: bound to vfio-pci for DPDK,
         * or to no driver at all. They are capture devices too. */
        while (p && (de = readdir(p)) && n < max) {
                AgentDeviceInfo *di = &out[n];
                bool listed = false;
                for (size_t k = 0; k < n; k++)
                        listed |= streq(out[k].pci, de->d_name);
                if (listed || de->d_name[0] == '.' || !agent_name_valid(de->d_name) ||
                    !pci_is_ethernet(root, de->d_name) ||
                    path_exists_at(root, "/sys/bus/pci/devices/%s/net", de->d_name))
                        continue;
                *di = (AgentDeviceInfo){ 0 };
                copy_name(di->name, sizeof(di->name), de->d_name);
                copy_name(di->pci, sizeof(di->pci), de->d_name);
                if (read_link_name_at(root, di->driver, sizeof(di->driver),
                                      "/sys/bus/pci/devices/%s/driver", de->d_name) < 0)
                        di->driver[0] = '\0';
                keep_if_name(di->driver);
                n++;
        }
        return n;
}

int device_resolve(const char *root, const char *arg, DeviceRef *ret) {
        PciAddr a;

        *ret = (DeviceRef){ 0 };
        if (pci_addr_parse(arg, &a) == 0) {
                _cleanup_(closedirp) DIR *d = NULL;
                struct dirent *de;

                pci_addr_format(&a, ret->pci);
                if (!path_exists_at(root, "/sys/bus/pci/devices/%s", ret->pci))
                        return -ENODEV;
                (void) read_link_name_at(root, ret->driver, sizeof(ret->driver),
                                         "/sys/bus/pci/devices/%s/driver", ret->pci);
                d = open_dir_at(root, "/sys/bus/pci/devices", ret->pci);
                while (d && (de = readdir(d)))
                        if (de->d_name[0] != '.' &&
                            copy_name(ret->netdev, sizeof(ret->netdev), de->d_name))
                                break;
                return 0;
        }
        if (!arg[0] || strchr(arg, '/') || arg[0] == '.' ||
            !copy_name(ret->netdev, sizeof(ret->netdev), arg))
                return -EINVAL;
        if (!path_exists_at(root, "/sys/class/net/%s", arg)) {
                ret->netdev[0] = '\0';
                return -ENODEV;
        }
        netdev_pci(root, arg, ret->pci);
        netdev_driver(root, arg, ret->driver, sizeof(ret->driver));
        return 0;
}
