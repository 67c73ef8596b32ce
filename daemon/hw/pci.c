/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family.h"
#include "log.h"
#include "netdev.h"
#include "sriov.h"

/* libpci reports fatal errors through a callback that must not return. The
 * daemon must survive a vanished device directory, so the callback jumps back
 * into pci_scan_pfs, which turns it into an error code. Only one scan runs at
 * a time (the daemon is single-threaded). */
static jmp_buf libpci_fatal;
static char libpci_message[256];

static _Noreturn void libpci_error(char *msg, ...) {
        va_list ap;
        va_start(ap, msg);
        vsnprintf(libpci_message, sizeof(libpci_message), msg, ap);
        va_end(ap);
        longjmp(libpci_fatal, 1);
}

static void libpci_warning(char *msg, ...) {
        char buf[256];
        va_list ap;
        va_start(ap, msg);
        vsnprintf(buf, sizeof(buf), msg, ap);
        va_end(ap);
        log_debug("libpci: %s", buf);
}

static void libpci_debug(char *msg _unused_, ...) {
}

DEFINE_CLEANUP_FUNC(struct pci_access *, pci_cleanup);
DEFINE_CLEANUP_FUNC(DIR *, closedir);

void pf_list_done(PfList *l) {
        for (size_t i = 0; i < l->n; i++)
                nfv_pf_done(&l->pfs[i]);
        free(l->pfs);
        *l = (PfList){ 0 };
}

static void dev_address(struct pci_dev *d, char buf[static PCI_ADDR_STRLEN]) {
        PciAddr a = { .domain = (uint32_t) d->domain, .bus = d->bus, .dev = d->dev, .fn = d->func };
        pci_addr_format(&a, buf);
}

static struct pci_dev *find_dev(struct pci_access *pacc, const PciAddr *a) {
        for (struct pci_dev *d = pacc->devices; d; d = d->next)
                if ((uint32_t) d->domain == a->domain && d->bus == a->bus && d->dev == a->dev &&
                    d->func == a->fn)
                        return d;
        return NULL;
}

static char *dup_or_null(const char *s) {
        return s ? strdup(s) : NULL;
}

/* Read as much config space as the kernel gives us: all 4096 bytes as root on
 * PCIe, 256 on conventional PCI, 64 for unprivileged readers, or whatever a
 * truncated file holds (rounded down to 64-byte blocks). Returns the length. */
static size_t read_config(struct pci_dev *d, uint8_t *buf) {
        size_t len = 0;

        if (pci_read_block(d, 0, buf, PCI_CFG_SPACE_EXP_SIZE))
                return PCI_CFG_SPACE_EXP_SIZE;
        while (len < PCI_CFG_SPACE_EXP_SIZE && pci_read_block(d, (int) len, buf + len, 64))
                len += 64;
        return len;
}

static int read_sysfs_int(Sysfs *s, const char *addr, const char *attr, int *ret) {
        _cleanup_free_ char *path = sysfs_path("bus/pci/devices/%s/%s", addr, attr);
        long v;
        int r;

        if (!path)
                return -ENOMEM;
        r = sysfs_read_int(s, path, &v);
        if (r < 0)
                return r;
        if (v < 0 || v > UINT16_MAX)
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

/* virtfnN links of a PF, as the indexes N present, sorted. */
static int list_virtfn(Sysfs *s, const char *addr, unsigned **ret, size_t *ret_n) {
        _cleanup_free_ char *path = sysfs_path("bus/pci/devices/%s", addr);
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_free_ unsigned *idx = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        int fd;

        if (!path)
                return -ENOMEM;
        fd = openat(sysfs_root_fd(s), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                close(fd);
                return negative_errno();
        }
        while ((de = readdir(d))) {
                unsigned v;
                char tail;
                if (sscanf(de->d_name, "virtfn%u%c", &v, &tail) != 1 || v > UINT16_MAX)
                        continue;
                if (n == cap) {
                        unsigned *nidx = realloc(idx, (cap = cap ? cap * 2 : 8) * sizeof(*idx));
                        if (!nidx)
                                return -ENOMEM;
                        idx = nidx;
                }
                idx[n++] = v;
        }
        /* Insertion sort: a PF has at most a few hundred VFs. */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && idx[j - 1] > idx[j]; j--) {
                        unsigned t = idx[j];
                        idx[j] = idx[j - 1];
                        idx[j - 1] = t;
                }
        *ret = TAKE_PTR(idx);
        *ret_n = n;
        return 0;
}

