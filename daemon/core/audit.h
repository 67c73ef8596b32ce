/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The audit log of register writes: every write nfvcapd makes to a NIC
 * register, with the value before and the value read back after, who asked
 * (the API client's uid, or nfvcapd itself when reconciling) and why. Each
 * record goes to the journal as a structured message (NFVCAP_REG=,
 * NFVCAP_OFFSET=, NFVCAP_OLD=, NFVCAP_NEW=, NFVCAP_UID=) and into an
 * in-memory ring served at GET /v1/pfs/{addr}/audit. The journal is the
 * durable copy; the ring holds the last AUDIT_RING records of this run.
 */

#include <json-c/json.h>
#include <stdint.h>
#include <sys/types.h>

#include "addr.h"

#define AUDIT_RING 4096
#define AUDIT_UID_DAEMON ((uid_t) -1)

typedef struct AuditRecord {
        uint64_t seq;
        uint64_t time_usec; /* CLOCK_REALTIME */
        char pf[PCI_ADDR_STRLEN];
        char reg[32];
        uint32_t offset;
        uint32_t old_value;
        uint32_t new_value; /* read back after the write */
        uid_t uid;          /* AUDIT_UID_DAEMON: nfvcapd's own reconciler */
        char why[48];
} AuditRecord;

typedef struct AuditLog AuditLog;

int audit_new(AuditLog **ret);
AuditLog *audit_free(AuditLog *a);
void audit_record(AuditLog *a, const char *pf, const char *reg, uint32_t offset, uint32_t old_value,
                  uint32_t new_value, uid_t uid, const char *why);
/* The records of one PF (all when pf is NULL), oldest first, as a JSON array. */
json_object *audit_to_json(const AuditLog *a, const char *pf);
uint64_t audit_count(const AuditLog *a, const char *pf);
