/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a PF has now. The inventory (cached, refreshed by uevents) gives the
 * PF's netdev, driver limit and VF drivers; sriov_numvfs is read afresh; VF
 * settings come from one rtnetlink request. No per-VF sysfs crawl, so a
 * reconcile that finds nothing to do stays cheap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vfmgr.h"
#include "hw/regio.h"
#include "log.h"

/* Drivers a VF is bound to when something outside the host's network stack
 * uses it: a guest through VFIO, or a userspace driver. */
static const char *const in_use_drivers[] = { "vfio-pci", "pci-stub", "uio_pci_generic",
                                              "igb_uio" };

void observation_done(Observation *ob) {
        regio_close(ob->regio);
        pf_link_done(&ob->link);
        free(ob->usage);
        *ob = (Observation){ 0 };
}

static void fill_usage(const NfvPf *pf, VfUsage *usage) {
        /* VF drivers come from the inventory: no per-VF sysfs reads here. */
        for (size_t i = 0; i < pf->n_vfs; i++) {
                const NfvVf *vf = &pf->vfs[i];
                usage[i] = (VfUsage){ .index = vf->index };
                for (size_t k = 0; vf->driver && k < ELEMENTSOF(in_use_drivers); k++)
                        if (streq(vf->driver, in_use_drivers[k])) {
                                usage[i].in_use = true;
                                snprintf(usage[i].reason, sizeof(usage[i].reason),
                                         "%s is bound to %s", vf->address, vf->driver);
                        }
        }
}

/* Make sure the runtime record knows what this driver can do. */
static void ensure_caps(Manager *m, Observation *ob, PfRuntime *rt) {
        const char *driver = ob->driver;

        if (!streq(rt->driver, driver)) {
                snprintf(rt->driver, sizeof(rt->driver), "%s", driver);
                vfcaps_init(&rt->caps, driver);
                rt->probed = false;
        }
        /* Probing needs a VF and its current settings to set them to themselves. */
        if (!rt->probed && !ob->o.settings_error && ob->link.n_vfs > 0) {
                vfcaps_probe(&rt->caps, m->rtnl, ob->link.ifindex, driver, ob->link.vfs[0].index,
                             &ob->link.vfs[0].settings);
                rt->probed = true;
        }
}

int vfmgr_observe(Manager *m, const char *address, Observation *ob) {
        _cleanup_free_ char *path = sysfs_path("bus/pci/devices/%s/sriov_numvfs", address);
        const NfvPf *pf;
        PfRuntime *rt;
        long numvfs;
        int r;

        *ob = (Observation){ 0 };
        if (!path)
                return -ENOMEM;
        r = inventory_find_pf(m->inventory, address, &pf);
        if (r < 0)
                return r;
        /* The count is read afresh; if the cached inventory disagrees, it is stale. */
        if (sysfs_read_int(m->sysfs, path, &numvfs) >= 0 && numvfs != (long) pf->vf_count) {
                inventory_invalidate(m->inventory, "sriov_numvfs changed");
                r = inventory_find_pf(m->inventory, address, &pf);
                if (r < 0)
                        return r;
        }

        snprintf(ob->address, sizeof(ob->address), "%s", pf->address);
        snprintf(ob->driver, sizeof(ob->driver), "%s", pf->driver ? pf->driver : "");
        if (pf->has_netdev && pf->netdev.name)
                snprintf(ob->ifname, sizeof(ob->ifname), "%s", pf->netdev.name);
        ob->o.address = ob->address;
        ob->o.total_vfs = pf->sriov_totalvfs;
        ob->o.vf_count = pf->vf_count;
        if (pf->n_vfs) {
                ob->usage = calloc(pf->n_vfs, sizeof(VfUsage));
                if (!ob->usage)
                        return -ENOMEM;
                fill_usage(pf, ob->usage);
        }
        ob->o.usage = ob->usage;
        ob->o.n_usage = pf->n_vfs;

        if (!ob->ifname[0]) {
                snprintf(ob->settings_error, sizeof(ob->settings_error),
                         "%s has no network interface (driver %s), so its VF settings cannot be "
                         "read or set",
                         address, ob->driver[0] ? ob->driver : "none");
        } else {
                r = rtnl_read_pf(m->rtnl, ob->ifname, &ob->link);
                if (r < 0)
                        snprintf(ob->settings_error, sizeof(ob->settings_error),
                                 "cannot read the VF settings of %s through rtnetlink: %s",
                                 ob->ifname,
                                 r == -ENODEV ? "no such interface in this network namespace"
                                              : strerror(-r));
        }
        if (ob->settings_error[0])
                ob->o.settings_error = ob->settings_error;
        ob->o.vfs = ob->link.vfs;
        ob->o.n_vfs = ob->link.n_vfs;

        rt = runtime_get(m, address);
        if (!rt)
                return -ENOMEM;
        if (ob->link.ifindex) {
                if (rt->ifindex != ob->link.ifindex)
                        rt->carrier = ob->link.carrier;
                rt->ifindex = ob->link.ifindex;
        }
        ensure_caps(m, ob, rt);
        ob->o.unsupported = rt->caps.unsupported;
        for (int k = 0; k < _VF_KNOB_MAX; k++)
                ob->o.unsupported_reason[k] = rt->caps.reason[k][0] ? rt->caps.reason[k] : NULL;
        return 0;
}