static int fill_vf(Sysfs *s, struct pci_access *pacc, const NfvPf *pf, const PciAddr *pf_addr,
                   unsigned index, NfvVf *vf) {
        _cleanup_free_ char *link = sysfs_path("bus/pci/devices/%s/virtfn%u", pf->address, index);
        _cleanup_free_ char *target = NULL, *physfn_path = NULL, *physfn = NULL;
        PciAddr a, expected;
        struct pci_dev *d;
        int r;

        *vf = (NfvVf){ .index = index, .vendor_id = -1, .device_id = -1 };
        if (!link)
                return -ENOMEM;
        r = sysfs_read_link_name(s, link, &target);
        if (r < 0)
                return nfv_vf_add_warning(vf, "cannot read virtfn%u link: %s", index, strerror(-r));
        if (pci_addr_parse(target, &a) < 0)
                return nfv_vf_add_warning(vf, "virtfn%u points to \"%s\", not a PCI address",
                                          index, target);
        pci_addr_format(&a, vf->address);

        if (pf->has_sriov_cap && sriov_vf_address(pf_addr, &pf->sriov, index, &expected) >= 0 &&
            !pci_addr_equal(&a, &expected)) {
                char e[PCI_ADDR_STRLEN];
                r = nfv_vf_add_warning(vf,
                                       "virtfn%u is %s but VF offset %u and stride %u put it at %s",
                                       index, vf->address, pf->sriov.vf_offset, pf->sriov.vf_stride,
                                       pci_addr_format(&expected, e));
                if (r < 0)
                        return r;
        }

        if (!sysfs_exists(s, link))
                return nfv_vf_add_warning(vf, "virtfn%u points to %s, which does not exist", index,
                                          vf->address);

        physfn_path = sysfs_path("bus/pci/devices/%s/physfn", vf->address);
        if (!physfn_path)
                return -ENOMEM;
        if (sysfs_read_link_name(s, physfn_path, &physfn) < 0 || !streq(physfn, pf->address)) {
                r = nfv_vf_add_warning(vf, "%s has no physfn link back to %s", vf->address,
                                       pf->address);
                if (r < 0)
                        return r;
        }

        d = find_dev(pacc, &a);
        if (d) {
                pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_DRIVER);
                vf->vendor_id = d->vendor_id;
                vf->device_id = d->device_id;
                vf->driver = dup_or_null(pci_get_string_property(d, PCI_FILL_DRIVER));
        }

        if (pci_netdev_name(s, vf->address, &vf->netdev) >= 0) {
                _cleanup_free_ char *mac_path =
                        sysfs_path("bus/pci/devices/%s/net/%s/address", vf->address, vf->netdev);
                if (mac_path)
                        (void) sysfs_read_line(s, mac_path, &vf->mac);
        }
        return 0;
}

