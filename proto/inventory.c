/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "inventory.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "macros.h"

static void netdev_done(NfvNetdev *n) {
        free(n->name);
        free(n->mac);
        free(n->link);
        *n = (NfvNetdev){ .speed_mbps = -1 };
}

void nfv_vf_done(NfvVf *vf) {
        free(vf->driver);
        free(vf->netdev);
        free(vf->mac);
        strv_free(vf->warnings);
        *vf = (NfvVf){ .vendor_id = -1, .device_id = -1, .in_sync = -1 };
}

void nfv_pf_done(NfvPf *pf) {
        free(pf->vendor_name);
        free(pf->device_name);
        free(pf->family);
        free(pf->model);
        free(pf->driver);
        netdev_done(&pf->netdev);
        for (size_t i = 0; i < pf->n_vfs; i++)
                nfv_vf_done(&pf->vfs[i]);
        free(pf->vfs);
        strv_free(pf->warnings);
        *pf = (NfvPf){ .sriov_totalvfs = -1, .sriov_numvfs = -1, .numa_node = -1 };
}

static int add_warning(char ***l, const char *fmt, va_list ap) {
        _cleanup_free_ char *s = NULL;
        if (vasprintf(&s, fmt, ap) < 0)
                return -ENOMEM;
        return strv_push(l, s);
}

int nfv_pf_add_warning(NfvPf *pf, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = add_warning(&pf->warnings, fmt, ap);
        va_end(ap);
        return r;
}

int nfv_vf_add_warning(NfvVf *vf, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = add_warning(&vf->warnings, fmt, ap);
        va_end(ap);
        return r;
}

static json_object *sriov_to_json(const NfvSriovCap *c) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "total_vfs", json_object_new_int(c->total_vfs));
        json_object_object_add(o, "initial_vfs", json_object_new_int(c->initial_vfs));
        json_object_object_add(o, "num_vfs", json_object_new_int(c->num_vfs));
        json_object_object_add(o, "vf_offset", json_object_new_int(c->vf_offset));
        json_object_object_add(o, "vf_stride", json_object_new_int(c->vf_stride));
        json_add_hex16(o, "vf_device_id", c->vf_device_id);
        json_object_object_add(o, "vf_enable", json_object_new_boolean(c->vf_enable));
        return o;
}

static json_object *netdev_to_json(const NfvNetdev *n) {
        json_object *o = json_object_new_object();
        json_add_string_or_null(o, "name", n->name);
        json_add_string_or_null(o, "mac", n->mac);
        json_add_string_or_null(o, "link", n->link);
        json_add_int_or_null(o, "speed_mbps", n->speed_mbps);
        return o;
}

json_object *nfv_pf_to_json(const NfvPf *pf) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "address", json_object_new_string(pf->address));
        json_add_hex16(o, "vendor_id", pf->vendor_id);
        json_add_hex16(o, "device_id", pf->device_id);
        json_add_string_or_null(o, "vendor_name", pf->vendor_name);
        json_add_string_or_null(o, "device_name", pf->device_name);
        json_add_string_or_null(o, "family", pf->family);
        json_add_string_or_null(o, "model", pf->model);
        json_add_string_or_null(o, "driver", pf->driver);
        json_object_object_add(o, "sriov", pf->has_sriov_cap ? sriov_to_json(&pf->sriov) : NULL);
        json_add_int_or_null(o, "sriov_totalvfs", pf->sriov_totalvfs);
        json_add_int_or_null(o, "sriov_numvfs", pf->sriov_numvfs);
        json_object_object_add(o, "netdev", pf->has_netdev ? netdev_to_json(&pf->netdev) : NULL);
        json_add_int_or_null(o, "numa_node", pf->numa_node);
        json_object_object_add(o, "vf_count", json_object_new_int((int) pf->vf_count));
        json_object_object_add(o, "warnings", strv_to_json(pf->warnings));
        return o;
}

json_object *nfv_vf_to_json(const NfvVf *vf) {
        json_object *o = json_object_new_object();

        json_object_object_add(o, "index", json_object_new_int((int) vf->index));
        json_object_object_add(o, "address", json_object_new_string(vf->address));
        if (vf->vendor_id >= 0) {
                json_add_hex16(o, "vendor_id", (uint16_t) vf->vendor_id);
                json_add_hex16(o, "device_id", (uint16_t) vf->device_id);
        } else {
                json_object_object_add(o, "vendor_id", NULL);
                json_object_object_add(o, "device_id", NULL);
        }
        json_add_string_or_null(o, "driver", vf->driver);
        json_add_string_or_null(o, "netdev", vf->netdev);
        json_add_string_or_null(o, "mac", vf->mac);
        json_object_object_add(o, "warnings", strv_to_json(vf->warnings));
        return o;
}

/* Parsing: each helper returns 0 or -EBADMSG, so they chain with `||`. */

static int dup_opt_string(json_object *o, const char *key, char **ret) {
        const char *s = NULL;
        if (json_get_string(o, key, false, &s) < 0)
                return -EBADMSG;
        if (s && !(*ret = strdup(s)))
                return -ENOMEM;
        return 0;
}

static int get_opt_int(json_object *o, const char *key, int min, int max, int *ret) {
        int64_t v = -1;
        if (json_get_int64(o, key, false, min, max, &v) < 0)
                return -EBADMSG;
        *ret = (int) v;
        return 0;
}

