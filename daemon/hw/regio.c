/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "regio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "addr.h"
#include "log.h"

struct RegIo {
        volatile uint32_t *bar;
        size_t size;
        const NicRegs *model;
        char pf[PCI_ADDR_STRLEN];
};

static int why(char *buf, size_t len, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int why(char *buf, size_t len, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
        return r;
}

/* The first line of a PF's sysfs attribute (caller frees). */
static int read_pf_line(Sysfs *s, const char *pf, const char *attr, char **ret) {
        _cleanup_free_ char *path = sysfs_path("bus/pci/devices/%s/%s", pf, attr);
        if (!path)
                return -ENOMEM;
        return sysfs_read_line(s, path, ret);
}

static int read_hex(Sysfs *s, const char *pf, const char *attr, unsigned long *ret) {
        _cleanup_free_ char *line = NULL;
        char *end;
        int r = read_pf_line(s, pf, attr, &line);
        if (r < 0)
                return r;
        *ret = strtoul(line, &end, 16);
        return *end ? -EINVAL : 0;
}

/* BAR0's length from the "resource" attribute (first line: start end flags). */
static int bar0_length(Sysfs *s, const char *pf, uint64_t *ret) {
        _cleanup_free_ char *line = NULL;
        unsigned long long start, end;
        int r = read_pf_line(s, pf, "resource", &line);
        if (r < 0)
                return r;
        if (sscanf(line, "%llx %llx", &start, &end) != 2 || end < start)
                return -EINVAL;
        *ret = end - start + 1;
        return 0;
}

/* What the kernel's lockdown says, when it is on ("[integrity]" or "[confidentiality]"). */
static const char *lockdown_mode(Sysfs *s, char *buf, size_t len) {
        _cleanup_free_ char *line = NULL;
        const char *open, *close;
        if (sysfs_read_line(s, "kernel/security/lockdown", &line) < 0)
                return NULL;
        open = strchr(line, '[');
        close = open ? strchr(open, ']') : NULL;
        if (!open || !close || strncmp(open + 1, "none", 4) == 0)
                return NULL;
        snprintf(buf, len, "%.*s", (int) (close - open - 1), open + 1);
        return buf;
}

int regio_open(Sysfs *s, const char *pf, RegIo **ret, char *buf, size_t len) {
        _cleanup_free_ char *path = sysfs_path("bus/pci/devices/%s/resource0", pf);
        _cleanup_close_ int fd = -1;
        unsigned long vendor, device;
        const NicRegs *model;
        uint64_t bar_len;
        struct stat st;
        char mode[32];
        void *p;
        RegIo *r;

        if (!path)
                return -ENOMEM;
        if (read_hex(s, pf, "vendor", &vendor) < 0 || read_hex(s, pf, "device", &device) < 0)
                return why(buf, len, -ENODEV, "cannot read the vendor and device IDs of %s", pf);
        model = nic_regs_for((uint16_t) vendor, (uint16_t) device);
        if (!model)
                return why(buf, len, -EOPNOTSUPP,
                           "%s (%04lx:%04lx) is not a device nfvcapd has a register model for "
                           "(ixgbe: 82599, X540, X550, X552, X553; igb: 82576, I350); register "
                           "access refused",
                           pf, vendor, device);
        if (bar0_length(s, pf, &bar_len) < 0)
                return why(buf, len, -ENODEV, "cannot read the BAR layout of %s", pf);

        fd = openat(sysfs_root_fd(s), path, O_RDWR | O_CLOEXEC | O_SYNC);
        if (fd < 0) {
                int e = errno;
                const char *lock = lockdown_mode(s, mode, sizeof(mode));
                if ((e == EPERM || e == EACCES) && lock)
                        return why(buf, len, -e,
                                   "kernel lockdown (%s) forbids access to PCI BARs from user "
                                   "space; use the DPDK PF backend",
                                   lock);
                return why(buf, len, -e, "cannot open %s/%s: %s", sysfs_root(s), path, strerror(e));
        }
        if (fstat(fd, &st) < 0)
                return why(buf, len, -errno, "cannot stat resource0 of %s: %m", pf);
        /* The file is exactly the BAR; a smaller one, or a BAR smaller than the
         * registers the model uses, is not the device we think it is. */
        if ((uint64_t) st.st_size != bar_len)
                return why(buf, len, -EINVAL,
                           "resource0 of %s is %lld bytes but BAR0 is %llu: refusing to map it",
                           pf, (long long) st.st_size, (unsigned long long) bar_len);
        if (bar_len < model->bar0_min_size)
                return why(buf, len, -EINVAL,
                           "BAR0 of %s is %llu bytes, smaller than the %u the %s registers need: "
                           "refusing to map it",
                           pf, (unsigned long long) bar_len, model->bar0_min_size,
                           nic_family_to_string(model->family));

        p = mmap(NULL, bar_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
                int e = errno;
                const char *lock = lockdown_mode(s, mode, sizeof(mode));
                if (lock)
                        return why(buf, len, -e,
                                   "kernel lockdown (%s) forbids mapping PCI BARs from user space; "
                                   "use the DPDK PF backend",
                                   lock);
                if (e == EINVAL)
                        return why(buf, len, -e,
                                   "the kernel refused to map BAR0 of %s (EINVAL): while a driver "
                                   "owns a device, strict /dev/mem rules (CONFIG_IO_STRICT_DEVMEM, "
                                   "on in Debian's kernels) forbid mapping its registers. Boot with "
                                   "iomem=relaxed on the kernel command line, or use the DPDK PF "
                                   "backend",
                                   pf);
                return why(buf, len, -e, "mapping BAR0 of %s failed: %s", pf, strerror(e));
        }
        r = calloc(1, sizeof(*r));
        if (!r) {
                munmap(p, bar_len);
                return -ENOMEM;
        }
        r->bar = p;
        r->size = bar_len;
        r->model = model;
        snprintf(r->pf, sizeof(r->pf), "%s", pf);
        *ret = r;
        return 0;
}

RegIo *regio_close(RegIo *r) {
        if (!r)
                return NULL;
        munmap((void *) r->bar, r->size);
        free(r);
        return NULL;
}

const NicRegs *regio_model(const RegIo *r) {
        return r->model;
}

size_t regio_size(const RegIo *r) {
        return r->size;
}

static int check_offset(const RegIo *r, uint32_t offset) {
        return offset % 4 == 0 && (size_t) offset + 4 <= r->size ? 0 : -EINVAL;
}

int regio_read(RegIo *r, uint32_t offset, uint32_t *ret) {
        if (check_offset(r, offset) < 0)
                return -EINVAL;
        *ret = r->bar[offset / 4];
        return 0;
}

int regio_rmw(RegIo *r, uint32_t offset, uint32_t mask, uint32_t value, uint32_t *ret_old,
              uint32_t *ret_new) {
        uint32_t old, want, now;

        if (check_offset(r, offset) < 0)
                return -EINVAL;
        old = r->bar[offset / 4];
        want = (old & ~mask) | (value & mask);
        r->bar[offset / 4] = want;
        /* The read also flushes the posted write (as the drivers' WRITE_FLUSH does). */
        now = r->bar[offset / 4];
        *ret_old = old;
        *ret_new = now;
        return (now & mask) == (want & mask) ? 0 : -EIO;
}
