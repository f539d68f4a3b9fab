/* SPDX-License-Identifier: GPL-2.0-or-later */
/* jabali-agentctl: the operator's client for the agent socket and reader of its audit trail. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-journal.h>

#include "audit.h"
#include "client.h"
#include "envelope.h"
#include "macro.h"

#define DEFAULT_SOCKET  "/run/jabali-agent.sock"
#define CALL_TIMEOUT_MS (15u * 60u * 1000u)

/* Exit codes, documented in --help and the README. */
enum {
        EXIT_OK = 0,
        EXIT_ERROR_RESPONSE = 1,
        EXIT_USAGE = 2,
        EXIT_CONNECTION = 3,
};

static const char *arg_socket = DEFAULT_SOCKET;
static bool arg_json = false;

static void help_main(void)
{
        printf("Usage: jabali-agentctl [--socket PATH] COMMAND ...\n\n"
               "Commands:\n"
               "  call ACTION [KEY=VALUE | KEY:=JSON ...]   send one request (or --params JSON)\n"
               "  actions [--json]                          list the agent's actions\n"
               "  ping                                      check that the agent answers\n"
               "  audit [--action A] [--request-id ID] [--since T] [--follow] [--json]\n"
               "                                            show the agent's audit records from the "
               "journal\n\n"
               "Options:\n"
               "  --socket PATH   the agent socket (default %s)\n"
               "  -h, --help      show help; COMMAND --help shows a command's help\n\n"
               "Exit status: 0 success, 1 the agent returned an error response, 2 usage error,\n"
               "3 the agent could not be reached or answered with a malformed frame.\n",
               DEFAULT_SOCKET);
}

static void help_call(void)
{
        printf("Usage: jabali-agentctl call ACTION [KEY=VALUE | KEY:=JSON ...] [--params JSON]\n"
               "            [--request-id ID] [--subject-user NAME] [--timeout-ms N]\n\n"
               "Sends one request and prints the response as JSON.  KEY=VALUE sets a string param;\n"
               "KEY:=JSON sets a param to a JSON value (numbers, booleans, arrays, objects).  --params\n"
               "takes the whole params object and cannot be mixed with KEY=VALUE.  A secret given on the\n"
               "command line is visible in the process list: pass secrets with --params @- on stdin.\n");
}

static void help_audit(void)
{
        printf("Usage: jabali-agentctl audit [--action A] [--request-id ID] [--since T] [--follow] "
               "[--json]\n"
               "            [--directory DIR]\n\n"
               "Shows the agent's audit records (SYSLOG_IDENTIFIER=jabali-agent) from the journal.\n"
               "  --since T        \"YYYY-MM-DD HH:MM:SS\" (UTC), or -N[smhd] for a time before now\n"
               "  --follow         keep printing new records\n"
               "  --json           one JSON object per line with every field\n"
               "  --directory DIR  read journal files from DIR instead of the system journal\n");
}

static int print_json(json_t *j)
{
        _cleanup_free_ char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!text)
                return -ENOMEM;
        puts(text);
        return 0;
}

static int do_request(json_t *request, json_t **ret_response)
{
        int r = client_call(arg_socket, request, CALL_TIMEOUT_MS, ret_response);
        if (r < 0) {
                fprintf(stderr, "Failed to call the agent on %s: %s\n", arg_socket, strerror(-r));
                return EXIT_CONNECTION;
        }
        return EXIT_OK;
}

static int response_status(json_t *response)
{
        return json_is_true(json_object_get(response, "ok")) ? EXIT_OK : EXIT_ERROR_RESPONSE;
}

static json_t *read_params_arg(const char *arg)
{
        json_error_t err;
        json_t *j;

        if (streq(arg, "@-"))
                j = json_loadf(stdin, JSON_REJECT_DUPLICATES, &err);
        else
                j = json_loads(arg, JSON_REJECT_DUPLICATES, &err);
        if (!j)
                fprintf(stderr, "Invalid --params JSON: %s (line %d, column %d).\n", err.text, err.line,
                        err.column);
        return j;
}

