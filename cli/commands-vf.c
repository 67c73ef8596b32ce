/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nfvcapctl vf create | vf set | vf reset, and the desired-state commands
 * status | plan FILE | apply FILE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "inventory.h"
#include "jsonutil.h"
#include "macros.h"
#include "table.h"
#include "vfsettings.h"

static int parse_uint_arg(const char *option, const char *value, long max, long *ret) {
        char *end;
        long v;
        errno = 0;
        v = strtol(value, &end, 10);
        if (!*value || *end || errno || v < 0 || v > max) {
                fprintf(stderr, "nfvcapctl: --%s takes a number from 0 to %ld, not \"%s\"\n",
                        option, max, value);
                return -1;
        }
        *ret = v;
        return 0;
}

static int vf_path(const char *addr_arg, const char *index_arg, const char *suffix, char *buf,
                   size_t len) {
        char addr[18];
        long index;
        int r = ctl_parse_pci_addr(addr_arg, addr);
        if (r != EXIT_OK)
                return r;
        if (parse_uint_arg("index", index_arg, 65535, &index) < 0)
                return EXIT_USAGE;
        snprintf(buf, len, "/v1/pfs/%s/vfs/%ld%s", addr, index, suffix);
        return EXIT_OK;
}

void ctl_format_settings(const NfvVfSettings *s, char *buf, size_t len) {
        char mac[MAC_STRLEN], rate[48] = "";

        if (s->min_tx_rate || s->max_tx_rate)
                snprintf(rate, sizeof(rate), ", rate %u-%u Mb/s", s->min_tx_rate, s->max_tx_rate);
        snprintf(buf, len, "mac %s, vlan %s%u qos %u (%s), spoofchk %s, trust %s, link %s%s",
                 mac_is_zero(&s->mac) ? "none" : mac_format(&s->mac, mac),
                 s->vlan ? "" : "none/", s->vlan, s->qos, vf_vlan_proto_to_string(s->vlan_proto),
                 s->spoofchk ? "on" : "off", s->trust ? "on" : "off",
                 vf_link_state_to_string(s->link_state), rate);
}

/* One line about a VF document for people. */
static void print_vf_line(json_object *o) {
        NfvVf vf;
        char text[256];

        if (nfv_vf_from_json(o, &vf) < 0) {
                printf("(unexpected VF document)\n");
                return;
        }
        if (vf.has_settings)
                ctl_format_settings(&vf.settings, text, sizeof(text));
        else
                snprintf(text, sizeof(text), "settings unknown: %s",
                         json_object_get_string(json_object_object_get(o, "settings_error")));
        printf("VF %u (%s): %s%s\n", vf.index, vf.address, text,
               vf.in_sync < 0 ? "" : vf.in_sync ? " — in sync" : " — NOT in sync");
        nfv_vf_done(&vf);
}

static int print_result(Ctl *ctl, json_object *doc) {
        if (ctl->json)
                ctl_print_json(doc);
        else if (json_object_object_get_ex(doc, "vfs", NULL)) {
                json_object *a = json_object_object_get(doc, "vfs");
                for (size_t i = 0; i < json_object_array_length(a); i++)
                        print_vf_line(json_object_array_get_idx(a, i));
                if (json_object_array_length(a) == 0)
                        printf("No virtual functions.\n");
        } else
                print_vf_line(doc);
        json_object_put(doc);
        return EXIT_OK;
}

static int vf_create(Ctl *ctl, int argc _unused_, char **argv) {
        const char *count = ctl_option(ctl, "count");
        char addr[18], path[64];
        json_object *body, *doc = NULL;
        long n;
        int r = ctl_parse_pci_addr(argv[0], addr);

        if (r != EXIT_OK)
                return r;
        if (!count) {
                fprintf(stderr, "nfvcapctl: vf create needs --count N\n");
                return EXIT_USAGE;
        }
        if (parse_uint_arg("count", count, 65535, &n) < 0)
                return EXIT_USAGE;
        body = json_object_new_object();
        json_object_object_add(body, "count", json_object_new_int((int) n));
        if (ctl_option(ctl, "force"))
                json_object_object_add(body, "force", json_object_new_boolean(true));
        snprintf(path, sizeof(path), "/v1/pfs/%s/vfs", addr);
        r = ctl_request(ctl, "PUT", path, body, &doc);
        json_object_put(body);
        return r == EXIT_OK ? print_result(ctl, doc) : r;
}

