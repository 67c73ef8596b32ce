/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nfvcapctl: the operator's command-line client of nfvcapd's REST API.
 * Parses the command line, finds the command in the table, and runs it.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "error.h"
#include "macros.h"

#define DEFAULT_SOCKET "/run/nfvcap/nfvcapd.sock"

static const struct {
        const CtlCommand *table;
        const unsigned *count;
} command_tables[] = {
        { pf_commands, &pf_commands_count },
};

static const char *default_socket(void) {
        const char *e = getenv("NFVCAP_SOCKET");
        return e && *e ? e : DEFAULT_SOCKET;
}

static void usage(FILE *f) {
        fprintf(f, "Usage: nfvcapctl [--socket PATH] [--json] COMMAND [ARGS]...\n"
                   "Control nfvcapd, the SR-IOV monitoring daemon.\n\nCommands:\n");
        for (size_t t = 0; t < ELEMENTSOF(command_tables); t++)
                for (unsigned i = 0; i < *command_tables[t].count; i++) {
                        const CtlCommand *c = &command_tables[t].table[i];
                        char head[64];
                        snprintf(head, sizeof(head), "%s %s %s", c->noun, c->verb, c->args);
                        fprintf(f, "  %-28s %s\n", head, c->summary);
                }
        fprintf(f, "\nOptions:\n"
                   "  --socket PATH   nfvcapd's API socket (default: $NFVCAP_SOCKET or %s)\n"
                   "  --json          print the daemon's JSON documents instead of tables\n"
                   "  --timeout SEC   give up after SEC seconds (default 30)\n"
                   "  --version       print the version\n"
                   "  -h, --help      show this help, or a command's help after the command\n\n"
                   "Exit status: 0 success, 1 the daemon refused the request, 2 usage error,\n"
                   "3 the daemon could not be reached. See nfvcapctl(1).\n",
                DEFAULT_SOCKET);
}

static void command_help(const CtlCommand *c) {
        printf("Usage: nfvcapctl %s %s %s [--json] [--socket PATH]\n%s\n", c->noun, c->verb,
               c->args, c->summary);
        if (c->help)
                printf("\n%s\n", c->help);
}

static const CtlCommand *find_command(const char *noun, const char *verb) {
        for (size_t t = 0; t < ELEMENTSOF(command_tables); t++)
                for (unsigned i = 0; i < *command_tables[t].count; i++) {
                        const CtlCommand *c = &command_tables[t].table[i];
                        if (streq(c->noun, noun) && streq(c->verb, verb))
                                return c;
                }
        return NULL;
}

static bool noun_exists(const char *noun) {
        for (size_t t = 0; t < ELEMENTSOF(command_tables); t++)
                for (unsigned i = 0; i < *command_tables[t].count; i++)
                        if (streq(command_tables[t].table[i].noun, noun))
                                return true;
        return false;
}

void ctl_print_json(json_object *doc) {
        puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
}

int ctl_parse_pci_addr(const char *arg, char buf[static 18]) {
        PciAddr a;
        if (pci_addr_parse(arg, &a) < 0) {
                fprintf(stderr,
                        "nfvcapctl: \"%s\" is not a PCI address (expected DDDD:BB:DD.F, e.g. "
                        "0000:01:00.0)\n",
                        arg);
                return EXIT_USAGE;
        }
        pci_addr_format(&a, buf);
        return EXIT_OK;
}

int ctl_get(Ctl *ctl, const char *path, json_object **ret) {
        ClientReply reply;
        NfvError e;
        int r = client_request(ctl->client, "GET", path, NULL, &reply);

        if (r < 0) {
                fprintf(stderr, "nfvcapctl: %s\n", client_last_error(ctl->client));
                return EXIT_UNREACHABLE;
        }
        if (reply.status == 200 && reply.doc) {
                *ret = reply.doc;
                return EXIT_OK;
        }
        if (reply.doc && nfv_error_from_json(reply.doc, &e) >= 0)
                fprintf(stderr, "nfvcapctl: %s%s%s%s\n", e.message, e.field[0] ? " (field " : "",
                        e.field, e.field[0] ? ")" : "");
        else
                fprintf(stderr, "nfvcapctl: unexpected reply from nfvcapd (HTTP %ld)\n",
                        reply.status);
        client_reply_done(&reply);
        return EXIT_API_ERROR;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "socket", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "timeout", required_argument, NULL, 't' },
                { "version", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        Ctl ctl = { .socket_path = default_socket() };
        const CtlCommand *cmd;
        char *positional[16];
        int npos = 0, o, r;
        long timeout = 30;
        bool want_help = false;

        /* Options may come before or after the command words (GNU permutation). */
        while ((o = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (o) {
                case 's':
                        ctl.socket_path = optarg;
                        break;
                case 'j':
                        ctl.json = true;
                        break;
                case 't': {
                        char *end;
                        timeout = strtol(optarg, &end, 10);
                        if (*end || timeout <= 0 || timeout > 3600) {
                                fprintf(stderr, "nfvcapctl: --timeout takes 1 to 3600 seconds\n");
                                return EXIT_USAGE;
                        }
                        break;
                }
                case 'V':
                        puts("nfvcapctl " NFVCAP_VERSION);
                        return EXIT_OK;
                case 'h':
                        want_help = true;
                        break;
                default:
                        fprintf(stderr, "Try 'nfvcapctl --help'.\n");
                        return EXIT_USAGE;
                }
        }
        for (int i = optind; i < argc && npos < (int) ELEMENTSOF(positional); i++)
                positional[npos++] = argv[i];

        if (npos == 0) {
                usage(want_help ? stdout : stderr);
                return want_help ? EXIT_OK : EXIT_USAGE;
        }
        if (npos == 1) {
                if (want_help && noun_exists(positional[0])) {
                        usage(stdout);
                        return EXIT_OK;
                }
                fprintf(stderr, "nfvcapctl: \"%s\" needs a subcommand. Try 'nfvcapctl --help'.\n",
                        positional[0]);
                return EXIT_USAGE;
        }
        cmd = find_command(positional[0], positional[1]);
        if (!cmd) {
                fprintf(stderr, "nfvcapctl: unknown command \"%s %s\". Try 'nfvcapctl --help'.\n",
                        positional[0], positional[1]);
                return EXIT_USAGE;
        }
        if (want_help) {
                command_help(cmd);
                return EXIT_OK;
        }
        if (npos - 2 < cmd->min_args || npos - 2 > cmd->max_args) {
                fprintf(stderr, "Usage: nfvcapctl %s %s %s\n", cmd->noun, cmd->verb, cmd->args);
                return EXIT_USAGE;
        }

        curl_global_init(CURL_GLOBAL_DEFAULT);
        r = client_new(ctl.socket_path, timeout, &ctl.client);
        if (r < 0) {
                fprintf(stderr, "nfvcapctl: out of memory\n");
                return EXIT_API_ERROR;
        }
        r = cmd->run(&ctl, npos - 2, positional + 2);
        client_free(ctl.client);
        curl_global_cleanup();
        return r;
}
