/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "desired.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

VfEntry *vf_list_find(const VfList *l, unsigned index) {
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].index == index)
                        return &l->items[i];
        return NULL;
}

VfEntry *vf_list_get(VfList *l, unsigned index) {
        VfEntry *v = vf_list_find(l, index), *nv;
        size_t at = 0;
        if (v)
                return v;
        nv = realloc(l->items, (l->n + 1) * sizeof(VfEntry));
        if (!nv)
                return NULL;
        l->items = nv;
        while (at < l->n && l->items[at].index < index)
                at++;
        memmove(&l->items[at + 1], &l->items[at], (l->n - at) * sizeof(VfEntry));
        l->n++;
        l->items[at] = (VfEntry){ .index = index };
        return &l->items[at];
}

void vf_list_remove(VfList *l, unsigned index) {
        VfEntry *v = vf_list_find(l, index);
        if (!v)
                return;
        memmove(v, v + 1, (size_t) (l->items + l->n - v - 1) * sizeof(VfEntry));
        l->n--;
}

static int vf_list_copy(const VfList *src, VfList *ret) {
        *ret = (VfList){ 0 };
        if (src->n == 0)
                return 0;
        ret->items = malloc(src->n * sizeof(VfEntry));
        if (!ret->items)
                return -ENOMEM;
        memcpy(ret->items, src->items, src->n * sizeof(VfEntry));
        ret->n = src->n;
        return 0;
}

static void vf_list_truncate(VfList *l, unsigned n) {
        size_t w = 0;
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].index < n)
                        l->items[w++] = l->items[i];
        l->n = w;
}

void desired_pf_done(DesiredPf *p) {
        free(p->vfs.items);
        free(p->originals.items);
        *p = (DesiredPf){ 0 };
}

void desired_done(Desired *d) {
        for (size_t i = 0; i < d->n; i++)
                desired_pf_done(&d->pfs[i]);
        free(d->pfs);
        *d = (Desired){ 0 };
}

int desired_pf_copy(const DesiredPf *src, DesiredPf *ret) {
        DesiredPf p = *src;
        if (vf_list_copy(&src->vfs, &p.vfs) < 0)
                return -ENOMEM;
        if (vf_list_copy(&src->originals, &p.originals) < 0) {
                free(p.vfs.items);
                return -ENOMEM;
        }
        *ret = p;
        return 0;
}

int desired_copy(const Desired *src, Desired *ret) {
        Desired d = { .pfs = src->n ? calloc(src->n, sizeof(DesiredPf)) : NULL };
        if (src->n && !d.pfs)
                return -ENOMEM;
        for (size_t i = 0; i < src->n; i++) {
                if (desired_pf_copy(&src->pfs[i], &d.pfs[i]) < 0) {
                        desired_done(&d);
                        return -ENOMEM;
                }
                d.n++;
        }
        *ret = d;
        return 0;
}

DesiredPf *desired_find_pf(const Desired *d, const char *address) {
        for (size_t i = 0; i < d->n; i++)
                if (streq(d->pfs[i].address, address))
                        return &d->pfs[i];
        return NULL;
}

DesiredPf *desired_get_pf(Desired *d, const char *address) {
        DesiredPf *p = desired_find_pf(d, address), *np;
        if (p)
                return p;
        np = realloc(d->pfs, (d->n + 1) * sizeof(DesiredPf));
        if (!np)
                return NULL;
        d->pfs = np;
        p = &d->pfs[d->n++];
        *p = (DesiredPf){ 0 };
        snprintf(p->address, sizeof(p->address), "%s", address);
        return p;
}

int desired_put_pf(Desired *d, const DesiredPf *p) {
        DesiredPf copy, *slot;
        if (desired_pf_copy(p, &copy) < 0)
                return -ENOMEM;
        slot = desired_get_pf(d, p->address);
        if (!slot) {
                desired_pf_done(&copy);
                return -ENOMEM;
        }
        desired_pf_done(slot);
        *slot = copy;
        return 0;
}

void desired_remove_pf(Desired *d, const char *address) {
        DesiredPf *p = desired_find_pf(d, address);
        if (!p)
                return;
        desired_pf_done(p);
        memmove(p, p + 1, (size_t) (d->pfs + d->n - p - 1) * sizeof(DesiredPf));
        d->n--;
}

void desired_pf_truncate(DesiredPf *p, unsigned n) {
        vf_list_truncate(&p->vfs, n);
        vf_list_truncate(&p->originals, n);
}

/* JSON */

