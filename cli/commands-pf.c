/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nfvcapctl pf list | pf show ADDR | vf list ADDR */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "inventory.h"
#include "macros.h"
#include "table.h"

static void fmt_int(char *buf, size_t n, int v) {
        if (v < 0)
                snprintf(buf, n, "-");
        else
                snprintf(buf, n, "%d", v);
}

static void print_warnings(const char *who, char *const *w) {
        for (size_t i = 0; w && w[i]; i++)
                printf("warning: %s: %s\n", who, w[i]);
}

static int pf_list(Ctl *ctl, int argc _unused_, char **argv _unused_) {
        json_object *doc = NULL, *a;
        Table *t;
        int r = ctl_fetch(ctl, "GET", "/v1/pfs", NULL, &doc);

        if (r != EXIT_OK || !doc)
                return r;
        if (!json_object_object_get_ex(doc, "pfs", &a) || !json_object_is_type(a, json_type_array)) {
                fprintf(stderr, "nfvcapctl: unexpected reply from nfvcapd (no \"pfs\" list)\n");
                json_object_put(doc);
                return EXIT_API_ERROR;
        }
        if (json_object_array_length(a) == 0) {
                printf("No SR-IOV physical functions found.\n");
                json_object_put(doc);
                return EXIT_OK;
        }

        t = table_new(9, "ADDRESS", "ID", "FAMILY", "MODEL", "DRIVER", "NETDEV", "LINK", "VFS",
                      "NUMA");
        NfvPf *pfs = calloc(json_object_array_length(a), sizeof(NfvPf));
        size_t n = 0;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                NfvPf *pf = &pfs[n];
                char id[16], vfs[32], total[12], numa[12];
                if (nfv_pf_from_json(json_object_array_get_idx(a, i), pf) < 0) {
                        fprintf(stderr, "nfvcapctl: unexpected PF document from nfvcapd\n");
                        r = EXIT_API_ERROR;
                        continue;
                }
                n++;
                snprintf(id, sizeof(id), "%04x:%04x", pf->vendor_id, pf->device_id);
                fmt_int(total, sizeof(total),
                        pf->sriov_totalvfs >= 0 ? pf->sriov_totalvfs
                        : pf->has_sriov_cap     ? pf->sriov.total_vfs
                                                : -1);
                snprintf(vfs, sizeof(vfs), "%u/%s", pf->vf_count, total);
                fmt_int(numa, sizeof(numa), pf->numa_node);
                table_add_row(t, pf->address, id, pf->family, pf->model, pf->driver,
                              pf->has_netdev ? pf->netdev.name : NULL,
                              pf->has_netdev ? pf->netdev.link : NULL, vfs, numa);
        }
        table_print(t, stdout);
        table_free(t);
        for (size_t i = 0; i < n; i++) {
                print_warnings(pfs[i].address, pfs[i].warnings);
                nfv_pf_done(&pfs[i]);
        }
        free(pfs);
        json_object_put(doc);
        return r;
}

static int print_vf_table(json_object *vfs_doc) {
        json_object *a;
        Table *t;
        NfvVf *vfs;
        size_t n = 0;
        int r = EXIT_OK;

        if (!json_object_object_get_ex(vfs_doc, "vfs", &a) ||
            !json_object_is_type(a, json_type_array)) {
                fprintf(stderr, "nfvcapctl: unexpected reply from nfvcapd (no \"vfs\" list)\n");
                return EXIT_API_ERROR;
        }
        if (json_object_array_length(a) == 0) {
                printf("No virtual functions.\n");
                return EXIT_OK;
        }
        vfs = calloc(json_object_array_length(a), sizeof(NfvVf));
        t = table_new(10, "INDEX", "ADDRESS", "ID", "DRIVER", "NETDEV", "MAC", "VLAN", "SPOOFCHK",
                      "TRUST", "SYNC");
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                NfvVf *vf = &vfs[n];
                char idx[8], id[16] = "", vlan[24] = "";
                if (nfv_vf_from_json(json_object_array_get_idx(a, i), vf) < 0) {
                        fprintf(stderr, "nfvcapctl: unexpected VF document from nfvcapd\n");
                        r = EXIT_API_ERROR;
                        continue;
                }
                n++;
                snprintf(idx, sizeof(idx), "%u", vf->index);
                if (vf->vendor_id >= 0)
                        snprintf(id, sizeof(id), "%04x:%04x", vf->vendor_id, vf->device_id);
                /* MAC: the one the driver holds for the VF when it has one,
                 * else the VF interface's own. */
                char mac[MAC_STRLEN] = "";
                if (vf->has_settings && !mac_is_zero(&vf->settings.mac))
                        mac_format(&vf->settings.mac, mac);
                if (vf->has_settings && vf->settings.vlan)
                        snprintf(vlan, sizeof(vlan), "%u/%u", vf->settings.vlan, vf->settings.qos);
                else if (vf->has_settings)
                        snprintf(vlan, sizeof(vlan), "none");
                table_add_row(t, idx, vf->address, id, vf->driver, vf->netdev,
                              mac[0] ? mac : vf->mac, vlan,
                              !vf->has_settings ? NULL : vf->settings.spoofchk ? "on" : "off",
                              !vf->has_settings ? NULL : vf->settings.trust ? "on" : "off",
                              vf->in_sync < 0 ? NULL : vf->in_sync ? "yes" : "NO");
        }
        table_print(t, stdout);
        table_free(t);
        for (size_t i = 0; i < n; i++) {
                char who[32];
                snprintf(who, sizeof(who), "VF %u", vfs[i].index);
                print_warnings(who, vfs[i].warnings);
                nfv_vf_done(&vfs[i]);
        }
        free(vfs);
        return r;
}

