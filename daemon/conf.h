/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * nfvcapd's settings. One table (conf.c) describes every key: its name in
 * /etc/nfvcap/nfvcapd.conf ("sysfs_root"), the matching command-line option
 * (--sysfs-root), its type and its help text, so the file and the command
 * line cannot drift apart. Command-line values override the file.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define NFVCAPD_DEFAULT_CONFIG "/etc/nfvcap/nfvcapd.conf"
#define CONFIG_MAX_KEYS 32 /* upper bound of the key table, for fixed-size option arrays */

typedef struct Config {
        char *socket_path;
        char *socket_group;
        char *admin_group;
        char *sysfs_root;
        char *log_level;
        char *log_target;
        uint64_t inventory_max_age_ms;
        uint64_t max_body_bytes;
        char *state_dir;
        uint64_t reconcile_interval_ms;
        uint64_t vf_wait_timeout_ms;
        uint64_t boot_wait_ms;
        char **monitors; /* "ID SOCKET [key=value]...", one per agent channel (repeatable key) */
} Config;

void config_init_defaults(Config *c);
void config_done(Config *c);

/* Set key to the text value, checking its type. On error returns -EINVAL and
 * writes a message naming the key to err. */
int config_set(Config *c, const char *key, const char *value, char *err, size_t errlen);

/* Load "key = value" lines (# comments, an optional [nfvcapd] header).
 * -ENOENT when the file does not exist; other errors name the line. */
int config_load_file(Config *c, const char *path, char *err, size_t errlen);

/* For the option parser and --help: the number of keys and each one's
 * option name (without "--"), conf key and help text. */
size_t config_key_count(void);
const char *config_key_name(size_t i);
const char *config_key_option(size_t i);
const char *config_key_help(size_t i);
const char *config_key_arg(size_t i);

/* Print the effective configuration in file syntax (--dump-config). */
void config_dump(const Config *c, FILE *f);
