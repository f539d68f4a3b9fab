/* SPDX-License-Identifier: GPL-2.0-or-later */

/* ping-responder: a stand-in for jabali-agent that replies to agent.ping, used to test the container
 * harness and the latency benchmark without the agent.
 *
 * It serves one connection, taken the way the agent takes it: fd 3 when systemd passes one socket
 * (Accept=yes), otherwise standard input and output (StandardInput=socket or --inetd).  It reads one
 * request frame, writes a journal record naming the request and the peer, then answers
 * {"request_id": ..., "ok": true, "result": {"pong": true}}.  Any other action gets an UNKNOWN_ACTION
 * error response.  Exit status is 0 when the response was written and 1 otherwise, which is the agent's
 * contract too. */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "frame-io.h"
#include "macro.h"

#define REQUEST_MAX     (1024u * 1024)
#define READ_TIMEOUT_MS 10000u

/* MESSAGE_ID of the record written for each request; t/nspawn/ping/jt-ping.catalog explains it. */
#define PING_MESSAGE_ID "f5d74f7686af4988a826d2f77b63dbe5"

typedef struct Connection {
        int in_fd;
        int out_fd;
        uid_t peer_uid;
        pid_t peer_pid;
} Connection;

static int connection_open(Connection *ret)
{
        struct timeval tv = { .tv_sec = READ_TIMEOUT_MS / 1000, .tv_usec = (READ_TIMEOUT_MS % 1000) * 1000 };
        struct ucred cred = {};
        socklen_t len = sizeof cred;
        Connection c;
        int n;

        assert(ret);

        n = sd_listen_fds(true);
        if (n < 0)
                return n;
        if (n > 1)
                return -E2BIG;
        if (n == 1)
                c = (Connection){ .in_fd = SD_LISTEN_FDS_START, .out_fd = SD_LISTEN_FDS_START };
        else
                c = (Connection){ .in_fd = STDIN_FILENO, .out_fd = STDOUT_FILENO };

        /* A peer in another PID namespace shows up with pid 0.  That is reported, not treated as an error.
         */
        if (getsockopt(c.in_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (setsockopt(c.in_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
                return -errno;
        c.peer_uid = cred.uid;
        c.peer_pid = cred.pid;

        *ret = c;
        return 0;
}

/* Builds the response to one request payload. */
static int build_response(const char *payload, size_t size, char **ret_request_id, char **ret_response)
{
        _cleanup_json_ json_t *request = NULL, *response = NULL;
        _cleanup_free_ char *request_id = NULL, *text = NULL;
        const char *action;
        json_t *id;

        assert(payload);
        assert(ret_request_id);
        assert(ret_response);

        request = json_loadb(payload, size, JSON_REJECT_DUPLICATES, NULL);
        id = request ? json_object_get(request, "request_id") : NULL;
        request_id = strdup(json_is_string(id) ? json_string_value(id) : "");
        if (!request_id)
                return -ENOMEM;

        action = request ? json_string_value(json_object_get(request, "action")) : NULL;
        if (!json_is_object(request))
                response = json_pack("{s:s, s:b, s:s, s:s}", "request_id", request_id, "ok", 0, "code",
                                     "INVALID_REQUEST", "error", "the request is not a JSON object");
        else if (!action || !streq(action, "agent.ping"))
                response = json_pack("{s:s, s:b, s:s, s:s}", "request_id", request_id, "ok", 0, "code",
                                     "UNKNOWN_ACTION", "error", "ping-responder only answers agent.ping");
        else
                response = json_pack("{s:s, s:b, s:{s:b}}", "request_id", request_id, "ok", 1, "result",
                                     "pong", 1);
        if (!response)
                return -ENOMEM;

        text = json_dumps(response, JSON_COMPACT);
        if (!text)
                return -ENOMEM;

        *ret_request_id = TAKE_PTR(request_id);
        *ret_response = TAKE_PTR(text);
        return 0;
}

int main(void)
{
        _cleanup_free_ char *payload = NULL, *request_id = NULL, *response = NULL;
        Connection c = { .in_fd = -1, .out_fd = -1 };
        size_t size = 0;
        int r;

        signal(SIGPIPE, SIG_IGN);

        r = connection_open(&c);
        if (r < 0) {
                fprintf(stderr, "ping-responder: failed to take the connection: %s\n", strerror(-r));
                return 1;
        }

        r = frame_read(c.in_fd, REQUEST_MAX, &payload, &size);
        if (r < 0) {
                fprintf(stderr, "ping-responder: failed to read the request frame from uid %u pid %d: %s\n",
                        (unsigned) c.peer_uid, (int) c.peer_pid, strerror(-r));
                return 1;
        }

        r = build_response(payload, size, &request_id, &response);
        if (r < 0) {
                fprintf(stderr, "ping-responder: failed to build the response: %s\n", strerror(-r));
                return 1;
        }

        /* The record is written before the response so that a client that hangs up still leaves one. */
        r = sd_journal_send("MESSAGE=ping-responder answered request %s from uid %u pid %d", request_id,
                            (unsigned) c.peer_uid, (int) c.peer_pid, "MESSAGE_ID=" PING_MESSAGE_ID,
                            "PRIORITY=6", "JT_REQUEST_ID=%s", request_id, "JT_PEER_UID=%u",
                            (unsigned) c.peer_uid, "JT_PEER_PID=%d", (int) c.peer_pid, NULL);
        if (r < 0)
                fprintf(stderr, "ping-responder: failed to write the journal record for request %s: %s\n",
                        request_id, strerror(-r));

        r = frame_write(c.out_fd, response, strlen(response));
        if (r < 0) {
                fprintf(stderr, "ping-responder: failed to send the response to request %s: %s\n",
                        request_id, strerror(-r));
                return 1;
        }
        return 0;
}
