/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>

#include "agent.h"
#include "config.h"
#include "frame.h"
#include "macro.h"

/* A uid and gid with no passwd or group entry, for a caller that no policy admits. */
#define STRANGER_ID 54321

static char work_dir[] = "/tmp/test-agent-XXXXXX";

static void setup(void)
{
        strcpy(work_dir, "/tmp/test-agent-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(work_dir));
        /* The stranger must reach the socket inside. */
        ck_assert_int_eq(chmod(work_dir, 0755), 0);
}

static void teardown(void)
{
        char path[128];

        snprintf(path, sizeof(path), "%s/sock", work_dir);
        (void) unlink(path);
        snprintf(path, sizeof(path), "%s/agent.conf", work_dir);
        (void) unlink(path);
        snprintf(path, sizeof(path), "%s/agent.conf.d/50-test.conf", work_dir);
        (void) unlink(path);
        snprintf(path, sizeof(path), "%s/agent.conf.d", work_dir);
        (void) rmdir(path);
        (void) rmdir(work_dir);
}

/* Loads a configuration that keeps the test process's capabilities and ignores a missing journal. */
static AgentConfig *load_config(const char *policy)
{
        _cleanup_free_ char *path = NULL, *error = NULL;
        AgentConfig *c = NULL;
        FILE *f;

        ck_assert_int_ge(asprintf(&path, "%s/agent.conf", work_dir), 0);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "[agent]\napparmor = off\ndrop_capabilities = no\nread_timeout_ms = 5000\n"
                   "[audit]\nfail_closed = no\n[policy]\nallowed_groups =\n");
        ck_assert_int_eq(fclose(f), 0);

        /* The test's own settings go to a drop-in, because a key set twice in one file is an error. */
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/agent.conf.d", work_dir), 0);
        ck_assert(mkdir(path, 0755) == 0 || errno == EEXIST);
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/agent.conf.d/50-test.conf", work_dir), 0);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "[policy]\n%s\n", policy ?: "");
        ck_assert_int_eq(fclose(f), 0);

        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/agent.conf", work_dir), 0);
        ck_assert_msg(config_load(path, &c, &error) == 0, "config: %s", error);
        return c;
}

/* Connects as uid (switching to it first unless it is ours), sends frame, and writes the response body,
 * or nothing when none came, to out_fd.  Runs in a child and exits. */
_Noreturn static void run_client(const char *socket_path, uid_t uid, const void *frame, size_t size,
                                 bool close_write, int out_fd)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *body = NULL;
        size_t body_size = 0;
        int fd, io_errno;

        if (uid != getuid()) {
                if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
                        _exit(10);
        }
        strcpy(sa.sun_path, socket_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                _exit(11);
        if (size > 0 && send(fd, frame, size, MSG_NOSIGNAL) != (ssize_t) size)
                _exit(12);
        if (close_write)
                (void) shutdown(fd, SHUT_WR);
        if (frame_read(fd, 1u << 20, 10000, &body, &body_size, &io_errno) == FRAME_OK &&
            write(out_fd, body, body_size) != (ssize_t) body_size)
                _exit(13);
        _exit(0);
}

/* Serves frame_size bytes of the frame of body from a caller running as uid, and returns the parsed
 * response, or NULL for none.  The caller shuts down its side after sending unless keep_open is set. */
static json_t *serve_partial(const AgentConfig *c, uid_t uid, const char *body, size_t frame_size,
                             bool keep_open)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int listener = -1, conn = -1;
        uint8_t frame[4096];
        size_t n = strlen(body);
        char response[65536];
        ssize_t got;
        int out[2], status;
        pid_t pid;

        ck_assert_uint_le(n + 4, sizeof(frame));
        frame[0] = (uint8_t) (n >> 24);
        frame[1] = (uint8_t) (n >> 16);
        frame[2] = (uint8_t) (n >> 8);
        frame[3] = (uint8_t) n;
        memcpy(frame + 4, body, n);

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", work_dir);
        (void) unlink(sa.sun_path);
        listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(listener, 0);
        ck_assert_int_eq(bind(listener, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(chmod(sa.sun_path, 0777), 0);
        ck_assert_int_eq(listen(listener, 1), 0);
        ck_assert_int_eq(pipe(out), 0);

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(out[0]);
                run_client(sa.sun_path, uid, frame, frame_size < n + 4 ? frame_size : n + 4, !keep_open,
                           out[1]);
        }
        close(out[1]);

        conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
        ck_assert_int_ge(conn, 0);
        ck_assert_int_eq(agent_serve(c, conn, conn), 0);

        got = read(out[0], response, sizeof(response) - 1);
        close(out[0]);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "client failed with status %d", status);
        ck_assert_int_ge(got, 0);
        if (got == 0)
                return NULL;
        response[got] = '\0';
        return json_loads(response, JSON_REJECT_DUPLICATES, NULL);
}

static json_t *serve_as(const AgentConfig *c, uid_t uid, const char *body)
{
        return serve_partial(c, uid, body, SIZE_MAX, false);
}

static const char *code_of(json_t *response)
{
        ck_assert_ptr_nonnull(response);
        return json_string_value(json_object_get(response, "code"));
}

/* A caller that no policy admits: another uid when the tests run as root, the test user otherwise. */
static uid_t stranger(void)
{
        return getuid() == 0 ? STRANGER_ID : getuid();
}

