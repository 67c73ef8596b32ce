/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * nfvcapctl's command table and what every command gets. A command is a
 * noun and a verb ("pf list"); each row says how many positional arguments
 * it takes, its usage line and help text, and its function.
 */

#include <getopt.h>
#include <stdbool.h>

#include "client.h"
#include "vfsettings.h"

/* Exit codes, documented in nfvcapctl(1). */
enum {
        EXIT_OK = 0,
        EXIT_API_ERROR = 1,   /* the daemon answered with an error */
        EXIT_USAGE = 2,       /* the command line is wrong */
        EXIT_UNREACHABLE = 3, /* the daemon could not be reached */
};

/* An option of one command (nfvcapctl vf set --mac M). */
typedef struct CtlOption {
        const char *name;    /* without "--" */
        const char *arg;     /* metavariable, or NULL for a flag */
        const char *help;
} CtlOption;

#define CTL_MAX_OPTIONS 16

typedef struct Ctl {
        Client *client;
        const char *socket_path;
        bool json;
        /* The running command's options as given: value, "" for a flag, NULL if absent. */
        const CtlOption *options;
        const char *option_values[CTL_MAX_OPTIONS];
} Ctl;

typedef struct CtlCommand {
        const char *noun;
        const char *verb;
        const char *args; /* usage of the positional arguments, e.g. "ADDR" */
        int min_args, max_args;
        int (*run)(Ctl *ctl, int argc, char **argv);
        const char *summary;
        const char *help;           /* further lines for `--help`; may be NULL */
        const CtlOption *options;   /* NULL-name-terminated; may be NULL */
} CtlCommand;

/* The value of the running command's option `name`: NULL when not given. */
const char *ctl_option(const Ctl *ctl, const char *name);
/* Parse "on"/"off" (also true/false, yes/no, 1/0); -1 with a usage message otherwise. */
int ctl_parse_on_off(const char *option, const char *value);

/* GET path; on success *ret is the document (caller frees) and the result is
 * EXIT_OK; otherwise the error was printed and the exit code is returned. */
int ctl_get(Ctl *ctl, const char *path, json_object **ret);
/* Any method, with an optional JSON body; same contract as ctl_get. */
int ctl_request(Ctl *ctl, const char *method, const char *path, json_object *body,
                json_object **ret);
/* ctl_request for a command that shows the answer: with --json the document
 * is printed here and *ret is NULL, so the caller has nothing left to do. */
int ctl_fetch(Ctl *ctl, const char *method, const char *path, json_object *body,
              json_object **ret);
/* Print a document as indented JSON on stdout. */
void ctl_print_json(json_object *doc);
/* GET /v1/pfs/ADDR<suffix>, ADDR from a command-line argument (canonical form
 * in addr). With --json the document is printed and *ret is NULL: the caller
 * has nothing left to do. Returns the exit code. */
int ctl_get_pf_doc(Ctl *ctl, const char *addr_arg, const char *suffix, char addr[static 18],
                   json_object **ret);
/* The string member key of o, or dflt when there is none (or it is null, or
 * not a string). */
const char *ctl_str(json_object *o, const char *key, const char *dflt);
/* Validate a PCI address argument; prints the usage error. */
int ctl_parse_pci_addr(const char *arg, char buf[static 18]);

/* VF settings for people: "mac 02:..:01, vlan 100 qos 3, spoofchk off, trust on, ...". */
void ctl_format_settings(const NfvVfSettings *s, char *buf, size_t len);

extern const CtlCommand pf_commands[];
extern const unsigned pf_commands_count;
extern const CtlCommand vf_commands[];
extern const unsigned vf_commands_count;
extern const CtlCommand reg_commands[];
extern const unsigned reg_commands_count;
extern const CtlCommand stats_commands[];
extern const unsigned stats_commands_count;
