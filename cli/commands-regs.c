/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nfvcapctl rxmode set | mirror add | mirror list | mirror del | regs | audit */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "jsonutil.h"
#include "macros.h"
#include "table.h"

/* --option -> receive flag, as the API names them. */
static const struct {
        const char *option;
        const char *flag;
} rx_options[] = {
        { "mpe", "multicast_promiscuous" }, { "bam", "broadcast" },
        { "aupe", "accept_untagged" },      { "rope", "unicast_hash" },
        { "rompe", "multicast_hash" },
};

static int parse_addr_and_vf(char **argv, char addr[static 18], long *vf) {
        char *end;
        int r = ctl_parse_pci_addr(argv[0], addr);
        if (r != EXIT_OK)
                return r;
        errno = 0;
        *vf = strtol(argv[1], &end, 10);
        if (!*argv[1] || *end || errno || *vf < 0 || *vf > 65535) {
                fprintf(stderr, "nfvcapctl: \"%s\" is not a VF index\n", argv[1]);
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

static void print_flags(const char *label, json_object *flags) {
        printf("%-9s", label);
        if (!flags) {
                printf("-\n");
                return;
        }
        json_object_object_foreach(flags, k, v)
                printf(" %s=%s", k, json_object_get_boolean(v) ? "on" : "off");
        printf("\n");
}

static int rxmode_set(Ctl *ctl, int argc _unused_, char **argv) {
        _cleanup_(json_object_putp) json_object *body = json_object_new_object();
        json_object *doc = NULL;
        char addr[18], path[96];
        long vf;
        int r = parse_addr_and_vf(argv, addr, &vf);

        if (r != EXIT_OK)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(rx_options); i++) {
                const char *v = ctl_option(ctl, rx_options[i].option);
                int b;
                if (!v)
                        continue;
                b = ctl_parse_on_off(rx_options[i].option, v);
                if (b < 0)
                        return EXIT_USAGE;
                json_object_object_add(body, rx_options[i].flag, json_object_new_boolean(b));
        }
        snprintf(path, sizeof(path), "/v1/pfs/%s/vfs/%ld/rx-mode", addr, vf);
        if (ctl_option(ctl, "reset"))
                r = ctl_fetch(ctl, "DELETE", path, NULL, &doc);
        else if (json_object_object_length(body) == 0) {
                fprintf(stderr, "nfvcapctl: rxmode set needs a flag (--mpe, --bam, --aupe, --rope, "
                                "--rompe) or --reset\n");
                return EXIT_USAGE;
        } else
                r = ctl_fetch(ctl, "PUT", path, body, &doc);
        if (r != EXIT_OK || !doc)
                return r;
        printf("VF %ld of %s, pool receive flags:\n", vf, addr);
        print_flags("  now", json_object_object_get(doc, "flags"));
        print_flags("  desired", json_object_object_get(doc, "desired"));
        print_flags("  original", json_object_object_get(doc, "original"));
        json_object_put(doc);
        return EXIT_OK;
}

static int mirror_add(Ctl *ctl, int argc _unused_, char **argv) {
        _cleanup_(json_object_putp) json_object *body = json_object_new_object();
        const char *type = ctl_option(ctl, "type"), *dest = ctl_option(ctl, "dest");
        const char *sources = ctl_option(ctl, "sources");
        json_object *doc = NULL, *a = json_object_new_array();
        char addr[18], path[64];
        int r = ctl_parse_pci_addr(argv[0], addr);

        json_object_object_add(body, "sources", a);
        if (r != EXIT_OK)
                return r;
        if (!type || !dest) {
                fprintf(stderr, "nfvcapctl: mirror add needs --type and --dest\n");
                return EXIT_USAGE;
        }
        json_object_object_add(body, "type", json_object_new_string(type));
        json_object_object_add(body, "destination_vf", json_object_new_int(atoi(dest)));
        /* --sources 1,2,3: VF indexes (pool) or VLAN ids (vlan). */
        for (const char *p = sources; p && *p;) {
                char *end;
                long v = strtol(p, &end, 10);
                if (end == p || (*end && *end != ',')) {
                        fprintf(stderr, "nfvcapctl: --sources takes numbers separated by commas\n");
                        return EXIT_USAGE;
                }
                json_object_array_add(a, json_object_new_int64(v));
                p = *end ? end + 1 : end;
        }
        /* Options the hardware cannot honour are passed on, for the daemon to refuse clearly. */
        if (ctl_option(ctl, "snaplen"))
                json_object_object_add(body, "snaplen",
                                       json_object_new_int64(atol(ctl_option(ctl, "snaplen"))));
        snprintf(path, sizeof(path), "/v1/pfs/%s/mirrors", addr);
        r = ctl_fetch(ctl, "POST", path, body, &doc);
        if (r != EXIT_OK || !doc)
                return r;
        printf("mirror %d: %s %s -> VF %d\n",
               json_object_get_int(json_object_object_get(doc, "id")), ctl_str(doc, "type", NULL),
               json_object_to_json_string(json_object_object_get(doc, "sources")),
               json_object_get_int(json_object_object_get(doc, "destination_vf")));
        json_object_put(doc);
        return EXIT_OK;
}

static int mirror_list(Ctl *ctl, int argc _unused_, char **argv) {
        json_object *doc, *a;
        char addr[18];
        Table *t;
        int r = ctl_get_pf_doc(ctl, argv[0], "/mirrors", addr, &doc);

        if (r != EXIT_OK || !doc)
                return r;
        a = json_object_object_get(doc, "mirrors");
        if (json_object_array_length(a) == 0)
                printf("No mirrors.\n");
        else {
                t = table_new(5, "ID", "TYPE", "SOURCES", "DEST VF", "IN SYNC");
                for (size_t i = 0; i < json_object_array_length(a); i++) {
                        json_object *m = json_object_array_get_idx(a, i);
                        json_object *sync = json_object_object_get(json_object_object_get(m, "sync"),
                                                                   "in_sync");
                        char id[8], dst[8];
                        snprintf(id, sizeof(id), "%d", json_object_get_int(json_object_object_get(m, "id")));
                        snprintf(dst, sizeof(dst), "%d",
                                 json_object_get_int(json_object_object_get(m, "destination_vf")));
                        table_add_row(t, id, ctl_str(m, "type", NULL),
                                      json_object_to_json_string(json_object_object_get(m, "sources")),
                                      dst, !sync ? NULL : json_object_get_boolean(sync) ? "yes" : "NO");
                }
                table_print(t, stdout);
                table_free(t);
        }
        json_object_put(doc);
        return EXIT_OK;
}

static int mirror_del(Ctl *ctl, int argc _unused_, char **argv) {
        json_object *doc = NULL;
        char addr[18], path[80];
        int r = ctl_parse_pci_addr(argv[0], addr);

        if (r != EXIT_OK)
                return r;
        if (strspn(argv[1], "0123456789") != strlen(argv[1]) || !*argv[1]) {
                fprintf(stderr, "nfvcapctl: \"%s\" is not a mirror id\n", argv[1]);
                return EXIT_USAGE;
        }
        snprintf(path, sizeof(path), "/v1/pfs/%s/mirrors/%s", addr, argv[1]);
        r = ctl_fetch(ctl, "DELETE", path, NULL, &doc);
        if (r != EXIT_OK || !doc)
                return r;
        printf("mirror %s removed\n", argv[1]);
        json_object_put(doc);
        return EXIT_OK;
}

static int regs(Ctl *ctl, int argc _unused_, char **argv) {
        json_object *doc, *a;
        char addr[18];
        Table *t;
        int r = ctl_get_pf_doc(ctl, argv[0], "/registers", addr, &doc);

        if (r != EXIT_OK || !doc)
                return r;
        a = json_object_object_get(doc, "registers");
        t = table_new(3, "REGISTER", "OFFSET", "VALUE");
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *g = json_object_array_get_idx(a, i);
                table_add_row(t, ctl_str(g, "name", NULL), ctl_str(g, "offset", NULL),
                              ctl_str(g, "value", NULL));
        }
        printf("%s (%s), read-only dump:\n", addr, ctl_str(doc, "model", NULL));
        table_print(t, stdout);
        table_free(t);
        json_object_put(doc);
        return EXIT_OK;
}

