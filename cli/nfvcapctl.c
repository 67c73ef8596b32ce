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
#include "jsonutil.h"
#include "macros.h"

#define DEFAULT_SOCKET "/run/nfvcap/nfvcapd.sock"

static const struct {
        const CtlCommand *table;
        const unsigned *count;
} command_tables[] = {
        { pf_commands, &pf_commands_count },
        { vf_commands, &vf_commands_count },
        { reg_commands, &reg_commands_count },
        { stats_commands, &stats_commands_count },
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
                        snprintf(head, sizeof(head), "%s%s%s %s", c->noun, c->verb ? " " : "",
                                 c->verb ? c->verb : "", c->args);
                        fprintf(f, "  %-32s %s\n", head, c->summary);
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
        printf("Usage: nfvcapctl %s%s%s %s%s [--json] [--socket PATH]\n%s\n", c->noun,
               c->verb ? " " : "", c->verb ? c->verb : "", c->args,
               c->options ? " [OPTION]..." : "", c->summary);
        if (c->help)
                printf("\n%s\n", c->help);
        if (c->options) {
                printf("\nOptions:\n");
                for (const CtlOption *o = c->options; o->name; o++) {
                        char head[48];
                        snprintf(head, sizeof(head), "--%s%s%s", o->name, o->arg ? " " : "",
                                 o->arg ? o->arg : "");
                        printf("  %-26s %s\n", head, o->help);
                }
        }
}

const char *ctl_option(const Ctl *ctl, const char *name) {
        for (unsigned i = 0; ctl->options && ctl->options[i].name && i < CTL_MAX_OPTIONS; i++)
                if (streq(ctl->options[i].name, name))
                        return ctl->option_values[i];
        return NULL;
}

int ctl_parse_on_off(const char *option, const char *value) {
        static const char *const on[] = { "on", "true", "yes", "1" };
        static const char *const off[] = { "off", "false", "no", "0" };
        for (size_t i = 0; i < ELEMENTSOF(on); i++) {
                if (streq(value, on[i]))
                        return 1;
                if (streq(value, off[i]))
                        return 0;
        }
        fprintf(stderr, "nfvcapctl: --%s takes on or off, not \"%s\"\n", option, value);
        return -1;
}

/* The command named by the first one or two words (verb NULL: a one-word
 * command such as "status"). *words says how many it took. */