static int get_hex16(json_object *o, const char *key, bool required, int *ret) {
        const char *s = NULL;
        uint16_t v;
        if (json_get_string(o, key, required, &s) < 0)
                return -EBADMSG;
        if (!s) {
                *ret = -1;
                return 0;
        }
        if (hex16_parse(s, &v) < 0)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int get_address(json_object *o, char buf[static PCI_ADDR_STRLEN]) {
        const char *s;
        PciAddr a;
        if (json_get_string(o, "address", true, &s) < 0 || pci_addr_parse(s, &a) < 0)
                return -EBADMSG;
        pci_addr_format(&a, buf);
        return 0;
}

static int get_warnings(json_object *o, char ***ret) {
        json_object *a;
        if (!json_object_object_get_ex(o, "warnings", &a) || !a)
                return 0;
        return strv_from_json(a, ret) < 0 ? -EBADMSG : 0;
}

static int sriov_from_json(json_object *o, NfvSriovCap *c) {
        int v[5], dev;
        bool en = false;
        static const char *const keys[5] = { "total_vfs", "initial_vfs", "num_vfs", "vf_offset",
                                             "vf_stride" };
        for (size_t i = 0; i < 5; i++) {
                int64_t n;
                if (json_get_int64(o, keys[i], true, 0, UINT16_MAX, &n) < 0)
                        return -EBADMSG;
                v[i] = (int) n;
        }
        if (get_hex16(o, "vf_device_id", true, &dev) < 0 ||
            json_get_bool(o, "vf_enable", false, &en) < 0)
                return -EBADMSG;
        *c = (NfvSriovCap){ .total_vfs = (uint16_t) v[0], .initial_vfs = (uint16_t) v[1],
                            .num_vfs = (uint16_t) v[2], .vf_offset = (uint16_t) v[3],
                            .vf_stride = (uint16_t) v[4], .vf_device_id = (uint16_t) dev,
                            .vf_enable = en };
        return 0;
}

static int netdev_from_json(json_object *o, NfvNetdev *n) {
        return dup_opt_string(o, "name", &n->name) || dup_opt_string(o, "mac", &n->mac) ||
                               dup_opt_string(o, "link", &n->link) ||
                               get_opt_int(o, "speed_mbps", 0, INT32_MAX, &n->speed_mbps)
                       ? -EBADMSG
                       : 0;
}

int nfv_pf_from_json(json_object *o, NfvPf *ret) {
        NfvPf pf = { .sriov_totalvfs = -1, .sriov_numvfs = -1, .numa_node = -1,
                     .netdev.speed_mbps = -1 };
        json_object *sub;
        int vendor, device, vf_count = 0;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        r = get_address(o, pf.address) || get_hex16(o, "vendor_id", true, &vendor) ||
            get_hex16(o, "device_id", true, &device) ||
            dup_opt_string(o, "vendor_name", &pf.vendor_name) ||
            dup_opt_string(o, "device_name", &pf.device_name) ||
            dup_opt_string(o, "family", &pf.family) || dup_opt_string(o, "model", &pf.model) ||
            dup_opt_string(o, "driver", &pf.driver) ||
            get_opt_int(o, "sriov_totalvfs", 0, UINT16_MAX, &pf.sriov_totalvfs) ||
            get_opt_int(o, "sriov_numvfs", 0, UINT16_MAX, &pf.sriov_numvfs) ||
            get_opt_int(o, "numa_node", 0, INT32_MAX, &pf.numa_node) ||
            get_opt_int(o, "vf_count", 0, UINT16_MAX, &vf_count) ||
            get_warnings(o, &pf.warnings);
        if (r == 0 && json_object_object_get_ex(o, "sriov", &sub) && sub) {
                pf.has_sriov_cap = true;
                r = sriov_from_json(sub, &pf.sriov);
        }
        if (r == 0 && json_object_object_get_ex(o, "netdev", &sub) && sub) {
                pf.has_netdev = true;
                r = netdev_from_json(sub, &pf.netdev);
        }
        if (r != 0) {
                nfv_pf_done(&pf);
                return -EBADMSG;
        }
        pf.vendor_id = (uint16_t) vendor;
        pf.device_id = (uint16_t) device;
        pf.vf_count = (unsigned) vf_count;
        *ret = pf;
        return 0;
}

/* The optional "settings" and "sync" members of the daemon's VF resources. */
static int vf_state_from_json(json_object *o, NfvVf *vf) {
        json_object *s, *sync;
        const char *bad;
        char msg[128];
        bool in_sync;

        if (json_object_object_get_ex(o, "settings", &s) && s) {
                if (vf_settings_from_json_observed(s, &vf->settings, &bad, msg, sizeof(msg)) < 0)
                        return -EBADMSG;
                vf->has_settings = true;
        }
        if (json_object_object_get_ex(o, "sync", &sync) && sync) {
                int r = json_get_bool(sync, "in_sync", false, &in_sync);
                if (r < 0)
                        return -EBADMSG;
                json_object *v;
                if (json_object_object_get_ex(sync, "in_sync", &v) && v)
                        vf->in_sync = in_sync;
        }
        return 0;
}

int nfv_vf_from_json(json_object *o, NfvVf *ret) {
        NfvVf vf = { .vendor_id = -1, .device_id = -1, .in_sync = -1 };
        int64_t index;
        int r;

        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        r = json_get_int64(o, "index", true, 0, UINT16_MAX, &index) < 0 ||
            get_address(o, vf.address) || get_hex16(o, "vendor_id", false, &vf.vendor_id) ||
            get_hex16(o, "device_id", false, &vf.device_id) ||
            dup_opt_string(o, "driver", &vf.driver) || dup_opt_string(o, "netdev", &vf.netdev) ||
            dup_opt_string(o, "mac", &vf.mac) || get_warnings(o, &vf.warnings) ||
            vf_state_from_json(o, &vf);
        if (r != 0) {
                nfv_vf_done(&vf);
                return -EBADMSG;
        }
        vf.index = (unsigned) index;
        *ret = vf;
        return 0;
}