static int audit(Ctl *ctl, int argc _unused_, char **argv) {
        json_object *doc, *a;
        char addr[18];
        Table *t;
        int r = ctl_get_pf_doc(ctl, argv[0], "/audit", addr, &doc);

        if (r != EXIT_OK || !doc)
                return r;
        a = json_object_object_get(doc, "records");
        if (json_object_array_length(a) == 0)
                printf("No register writes yet (since nfvcapd started; older ones are in "
                       "the journal: journalctl NFVCAP_PF=%s).\n", addr);
        t = table_new(7, "TIME", "REGISTER", "OFFSET", "OLD", "NEW", "BY", "WHY");
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                json_object *e = json_object_array_get_idx(a, i);
                json_object *uid = json_object_object_get(e, "uid");
                char by[24];
                if (uid)
                        snprintf(by, sizeof(by), "uid %d", json_object_get_int(uid));
                else
                        snprintf(by, sizeof(by), "nfvcapd");
                table_add_row(t, ctl_str(e, "time", NULL), ctl_str(e, "register", NULL),
                              ctl_str(e, "offset", NULL), ctl_str(e, "old", NULL),
                              ctl_str(e, "new", NULL), by, ctl_str(e, "why", NULL));
        }
        if (json_object_array_length(a))
                table_print(t, stdout);
        table_free(t);
        json_object_put(doc);
        return EXIT_OK;
}

