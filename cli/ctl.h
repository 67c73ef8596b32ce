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

/* Exit codes, documented in nfvcapctl(1). */
enum {
        EXIT_OK = 0,
        EXIT_API_ERROR = 1,   /* the daemon answered with an error */
        EXIT_USAGE = 2,       /* the command line is wrong */
        EXIT_UNREACHABLE = 3, /* the daemon could not be reached */
};

typedef struct Ctl {
        Client *client;
        const char *socket_path;
        bool json;
} Ctl;

typedef struct CtlCommand {
        const char *noun;
        const char *verb;
        const char *args; /* usage of the positional arguments, e.g. "ADDR" */
        int min_args, max_args;
        int (*run)(Ctl *ctl, int argc, char **argv);
        const char *summary;
        const char *help; /* further lines for `--help`; may be NULL */
} CtlCommand;

/* GET path; on success *ret is the document (caller frees) and the result is
 * EXIT_OK; otherwise the error was printed and the exit code is returned. */
int ctl_get(Ctl *ctl, const char *path, json_object **ret);
/* Print a document as indented JSON on stdout. */
void ctl_print_json(json_object *doc);
/* Validate a PCI address argument; prints the usage error. */
int ctl_parse_pci_addr(const char *arg, char buf[static 18]);

extern const CtlCommand pf_commands[];
extern const unsigned pf_commands_count;