/* --option -> JSON key, and how the value is written. */
static const struct {
        const char *option;
        const char *key;
        enum { ARG_STRING, ARG_UINT, ARG_ON_OFF } kind;
        long max;
} set_options[] = {
        { "mac", "mac", ARG_STRING, 0 },
        { "vlan", "vlan", ARG_UINT, 65535 },
        { "qos", "qos", ARG_UINT, 255 },
        { "vlan-proto", "vlan_proto", ARG_STRING, 0 },
        { "trust", "trust", ARG_ON_OFF, 0 },
        { "spoofchk", "spoofchk", ARG_ON_OFF, 0 },
        { "link-state", "link_state", ARG_STRING, 0 },
        { "max-rate", "max_tx_rate", ARG_UINT, 100000000 },
        { "min-rate", "min_tx_rate", ARG_UINT, 100000000 },
};

static int vf_set(Ctl *ctl, int argc _unused_, char **argv) {
        _cleanup_(json_object_putp) json_object *body = json_object_new_object();
        json_object *doc = NULL;
        char path[96];
        int r = vf_path(argv[0], argv[1], "", path, sizeof(path));

        if (r != EXIT_OK)
                return r;
        /* Range checks are the daemon's: it names the field it refuses. The
         * command line only has to be well-formed. */
        for (size_t i = 0; i < ELEMENTSOF(set_options); i++) {
                const char *v = ctl_option(ctl, set_options[i].option);
                long n;
                int b;
                if (!v)
                        continue;
                switch (set_options[i].kind) {
                case ARG_STRING:
                        json_object_object_add(body, set_options[i].key, json_object_new_string(v));
                        break;
                case ARG_UINT:
                        if (parse_uint_arg(set_options[i].option, v, set_options[i].max, &n) < 0)
                                return EXIT_USAGE;
                        json_object_object_add(body, set_options[i].key, json_object_new_int64(n));
                        break;
                case ARG_ON_OFF:
                        b = ctl_parse_on_off(set_options[i].option, v);
                        if (b < 0)
                                return EXIT_USAGE;
                        json_object_object_add(body, set_options[i].key,
                                               json_object_new_boolean(b));
                        break;
                }
        }
        if (json_object_object_length(body) == 0) {
                fprintf(stderr, "nfvcapctl: vf set needs at least one setting (see nfvcapctl vf "
                                "set --help)\n");
                return EXIT_USAGE;
        }
        r = ctl_request(ctl, "PATCH", path, body, &doc);
        return r == EXIT_OK ? print_result(ctl, doc) : r;
}

static int vf_reset(Ctl *ctl, int argc _unused_, char **argv) {
        json_object *doc = NULL;
        char path[96];
        int r = vf_path(argv[0], argv[1], "/settings", path, sizeof(path));

        if (r != EXIT_OK)
                return r;
        r = ctl_request(ctl, "DELETE", path, NULL, &doc);
        return r == EXIT_OK ? print_result(ctl, doc) : r;
}

static const char *sync_word(json_object *sync) {
        json_object *v = json_object_object_get(sync, "in_sync");
        return !v ? "unknown" : json_object_get_boolean(v) ? "yes" : "NO";
}

