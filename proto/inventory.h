/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The PF and VF documents of GET /v1/pfs... as C structs, with their JSON
 * form. The daemon fills them from the machine and renders them; nfvcapctl
 * parses them back. Strings are heap-allocated and owned by the struct; an
 * unknown number is -1 and renders as JSON null.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "vfsettings.h"

/* The SR-IOV extended capability, as read from config space. */
typedef struct NfvSriovCap {
        uint16_t initial_vfs;
        uint16_t total_vfs;
        uint16_t num_vfs;
        uint16_t vf_offset;
        uint16_t vf_stride;
        uint16_t vf_device_id;
        bool vf_enable; /* SR-IOV Control: VF Enable */
} NfvSriovCap;

typedef struct NfvNetdev {
        char *name;
        char *mac;
        char *link;     /* operstate: "up", "down", "unknown", ... */
        int speed_mbps; /* -1 when the link is down or the driver does not say */
} NfvNetdev;

typedef struct NfvVf {
        unsigned index;
        char address[PCI_ADDR_STRLEN];
        int vendor_id; /* -1 when the VF's config space could not be read */
        int device_id;
        char *driver; /* NULL: no driver bound */
        char *netdev;
        char *mac;
        char **warnings;
        /* Added by the daemon's VF resources, parsed when present: the settings
         * read from the PF driver and whether they are as desired (-1 unknown). */
        bool has_settings;
        NfvVfSettings settings;
        int in_sync;
} NfvVf;

typedef struct NfvPf {
        char address[PCI_ADDR_STRLEN];
        uint16_t vendor_id;
        uint16_t device_id;
        char *vendor_name; /* from the PCI ID database; NULL when unknown */
        char *device_name;
        char *family; /* "ixgbe", "igb" or "generic" */
        char *model;  /* "82599", "I350", ...; NULL for generic */
        char *driver; /* NULL: none bound */
        bool has_sriov_cap;
        NfvSriovCap sriov;  /* valid when has_sriov_cap */
        int sriov_totalvfs; /* the driver's view in sysfs; -1 unknown */
        int sriov_numvfs;
        bool has_netdev;
        NfvNetdev netdev;
        int numa_node; /* -1: none/unknown */
        unsigned vf_count; /* VFs found; the PF document carries only this number */
        NfvVf *vfs;        /* filled by the daemon's inventory, not by parsing */
        size_t n_vfs;
        char **warnings;
} NfvPf;

void nfv_vf_done(NfvVf *vf);
void nfv_pf_done(NfvPf *pf);
int nfv_pf_add_warning(NfvPf *pf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int nfv_vf_add_warning(NfvVf *vf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Render a PF without its VFs (they have their own resource) / one VF. */
json_object *nfv_pf_to_json(const NfvPf *pf);
json_object *nfv_vf_to_json(const NfvVf *vf);

/* Parse what the *_to_json functions produce. Unknown keys are ignored (a newer
 * daemon may add some); a missing or mistyped known key is -EBADMSG. On
 * failure *ret is left cleared. */
int nfv_pf_from_json(json_object *o, NfvPf *ret);
int nfv_vf_from_json(json_object *o, NfvVf *ret);
