/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Per-PF runtime facts: driver capabilities and the sync status of the PF
 * and its VFs. Kept in memory only: they are re-learned after a restart. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/vfmgr.h"

PfRuntime *runtime_find(Manager *m, const char *address) {
        for (size_t i = 0; i < m->n_runtime; i++)
                if (streq(m->runtime[i]->address, address))
                        return m->runtime[i];
        return NULL;
}

PfRuntime *runtime_get(Manager *m, const char *address) {
        PfRuntime *rt = runtime_find(m, address), **n;
        if (rt)
                return rt;
        rt = calloc(1, sizeof(*rt));
        n = realloc(m->runtime, (m->n_runtime + 1) * sizeof(*n));
        if (!rt || !n) {
                free(rt);
                if (n)
                        m->runtime = n;
                return NULL;
        }
        m->runtime = n;
        snprintf(rt->address, sizeof(rt->address), "%s", address);
        rt->status.in_sync = -1;
        m->runtime[m->n_runtime++] = rt;
        return rt;
}

SyncStatus *runtime_vf_status(PfRuntime *rt, unsigned index) {
        if (index >= rt->n_vf_status) {
                SyncStatus *n = realloc(rt->vf_status, (index + 1) * sizeof(SyncStatus));
                if (!n)
                        return NULL;
                for (size_t i = rt->n_vf_status; i <= index; i++)
                        n[i] = (SyncStatus){ .in_sync = -1 };
                rt->vf_status = n;
                rt->n_vf_status = index + 1;
        }
        return &rt->vf_status[index];
}

void runtime_free_all(Manager *m) {
        for (size_t i = 0; i < m->n_runtime; i++) {
                free(m->runtime[i]->vf_status);
                free(m->runtime[i]);
        }
        free(m->runtime);
        m->runtime = NULL;
        m->n_runtime = 0;
}

void sync_status_error(SyncStatus *s, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
        va_end(ap);
}

static json_object *timestamp(uint64_t usec) {
        char buf[32];
        time_t t = (time_t) (usec / 1000000u);
        struct tm tm;
        if (!usec)
                return NULL;
        gmtime_r(&t, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return json_object_new_string(buf);
}

json_object *sync_status_to_json(const SyncStatus *s) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "in_sync", s->in_sync < 0 ? NULL
                                                            : json_object_new_boolean(s->in_sync));
        json_object_object_add(o, "last_error",
                               s->last_error[0] ? json_object_new_string(s->last_error) : NULL);
        json_object_object_add(o, "last_applied", timestamp(s->last_applied));
        json_object_object_add(o, "last_checked", timestamp(s->last_checked));
        return o;
}

json_object *vf_caps_to_json(const VfCaps *c) {
        json_object *o = json_object_new_object();
        for (int k = 0; k < _VF_KNOB_MAX; k++) {
                json_object *e = json_object_new_object();
                bool no = c->unsupported & VF_KNOB_BIT(k);
                json_object_object_add(e, "supported", json_object_new_boolean(!no));
                if (no)
                        json_object_object_add(e, "reason", json_object_new_string(c->reason[k]));
                json_object_object_add(o, vf_knob_to_string((VfKnob) k), e);
        }
        return o;
}
