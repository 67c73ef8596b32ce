/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "inventory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

struct Inventory {
        Sysfs *sysfs; /* borrowed from the Manager */
        PfList list;
        bool valid;
        uint64_t scanned_at; /* CLOCK_MONOTONIC, usec */
        uint64_t max_age;
        uint64_t scans;
        char *pfs_text; /* rendered list; NULL until asked for after a scan */
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

int inventory_new(Sysfs *sysfs, uint64_t max_age_usec, Inventory **ret) {
        Inventory *inv = calloc(1, sizeof(*inv));
        if (!inv)
                return -ENOMEM;
        inv->sysfs = sysfs;
        inv->max_age = max_age_usec;
        *ret = inv;
        return 0;
}

Inventory *inventory_free(Inventory *inv) {
        if (!inv)
                return NULL;
        pf_list_done(&inv->list);
        free(inv->pfs_text);
        free(inv);
        return NULL;
}

static int rescan(Inventory *inv) {
        PfList l;
        int r = pci_scan_pfs(inv->sysfs, &l);
        if (r < 0)
                return r;
        pf_list_done(&inv->list);
        inv->list = l;
        free(inv->pfs_text);
        inv->pfs_text = NULL;
        inv->valid = true;
        inv->scanned_at = now_usec();
        inv->scans++;
        log_debug("inventory: %zu SR-IOV PF(s) found (scan %llu)", l.n,
                  (unsigned long long) inv->scans);
        return 0;
}

int inventory_get(Inventory *inv, const PfList **ret) {
        if (!inv->valid || now_usec() - inv->scanned_at >= inv->max_age) {
                int r = rescan(inv);
                if (r < 0)
                        return r;
        }
        *ret = &inv->list;
        return 0;
}

int inventory_find_pf(Inventory *inv, const char *address, const NfvPf **ret) {
        const PfList *l;
        int r = inventory_get(inv, &l);
        if (r < 0)
                return r;
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->pfs[i].address, address)) {
                        *ret = &l->pfs[i];
                        return 0;
                }
        return -ENOENT;
}

void inventory_invalidate(Inventory *inv, const char *reason) {
        if (inv->valid)
                log_debug("inventory: stale (%s)", reason);
        inv->valid = false;
}

int inventory_pfs_text(Inventory *inv, const char **ret) {
        const PfList *l;
        int r = inventory_get(inv, &l);

        if (r < 0)
                return r;
        if (!inv->pfs_text) {
                json_object *a = json_object_new_array_ext((int) l->n), *doc;
                for (size_t i = 0; i < l->n; i++)
                        json_object_array_add(a, nfv_pf_to_json(&l->pfs[i]));
                doc = json_object_new_object();
                json_object_object_add(doc, "pfs", a);
                inv->pfs_text = strdup(json_object_to_json_string_ext(
                        doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(doc);
                if (!inv->pfs_text)
                        return -ENOMEM;
        }
        *ret = inv->pfs_text;
        return 0;
}

uint64_t inventory_scan_count(const Inventory *inv) {
        return inv->scans;
}