static int status_doc(Ctl *ctl, const char *method, const char *path) {
        json_object *doc = NULL, *pfs, *ro;
        Table *t;
        int r = ctl_fetch(ctl, method, path, NULL, &doc);

        if (r != EXIT_OK || !doc)
                return r;
        ro = json_object_object_get(doc, "read_only");
        if (ro)
                printf("READ-ONLY: %s\n\n", json_object_get_string(ro));
        pfs = json_object_object_get(doc, "pfs");
        if (json_object_array_length(pfs) == 0) {
                printf("nfvcapd manages nothing yet (no desired state).\n");
                json_object_put(doc);
                return EXIT_OK;
        }
        t = table_new(5, "PF", "VF", "IN SYNC", "LAST APPLIED", "LAST ERROR");
        for (size_t i = 0; i < json_object_array_length(pfs); i++) {
                json_object *p = json_object_array_get_idx(pfs, i);
                json_object *sync = json_object_object_get(p, "sync");
                json_object *vfs = json_object_object_get(p, "vfs");
                const char *addr = ctl_str(p, "address", "?");
                table_add_row(t, addr, "-", sync_word(sync), ctl_str(sync, "last_applied", NULL),
                              ctl_str(sync, "last_error", NULL));
                for (size_t k = 0; k < json_object_array_length(vfs); k++) {
                        json_object *v = json_object_array_get_idx(vfs, k);
                        json_object *vs = json_object_object_get(v, "sync");
                        char idx[8];
                        snprintf(idx, sizeof(idx), "%d",
                                 json_object_get_int(json_object_object_get(v, "index")));
                        table_add_row(t, addr, idx, sync_word(vs), ctl_str(vs, "last_applied", NULL),
                                      ctl_str(vs, "last_error", NULL));
                }
        }
        table_print(t, stdout);
        table_free(t);
        printf("\n%s\n", json_object_get_boolean(json_object_object_get(doc, "in_sync"))
                                 ? "Everything is as desired."
                                 : "Not everything is as desired: see LAST ERROR.");
        json_object_put(doc);
        return EXIT_OK;
}

static int status(Ctl *ctl, int argc _unused_, char **argv _unused_) {
        return status_doc(ctl, "GET", "/v1/status");
}

static int reconcile(Ctl *ctl, int argc _unused_, char **argv _unused_) {
        return status_doc(ctl, "POST", "/v1/reconcile");
}

static json_object *read_document(const char *file) {
        json_object *o = streq(file, "-") ? json_object_from_fd(0) : json_object_from_file(file);
        if (!o)
                fprintf(stderr, "nfvcapctl: cannot read a JSON document from %s: %s\n", file,
                        json_util_get_last_err());
        return o;
}

static void print_plans(json_object *doc, const char *verb) {
        json_object *plans = json_object_object_get(doc, "plans");
        int total = json_object_get_int(json_object_object_get(doc, "action_count"));

        for (size_t i = 0; i < json_object_array_length(plans); i++) {
                json_object *p = json_object_array_get_idx(plans, i);
                json_object *acts = json_object_object_get(p, "actions");
                printf("%s: %zu action(s)%s\n", ctl_str(p, "pf", "?"), json_object_array_length(acts),
                       json_object_get_boolean(json_object_object_get(p, "settings_unknown"))
                               ? " (current VF settings unknown: every wanted setting is listed)"
                               : "");
                for (size_t k = 0; k < json_object_array_length(acts); k++) {
                        json_object *a = json_object_array_get_idx(acts, k);
                        const char *kind = ctl_str(a, "action", "?");
                        if (streq(kind, "set_vf_count"))
                                printf("  VF count %d -> %d%s\n",
                                       json_object_get_int(json_object_object_get(a, "from")),
                                       json_object_get_int(json_object_object_get(a, "to")),
                                       json_object_get_boolean(
                                               json_object_object_get(a, "through_zero"))
                                               ? " (through 0: every VF is recreated)"
                                               : "");
                        else {
                                json_object *from = json_object_object_get(a, "from");
                                printf("  VF %d: %s %s", json_object_get_int(json_object_object_get(a, "vf")),
                                       streq(kind, "restore_vf") ? "restore" : "set",
                                       json_object_to_json_string_ext(
                                               json_object_object_get(a, "to"),
                                               JSON_C_TO_STRING_SPACED));
                                printf(" (now %s)\n",
                                       from ? json_object_to_json_string_ext(
                                                      from, JSON_C_TO_STRING_SPACED)
                                            : "unknown");
                        }
                }
        }
        printf("%d action(s) %s.\n", total, verb);
}