static const CtlCommand *find_command(int n, char **w, int *words) {
        for (size_t t = 0; t < ELEMENTSOF(command_tables); t++)
                for (unsigned i = 0; i < *command_tables[t].count; i++) {
                        const CtlCommand *c = &command_tables[t].table[i];
                        if (n >= 1 && !c->verb && streq(c->noun, w[0])) {
                                *words = 1;
                                return c;
                        }
                        if (n >= 2 && c->verb && streq(c->noun, w[0]) && streq(c->verb, w[1])) {
                                *words = 2;
                                return c;
                        }
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

const char *ctl_str(json_object *o, const char *key, const char *dflt) {
        const char *s = NULL;
        return json_get_string(o, key, false, &s) == 0 && s ? s : dflt;
}

int ctl_get_pf_doc(Ctl *ctl, const char *addr_arg, const char *suffix, char addr[static 18],
                   json_object **ret) {
        char path[96];
        int r = ctl_parse_pci_addr(addr_arg, addr);

        *ret = NULL;
        if (r != EXIT_OK)
                return r;
        snprintf(path, sizeof(path), "/v1/pfs/%s%s", addr, suffix);
        return ctl_fetch(ctl, "GET", path, NULL, ret);
}

int ctl_fetch(Ctl *ctl, const char *method, const char *path, json_object *body,
              json_object **ret) {
        int r = ctl_request(ctl, method, path, body, ret);

        if (r == EXIT_OK && ctl->json) {
                ctl_print_json(*ret);
                json_object_put(*ret);
                *ret = NULL;
        }
        return r;
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
        return ctl_request(ctl, "GET", path, NULL, ret);
}

int ctl_request(Ctl *ctl, const char *method, const char *path, json_object *body,
                json_object **ret) {
        ClientReply reply;
        NfvError e;
        int r = client_request(ctl->client, method, path, body, &reply);

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

/* The command named by the first two words of the command line that are not
 * global options (or their arguments). */
static const CtlCommand *peek_command(int argc, char **argv, const struct option *global) {
        char *words[2];
        int n = 0, used;

        for (int i = 1; i < argc && n < 2; i++) {
                char *a = argv[i];
                if (streq(a, "--"))
                        break;
                if (a[0] == '-') {
                        /* Skip the value of a global option that takes one ("--socket P"). */
                        for (const struct option *o = global; o->name; o++)
                                if (o->has_arg == required_argument && startswith(a, "--") &&
                                    streq(a + 2, o->name))
                                        i++;
                        continue;
                }
                words[n++] = a;
        }
        return find_command(n, words, &used);
}

int main(int argc, char **argv) {
        static const struct option global[] = {
                { "socket", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "timeout", required_argument, NULL, 't' },
                { "version", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        struct option opts[ELEMENTSOF(global) + CTL_MAX_OPTIONS];
        Ctl ctl = { .socket_path = default_socket() };
        const CtlCommand *cmd = peek_command(argc, argv, global);
        char *positional[16];
        int npos = 0, o, r, words = 0;
        size_t nopts = 0;
        long timeout = 30;
        bool want_help = false;

        /* Global options plus the command's own, so both may come anywhere. */
        for (size_t i = 0; global[i].name; i++)
                opts[nopts++] = global[i];
        if (cmd && cmd->options) {
                ctl.options = cmd->options;
                for (unsigned i = 0; cmd->options[i].name && i < CTL_MAX_OPTIONS - 1; i++)
                        opts[nopts++] = (struct option){ cmd->options[i].name,
                                                         cmd->options[i].arg ? required_argument
                                                                             : no_argument,
                                                         NULL, 0x100 + (int) i };
        }
        opts[nopts] = (struct option){ 0 };

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
                        if (o >= 0x100 && o < 0x100 + CTL_MAX_OPTIONS) {
                                ctl.option_values[o - 0x100] = optarg ? optarg : "";
                                break;
                        }
                        fprintf(stderr, "Try 'nfvcapctl --help'%s.\n",
                                cmd ? " or the command's --help" : "");
                        return EXIT_USAGE;
                }
        }
        for (int i = optind; i < argc && npos < (int) ELEMENTSOF(positional); i++)
                positional[npos++] = argv[i];

        if (npos == 0) {
                usage(want_help ? stdout : stderr);
                return want_help ? EXIT_OK : EXIT_USAGE;
        }
        cmd = find_command(npos, positional, &words);
        if (!cmd) {
                if (want_help && noun_exists(positional[0])) {
                        usage(stdout);
                        return EXIT_OK;
                }
                if (npos == 1 && noun_exists(positional[0]))
                        fprintf(stderr,
                                "nfvcapctl: \"%s\" needs a subcommand. Try 'nfvcapctl --help'.\n",
                                positional[0]);
                else
                        fprintf(stderr, "nfvcapctl: unknown command \"%s%s%s\". Try 'nfvcapctl "
                                        "--help'.\n",
                                positional[0], npos > 1 ? " " : "", npos > 1 ? positional[1] : "");
                return EXIT_USAGE;
        }
        if (want_help) {
                command_help(cmd);
                return EXIT_OK;
        }
        if (npos - words < cmd->min_args || npos - words > cmd->max_args) {
                fprintf(stderr, "Usage: nfvcapctl %s%s%s %s\n", cmd->noun, cmd->verb ? " " : "",
                        cmd->verb ? cmd->verb : "", cmd->args);
                return EXIT_USAGE;
        }

        curl_global_init(CURL_GLOBAL_DEFAULT);
        r = client_new(ctl.socket_path, timeout, &ctl.client);
        if (r < 0) {
                fprintf(stderr, "nfvcapctl: out of memory\n");
                return EXIT_API_ERROR;
        }
        r = cmd->run(&ctl, npos - words, positional + words);
        client_free(ctl.client);
        curl_global_cleanup();
        return r;
}