static int cmd_call(int argc, char *argv[])
{
        static const struct option options[] = {
                { "params", required_argument, NULL, 'p' },
                { "request-id", required_argument, NULL, 'r' },
                { "subject-user", required_argument, NULL, 's' },
                { "timeout-ms", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_t *params = NULL, *request = NULL, *response = NULL;
        const char *request_id = NULL, *subject = NULL;
        long timeout = 0;
        int c, r;

        /* GNU getopt permutes, so options may also follow the action and its KEY=VALUE arguments. */
        optind = 1;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        json_decref(params);
                        params = read_params_arg(optarg);
                        if (!json_is_object(params)) {
                                fprintf(stderr, "--params must be a JSON object.\n");
                                return EXIT_USAGE;
                        }
                        break;
                case 'r':
                        request_id = optarg;
                        break;
                case 's':
                        subject = optarg;
                        break;
                case 't': {
                        char *end;
                        timeout = strtol(optarg, &end, 10);
                        if (*end || timeout <= 0) {
                                fprintf(stderr, "Invalid --timeout-ms '%s': expected a positive integer.\n",
                                        optarg);
                                return EXIT_USAGE;
                        }
                        break;
                }
                case 'h':
                        help_call();
                        return EXIT_OK;
                default:
                        return EXIT_USAGE;
                }
        }

        if (optind >= argc) {
                fprintf(stderr, "Missing ACTION; see 'jabali-agentctl call --help'.\n");
                return EXIT_USAGE;
        }
        const char *action = argv[optind++];

        if (optind < argc && params) {
                fprintf(stderr, "KEY=VALUE arguments cannot be combined with --params.\n");
                return EXIT_USAGE;
        }
        if (!params)
                params = json_object();

        for (; optind < argc; optind++) {
                const char *arg = argv[optind], *eq = strchr(arg, '=');
                _cleanup_free_ char *key = NULL;
                json_t *value;

                if (!eq || eq == arg) {
                        fprintf(stderr, "Invalid argument '%s': expected KEY=VALUE or KEY:=JSON.\n", arg);
                        return EXIT_USAGE;
                }
                if (eq[-1] == ':' && eq - 1 > arg) {
                        key = strndup(arg, (size_t) (eq - 1 - arg));
                        value = json_loads(eq + 1, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
                        if (!value) {
                                fprintf(stderr, "Invalid JSON value for '%s'.\n", key);
                                return EXIT_USAGE;
                        }
                } else {
                        key = strndup(arg, (size_t) (eq - arg));
                        value = json_string(eq + 1);
                }
                if (!key || !value)
                        return EXIT_USAGE;
                json_object_set_new(params, key, value);
        }

        request = json_pack("{s:s, s:O}", "action", action, "params", params);
        if (!request)
                return EXIT_USAGE;
        if (request_id)
                json_object_set_new(request, "request_id", json_string(request_id));
        if (subject)
                json_object_set_new(request, "subject_user", json_string(subject));
        if (timeout > 0)
                json_object_set_new(request, "timeout_ms", json_integer(timeout));

        r = do_request(request, &response);
        if (r != EXIT_OK)
                return r;
        print_json(response);
        return response_status(response);
}

static int cmd_simple(const char *action, int argc, char *argv[], bool list)
{
        _cleanup_json_ json_t *request = NULL, *response = NULL;
        int r;

        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--json") && list)
                        arg_json = true;
                else if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
                        printf(list ? "Usage: jabali-agentctl actions [--json]\n\nLists the agent's "
                                      "actions; "
                                      "--json prints the whole catalogue.\n"
                                    : "Usage: jabali-agentctl ping\n\nSends agent.ping and prints the "
                                      "answer.\n");
                        return EXIT_OK;
                } else {
                        fprintf(stderr, "Unknown argument '%s'.\n", argv[i]);
                        return EXIT_USAGE;
                }
        }

        request = json_pack("{s:s}", "action", action);
        r = do_request(request, &response);
        if (r != EXIT_OK)
                return r;
        if (response_status(response) != EXIT_OK || (list && arg_json)) {
                print_json(response);
                return response_status(response);
        }

        if (!list) {
                printf("pong (request %s)\n", json_string_value(json_object_get(response, "request_id")));
                return EXIT_OK;
        }

        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(json_object_get(response, "result"), "actions"), i, a)
        {
                printf("%-28s %-9s %-8s %s\n", json_string_value(json_object_get(a, "name")),
                       json_string_value(json_object_get(a, "family")),
                       json_is_true(json_object_get(a, "changing")) ? "changing" : "read",
                       json_string_value(json_object_get(a, "description")));
        }
        return EXIT_OK;
}

