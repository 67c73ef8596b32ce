/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "manager.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <time.h>

#include "api/server.h"
#include "core/audit.h"
#include "core/vfmgr.h"
#include "jsonutil.h"
#include "log.h"

static void on_hw_event(const char *subsystem, const char *action, void *userdata) {
        Manager *m = userdata;
        char reason[64];
        snprintf(reason, sizeof(reason), "uevent %s %s", subsystem, action);
        inventory_invalidate(m->inventory, reason);
        /* VFs appearing or going, drivers (re)binding: compare soon, once the burst is over. */
        if (m->desired.n)
                reconcile_schedule(m, 500 * 1000, reason, NULL);
}

static void on_link_event(int ifindex, const char *ifname, bool removed, bool carrier,
                          void *userdata) {
        Manager *m = userdata;

        for (size_t i = 0; i < m->n_runtime; i++) {
                PfRuntime *rt = m->runtime[i];
                if (ifindex != 0 && rt->ifindex != ifindex)
                        continue;
                if (!desired_find_pf(&m->desired, rt->address))
                        continue;
                /* A PF whose link comes back may have been reset underneath its driver's
                 * view (igb restores nothing into the hardware): set everything again. */
                bool came_up = carrier && !rt->carrier && !removed;
                rt->carrier = carrier && !removed;
                reconcile_schedule(m, 200 * 1000, removed ? "PF link removed" : "PF link event",
                                   came_up ? rt->address : NULL);
                if (came_up)
                        log_pf_info(rt->address, "link of %s is up: re-applying VF settings",
                                    ifname);
        }
}

int manager_new(sd_event *e, const Config *config, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(*m));
        struct timespec ts;
        struct group *g;
        int r;

        if (!m)
                return -ENOMEM;
        m->event = sd_event_ref(e);
        m->config = config;
        clock_gettime(CLOCK_REALTIME, &ts);
        m->started_realtime_usec = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;

        r = sysfs_open(config->sysfs_root, &m->sysfs);
        if (r < 0)
                return log_error_errno(r, "cannot open sysfs root %s: %m", config->sysfs_root);
        r = inventory_new(m->sysfs, config->inventory_max_age_ms * 1000, &m->inventory);
        if (r < 0)
                return r;

        /* Without uevents the inventory still refreshes by age; not fatal. */
        r = uevent_watch_new(e, PRIORITY_HW_EVENTS, on_hw_event, m, &m->uevent);
        if (r < 0)
                log_warning("kernel device events unavailable; inventory refreshes every %llu ms",
                            (unsigned long long) config->inventory_max_age_ms);

        r = audit_new(&m->audit);
        if (r < 0)
                return r;
        r = rtnl_new(&m->rtnl);
        if (r < 0)
                return r;
        r = link_watch_new(e, PRIORITY_HW_EVENTS, on_link_event, m, &m->links);
        if (r < 0)
                log_warning("rtnetlink link events unavailable; drift is found by the timer only");

        g = getgrnam(config->admin_group);
        if (g) {
                m->admin_gid = g->gr_gid;
                m->have_admin_gid = true;
        } else
                log_debug("admin group %s does not exist: only root may change state",
                          config->admin_group);

        /* The event bus first: monitors publish to it. */
        r = event_bus_new(e, &m->events);
        if (r < 0)
                return log_error_errno(r, "cannot set up the event stream: %m");
        {
                char err[512];
                r = monitors_new(e, config->monitors, m->events, &m->monitors, err, sizeof(err));
                if (r < 0)
                        return log_error_errno(r, "%s", r == -EINVAL ? err : strerror(-r));
        }

        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        api_server_free(m->api);
        /* After the API: open event streams are gone with it. */
        monitors_free(m->monitors);
        event_bus_free(m->events);
        sd_event_source_disable_unref(m->reconcile_timer);
        strv_free(m->reapply_pending);
        runtime_free_all(m);
        audit_free(m->audit);
        desired_done(&m->desired);
        free(m->read_only_reason);
        link_watch_free(m->links);
        rtnl_free(m->rtnl);
        uevent_watch_free(m->uevent);
        inventory_free(m->inventory);
        sysfs_free(m->sysfs);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}

int manager_serve(Manager *m, int listen_fd) {
        return api_server_new(m, listen_fd, &m->api);
}

bool manager_peer_is_admin(const Manager *m, uid_t uid, gid_t gid) {
        struct passwd *pw;
        gid_t groups[256];
        int n = (int) ELEMENTSOF(groups);

        if (uid == 0)
                return true;
        if (!m->have_admin_gid)
                return false;
        if (gid == m->admin_gid)
                return true;
        /* Supplementary groups are not in SO_PEERCRED; ask the user database. */
        pw = getpwuid(uid);
        if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
                return false;
        for (int i = 0; i < n; i++)
                if (groups[i] == m->admin_gid)
                        return true;
        return false;
}