/* The policy that admits the user running the tests, whether root or not. */
static char *admit_self_policy(void)
{
        struct passwd *pw = getpwuid(getuid());
        char *text = NULL;

        ck_assert_ptr_nonnull(pw);
        ck_assert_int_ge(asprintf(&text, "allowed_users = %s", pw->pw_name), 0);
        return text;
}

START_TEST(test_ping_admitted)
{
        _cleanup_free_ char *policy = admit_self_policy();
        AgentConfig *c = load_config(policy);
        _cleanup_json_ json_t *r =
                serve_as(c, getuid(), "{\"action\":\"agent.ping\",\"request_id\":\"t-1\"}");

        ck_assert_ptr_nonnull(r);
        ck_assert(json_is_true(json_object_get(r, "ok")));
        ck_assert_str_eq(json_string_value(json_object_get(r, "request_id")), "t-1");
        ck_assert(json_is_true(json_object_get(json_object_get(r, "result"), "pong")));
        config_free(c);
}
END_TEST

START_TEST(test_unknown_action_admitted)
{
        _cleanup_free_ char *policy = admit_self_policy();
        AgentConfig *c = load_config(policy);
        _cleanup_json_ json_t *r = serve_as(c, getuid(), "{\"action\":\"no.such\"}");

        ck_assert_str_eq(code_of(r), "UNKNOWN_ACTION");
        config_free(c);
}
END_TEST

START_TEST(test_denied_action)
{
        _cleanup_free_ char *policy = admit_self_policy(), *text = NULL;
        AgentConfig *c;
        _cleanup_json_ json_t *r = NULL;

        ck_assert_int_ge(asprintf(&text, "%s\ndenied = agent.p*", policy), 0);
        c = load_config(text);
        r = serve_as(c, getuid(), "{\"action\":\"agent.ping\"}");
        ck_assert_str_eq(code_of(r), "PERMISSION_DENIED");
        config_free(c);
}
END_TEST

START_TEST(test_frame_timeout)
{
        _cleanup_free_ char *policy = admit_self_policy(), *text = NULL;
        AgentConfig *c;
        _cleanup_json_ json_t *r = NULL;

        /* The caller sends the length prefix and part of the body, then waits without closing. */
        ck_assert_int_ge(asprintf(&text, "%s\n[agent]\nread_timeout_ms = 300", policy), 0);
        c = load_config(text);
        r = serve_partial(c, getuid(), "{\"action\":\"agent.ping\"}", 10, true);
        ck_assert_str_eq(code_of(r), "TIMEOUT");
        ck_assert_str_eq(json_string_value(json_object_get(r, "error")),
                         "request frame did not arrive within 300 ms");
        config_free(c);
}
END_TEST

START_TEST(test_no_bytes_no_response)
{
        _cleanup_free_ char *policy = admit_self_policy();
        AgentConfig *c = load_config(policy);

        /* A peer that closes before sending a byte gets no response. */
        ck_assert_ptr_null(serve_partial(c, getuid(), "{}", 0, false));
        config_free(c);
}
END_TEST

START_TEST(test_stranger_ping)
{
        AgentConfig *c = load_config(NULL);
        _cleanup_json_ json_t *r =
                serve_as(c, stranger(), "{\"action\":\"agent.ping\",\"request_id\":\"t-2\"}");

        ck_assert_str_eq(code_of(r), "PERMISSION_DENIED");
        config_free(c);
}
END_TEST

START_TEST(test_stranger_learns_nothing)
{
        static const char *const bodies[] = {
                "{\"action\":\"no.such.action\"}",
                "{\"action\":\"agent.ping\",\"params\":{\"php$(touch /tmp/pwn_a1)\":1}}",
                "{\"action\":\"agent.ping\",\"bogus\":1}",
                "not json at all",
                "{\"action\":\"agent.ping\",\"action\":\"agent.version\"}",
        };
        AgentConfig *c = load_config(NULL);

        /* A caller outside the policy gets the same refusal whatever it sends, so it cannot probe action
         * names or params. */
        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                _cleanup_json_ json_t *r = serve_as(c, stranger(), bodies[i]);

                ck_assert_msg(streq(code_of(r), "PERMISSION_DENIED"), "%s: %s", bodies[i], code_of(r));
                ck_assert_ptr_null(json_object_get(r, "details"));
        }
        ck_assert_int_eq(access("/tmp/pwn_a1", F_OK), -1);
        config_free(c);
}
END_TEST

START_TEST(test_stranger_id_echoed)
{
        AgentConfig *c = load_config(NULL);
        _cleanup_json_ json_t *r =
                serve_as(c, stranger(), "{\"action\":\"agent.ping\",\"request_id\":\"t-3\"}");
        const char *id = json_string_value(json_object_get(r, "request_id"));

        /* The envelope is parsed for the audit record, so a valid caller id is echoed. */
        ck_assert_ptr_nonnull(id);
        ck_assert_str_eq(id, "t-3");
        ck_assert_str_eq(code_of(r), "PERMISSION_DENIED");
        config_free(c);
}
END_TEST

static Suite *agent_suite(void)
{
        Suite *s = suite_create("agent");
        TCase *tc = tcase_create("serve");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_ping_admitted);
        tcase_add_test(tc, test_unknown_action_admitted);
        tcase_add_test(tc, test_denied_action);
        tcase_add_test(tc, test_frame_timeout);
        tcase_add_test(tc, test_no_bytes_no_response);
        tcase_add_test(tc, test_stranger_ping);
        tcase_add_test(tc, test_stranger_learns_nothing);
        tcase_add_test(tc, test_stranger_id_echoed);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(agent_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
