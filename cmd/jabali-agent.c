/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jabali-agent: one instance per connection.  systemd (Accept=yes) or systemd-socket-activate --accept
 * hands over the connection as fd 3; with StandardInput=socket (--inetd) it is stdin and stdout.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <systemd/sd-daemon.h>

#include "agent.h"
#include "audit.h"
#include "config.h"
#include "docgen.h"
#include "envelope.h"
#include "frame.h"
#include "macro.h"

static void help(void)
{
        printf("Usage: jabali-agent [--config PATH]\n"
               "       jabali-agent --dump-actions-markdown | --dump-config-markdown | --version\n\n"
               "Serves one request on the connection passed by systemd socket activation (fd 3, or stdin "
               "and\n"
               "stdout when started with StandardInput=socket).\n\n"
               "  --config PATH              read PATH and PATH.d/*.conf (default %s)\n"
               "  --dump-actions-markdown    print the action reference and exit\n"
               "  --dump-config-markdown     print the configuration reference and exit\n"
               "  --version                  print the version and exit\n",
               AGENT_CONFIG_PATH);
}

static bool fd_is_socket(int fd)
{
        struct stat st;
        return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* Audits a request that cannot be served because the configuration is broken, and sends an UNAVAILABLE
 * response. */
static int serve_config_error(int in_fd, int out_fd, const char *error)
{
        _cleanup_free_ char *id = ulid_new(), *text = NULL;
        AuditRecord r = { .request_id = id, .result = "UNAVAILABLE", .message = error };

        (void) audit_write(AUDIT_REJECTED, &r);
        if (asprintf(&text,
                     "{\"request_id\":\"%s\",\"ok\":false,\"code\":\"UNAVAILABLE\",\"error\":"
                     "\"the agent configuration is invalid; see the journal\"}",
                     id ?: "-") < 0)
                return -ENOMEM;

        /* The request is read and dropped with the built-in limits, so that closing the connection with
         * unread data does not reset it before the client has read the response. */
        _cleanup_free_ char *body = NULL;
        size_t size;
        (void) frame_read(in_fd, 1024 * 1024, 10000, &body, &size, NULL);

        return frame_write(out_fd, text, strlen(text), 10000);
}

int main(int argc, char *argv[])
{
        enum { ARG_CONFIG = 0x100, ARG_DUMP_ACTIONS, ARG_DUMP_CONFIG, ARG_VERSION };
        static const struct option options[] = {
                { "config", required_argument, NULL, ARG_CONFIG },
                { "dump-actions-markdown", no_argument, NULL, ARG_DUMP_ACTIONS },
                { "dump-config-markdown", no_argument, NULL, ARG_DUMP_CONFIG },
                { "version", no_argument, NULL, ARG_VERSION },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *config_path = AGENT_CONFIG_PATH;
        AgentConfig *config = NULL;
        _cleanup_free_ char *config_error = NULL;
        int in_fd, out_fd, n, c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case ARG_CONFIG:
                        config_path = optarg;
                        break;
                case ARG_DUMP_ACTIONS:
                        docgen_actions_markdown(stdout);
                        return 0;
                case ARG_DUMP_CONFIG:
                        docgen_config_markdown(stdout);
                        return 0;
                case ARG_VERSION:
                        printf("jabali-agent %s (%s)\n", AGENT_VERSION, AGENT_BUILD);
                        return 0;
                case 'h':
                        help();
                        return 0;
                default:
                        return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "Unexpected argument '%s'; see --help.\n", argv[optind]);
                return 2;
        }

        /* A client that hangs up must not kill the instance before the action is audited. */
        signal(SIGPIPE, SIG_IGN);

        n = sd_listen_fds(true);
        if (n < 0) {
                fprintf(stderr, "Failed to read the socket activation variables: %s\n", strerror(-n));
                return 1;
        }
        if (n == 1) {
                in_fd = out_fd = SD_LISTEN_FDS_START;
        } else if (n == 0 && fd_is_socket(STDIN_FILENO)) {
                in_fd = STDIN_FILENO;
                out_fd = STDOUT_FILENO;
        } else {
                fprintf(stderr,
                        "No connection: expected one socket from systemd (fd 3) or a socket on stdin, "
                        "got %d descriptors.  Run through jabali-agent.socket or systemd-socket-activate "
                        "--accept.\n",
                        n);
                return 1;
        }

        r = config_load(config_path, &config, &config_error);
        if (r < 0) {
                fprintf(stderr, "Failed to load the configuration: %s\n", config_error ?: strerror(-r));
                (void) serve_config_error(in_fd, out_fd, config_error ?: strerror(-r));
                return 1;
        }

        r = agent_serve(config, in_fd, out_fd);
        config_free(config);
        return r < 0 ? 1 : 0;
}
