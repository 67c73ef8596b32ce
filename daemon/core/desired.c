/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "desired.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

/* Arrays of structs that start with `unsigned index`, kept sorted by it: the
 * VF settings, originals and receive flags lists share these. */
static void *ilist_find(void *items, size_t n, size_t size, unsigned index) {
        for (size_t i = 0; i < n; i++) {
                unsigned *at = (unsigned *) ((char *) items + i * size);
                if (*at == index)
                        return at;
        }
        return NULL;
}

static void *ilist_get(void **items, size_t *n, size_t size, unsigned index) {
        void *found = ilist_find(*items, *n, size, index);
        char *ni;
        size_t at = 0;

        if (found)
                return found;
        ni = realloc(*items, (*n + 1) * size);
        if (!ni)
                return NULL;
        *items = ni;
        while (at < *n && *(unsigned *) (ni + at * size) < index)
                at++;
        memmove(ni + (at + 1) * size, ni + at * size, (*n - at) * size);
        memset(ni + at * size, 0, size);
        *(unsigned *) (ni + at * size) = index;
        (*n)++;
        return ni + at * size;
}

static void ilist_remove(void *items, size_t *n, size_t size, unsigned index) {
        char *at = ilist_find(items, *n, size, index);
        if (!at)
                return;
        memmove(at, at + size, (size_t) ((char *) items + *n * size - at - size));
        (*n)--;
}

static int ilist_copy(const void *src, size_t n, size_t size, void **ret) {
        *ret = NULL;
        if (n == 0)
                return 0;
        *ret = malloc(n * size);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, src, n * size);
        return 0;
}

static void ilist_truncate(void *items, size_t *n, size_t size, unsigned limit) {
        size_t w = 0;
        for (size_t i = 0; i < *n; i++)
                if (*(unsigned *) ((char *) items + i * size) < limit)
                        memmove((char *) items + w++ * size, (char *) items + i * size, size);
        *n = w;
}

VfEntry *vf_list_find(const VfList *l, unsigned index) {
        return ilist_find(l->items, l->n, sizeof(VfEntry), index);
}
VfEntry *vf_list_get(VfList *l, unsigned index) {
        return ilist_get((void **) &l->items, &l->n, sizeof(VfEntry), index);
}
void vf_list_remove(VfList *l, unsigned index) {
        ilist_remove(l->items, &l->n, sizeof(VfEntry), index);
}
RxEntry *rx_list_find(const RxList *l, unsigned index) {
        return ilist_find(l->items, l->n, sizeof(RxEntry), index);
}
RxEntry *rx_list_get(RxList *l, unsigned index) {
        return ilist_get((void **) &l->items, &l->n, sizeof(RxEntry), index);
}
void rx_list_remove(RxList *l, unsigned index) {
        ilist_remove(l->items, &l->n, sizeof(RxEntry), index);
}

const MirrorEntry *desired_pf_find_mirror(const DesiredPf *p, unsigned id) {
        for (size_t i = 0; i < p->n_mirrors; i++)
                if (p->mirrors[i].id == id)
                        return &p->mirrors[i];
        return NULL;
}

