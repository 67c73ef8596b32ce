/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "log.h"
#include "macros.h"

typedef enum { KEY_STRING, KEY_UINT, KEY_LOG_LEVEL, KEY_LOG_TARGET,
               KEY_STRV /* repeatable: each occurrence appends (char **, NULL-terminated) */
} KeyType;

typedef struct ConfKey {
        const char *name;   /* in the file */
        const char *option; /* on the command line, without "--" */
        const char *arg;    /* metavariable for --help */
        KeyType type;
        size_t offset;
        uint64_t max; /* for KEY_UINT */
        const char *help;
} ConfKey;

#define STR(n, o, a, field, h) { n, o, a, KEY_STRING, offsetof(Config, field), 0, h }
#define UINT(n, o, a, field, mx, h) { n, o, a, KEY_UINT, offsetof(Config, field), mx, h }

static const ConfKey keys[] = {
        STR("socket", "socket", "PATH", socket_path,
            "unix socket the REST API listens on (ignored under socket activation)"),
        STR("socket_group", "socket-group", "GROUP", socket_group,
            "group owning the socket (mode 0660): its members may read"),
        STR("admin_group", "admin-group", "GROUP", admin_group,
            "members of this group, and root, may change state"),
        STR("sysfs_root", "sysfs-root", "DIR", sysfs_root,
            "where sysfs is mounted; every sysfs and libpci access is made under it"),
        { "log_level", "log-level", "LEVEL", KEY_LOG_LEVEL, offsetof(Config, log_level), 0,
          "err, warning, notice, info or debug" },
        { "log_target", "log-target", "TARGET", KEY_LOG_TARGET, offsetof(Config, log_target), 0,
          "journal, stderr, or auto (journal when started by systemd)" },
        UINT("inventory_max_age_ms", "inventory-max-age-ms", "MS", inventory_max_age_ms,
             24ull * 3600 * 1000, "rescan the hardware at least this often, in ms (0: always)"),
        UINT("max_body_bytes", "max-body-bytes", "BYTES", max_body_bytes, 16ull << 20,
             "largest request body accepted; larger gets 413"),
        STR("state_dir", "state-dir", "DIR", state_dir,
            "where the desired state (state.json) is kept"),
        UINT("reconcile_interval_ms", "reconcile-interval-ms", "MS", reconcile_interval_ms,
             24ull * 3600 * 1000, "compare observed with desired state at least this often, in ms"),
        UINT("vf_wait_timeout_ms", "vf-wait-timeout-ms", "MS", vf_wait_timeout_ms, 600000,
             "how long new VFs may take to get a driver and an interface, in ms"),
        UINT("boot_wait_ms", "boot-wait-ms", "MS", boot_wait_ms, 600000,
             "at start, wait this long for PFs of the desired state to appear before READY=1"),
        { "monitor", "monitor", "'ID SOCKET [vm=V] [pf=ADDR] [vf=N] [interval_ms=MS]'", KEY_STRV,
          offsetof(Config, monitors), 0,
          "connect to a monitoring VM's agent channel socket (repeatable; see nfvcapd.conf(5))" },
};

_Static_assert(ELEMENTSOF(keys) <= CONFIG_MAX_KEYS, "raise CONFIG_MAX_KEYS");

void config_init_defaults(Config *c) {
        *c = (Config){
                .socket_path = strdup("/run/nfvcap/nfvcapd.sock"),
                .socket_group = strdup("nfvcap"),
                .admin_group = strdup("nfvcap-admin"),
                .sysfs_root = strdup("/sys"),
                .log_level = strdup("info"),
                .log_target = strdup("auto"),
                .inventory_max_age_ms = 10000,
                .max_body_bytes = 65536,
                .state_dir = strdup("/var/lib/nfvcap"),
                .reconcile_interval_ms = 30000,
                .vf_wait_timeout_ms = 10000,
                .boot_wait_ms = 30000,
        };
}

void config_done(Config *c) {
        /* The one list-valued key; the loop below then frees NULL for it. */
        strv_free(c->monitors);
        c->monitors = NULL;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (keys[i].type != KEY_UINT)
                        free(*(char **) ((char *) c + keys[i].offset));
        *c = (Config){ 0 };
}