static int fill_vfs(Sysfs *s, struct pci_access *pacc, NfvPf *pf) {
        _cleanup_free_ unsigned *idx = NULL;
        PciAddr pf_addr;
        size_t n;
        int r;

        r = list_virtfn(s, pf->address, &idx, &n);
        if (r < 0)
                return nfv_pf_add_warning(pf, "cannot list VFs: %s", strerror(-r));
        if (n == 0)
                return 0;

        pf->vfs = calloc(n, sizeof(NfvVf));
        if (!pf->vfs)
                return -ENOMEM;
        (void) pci_addr_parse(pf->address, &pf_addr);
        for (size_t i = 0; i < n; i++) {
                r = fill_vf(s, pacc, pf, &pf_addr, idx[i], &pf->vfs[i]);
                pf->n_vfs = i + 1;
                if (r < 0)
                        return r;
        }
        pf->vf_count = (unsigned) pf->n_vfs;
        if (pf->sriov_numvfs >= 0 && (size_t) pf->sriov_numvfs != n)
                return nfv_pf_add_warning(pf, "sriov_numvfs is %d but %zu virtfn links exist",
                                          pf->sriov_numvfs, n);
        return 0;
}

static void fill_identity(struct pci_access *pacc, struct pci_dev *d, NfvPf *pf) {
        char name[256];
        const NicModel *m;
        const char *s;

        pf->vendor_id = d->vendor_id;
        pf->device_id = d->device_id;
        /* Names come from the pci.ids database only: no DNS, and no udev hwdb so
         * that the same device gets the same name on every machine. */
        s = pci_lookup_name(pacc, name, sizeof(name),
                            PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
                            d->vendor_id);
        pf->vendor_name = dup_or_null(s);
        s = pci_lookup_name(pacc, name, sizeof(name),
                            PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
                            d->vendor_id, d->device_id);
        pf->device_name = dup_or_null(s);

        m = nic_model_lookup(d->vendor_id, d->device_id);
        pf->family = strdup(nic_family_to_string(m && !m->is_vf ? m->family : NIC_FAMILY_GENERIC));
        pf->model = m && !m->is_vf ? strdup(m->model) : NULL;
        pf->driver = dup_or_null(pci_get_string_property(d, PCI_FILL_DRIVER));
        pf->numa_node = d->numa_node >= 0 ? d->numa_node : -1;
}

/* Build the PF record of d, or return 0 without touching *pf when d is not a PF. */
static int scan_one(Sysfs *s, struct pci_access *pacc, struct pci_dev *d, NfvPf *pf, bool *is_pf) {
        uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
        size_t cfg_len;
        int cap, r;

        *pf = (NfvPf){ .sriov_totalvfs = -1, .sriov_numvfs = -1, .numa_node = -1,
                       .netdev.speed_mbps = -1 };
        dev_address(d, pf->address);

        cfg_len = read_config(d, cfg);
        cap = sriov_cap_parse(cfg, cfg_len, &pf->sriov);
        (void) read_sysfs_int(s, pf->address, "sriov_totalvfs", &pf->sriov_totalvfs);
        (void) read_sysfs_int(s, pf->address, "sriov_numvfs", &pf->sriov_numvfs);

        *is_pf = cap > 0 || pf->sriov_totalvfs >= 0;
        if (!*is_pf)
                return 0;

        pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_NUMA_NODE | PCI_FILL_DRIVER);
        fill_identity(pacc, d, pf);
        if (!pf->family)
                return -ENOMEM;

        pf->has_sriov_cap = cap > 0;
        switch (cap) {
        case -ENODATA:
                r = nfv_pf_add_warning(pf,
                                       "SR-IOV capability not readable: config space ends at %zu "
                                       "bytes (truncated, or not readable without root)",
                                       cfg_len);
                break;
        case -EBADMSG:
                r = nfv_pf_add_warning(pf, "malformed extended capability list in config space");
                break;
        case -ENOENT:
                r = nfv_pf_add_warning(pf, "the kernel lists SR-IOV attributes but config space "
                                           "has no SR-IOV capability");
                break;
        default:
                r = 0;
        }
        if (r < 0)
                return r;
        if (pf->has_sriov_cap && pf->sriov_numvfs >= 0 && pf->sriov.num_vfs != pf->sriov_numvfs) {
                r = nfv_pf_add_warning(pf, "capability NumVFs %u differs from sriov_numvfs %d",
                                       pf->sriov.num_vfs, pf->sriov_numvfs);
                if (r < 0)
                        return r;
        }

        pf->has_netdev = pci_netdev_read(s, pf->address, &pf->netdev) >= 0;
        return fill_vfs(s, pacc, pf);
}