static int vf_list(Ctl *ctl, int argc _unused_, char **argv) {
        char addr[18];
        json_object *doc;
        int r = ctl_get_pf_doc(ctl, argv[0], "/vfs", addr, &doc);

        if (r != EXIT_OK || !doc)
                return r;
        r = print_vf_table(doc);
        json_object_put(doc);
        return r;
}

static int pf_show(Ctl *ctl, int argc _unused_, char **argv) {
        char addr[18], path[64];
        json_object *doc = NULL, *vfs = NULL, *list;
        NfvPf pf;
        int r = ctl_parse_pci_addr(argv[0], addr);

        if (r != EXIT_OK)
                return r;
        snprintf(path, sizeof(path), "/v1/pfs/%s", addr);
        r = ctl_get(ctl, path, &doc);
        if (r != EXIT_OK)
                return r;
        snprintf(path, sizeof(path), "/v1/pfs/%s/vfs", addr);
        r = ctl_get(ctl, path, &vfs);
        if (r != EXIT_OK) {
                json_object_put(doc);
                return r;
        }
        if (ctl->json) {
                /* The PF document with its VF list added under "vfs". */
                if (json_object_object_get_ex(vfs, "vfs", &list))
                        json_object_object_add(doc, "vfs", json_object_get(list));
                ctl_print_json(doc);
                goto out;
        }
        if (nfv_pf_from_json(doc, &pf) < 0) {
                fprintf(stderr, "nfvcapctl: unexpected PF document from nfvcapd\n");
                r = EXIT_API_ERROR;
                goto out;
        }
        printf("Address:       %s\n", pf.address);
        printf("Device:        %04x:%04x %s %s\n", pf.vendor_id, pf.device_id,
               strna(pf.vendor_name), strna(pf.device_name));
        printf("Family:        %s%s%s%s\n", pf.family, pf.model ? " (" : "",
               pf.model ? pf.model : "", pf.model ? ")" : "");
        printf("Driver:        %s\n", pf.driver ? pf.driver : "none");
        if (pf.has_netdev) {
                char speed[24] = "";
                if (pf.netdev.speed_mbps > 0)
                        snprintf(speed, sizeof(speed), ", %d Mb/s", pf.netdev.speed_mbps);
                printf("Netdev:        %s %s, link %s%s\n", strna(pf.netdev.name),
                       strna(pf.netdev.mac), strna(pf.netdev.link), speed);
        } else
                printf("Netdev:        none\n");
        if (pf.numa_node >= 0)
                printf("NUMA node:     %d\n", pf.numa_node);
        else
                printf("NUMA node:     -\n");
        if (pf.has_sriov_cap)
                printf("SR-IOV:        TotalVFs %u, InitialVFs %u, NumVFs %u, VF offset %u, "
                       "stride %u, VF device %04x\n",
                       pf.sriov.total_vfs, pf.sriov.initial_vfs, pf.sriov.num_vfs,
                       pf.sriov.vf_offset, pf.sriov.vf_stride, pf.sriov.vf_device_id);
        else
                printf("SR-IOV:        capability not readable\n");
        {
                char total[12], num[12];
                fmt_int(total, sizeof(total), pf.sriov_totalvfs);
                fmt_int(num, sizeof(num), pf.sriov_numvfs);
                printf("Driver limits: sriov_totalvfs %s, sriov_numvfs %s\n", total, num);
        }
        print_warnings(pf.address, pf.warnings);
        nfv_pf_done(&pf);
        printf("\n");
        r = print_vf_table(vfs);
out:
        json_object_put(doc);
        json_object_put(vfs);
        return r;
}

const CtlCommand pf_commands[] = {
        { "pf", "list", "", 0, 0, pf_list, "list SR-IOV physical functions",
          "Shows every PCI function with the SR-IOV capability: address, vendor:device,\n"
          "NIC family and model, bound driver, network interface and link, VFs present\n"
          "out of the driver's limit, and NUMA node. Problems found while reading a PF\n"
          "are printed as warnings below the table." },
        { "pf", "show", "ADDR", 1, 1, pf_show, "show one physical function and its VFs",
          "ADDR is a PCI address such as 0000:01:00.0 (the domain may be omitted)." },
        { "vf", "list", "ADDR", 1, 1, vf_list, "list the virtual functions of a PF",
          "ADDR is the PF's PCI address. Each VF is shown with its index, address,\n"
          "vendor:device, driver, network interface and MAC address." },
};
const unsigned pf_commands_count = ELEMENTSOF(pf_commands);