/* A desired-state document from FILE to base (with ?force=true on --force),
 * and the actions nfvcapd answers with, shown as `verb`. */
static int send_state(Ctl *ctl, const char *file, const char *method, const char *base,
                      const char *verb) {
        _cleanup_(json_object_putp) json_object *body = read_document(file);
        json_object *doc = NULL;
        char path[64];
        int r;

        if (!body)
                return EXIT_USAGE;
        snprintf(path, sizeof(path), "%s%s", base, ctl_option(ctl, "force") ? "?force=true" : "");
        r = ctl_fetch(ctl, method, path, body, &doc);
        if (r != EXIT_OK || !doc)
                return r;
        print_plans(doc, verb);
        json_object_put(doc);
        return EXIT_OK;
}

static int plan(Ctl *ctl, int argc _unused_, char **argv) {
        return send_state(ctl, argv[0], "POST", "/v1/plan", "would be taken (nothing was changed)");
}

static int apply(Ctl *ctl, int argc _unused_, char **argv) {
        return send_state(ctl, argv[0], "PUT", "/v1/state", "taken");
}

static const CtlOption create_options[] = {
        { "count", "N", "number of VFs wanted (0 removes them all)" },
        { "force", NULL, "change the count even when VFs are in use (they are removed)" },
        {},
};

static const CtlOption set_opts[] = {
        { "mac", "MAC", "unicast MAC address of the VF" },
        { "vlan", "VLAN", "port VLAN 1-4094, 0 for none" },
        { "qos", "Q", "802.1p priority 0-7 of the port VLAN" },
        { "vlan-proto", "P", "802.1Q or 802.1ad" },
        { "trust", "on|off", "let the VF change its MAC and ask for promiscuous modes" },
        { "spoofchk", "on|off", "drop frames the VF sends from other MACs" },
        { "link-state", "S", "auto (follow the PF), enable or disable" },
        { "max-rate", "MBPS", "transmit rate limit in Mb/s, 0 for none" },
        { "min-rate", "MBPS", "guaranteed transmit rate in Mb/s, 0 for none" },
        {},
};

static const CtlOption force_options[] = {
        { "force", NULL, "allow changes that remove VFs in use" },
        {},
};

const CtlCommand vf_commands[] = {
        { "vf", "create", "ADDR", 1, 1, vf_create, "set how many VFs a PF has (--count N)",
          "Changing a non-zero count goes through 0, so every VF is recreated; that is\n"
          "refused while a VF is in use unless --force. The count is kept as desired\n"
          "state and restored after a reboot or driver reload.",
          create_options },
        { "vf", "set", "ADDR INDEX", 2, 2, vf_set, "change settings of one VF",
          "All or nothing: every setting is checked first, and if the driver refuses one,\n"
          "those already applied are undone. The settings are kept as desired state and\n"
          "re-applied when they drift. The VF's original settings are recorded first.",
          set_opts },
        { "vf", "reset", "ADDR INDEX", 2, 2, vf_reset,
          "give a VF its original settings back and stop managing them", NULL, NULL },
        { "status", NULL, "", 0, 0, status, "what is out of sync with the desired state, and why",
          NULL, NULL },
        { "reconcile", NULL, "", 0, 0, reconcile,
          "compare with the desired state and re-apply now (nfvcapd also does this by itself)",
          NULL, NULL },
        { "plan", NULL, "FILE", 1, 1, plan,
          "show what applying a desired-state document would do (changes nothing)",
          "FILE is a JSON document like {\"pfs\": {\"0000:01:00.0\": {\"vf_count\": 2,\n"
          "\"vfs\": {\"0\": {\"vlan\": 100}}}}}, or - for standard input.",
          force_options },
        { "apply", NULL, "FILE", 1, 1, apply,
          "make a desired-state document the desired state (PFs left out are released)",
          "All or nothing across every PF. See 'nfvcapctl plan' to look first.", force_options },
};
const unsigned vf_commands_count = ELEMENTSOF(vf_commands);