static int fail(DesiredError *err, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int fail(DesiredError *err, const char *field, const char *fmt, ...) {
        va_list ap;
        snprintf(err->field, sizeof(err->field), "%s", field);
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* A VF index as an object key: decimal, no sign or leading zeroes. */
static int parse_index_key(const char *k, unsigned *ret) {
        size_t n = strlen(k);
        if (n == 0 || n > 5 || strspn(k, "0123456789") != n || (n > 1 && k[0] == '0') ||
            atol(k) > 65535)
                return -EINVAL;
        *ret = (unsigned) atol(k);
        return 0;
}

static int parse_vf_map(json_object *o, const char *pf, const char *what, VfList *l,
                        bool observed, DesiredError *err) {
        char field[128];

        if (!json_object_is_type(o, json_type_object)) {
                snprintf(field, sizeof(field), "pfs.%s.%s", pf, what);
                return fail(err, field, "%s of %s must be an object keyed by VF index", what, pf);
        }
        json_object_object_foreach(o, key, val) {
                NfvVfSettings s;
                const char *bad = NULL;
                char msg[256];
                unsigned index;

                if (parse_index_key(key, &index) < 0) {
                        snprintf(field, sizeof(field), "pfs.%s.%s.%.16s", pf, what, key);
                        return fail(err, field, "\"%.16s\" is not a VF index", key);
                }
                if ((observed ? vf_settings_from_json_observed(val, &s, &bad, msg, sizeof(msg))
                              : vf_settings_from_json(val, &s, &bad, msg, sizeof(msg))) < 0) {
                        snprintf(field, sizeof(field), "pfs.%s.%s.%u.%s", pf, what, index, bad);
                        return fail(err, field, "VF %u: %s", index, msg);
                }
                VfEntry *v = vf_list_get(l, index);
                if (!v)
                        return -ENOMEM;
                v->settings = s;
        }
        return 0;
}

static int parse_pf(const char *key, json_object *o, bool with_originals, Desired *d,
                    DesiredError *err) {
        char addr[PCI_ADDR_STRLEN], field[128];
        PciAddr a;
        DesiredPf *p;

        if (pci_addr_parse(key, &a) < 0)
                return fail(err, "pfs", "\"%.32s\" is not a PCI address", key);
        pci_addr_format(&a, addr);
        if (desired_find_pf(d, addr)) {
                snprintf(field, sizeof(field), "pfs.%s", addr);
                return fail(err, field, "%s is listed twice", addr);
        }
        if (!json_object_is_type(o, json_type_object)) {
                snprintf(field, sizeof(field), "pfs.%s", addr);
                return fail(err, field, "the entry of %s must be an object", addr);
        }
        p = desired_get_pf(d, addr);
        if (!p)
                return -ENOMEM;
        json_object_object_foreach(o, k, v) {
                int r;
                snprintf(field, sizeof(field), "pfs.%s.%s", addr, k);
                if (streq(k, "vf_count")) {
                        if (!json_object_is_type(v, json_type_int) ||
                            json_object_get_int64(v) < 0 || json_object_get_int64(v) > 65535)
                                return fail(err, field, "vf_count must be an integer from 0 to 65535");
                        p->has_vf_count = true;
                        p->vf_count = (unsigned) json_object_get_int64(v);
                        continue;
                }
                if (streq(k, "vfs"))
                        r = parse_vf_map(v, addr, "vfs", &p->vfs, false, err);
                else if (with_originals && streq(k, "originals"))
                        /* Originals are what the VF had, which may be "no MAC". */
                        r = parse_vf_map(v, addr, "originals", &p->originals, true, err);
                else
                        return fail(err, field, "unknown key \"%.32s\" (known: vf_count, vfs)", k);
                if (r < 0)
                        return r;
        }
        return 0;
}

int desired_from_json(json_object *o, bool with_originals, Desired *ret, DesiredError *err) {
        Desired d = { 0 };
        json_object *pfs = NULL;

        *err = (DesiredError){ 0 };
        if (!json_object_is_type(o, json_type_object))
                return fail(err, "", "the desired state must be a JSON object");
        json_object_object_foreach(o, k, v) {
                if (streq(k, "pfs"))
                        pfs = v;
                else if (!streq(k, "schema_version"))
                        return fail(err, k, "unknown key \"%.32s\" (known: pfs)", k);
        }
        if (!pfs)
                return fail(err, "pfs", "\"pfs\" is missing (use {\"pfs\": {}} for nothing)");
        if (!json_object_is_type(pfs, json_type_object))
                return fail(err, "pfs", "\"pfs\" must be an object keyed by PCI address");
        json_object_object_foreach(pfs, key, val) {
                int r = parse_pf(key, val, with_originals, &d, err);
                if (r < 0) {
                        desired_done(&d);
                        return r;
                }
        }
        *ret = d;
        return 0;
}

static json_object *vf_map_to_json(const VfList *l) {
        json_object *m = json_object_new_object();
        for (size_t i = 0; i < l->n; i++) {
                char key[8];
                snprintf(key, sizeof(key), "%u", l->items[i].index);
                json_object_object_add(m, key, vf_settings_to_json(&l->items[i].settings));
        }
        return m;
}

json_object *desired_pf_to_json(const DesiredPf *p, bool with_originals) {
        json_object *o = json_object_new_object();
        if (p->has_vf_count)
                json_object_object_add(o, "vf_count", json_object_new_int((int) p->vf_count));
        json_object_object_add(o, "vfs", vf_map_to_json(&p->vfs));
        if (with_originals && p->originals.n)
                json_object_object_add(o, "originals", vf_map_to_json(&p->originals));
        return o;
}

json_object *desired_to_json(const Desired *d, bool with_originals) {
        json_object *o = json_object_new_object(), *pfs = json_object_new_object();
        for (size_t i = 0; i < d->n; i++)
                json_object_object_add(pfs, d->pfs[i].address,
                                       desired_pf_to_json(&d->pfs[i], with_originals));
        json_object_object_add(o, "pfs", pfs);
        return o;
}

json_object *desired_state_file_doc(const Desired *d) {
        json_object *o = desired_to_json(d, true);
        json_object_object_add(o, "schema_version", json_object_new_int(DESIRED_SCHEMA_VERSION));
        return o;
}

int desired_from_state_file(json_object *o, Desired *ret, DesiredError *err) {
        int64_t version;
        int r;

        *err = (DesiredError){ 0 };
        if (json_get_int64(o, "schema_version", true, 1, INT32_MAX, &version) < 0) {
                fail(err, "schema_version", "no valid schema_version");
                return -EBADMSG;
        }
        if (version > DESIRED_SCHEMA_VERSION) {
                fail(err, "schema_version",
                     "written by a newer nfvcapd (schema version %lld; this one understands up "
                     "to %d)",
                     (long long) version, DESIRED_SCHEMA_VERSION);
                return -EPROTONOSUPPORT;
        }
        r = desired_from_json(o, true, ret, err);
        return r == -EINVAL ? -EBADMSG : r;
}