static int pf_compare(const void *a, const void *b) {
        const NfvPf *x = a, *y = b;
        PciAddr pa, pb;
        (void) pci_addr_parse(x->address, &pa);
        (void) pci_addr_parse(y->address, &pb);
        if (pa.domain != pb.domain)
                return pa.domain < pb.domain ? -1 : 1;
        return (int) pci_addr_rid(&pa) - (int) pci_addr_rid(&pb);
}

/* Everything the scan builds lives behind one pointer set before setjmp(), so
 * that the longjmp path can free it: locals changed after setjmp() would have
 * indeterminate values there. */
typedef struct ScanState {
        PfList list;
        size_t cap;
        NfvPf cur; /* the PF being built */
} ScanState;

static void scan_state_free(ScanState *st) {
        pf_list_done(&st->list);
        nfv_pf_done(&st->cur);
        free(st);
}
DEFINE_CLEANUP_FUNC(ScanState *, scan_state_free);

static int list_append(ScanState *st) {
        if (st->list.n == st->cap) {
                size_t ncap = st->cap ? st->cap * 2 : 4;
                NfvPf *n = realloc(st->list.pfs, ncap * sizeof(NfvPf));
                if (!n)
                        return -ENOMEM;
                st->list.pfs = n;
                st->cap = ncap;
        }
        st->list.pfs[st->list.n++] = st->cur;
        st->cur = (NfvPf){ 0 };
        return 0;
}

/* The part of the scan during which libpci may call libpci_error. Kept apart
 * so that nothing it uses is modified between setjmp() and a longjmp(). */
static int scan_guarded(Sysfs *sysfs, struct pci_access *pacc, ScanState *st) {
        if (setjmp(libpci_fatal))
                return log_error_errno(EIO, "libpci: %s", libpci_message);

        pci_init(pacc);
        pci_scan_bus(pacc);
        for (struct pci_dev *d = pacc->devices; d; d = d->next) {
                bool is_pf;
                int r = scan_one(sysfs, pacc, d, &st->cur, &is_pf);
                if (r >= 0 && is_pf)
                        r = list_append(st);
                else
                        nfv_pf_done(&st->cur);
                if (r < 0)
                        return r;
        }
        return 0;
}

int pci_scan_pfs(Sysfs *sysfs, PfList *ret) {
        _cleanup_(pci_cleanupp) struct pci_access *pacc = NULL;
        _cleanup_(scan_state_freep) ScanState *st = NULL;
        _cleanup_free_ char *bus_path = NULL;
        int r;

        /* libpci treats a missing directory as fatal; check first for a clear message. */
        if (!sysfs_exists(sysfs, "bus/pci/devices"))
                return log_error_errno(ENOENT, "%s/bus/pci/devices does not exist",
                                       sysfs_root(sysfs));
        if (asprintf(&bus_path, "%s/bus/pci", sysfs_root(sysfs)) < 0)
                return -ENOMEM;
        st = calloc(1, sizeof(*st));
        pacc = pci_alloc();
        if (!st || !pacc)
                return -ENOMEM;
        pacc->method = PCI_ACCESS_SYS_BUS_PCI;
        pacc->error = libpci_error;
        pacc->warning = libpci_warning;
        pacc->debug = libpci_debug;
        pci_set_param(pacc, "sysfs.path", bus_path);

        r = scan_guarded(sysfs, pacc, st);
        if (r < 0)
                return r;
        if (st->list.n > 1)
                qsort(st->list.pfs, st->list.n, sizeof(NfvPf), pf_compare);
        *ret = st->list;
        st->list = (PfList){ 0 };
        return 0;
}