static const ConfKey *find_key(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (streq(keys[i].name, name))
                        return &keys[i];
        return NULL;
}

int config_set(Config *c, const char *key, const char *value, char *err, size_t errlen) {
        const ConfKey *k = find_key(key);
        void *field;

        if (!k) {
                snprintf(err, errlen, "unknown setting \"%s\"", key);
                return -EINVAL;
        }
        field = (char *) c + k->offset;
        switch (k->type) {
        case KEY_UINT: {
                char *end;
                uint64_t v;
                errno = 0;
                v = strtoull(value, &end, 10);
                if (!isdigit((unsigned char) value[0]) || *end || errno || v > k->max) {
                        snprintf(err, errlen, "%s: \"%s\" is not a number from 0 to %" PRIu64,
                                 key, value, k->max);
                        return -EINVAL;
                }
                *(uint64_t *) field = v;
                return 0;
        }
        case KEY_LOG_LEVEL:
                if (log_level_from_string(value) < 0) {
                        snprintf(err, errlen, "%s: \"%s\" is not one of err, warning, notice, info, debug",
                                 key, value);
                        return -EINVAL;
                }
                break;
        case KEY_LOG_TARGET:
                if (log_target_from_string(value) < 0) {
                        snprintf(err, errlen, "%s: \"%s\" is not one of auto, stderr, journal",
                                 key, value);
                        return -EINVAL;
                }
                break;
        case KEY_STRV:
                if (!*value) {
                        snprintf(err, errlen, "%s: empty value", key);
                        return -EINVAL;
                }
                return strv_push((char ***) field, value);
        case KEY_STRING:
                if (!*value) {
                        snprintf(err, errlen, "%s: empty value", key);
                        return -EINVAL;
                }
                break;
        }
        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        free(*(char **) field);
        *(char **) field = copy;
        return 0;
}

static char *strip(char *s) {
        char *e;
        while (isspace((unsigned char) *s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char) e[-1]))
                *--e = '\0';
        return s;
}

DEFINE_CLEANUP_FUNC(FILE *, fclose);

int config_load_file(Config *c, const char *path, char *err, size_t errlen) {
        _cleanup_(fclosep) FILE *f = fopen(path, "re");
        char line[1024];
        unsigned lineno = 0;

        if (!f) {
                int r = negative_errno();
                snprintf(err, errlen, "%s: %s", path, strerror(-r));
                return r;
        }
        while (fgets(line, sizeof(line), f)) {
                char *s, *eq;
                char msg[256];
                lineno++;
                if (!strchr(line, '\n') && !feof(f)) {
                        snprintf(err, errlen, "%s:%u: line too long", path, lineno);
                        return -EINVAL;
                }
                s = strip(line);
                if (!*s || *s == '#' || *s == ';' || streq(s, "[nfvcapd]"))
                        continue;
                eq = strchr(s, '=');
                if (!eq) {
                        snprintf(err, errlen, "%s:%u: expected \"key = value\"", path, lineno);
                        return -EINVAL;
                }
                *eq = '\0';
                if (config_set(c, strip(s), strip(eq + 1), msg, sizeof(msg)) < 0) {
                        snprintf(err, errlen, "%s:%u: %s", path, lineno, msg);
                        return -EINVAL;
                }
        }
        return 0;
}

size_t config_key_count(void) {
        return ELEMENTSOF(keys);
}
const char *config_key_name(size_t i) {
        return keys[i].name;
}
const char *config_key_option(size_t i) {
        return keys[i].option;
}
const char *config_key_help(size_t i) {
        return keys[i].help;
}
const char *config_key_arg(size_t i) {
        return keys[i].arg;
}

void config_dump(const Config *c, FILE *f) {
        fputs("[nfvcapd]\n", f);
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const void *field = (const char *) c + keys[i].offset;
                if (keys[i].type == KEY_STRV) {
                        for (char *const *v = *(char **const *) field; v && *v; v++)
                                fprintf(f, "%s = %s\n", keys[i].name, *v);
                        continue;
                }
                if (keys[i].type == KEY_UINT)
                        fprintf(f, "%s = %" PRIu64 "\n", keys[i].name, *(const uint64_t *) field);
                else
                        fprintf(f, "%s = %s\n", keys[i].name, *(char *const *) field);
        }
}
