/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "audit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "log.h"
#include "macros.h"

struct AuditLog {
        AuditRecord ring[AUDIT_RING];
        uint64_t next_seq; /* records ever made; ring slot = seq % AUDIT_RING */
};

int audit_new(AuditLog **ret) {
        *ret = calloc(1, sizeof(AuditLog));
        return *ret ? 0 : -ENOMEM;
}

AuditLog *audit_free(AuditLog *a) {
        free(a);
        return NULL;
}

void audit_record(AuditLog *a, const char *pf, const char *reg, uint32_t offset, uint32_t old_value,
                  uint32_t new_value, uid_t uid, const char *why) {
        AuditRecord *rec = &a->ring[a->next_seq % AUDIT_RING];
        struct timespec ts;
        char who[24];

        clock_gettime(CLOCK_REALTIME, &ts);
        *rec = (AuditRecord){ .seq = a->next_seq++, .offset = offset, .old_value = old_value,
                              .new_value = new_value, .uid = uid,
                              .time_usec = (uint64_t) ts.tv_sec * 1000000u +
                                           (uint64_t) ts.tv_nsec / 1000u };
        snprintf(rec->pf, sizeof(rec->pf), "%s", pf);
        snprintf(rec->reg, sizeof(rec->reg), "%s", reg);
        snprintf(rec->why, sizeof(rec->why), "%s", why);
        if (uid == AUDIT_UID_DAEMON)
                snprintf(who, sizeof(who), "nfvcapd");
        else
                snprintf(who, sizeof(who), "uid %u", (unsigned) uid);

        /* Always logged, whatever the log level: this is the audit trail. In the
         * journal every value is also a field, for journalctl NFVCAP_PF=... */
        if (log_target_is_journal())
                sd_journal_send("MESSAGE=register write %s %s [0x%05x] 0x%08x -> 0x%08x by %s (%s)",
                                pf, reg, offset, old_value, new_value, who, why, "PRIORITY=%d",
                                LOG_NOTICE, "NFVCAP_PF=%s", pf, "NFVCAP_REG=%s", reg,
                                "NFVCAP_OFFSET=0x%05x", offset, "NFVCAP_OLD=0x%08x", old_value,
                                "NFVCAP_NEW=0x%08x", new_value, "NFVCAP_UID=%d",
                                uid == AUDIT_UID_DAEMON ? -1 : (int) uid, NULL);
        else
                fprintf(stderr, "nfvcapd[audit] [%s] register write %s [0x%05x] 0x%08x -> 0x%08x by %s (%s)\n",
                        pf, reg, offset, old_value, new_value, who, why);
}

static json_object *record_to_json(const AuditRecord *r) {
        json_object *o = json_object_new_object();
        char buf[40];
        time_t t = (time_t) (r->time_usec / 1000000u);
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(buf, 21, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), ".%06lluZ",
                 (unsigned long long) (r->time_usec % 1000000u));
        json_object_object_add(o, "seq", json_object_new_int64((int64_t) r->seq));
        json_object_object_add(o, "time", json_object_new_string(buf));
        json_object_object_add(o, "pf", json_object_new_string(r->pf));
        json_object_object_add(o, "register", json_object_new_string(r->reg));
        snprintf(buf, sizeof(buf), "0x%05x", r->offset);
        json_object_object_add(o, "offset", json_object_new_string(buf));
        snprintf(buf, sizeof(buf), "0x%08x", r->old_value);
        json_object_object_add(o, "old", json_object_new_string(buf));
        snprintf(buf, sizeof(buf), "0x%08x", r->new_value);
        json_object_object_add(o, "new", json_object_new_string(buf));
        json_object_object_add(o, "uid", r->uid == AUDIT_UID_DAEMON
                                                 ? NULL
                                                 : json_object_new_int64((int64_t) r->uid));
        json_object_object_add(o, "by", json_object_new_string(r->uid == AUDIT_UID_DAEMON
                                                                       ? "nfvcapd"
                                                                       : "api"));
        json_object_object_add(o, "why", json_object_new_string(r->why));
        return o;
}

json_object *audit_to_json(const AuditLog *a, const char *pf) {
        json_object *arr = json_object_new_array();
        uint64_t first = a->next_seq > AUDIT_RING ? a->next_seq - AUDIT_RING : 0;
        for (uint64_t s = first; s < a->next_seq; s++) {
                const AuditRecord *r = &a->ring[s % AUDIT_RING];
                if (!pf || streq(r->pf, pf))
                        json_object_array_add(arr, record_to_json(r));
        }
        return arr;
}

uint64_t audit_count(const AuditLog *a, const char *pf) {
        uint64_t n = 0, first = a->next_seq > AUDIT_RING ? a->next_seq - AUDIT_RING : 0;
        for (uint64_t s = first; s < a->next_seq; s++)
                n += !pf || streq(a->ring[s % AUDIT_RING].pf, pf);
        return n;
}