static int parse_since(const char *s, uint64_t *ret)
{
        struct timespec now;
        char *end;

        clock_gettime(CLOCK_REALTIME, &now);
        if (s[0] == '-') {
                unsigned long n = strtoul(s + 1, &end, 10);
                uint64_t unit = 1;
                if (end == s + 1)
                        return -EINVAL;
                switch (*end) {
                case 'd':
                        unit *= 24;
                        /* fall through */
                case 'h':
                        unit *= 60;
                        /* fall through */
                case 'm':
                        unit *= 60;
                        /* fall through */
                case 's':
                case '\0':
                        break;
                default:
                        return -EINVAL;
                }
                if (*end && end[1])
                        return -EINVAL;
                *ret = ((uint64_t) now.tv_sec - n * unit) * 1000000ULL;
                return 0;
        }

        struct tm tm = {};
        end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
        if (!end || *end)
                return -EINVAL;
        *ret = (uint64_t) timegm(&tm) * 1000000ULL;
        return 0;
}

static const char *entry_field(sd_journal *j, const char *name, char *buf, size_t size)
{
        const void *data;
        size_t len, prefix = strlen(name) + 1;

        if (sd_journal_get_data(j, name, &data, &len) < 0 || len < prefix)
                return "-";
        len -= prefix;
        if (len >= size)
                len = size - 1;
        memcpy(buf, (const char *) data + prefix, len);
        buf[len] = '\0';
        return buf;
}

static void audit_print_entry(sd_journal *j)
{
        if (arg_json) {
                _cleanup_json_ json_t *o = json_object();
                const void *data;
                size_t len;

                SD_JOURNAL_FOREACH_DATA(j, data, len)
                {
                        const char *eq = memchr(data, '=', len);
                        if (!eq)
                                continue;
                        _cleanup_free_ char *k = strndup(data, (size_t) (eq - (const char *) data));
                        json_t *v =
                                json_stringn_nocheck(eq + 1, len - (size_t) (eq + 1 - (const char *) data));
                        if (k && v &&
                            (strncmp(k, "JABALI_", 7) == 0 || streq(k, "MESSAGE_ID") ||
                             streq(k, "MESSAGE") || streq(k, "PRIORITY") || streq(k, "_PID") ||
                             streq(k, "__REALTIME_TIMESTAMP")))
                                json_object_set_new(o, k, v);
                        else
                                json_decref(v);
                }
                uint64_t usec;
                if (sd_journal_get_realtime_usec(j, &usec) >= 0)
                        json_object_set_new(o, "__REALTIME_TIMESTAMP", json_integer((json_int_t) usec));
                _cleanup_free_ char *line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
                if (line)
                        puts(line);
                return;
        }

        char b1[80], b2[80], b3[80], b4[80], b5[40], b6[20], b7[512], ts[32];
        uint64_t usec = 0;
        struct tm tm;
        (void) sd_journal_get_realtime_usec(j, &usec);
        time_t t = (time_t) (usec / 1000000);
        gmtime_r(&t, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);

        printf("%s %-8s %-26s %-24s %-19s uid=%s %s\n", ts, entry_field(j, "JABALI_EVENT", b1, sizeof(b1)),
               entry_field(j, "JABALI_REQUEST_ID", b2, sizeof(b2)),
               entry_field(j, "JABALI_ACTION", b3, sizeof(b3)),
               entry_field(j, "JABALI_RESULT", b4, sizeof(b4)),
               entry_field(j, "JABALI_PEER_UID", b6, sizeof(b6)),
               entry_field(j, "JABALI_ERROR", b7, sizeof(b7)));
        (void) b5;
}

