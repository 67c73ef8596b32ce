/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netdev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"

DEFINE_CLEANUP_FUNC(DIR *, closedir);

int pci_netdev_name(Sysfs *s, const char *pci_addr, char **ret) {
        _cleanup_free_ char *path = sysfs_path("bus/pci/devices/%s/net", pci_addr);
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_free_ char *best = NULL;
        struct dirent *de;
        int fd;

        if (!path)
                return -ENOMEM;
        fd = openat(sysfs_root_fd(s), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? -ENOENT : negative_errno();
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return negative_errno();
        }
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (!best || strcmp(de->d_name, best) < 0) {
                        free(best);
                        best = strdup(de->d_name);
                        if (!best)
                                return -ENOMEM;
                }
        }
        if (!best)
                return -ENOENT;
        *ret = TAKE_PTR(best);
        return 0;
}

static int read_attr(Sysfs *s, const char *pci_addr, const char *ifname, const char *attr,
                     char **ret) {
        _cleanup_free_ char *path =
                sysfs_path("bus/pci/devices/%s/net/%s/%s", pci_addr, ifname, attr);
        return path ? sysfs_read_line(s, path, ret) : -ENOMEM;
}

int pci_netdev_read(Sysfs *s, const char *pci_addr, NfvNetdev *ret) {
        NfvNetdev n = { .speed_mbps = -1 };
        _cleanup_free_ char *speed = NULL;
        int r;

        r = pci_netdev_name(s, pci_addr, &n.name);
        if (r < 0)
                return r;

        /* Missing attributes are left unknown rather than failing the whole read:
         * drivers differ in what they expose, and reading "speed" fails with
         * EINVAL while the link is down. */
        (void) read_attr(s, pci_addr, n.name, "address", &n.mac);
        (void) read_attr(s, pci_addr, n.name, "operstate", &n.link);
        if (read_attr(s, pci_addr, n.name, "speed", &speed) >= 0) {
                char *end;
                long v = strtol(speed, &end, 10);
                if (*speed && !*end && v > 0 && v <= INT32_MAX)
                        n.speed_mbps = (int) v;
        }
        *ret = n;
        return 0;
}