static const CtlOption rx_opts[] = {
        { "mpe", "on|off", "multicast promiscuous: every multicast frame of the pool's VLANs" },
        { "bam", "on|off", "accept broadcast" },
        { "aupe", "on|off", "accept untagged frames" },
        { "rope", "on|off", "accept unicast that hits the unicast hash table" },
        { "rompe", "on|off", "accept multicast that hits the multicast hash table" },
        { "reset", NULL, "give the pool its original flags back and stop managing them" },
        {},
};

static const CtlOption mirror_opts[] = {
        { "type", "T", "pool, uplink, downlink or vlan" },
        { "sources", "LIST", "pool: VF indexes; vlan: VLAN ids (comma-separated)" },
        { "dest", "VF", "the VF that receives the copies" },
        { "snaplen", "BYTES", "truncate copies (no Intel family can: refused)" },
        {},
};

const CtlCommand reg_commands[] = {
        { "rxmode", "set", "ADDR INDEX", 2, 2, rxmode_set,
          "set the pool receive flags of a VF (by register access)",
          "The flags are kept as desired state and re-applied when the driver rewrites\n"
          "them (ixgbe does on every receive-mode change and reset). Needs the PF's\n"
          "BAR0 mapped: boot with iomem=relaxed (see the operator guide).",
          rx_opts },
        { "mirror", "add", "ADDR", 1, 1, mirror_add, "add a hardware mirror rule",
          "Copies a pool's traffic (--type pool --sources VFs), all received\n"
          "(uplink) or sent (downlink) traffic, or a VLAN's (--type vlan --sources\n"
          "VLANs) to --dest VF.",
          mirror_opts },
        { "mirror", "list", "ADDR", 1, 1, mirror_list, "list the mirror rules of a PF", NULL, NULL },
        { "mirror", "del", "ADDR ID", 2, 2, mirror_del, "remove a mirror rule", NULL, NULL },
        { "regs", NULL, "ADDR", 1, 1, regs, "dump the NIC family's named registers (read-only)",
          NULL, NULL },
        { "audit", NULL, "ADDR", 1, 1, audit, "the register writes nfvcapd made to a PF", NULL,
          NULL },
};
const unsigned reg_commands_count = ELEMENTSOF(reg_commands);