static int cmd_audit(int argc, char *argv[])
{
        static const struct option options[] = {
                { "action", required_argument, NULL, 'a' }, { "request-id", required_argument, NULL, 'r' },
                { "since", required_argument, NULL, 's' },  { "follow", no_argument, NULL, 'f' },
                { "json", no_argument, NULL, 'j' },         { "directory", required_argument, NULL, 'D' },
                { "help", no_argument, NULL, 'h' },         {},
        };
        const char *action = NULL, *request_id = NULL, *directory = NULL;
        bool follow = false, have_since = false;
        uint64_t since = 0;
        sd_journal *j = NULL;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+hfj", options, NULL)) >= 0) {
                switch (c) {
                case 'a':
                        action = optarg;
                        break;
                case 'r':
                        request_id = optarg;
                        break;
                case 's':
                        if (parse_since(optarg, &since) < 0) {
                                fprintf(stderr,
                                        "Invalid --since '%s': expected \"YYYY-MM-DD HH:MM:SS\" or "
                                        "-N[smhd].\n",
                                        optarg);
                                return EXIT_USAGE;
                        }
                        have_since = true;
                        break;
                case 'f':
                        follow = true;
                        break;
                case 'j':
                        arg_json = true;
                        break;
                case 'D':
                        directory = optarg;
                        break;
                case 'h':
                        help_audit();
                        return EXIT_OK;
                default:
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "Unexpected argument '%s'.\n", argv[optind]);
                return EXIT_USAGE;
        }
        if (action && !action_name_valid(action)) {
                fprintf(stderr, "Invalid --action '%s'.\n", action);
                return EXIT_USAGE;
        }
        if (request_id && !request_id_valid(request_id)) {
                fprintf(stderr, "Invalid --request-id '%s'.\n", request_id);
                return EXIT_USAGE;
        }

        r = directory ? sd_journal_open_directory(&j, directory, 0)
                      : sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0) {
                fprintf(stderr, "Failed to open the journal: %s\n", strerror(-r));
                return EXIT_CONNECTION;
        }

        char match[256];
        (void) sd_journal_add_match(j, "SYSLOG_IDENTIFIER=jabali-agent", 0);
        if (action) {
                snprintf(match, sizeof(match), "JABALI_ACTION=%s", action);
                (void) sd_journal_add_match(j, match, 0);
        }
        if (request_id) {
                snprintf(match, sizeof(match), "JABALI_REQUEST_ID=%s", request_id);
                (void) sd_journal_add_match(j, match, 0);
        }

        if (have_since)
                r = sd_journal_seek_realtime_usec(j, since);
        else
                r = sd_journal_seek_head(j);
        if (r < 0) {
                fprintf(stderr, "Failed to seek in the journal: %s\n", strerror(-r));
                sd_journal_close(j);
                return EXIT_CONNECTION;
        }

        for (;;) {
                r = sd_journal_next(j);
                if (r < 0) {
                        fprintf(stderr, "Failed to read the journal: %s\n", strerror(-r));
                        break;
                }
                if (r > 0) {
                        /* The identifier match alone would also show the agent's plain log lines. */
                        const void *d;
                        size_t l;
                        if (sd_journal_get_data(j, "JABALI_EVENT", &d, &l) >= 0)
                                audit_print_entry(j);
                        continue;
                }
                if (!follow)
                        break;
                fflush(stdout);
                r = sd_journal_wait(j, (uint64_t) -1);
                if (r < 0) {
                        fprintf(stderr, "Failed to wait for the journal: %s\n", strerror(-r));
                        break;
                }
        }

        sd_journal_close(j);
        return r < 0 ? EXIT_CONNECTION : EXIT_OK;
}

int main(int argc, char *argv[])
{
        int i = 1;

        while (i < argc && argv[i][0] == '-') {
                if (streq(argv[i], "--socket") && i + 1 < argc) {
                        arg_socket = argv[i + 1];
                        i += 2;
                } else if (strncmp(argv[i], "--socket=", 9) == 0) {
                        arg_socket = argv[i] + 9;
                        i++;
                } else if (streq(argv[i], "-h") || streq(argv[i], "--help")) {
                        help_main();
                        return EXIT_OK;
                } else {
                        fprintf(stderr, "Unknown option '%s'; see --help.\n", argv[i]);
                        return EXIT_USAGE;
                }
        }

        if (i >= argc) {
                help_main();
                return EXIT_USAGE;
        }

        const char *cmd = argv[i];
        argc -= i;
        argv += i;

        if (streq(cmd, "call"))
                return cmd_call(argc, argv);
        if (streq(cmd, "actions"))
                return cmd_simple("agent.actions", argc, argv, true);
        if (streq(cmd, "ping"))
                return cmd_simple("agent.ping", argc, argv, false);
        if (streq(cmd, "audit"))
                return cmd_audit(argc, argv);

        fprintf(stderr, "Unknown command '%s'; see --help.\n", cmd);
        return EXIT_USAGE;
}
