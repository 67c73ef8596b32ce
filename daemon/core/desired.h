/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Desired state: what the operator declared for each PF (how many VFs) and
 * each VF (which settings), plus the settings each VF had before nfvcapd first
 * changed it ("originals"), so that releasing a VF gives it back as found.
 *
 * JSON form (the state file adds "schema_version"; the API's desired-state
 * documents have no "originals"):
 *   {"pfs": {"0000:01:00.0": {"vf_count": 3,
 *                             "vfs": {"0": {"mac": "02:00:00:00:00:01", "vlan": 100}},
 *                             "originals": {"0": {...every knob...}}}}}
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "hw/nic/nic.h"
#include "macros.h"
#include "vfsettings.h"

#define DESIRED_SCHEMA_VERSION 1

/* Settings of one VF, by index. */
typedef struct VfEntry {
        unsigned index;
        NfvVfSettings settings;
} VfEntry;

/* A list of VfEntry kept sorted by index. */
typedef struct VfList {
        VfEntry *items;
        size_t n;
} VfList;

VfEntry *vf_list_find(const VfList *l, unsigned index);
/* Find or insert (with empty settings). NULL on OOM. */
VfEntry *vf_list_get(VfList *l, unsigned index);
void vf_list_remove(VfList *l, unsigned index);

/* Receive flags of one VF's pool (PFVML2FLT/VMOLR bits, see hw/nic/nic.h). */
typedef struct RxEntry {
        unsigned index;   /* the VF */
        uint32_t managed; /* 1u << PoolRxFlag bits nfvcapd manages */
        uint32_t on;      /* of those, the ones that are set */
} RxEntry;

typedef struct RxList {
        RxEntry *items; /* sorted by index */
        size_t n;
} RxList;

RxEntry *rx_list_find(const RxList *l, unsigned index);
RxEntry *rx_list_get(RxList *l, unsigned index);
void rx_list_remove(RxList *l, unsigned index);

/* A mirror rule as the operator states it (the OVS/vDS model): what is copied
 * (a type and its sources) and to which VF. The hardware rule slot is its id. */
#define MIRROR_MAX_SOURCES 64
typedef struct MirrorEntry {
        unsigned id;             /* hardware rule slot */
        MirrorType type;
        uint16_t sources[MIRROR_MAX_SOURCES]; /* VF indexes (pool) or VLAN ids (vlan) */
        unsigned n_sources;
        unsigned destination_vf;
        uint32_t snaplen;        /* asked-for options the families refuse; kept to say so */
        uint32_t sample_rate;
        bool encapsulate;
} MirrorEntry;

typedef struct DesiredPf {
        char address[PCI_ADDR_STRLEN];
        bool has_vf_count;
        unsigned vf_count;
        VfList vfs;       /* only the knobs nfvcapd manages (settings.set) */
        VfList originals; /* every knob, as observed before nfvcapd first changed the VF */
        RxList rx_modes;     /* pool receive flags nfvcapd manages, per VF */
        RxList rx_originals; /* every flag of the pool, before nfvcapd first changed it */
        MirrorEntry *mirrors;
        size_t n_mirrors;
} DesiredPf;

const MirrorEntry *desired_pf_find_mirror(const DesiredPf *p, unsigned id);
int desired_pf_add_mirror(DesiredPf *p, const MirrorEntry *m);
void desired_pf_remove_mirror(DesiredPf *p, unsigned id);
/* Whether nothing at all is wanted for the PF any more. */
bool desired_pf_is_empty(const DesiredPf *p);

/* JSON of one mirror entry, and of a pool's receive flags. */
json_object *mirror_entry_to_json(const MirrorEntry *m);
json_object *rx_flags_to_json(uint32_t managed, uint32_t on);
/* Parse a mirror entry ("id" optional: *has_id says). field gets the bad key. */
int mirror_entry_from_json(json_object *o, MirrorEntry *ret, bool *has_id, char *field,
                           size_t field_len, char *msg, size_t msg_len);
/* Parse an rx-mode object {"broadcast": true, ...}. */
int rx_flags_from_json(json_object *o, uint32_t *managed, uint32_t *on, char *field,
                       size_t field_len, char *msg, size_t msg_len);

typedef struct Desired {
        DesiredPf *pfs;
        size_t n;
} Desired;

void desired_done(Desired *d);
int desired_copy(const Desired *src, Desired *ret);
void desired_pf_done(DesiredPf *p);
int desired_pf_copy(const DesiredPf *src, DesiredPf *ret);

DesiredPf *desired_find_pf(const Desired *d, const char *address);
/* Find or add (empty) the PF. NULL on OOM. */
DesiredPf *desired_get_pf(Desired *d, const char *address);
/* Replace (or add) the PF entry with a copy of p. */
int desired_put_pf(Desired *d, const DesiredPf *p);
void desired_remove_pf(Desired *d, const char *address);

/* Drop VFs and originals with index >= n (they stop existing). */
void desired_pf_truncate(DesiredPf *p, unsigned n);

typedef struct DesiredError {
        char field[128];
        char message[384];
} DesiredError;

/* Parse and check the structure and every value. with_originals: accept
 * "originals" (the state file) or refuse it as unknown (API documents). */
int desired_from_json(json_object *o, bool with_originals, Desired *ret, DesiredError *err);
json_object *desired_to_json(const Desired *d, bool with_originals);
json_object *desired_pf_to_json(const DesiredPf *p, bool with_originals);

/* The state file's document: schema version plus desired_to_json(d, true). */
json_object *desired_state_file_doc(const Desired *d);
/* Parse a state file document. -EPROTONOSUPPORT when it was written by a newer
 * nfvcapd (err->message says which version), -EBADMSG when it is damaged. */
int desired_from_state_file(json_object *o, Desired *ret, DesiredError *err);