int desired_pf_add_mirror(DesiredPf *p, const MirrorEntry *m) {
        MirrorEntry *n = realloc(p->mirrors, (p->n_mirrors + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        p->mirrors = n;
        p->mirrors[p->n_mirrors++] = *m;
        return 0;
}

void desired_pf_remove_mirror(DesiredPf *p, unsigned id) {
        for (size_t i = 0; i < p->n_mirrors; i++)
                if (p->mirrors[i].id == id) {
                        memmove(&p->mirrors[i], &p->mirrors[i + 1],
                                (p->n_mirrors - i - 1) * sizeof(MirrorEntry));
                        p->n_mirrors--;
                        return;
                }
}

bool desired_pf_is_empty(const DesiredPf *p) {
        return !p->has_vf_count && p->vfs.n == 0 && p->originals.n == 0 && p->rx_modes.n == 0 &&
               p->rx_originals.n == 0 && p->n_mirrors == 0;
}

void desired_pf_done(DesiredPf *p) {
        free(p->vfs.items);
        free(p->originals.items);
        free(p->rx_modes.items);
        free(p->rx_originals.items);
        free(p->mirrors);
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
        int r = ilist_copy(src->vfs.items, src->vfs.n, sizeof(VfEntry), (void **) &p.vfs.items);
        p.originals.items = NULL;
        p.rx_modes.items = NULL;
        p.rx_originals.items = NULL;
        p.mirrors = NULL;
        if (r >= 0)
                r = ilist_copy(src->originals.items, src->originals.n, sizeof(VfEntry),
                               (void **) &p.originals.items);
        if (r >= 0)
                r = ilist_copy(src->rx_modes.items, src->rx_modes.n, sizeof(RxEntry),
                               (void **) &p.rx_modes.items);
        if (r >= 0)
                r = ilist_copy(src->rx_originals.items, src->rx_originals.n, sizeof(RxEntry),
                               (void **) &p.rx_originals.items);
        if (r >= 0)
                r = ilist_copy(src->mirrors, src->n_mirrors, sizeof(MirrorEntry),
                               (void **) &p.mirrors);
        if (r < 0) {
                desired_pf_done(&p);
                return r;
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
        ilist_truncate(p->vfs.items, &p->vfs.n, sizeof(VfEntry), n);
        ilist_truncate(p->originals.items, &p->originals.n, sizeof(VfEntry), n);
        ilist_truncate(p->rx_modes.items, &p->rx_modes.n, sizeof(RxEntry), n);
        ilist_truncate(p->rx_originals.items, &p->rx_originals.n, sizeof(RxEntry), n);
        /* Mirrors that name a VF that goes away go with it. */
        for (size_t i = p->n_mirrors; i-- > 0;) {
                const MirrorEntry *m = &p->mirrors[i];
                bool gone = m->destination_vf >= n;
                for (unsigned k = 0; m->type == MIRROR_POOL && k < m->n_sources; k++)
                        gone = gone || m->sources[k] >= n;
                if (gone)
                        desired_pf_remove_mirror(p, m->id);
        }
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

/* Receive flags and mirror entries */

int rx_flags_from_json(json_object *o, uint32_t *managed, uint32_t *on, char *field,
                       size_t field_len, char *msg, size_t msg_len) {
        *managed = *on = 0;
        if (!json_object_is_type(o, json_type_object)) {
                snprintf(field, field_len, "rx_mode");
                snprintf(msg, msg_len, "the receive mode must be an object of flags");
                return -EINVAL;
        }
        json_object_object_foreach(o, key, val) {
                int f = pool_rx_flag_from_string(key);
                snprintf(field, field_len, "%.64s", key);
                if (f < 0) {
                        snprintf(msg, msg_len,
                                 "unknown receive flag \"%.64s\" (known: multicast_promiscuous, "
                                 "broadcast, accept_untagged, unicast_hash, multicast_hash)",
                                 key);
                        return -EINVAL;
                }
                if (!val || !json_object_is_type(val, json_type_boolean)) {
                        snprintf(msg, msg_len, "%s must be true or false", key);
                        return -EINVAL;
                }
                *managed |= 1u << f;
                if (json_object_get_boolean(val))
                        *on |= 1u << f;
        }
        return 0;
}

json_object *rx_flags_to_json(uint32_t managed, uint32_t on) {
        json_object *o = json_object_new_object();
        for (int f = 0; f < _POOL_RX_MAX; f++)
                if (managed & (1u << f))
                        json_object_object_add(o, pool_rx_flag_to_string((PoolRxFlag) f),
                                               json_object_new_boolean(on & (1u << f)));
        return o;
}

static int source_limit(MirrorType t, long *min, long *max) {
        switch (t) {
        case MIRROR_POOL: *min = 0; *max = 65535; return 1;   /* VF indexes */
        case MIRROR_VLAN: *min = 1; *max = VLAN_ID_MAX; return 1; /* VLAN ids */
        default: return 0;                                    /* no sources */
        }
}

int mirror_entry_from_json(json_object *o, MirrorEntry *ret, bool *has_id, char *field,
                           size_t field_len, char *msg, size_t msg_len) {
        MirrorEntry m = { 0 };
        json_object *v;
        const char *type;
        int64_t n;
        long min, max;
        bool enc = false;

#define BAD(f, ...) (snprintf(field, field_len, "%s", f), snprintf(msg, msg_len, __VA_ARGS__), -EINVAL)
        if (!json_object_is_type(o, json_type_object))
                return BAD("mirror", "a mirror must be an object");
        json_object_object_foreach(o, key, val) {
                static const char *const known[] = { "id", "type", "sources", "destination_vf",
                                                     "snaplen", "sample_rate", "encapsulation" };
                bool ok = false;
                (void) val;
                for (size_t i = 0; i < ELEMENTSOF(known); i++)
                        ok = ok || streq(key, known[i]);
                if (!ok)
                        return BAD(key, "unknown mirror field \"%.64s\" (known: type, sources, "
                                        "destination_vf, snaplen, sample_rate, encapsulation)",
                                   key);
        }
        if (json_get_string(o, "type", true, &type) < 0 || mirror_type_from_string(type) < 0)
                return BAD("type", "type must be one of pool, uplink, downlink, vlan");
        m.type = (MirrorType) mirror_type_from_string(type);
        if (json_get_int64(o, "destination_vf", true, 0, 65535, &n) < 0)
                return BAD("destination_vf", "destination_vf must be a VF index");
        m.destination_vf = (unsigned) n;
        *has_id = json_object_object_get_ex(o, "id", &v) && v;
        if (*has_id) {
                if (json_get_int64(o, "id", true, 0, 63, &n) < 0)
                        return BAD("id", "id must be a rule number from 0");
                m.id = (unsigned) n;
        }
        if (json_get_int64(o, "snaplen", false, 0, 65535, &n) < 0)
                return BAD("snaplen", "snaplen must be a byte count from 0 (whole frames)");
        m.snaplen = json_object_object_get_ex(o, "snaplen", &v) && v ? (uint32_t) n : 0;
        if (json_get_int64(o, "sample_rate", false, 0, UINT32_MAX, &n) < 0)
                return BAD("sample_rate", "sample_rate must be N (mirror 1 frame in N), 0 or 1 for all");
        m.sample_rate = json_object_object_get_ex(o, "sample_rate", &v) && v ? (uint32_t) n : 0;
        if (json_object_object_get_ex(o, "encapsulation", &v) && v) {
                const char *e = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                if (!e)
                        return BAD("encapsulation", "encapsulation must be \"none\" or a tunnel type");
                enc = !streq(e, "none");
        }
        m.encapsulate = enc;

        v = NULL;
        json_object_object_get_ex(o, "sources", &v);
        if (!source_limit(m.type, &min, &max)) {
                if (v && (!json_object_is_type(v, json_type_array) || json_object_array_length(v)))
                        return BAD("sources", "a %s mirror has no sources (it copies the whole %s)",
                                   type, m.type == MIRROR_UPLINK ? "wire's receive side"
                                                                 : "wire's transmit side");
        } else {
                if (!v || !json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)
                        return BAD("sources", "a %s mirror needs sources: %s", type,
                                   m.type == MIRROR_POOL ? "VF indexes" : "VLAN ids");
                if (json_object_array_length(v) > MIRROR_MAX_SOURCES)
                        return BAD("sources", "at most %d sources", MIRROR_MAX_SOURCES);
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        int64_t x = json_object_is_type(e, json_type_int) ? json_object_get_int64(e) : -1;
                        if (x < min || x > max)
                                return BAD("sources", "%s sources must be %s", type,
                                           m.type == MIRROR_POOL ? "VF indexes"
                                                                 : "VLAN ids from 1 to 4094");
                        for (unsigned k = 0; k < m.n_sources; k++)
                                if (m.sources[k] == x)
                                        return BAD("sources", "%lld is listed twice", (long long) x);
                        m.sources[m.n_sources++] = (uint16_t) x;
                }
        }
        if (m.type == MIRROR_POOL)
                for (unsigned k = 0; k < m.n_sources; k++)
                        if (m.sources[k] == m.destination_vf)
                                return BAD("destination_vf",
                                           "VF %u is both a source and the destination: it would "
                                           "receive its own traffic twice",
                                           m.destination_vf);
#undef BAD
        *ret = m;
        return 0;
}

json_object *mirror_entry_to_json(const MirrorEntry *m) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        json_object_object_add(o, "id", json_object_new_int((int) m->id));
        json_object_object_add(o, "type", json_object_new_string(mirror_type_to_string(m->type)));
        for (unsigned k = 0; k < m->n_sources; k++)
                json_object_array_add(a, json_object_new_int(m->sources[k]));
        json_object_object_add(o, "sources", a);
        json_object_object_add(o, "destination_vf", json_object_new_int((int) m->destination_vf));
        if (m->snaplen)
                json_object_object_add(o, "snaplen", json_object_new_int64(m->snaplen));
        if (m->sample_rate > 1)
                json_object_object_add(o, "sample_rate", json_object_new_int64(m->sample_rate));
        if (m->encapsulate)
                json_object_object_add(o, "encapsulation", json_object_new_string("requested"));
        return o;
}

static int parse_rx_map(json_object *o, const char *pf, const char *what, RxList *l,
                        DesiredError *err) {
        char field[128], f[80], msg[256];

        if (!json_object_is_type(o, json_type_object)) {
                snprintf(field, sizeof(field), "pfs.%s.%s", pf, what);
                return fail(err, field, "%s of %s must be an object keyed by VF index", what, pf);
        }
        json_object_object_foreach(o, key, val) {
                uint32_t managed, on;
                unsigned index;
                RxEntry *e;
                if (parse_index_key(key, &index) < 0) {
                        snprintf(field, sizeof(field), "pfs.%s.%s.%.16s", pf, what, key);
                        return fail(err, field, "\"%.16s\" is not a VF index", key);
                }
                if (rx_flags_from_json(val, &managed, &on, f, sizeof(f), msg, sizeof(msg)) < 0) {
                        snprintf(field, sizeof(field), "pfs.%s.%s.%u.%s", pf, what, index, f);
                        return fail(err, field, "VF %u: %s", index, msg);
                }
                e = rx_list_get(l, index);
                if (!e)
                        return -ENOMEM;
                e->managed = managed;
                e->on = on;
        }
        return 0;
}

static int parse_mirrors(json_object *o, const char *pf, DesiredPf *p, DesiredError *err) {
        char field[128], f[64], msg[256];

        if (!json_object_is_type(o, json_type_array)) {
                snprintf(field, sizeof(field), "pfs.%s.mirrors", pf);
                return fail(err, field, "mirrors of %s must be a list", pf);
        }
        for (size_t i = 0; i < json_object_array_length(o); i++) {
                MirrorEntry m;
                bool has_id;
                if (mirror_entry_from_json(json_object_array_get_idx(o, i), &m, &has_id, f,
                                           sizeof(f), msg, sizeof(msg)) < 0) {
                        snprintf(field, sizeof(field), "pfs.%s.mirrors.%zu.%s", pf, i, f);
                        return fail(err, field, "mirror %zu: %s", i, msg);
                }
                /* Without an id the first free rule slot is taken. */
                if (!has_id)
                        while (desired_pf_find_mirror(p, m.id))
                                m.id++;
                if (desired_pf_find_mirror(p, m.id)) {
                        snprintf(field, sizeof(field), "pfs.%s.mirrors.%zu.id", pf, i);
                        return fail(err, field, "mirror id %u is listed twice", m.id);
                }
                if (desired_pf_add_mirror(p, &m) < 0)
                        return -ENOMEM;
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
                else if (streq(k, "rx_modes"))
                        r = parse_rx_map(v, addr, "rx_modes", &p->rx_modes, err);
                else if (with_originals && streq(k, "rx_originals"))
                        r = parse_rx_map(v, addr, "rx_originals", &p->rx_originals, err);
                else if (streq(k, "mirrors"))
                        r = parse_mirrors(v, addr, p, err);
                else
                        return fail(err, field,
                                    "unknown key \"%.32s\" (known: vf_count, vfs, rx_modes, mirrors)",
                                    k);
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

static json_object *rx_map_to_json(const RxList *l) {
        json_object *m = json_object_new_object();
        for (size_t i = 0; i < l->n; i++) {
                char key[8];
                snprintf(key, sizeof(key), "%u", l->items[i].index);
                json_object_object_add(m, key, rx_flags_to_json(l->items[i].managed, l->items[i].on));
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
        if (p->rx_modes.n)
                json_object_object_add(o, "rx_modes", rx_map_to_json(&p->rx_modes));
        if (with_originals && p->rx_originals.n)
                json_object_object_add(o, "rx_originals", rx_map_to_json(&p->rx_originals));
        if (p->n_mirrors) {
                json_object *a = json_object_new_array();
                for (size_t i = 0; i < p->n_mirrors; i++)
                        json_object_array_add(a, mirror_entry_to_json(&p->mirrors[i]));
                json_object_object_add(o, "mirrors", a);
        }
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
