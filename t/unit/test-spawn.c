/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the subprocess runner against real programs.  /bin/sh appears here only as a child program that
 * produces a behaviour, such as a signal, a background process or a loop.  The runner never uses a shell.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "spawn.h"

#define ARGV(...)   ((const char *const[]){ __VA_ARGS__, NULL })
#define NOBODY_UID  ((uid_t) 65534)
#define NOBODY_GID  ((gid_t) 65534)
#define LARGE_INPUT (1024u * 1024u)

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

/* Bytes that differ from one position to the next, so a lost, repeated or reordered chunk shows. */
static char *pattern_new(size_t size)
{
        char *p = malloc(size);

        ck_assert_ptr_nonnull(p);
        for (size_t i = 0; i < size; i++)
                p[i] = (char) ('a' + (i * 7 + i / 251) % 26);
        return p;
}

/* Waits up to 5 s for pid, a child of this process, and returns its wait status, or -1. */
static int wait_bounded(pid_t pid)
{
        for (int i = 0; i < 500; i++) {
                int status;
                pid_t r = waitpid(pid, &status, WNOHANG);

                if (r == pid)
                        return status;
                if (r < 0)
                        return -1;
                usleep(10000);
        }
        return -1;
}

static void run_ok(const SpawnOptions *o, SpawnResult *r)
{
        int k = spawn_run(o, r);

        ck_assert_int_eq(k, 0);
}

START_TEST(test_exit_zero)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/true") }, &r);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_int_eq(r.term_signal, 0);
        ck_assert(!r.timed_out);
        ck_assert(spawn_succeeded(&r));
        ck_assert_str_eq(r.out, "");
        ck_assert_uint_eq(r.out_size, 0);
        ck_assert_str_eq(r.err_tail, "");
        spawn_result_done(&r);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_exit_code)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "exit 3") }, &r);
        ck_assert_int_eq(r.exit_status, 3);
        ck_assert_int_eq(r.term_signal, 0);
        ck_assert(!spawn_succeeded(&r));
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_killed_by_signal)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "kill -TERM $$") }, &r);
        ck_assert_int_eq(r.exit_status, -1);
        ck_assert_int_eq(r.term_signal, SIGTERM);
        ck_assert(!r.timed_out);
        ck_assert(!spawn_succeeded(&r));
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdout_captured)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/echo", "hello") }, &r);
        ck_assert_str_eq(r.out, "hello\n");
        ck_assert_uint_eq(r.out_size, 6);
        ck_assert(!r.out_truncated);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdout_binary)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/usr/bin/printf", "a\\000b") }, &r);
        ck_assert_uint_eq(r.out_size, 3);
        ck_assert_mem_eq(r.out, "a\0b", 4);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdout_truncated)
{
        SpawnResult r;

        /* The child writes 100000 bytes and must not block on the full pipe once the cap is reached. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/usr/bin/head", "-c", "100000", "/dev/zero"),
                                .output_max = 1000 },
               &r);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_uint_eq(r.out_size, 1000);
        ck_assert(r.out_truncated);
        ck_assert_int_eq(r.out[1000], '\0');
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdout_at_max)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/usr/bin/head", "-c", "1000", "/dev/zero"),
                                .output_max = 1000 },
               &r);
        ck_assert_uint_eq(r.out_size, 1000);
        ck_assert(!r.out_truncated);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdout_default_max)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/usr/bin/head", "-c", "70000", "/dev/zero") }, &r);
        ck_assert_uint_eq(r.out_size, SPAWN_OUTPUT_MAX_DEFAULT);
        ck_assert(r.out_truncated);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdout_written_before_exit)
{
        SpawnResult r;

        /* More than a pipe buffer, so the end of it is still in the pipe when the exit is noticed. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/usr/bin/head", "-c", "200000", "/dev/zero"),
                                .output_max = 1024 * 1024 },
               &r);
        ck_assert_uint_eq(r.out_size, 200000);
        ck_assert(!r.out_truncated);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdout_drained_after_exit)
{
        SpawnResult r;

        /* The shell stops the runner, fills the pipe and exits; a leftover resumes the runner 300 ms later.
         * When the runner resumes, the child has exited and all 60000 bytes are unread. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c",
                                             "kill -STOP $PPID; /usr/bin/head -c 60000 /dev/zero; "
                                             "(/bin/sleep 0.3; kill -CONT $PPID) >/dev/null 2>&1 &"),
                                .timeout_ms = 20000 },
               &r);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_uint_eq(r.out_size, 60000);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stderr_short)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "echo out; echo oops >&2; exit 1") }, &r);
        ck_assert_str_eq(r.out, "out\n");
        ck_assert_str_eq(r.err_tail, "oops\n");
        ck_assert_int_eq(r.exit_status, 1);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stderr_tail_lines)
{
        _cleanup_free_ char *expected = NULL;
        size_t size = 0;
        FILE *f;
        SpawnResult r;

        /* 1000 short writes wrap the ring many times. */
        f = open_memstream(&expected, &size);
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i < 1000; i++)
                fprintf(f, "line %d\n", i);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_uint_gt(size, SPAWN_STDERR_TAIL);

        run_ok(
                &(SpawnOptions){
                        .argv = ARGV(
                                "/bin/sh", "-c",
                                "i=0; while [ $i -lt 1000 ]; do echo \"line $i\" >&2; i=$((i+1)); done") },
                &r);
        ck_assert_uint_eq(strlen(r.err_tail), SPAWN_STDERR_TAIL);
        ck_assert_mem_eq(r.err_tail, expected + size - SPAWN_STDERR_TAIL, SPAWN_STDERR_TAIL);
        ck_assert_str_eq(r.out, "");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stderr_tail_one_write)
{
        char path[] = "/tmp/test-spawn.XXXXXX";
        _cleanup_free_ char *data = pattern_new(10000);
        _cleanup_close_ int fd = -1;
        SpawnResult r;

        /* cat copies the file with one large write, which overflows the ring in a single chunk. */
        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, 10000), 10000);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "/bin/cat \"$0\" >&2", path) }, &r);
        ck_assert_uint_eq(strlen(r.err_tail), SPAWN_STDERR_TAIL);
        ck_assert_mem_eq(r.err_tail, data + 10000 - SPAWN_STDERR_TAIL, SPAWN_STDERR_TAIL);
        spawn_result_done(&r);
        unlink(path);
}
END_TEST

START_TEST(test_stderr_merged)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "echo a; echo b >&2; echo c"),
                                .merge_stderr = true },
               &r);
        ck_assert_str_eq(r.out, "a\nb\nc\n");
        ck_assert_str_eq(r.err_tail, "");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdin_devnull)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/usr/bin/readlink", "/proc/self/fd/0") }, &r);
        ck_assert_str_eq(r.out, "/dev/null\n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdin_small)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/cat"), .stdin_data = "abc\ndef", .stdin_size = 7 }, &r);
        ck_assert_str_eq(r.out, "abc\ndef");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdin_empty)
{
        SpawnResult r;

        /* A pipe closed at once: the child reads end of file, not /dev/null. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "/usr/bin/readlink /proc/self/fd/0; /bin/cat"),
                                .stdin_data = "",
                                .stdin_size = 0 },
               &r);
        ck_assert_int_eq(strncmp(r.out, "pipe:[", 6), 0);
        ck_assert_int_eq(r.exit_status, 0);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdin_large)
{
        _cleanup_free_ char *data = pattern_new(LARGE_INPUT);
        SpawnResult r;

        /* cat writes while it reads: both directions exceed the pipe buffer at the same time. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/cat"),
                                .stdin_data = data,
                                .stdin_size = LARGE_INPUT,
                                .output_max = 2 * LARGE_INPUT,
                                .timeout_ms = 20000 },
               &r);
        ck_assert(!r.timed_out);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_uint_eq(r.out_size, LARGE_INPUT);
        ck_assert(!r.out_truncated);
        ck_assert_mem_eq(r.out, data, LARGE_INPUT);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdin_after_output)
{
        _cleanup_free_ char *data = pattern_new(LARGE_INPUT);
        SpawnResult r;

        /* The child fills stdout before it reads anything, so the parent must keep reading while its writes
         * to stdin would block. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c",
                                             "/usr/bin/head -c 300000 /dev/zero; exec /bin/cat"),
                                .stdin_data = data,
                                .stdin_size = LARGE_INPUT,
                                .output_max = 4 * LARGE_INPUT,
                                .timeout_ms = 20000 },
               &r);
        ck_assert(!r.timed_out);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_uint_eq(r.out_size, 300000 + LARGE_INPUT);
        ck_assert_mem_eq(r.out + 300000, data, LARGE_INPUT);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdin_truncated_output)
{
        _cleanup_free_ char *data = pattern_new(LARGE_INPUT);
        SpawnResult r;

        /* Output beyond the cap is drained and dropped, so cat keeps reading stdin to the end. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/cat"),
                                .stdin_data = data,
                                .stdin_size = LARGE_INPUT,
                                .output_max = 1000,
                                .timeout_ms = 20000 },
               &r);
        ck_assert(!r.timed_out);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_uint_eq(r.out_size, 1000);
        ck_assert(r.out_truncated);
        ck_assert_mem_eq(r.out, data, 1000);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_stdin_never_read_exits)
{
        _cleanup_free_ char *data = pattern_new(LARGE_INPUT);
        struct sigaction sa;
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/true"), .stdin_data = data, .stdin_size = LARGE_INPUT },
               &r);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert(!r.timed_out);
        spawn_result_done(&r);

        /* The caller's SIGPIPE disposition is back to the default. */
        ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
        ck_assert_ptr_eq(sa.sa_handler, SIG_DFL);
}
END_TEST

START_TEST(test_stdin_never_read_running)
{
        _cleanup_free_ char *data = pattern_new(LARGE_INPUT);
        uint64_t start = now_ms();
        SpawnResult r;

        /* The child runs 500 ms without reading: the full pipe must not block the parent. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "/bin/sleep 0.5; echo done"),
                                .stdin_data = data,
                                .stdin_size = LARGE_INPUT,
                                .timeout_ms = 10000 },
               &r);
        ck_assert(!r.timed_out);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_str_eq(r.out, "done\n");
        ck_assert_uint_lt(now_ms() - start, 5000);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_sigpipe_blocked_caller)
{
        _cleanup_free_ char *data = pattern_new(LARGE_INPUT);
        sigset_t pipe_set, pending;
        SpawnResult r;

        /* With SIGPIPE blocked, the kernel would keep a SIGPIPE pending, and unblocking it would kill this
         * process. */
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        ck_assert_int_eq(sigprocmask(SIG_BLOCK, &pipe_set, NULL), 0);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/true"), .stdin_data = data, .stdin_size = LARGE_INPUT },
               &r);
        ck_assert_int_eq(r.exit_status, 0);
        spawn_result_done(&r);

        ck_assert_int_eq(sigpending(&pending), 0);
        ck_assert_int_eq(sigismember(&pending, SIGPIPE), 0);
        ck_assert_int_eq(sigprocmask(SIG_UNBLOCK, &pipe_set, NULL), 0);
}
END_TEST

START_TEST(test_sigpipe_handler_kept)
{
        struct sigaction ignore = { .sa_handler = SIG_IGN }, sa;
        SpawnResult r;

        ck_assert_int_eq(sigaction(SIGPIPE, &ignore, NULL), 0);
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/true") }, &r);
        spawn_result_done(&r);
        ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
        ck_assert_ptr_eq(sa.sa_handler, SIG_IGN);
}
END_TEST

START_TEST(test_timeout_kills)
{
        uint64_t start = now_ms(), elapsed;
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sleep", "100"), .timeout_ms = 200 }, &r);
        elapsed = now_ms() - start;
        ck_assert(r.timed_out);
        ck_assert_int_eq(r.exit_status, -1);
        ck_assert_int_eq(r.term_signal, SIGKILL);
        ck_assert(!spawn_succeeded(&r));
        ck_assert_uint_ge(elapsed, 200);
        ck_assert_uint_lt(elapsed, 3000);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_timeout_kills_group)
{
        SpawnResult r;
        long grandchild;
        char *end;
        int status;

        /* Orphans are reparented to this process, so the grandchild's end can be observed with waitpid(). */
        ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "/bin/sleep 100 & echo $!; wait"),
                                .timeout_ms = 300 },
               &r);
        ck_assert(r.timed_out);
        ck_assert_int_eq(r.term_signal, SIGKILL);

        grandchild = strtol(r.out, &end, 10);
        ck_assert_int_gt(grandchild, 1);
        ck_assert_str_eq(end, "\n");

        status = wait_bounded((pid_t) grandchild);
        ck_assert_int_ne(status, -1);
        ck_assert(WIFSIGNALED(status));
        ck_assert_int_eq(WTERMSIG(status), SIGKILL);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_leftover_not_waited)
{
        uint64_t start = now_ms();
        SpawnResult r;
        long leftover;
        int status;

        ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

        /* The background sleep keeps stdout open; the run still ends when the shell exits. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "/bin/sleep 100 & echo $!"),
                                .timeout_ms = 20000 },
               &r);
        ck_assert(!r.timed_out);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_uint_lt(now_ms() - start, 5000);

        leftover = strtol(r.out, NULL, 10);
        ck_assert_int_gt(leftover, 1);
        ck_assert_int_eq(kill((pid_t) leftover, SIGKILL), 0);
        status = wait_bounded((pid_t) leftover);
        ck_assert_int_ne(status, -1);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_missing_program)
{
        SpawnResult r;

        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = ARGV("/nonexistent/program") }, &r), -ENOENT);
}
END_TEST

START_TEST(test_not_executable)
{
        char path[] = "/tmp/test-spawn.XXXXXX";
        _cleanup_close_ int fd = -1;
        SpawnResult r;

        fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = ARGV(path) }, &r), -EACCES);
        unlink(path);
}
END_TEST

START_TEST(test_error_leaves_result)
{
        SpawnResult r = { .exit_status = 42, .out = (char *) "untouched" };

        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = ARGV("/nonexistent/program") }, &r), -ENOENT);
        ck_assert_int_eq(r.exit_status, 42);
        ck_assert_str_eq(r.out, "untouched");
}
END_TEST

START_TEST(test_relative_argv0)
{
        static const char *const bad[] = { "true", "bin/true", "./true", "", "../bin/true" };
        const char *const none[] = { NULL };
        SpawnResult r;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const char *const argv[] = { bad[i], NULL };

                ck_assert_msg(spawn_run(&(SpawnOptions){ .argv = argv }, &r) == -EINVAL, "argv[0] \"%s\"",
                              bad[i]);
        }
        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = none }, &r), -EINVAL);
        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = NULL }, &r), -EINVAL);
}
END_TEST

START_TEST(test_bad_env)
{
        static const char *const bad[] = { "NOEQUALS", "=value", "PATH=/tmp", "LANG=C",
                                           "1A=x",     "A-B=x",  "A B=x",     "" };
        SpawnResult r;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const char *const env[] = { bad[i], NULL };

                ck_assert_msg(spawn_run(&(SpawnOptions){ .argv = ARGV("/bin/true"), .env = env }, &r) ==
                                      -EINVAL,
                              "env entry \"%s\"", bad[i]);
        }
        ck_assert_int_eq(
                spawn_run(&(SpawnOptions){ .argv = ARGV("/bin/true"), .env = ARGV("FOO=1", "FOO=2") }, &r),
                -EINVAL);
}
END_TEST

START_TEST(test_bad_stdin)
{
        SpawnResult r;

        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = ARGV("/bin/true"), .stdin_size = 5 }, &r),
                         -EINVAL);
}
END_TEST

START_TEST(test_cwd)
{
        SpawnResult r;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/pwd") }, &r);
        ck_assert_str_eq(r.out, "/\n");
        spawn_result_done(&r);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/pwd"), .cwd = "/tmp" }, &r);
        ck_assert_str_eq(r.out, "/tmp\n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_bad_cwd)
{
        SpawnResult r;

        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = ARGV("/bin/true"), .cwd = "tmp" }, &r), -EINVAL);
        ck_assert_int_eq(
                spawn_run(&(SpawnOptions){ .argv = ARGV("/bin/true"), .cwd = "/nonexistent/dir" }, &r),
                -ENOENT);
}
END_TEST

START_TEST(test_env_exact)
{
        SpawnResult r;

        ck_assert_int_eq(setenv("JABALI_TEST_INHERITED", "1", 1), 0);
        run_ok(&(SpawnOptions){ .argv = ARGV("/usr/bin/env"), .env = ARGV("FOO=bar baz", "EMPTY=") }, &r);
        ck_assert_str_eq(r.out, "PATH=" SPAWN_PATH "\nLANG=C.UTF-8\nFOO=bar baz\nEMPTY=\n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_no_inherited_fds)
{
        _cleanup_close_ int null_fd = -1;
        int p[2];
        SpawnResult r;

        /* Descriptors without O_CLOEXEC, the kind an exec would pass on. */
        null_fd = open("/dev/null", O_RDONLY);
        ck_assert_int_ge(null_fd, 0);
        ck_assert_int_eq(dup2(null_fd, 100), 100);
        ck_assert_int_eq(pipe(p), 0);

        /* ls opens the directory itself, on the lowest free descriptor: 3 when nothing else is open. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/ls", "/proc/self/fd") }, &r);
        ck_assert_str_eq(r.out, "0\n1\n2\n3\n");
        spawn_result_done(&r);

        close(100);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(test_caller_low_fds_closed)
{
        SpawnResult r;

        /* With 0-2 closed in the caller, the pipes get those numbers and must still be set up right. */
        close(STDIN_FILENO);
        close(STDOUT_FILENO);
        close(STDERR_FILENO);
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "/bin/cat; echo err >&2"),
                                .stdin_data = "abc",
                                .stdin_size = 3 },
               &r);
        ck_assert_str_eq(r.out, "abc");
        ck_assert_str_eq(r.err_tail, "err\n");
        spawn_result_done(&r);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/ls", "/proc/self/fd") }, &r);
        ck_assert_str_eq(r.out, "0\n1\n2\n3\n");
        spawn_result_done(&r);

        /* Here the write end of the stdout pipe is descriptor 2, and dup2() onto itself would keep its
         * O_CLOEXEC, so stderr would be closed at exec. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "echo a; echo b >&2"), .merge_stderr = true },
               &r);
        ck_assert_str_eq(r.out, "a\nb\n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_signals_reset)
{
        struct sigaction ignore = { .sa_handler = SIG_IGN };
        sigset_t block;
        SpawnResult r;

        sigemptyset(&block);
        sigaddset(&block, SIGUSR1);
        sigaddset(&block, SIGTERM);
        ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
        ck_assert_int_eq(sigaction(SIGHUP, &ignore, NULL), 0);
        ck_assert_int_eq(sigaction(SIGINT, &ignore, NULL), 0);
        ck_assert_int_eq(sigaction(SIGRTMIN + 1, &ignore, NULL), 0);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status") },
               &r);
        ck_assert_str_eq(r.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_own_session)
{
        SpawnResult r;
        long pid, pgrp, session;
        char *fields;

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/cat", "/proc/self/stat") }, &r);
        pid = strtol(r.out, NULL, 10);
        fields = strrchr(r.out, ')');
        ck_assert_ptr_nonnull(fields);
        /* After the command name: state, ppid, pgrp, session. */
        ck_assert_int_eq(sscanf(fields, ") %*c %*d %ld %ld", &pgrp, &session), 2);
        ck_assert_int_gt(pid, 1);
        ck_assert_int_ne(pid, getpid());
        ck_assert_int_eq(pgrp, pid);
        ck_assert_int_eq(session, pid);
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_drop_user)
{
        const gid_t extra[] = { 0, 4, 27 };
        SpawnResult r;

        /* The drop is tested for real, so these tests must run as root. */
        ck_assert_int_eq(geteuid(), 0);
        ck_assert_int_eq(setgroups(ELEMENTSOF(extra), extra), 0);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/grep", "-E", "^(Uid|Gid|Groups):", "/proc/self/status"),
                                .drop_to_user = true,
                                .uid = NOBODY_UID,
                                .gid = NOBODY_GID },
               &r);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_str_eq(r.out, "Uid:\t65534\t65534\t65534\t65534\n"
                                "Gid:\t65534\t65534\t65534\t65534\n"
                                "Groups:\t65534 \n");
        spawn_result_done(&r);
}
END_TEST

START_TEST(test_drop_user_cwd_denied)
{
        char dir[] = "/tmp/test-spawn.XXXXXX";
        SpawnResult r;

        ck_assert_int_eq(geteuid(), 0);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_int_eq(chmod(dir, 0700), 0);

        /* The directory is entered after the drop, so the user nobody cannot enter root's 0700 directory. */
        ck_assert_int_eq(spawn_run(&(SpawnOptions){ .argv = ARGV("/bin/pwd"),
                                                    .cwd = dir,
                                                    .drop_to_user = true,
                                                    .uid = NOBODY_UID,
                                                    .gid = NOBODY_GID },
                                   &r),
                         -EACCES);

        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/pwd"), .cwd = dir }, &r);
        ck_assert_int_eq(strncmp(r.out, dir, strlen(dir)), 0);
        spawn_result_done(&r);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* Returns true when needle occurs in the file, which is read whole (cmdline and environ are small). */
static bool file_contains(const char *path, const char *needle)
{
        char buf[64 * 1024];
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return false;
        n = read(fd, buf, sizeof(buf));
        return n > 0 && memmem(buf, (size_t) n, needle, strlen(needle));
}

/* Scans the argv and environment of every process for 3 s.  Exits 2 when the secret shows, 1 when the
 * marker never showed (the scan missed the child and proves nothing), 0 otherwise. */
_Noreturn static void scan_proc(const char *secret, const char *marker)
{
        bool seen_marker = false;
        uint64_t end = now_ms() + 3000;

        while (now_ms() < end) {
                DIR *d = opendir("/proc");
                struct dirent *de;

                if (!d)
                        _exit(3);
                while ((de = readdir(d))) {
                        char path[sizeof("/proc//environ") + sizeof(de->d_name)];

                        if (de->d_name[0] < '0' || de->d_name[0] > '9')
                                continue;
                        snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
                        if (file_contains(path, secret))
                                _exit(2);
                        if (file_contains(path, marker))
                                seen_marker = true;
                        snprintf(path, sizeof(path), "/proc/%s/environ", de->d_name);
                        if (file_contains(path, secret))
                                _exit(2);
                }
                closedir(d);
        }
        _exit(seen_marker ? 0 : 1);
}

START_TEST(test_secret_not_in_proc)
{
        char secret[64], marker[64];
        uint32_t rnd[2];
        pid_t scanner;
        int status;
        SpawnResult r;

        ck_assert_int_eq(getrandom(rnd, sizeof(rnd), 0), (ssize_t) sizeof(rnd));
        snprintf(secret, sizeof(secret), "CANARY-%08" PRIx32 "%08" PRIx32, rnd[0], rnd[1]);
        snprintf(marker, sizeof(marker), "spawn-probe-%08" PRIx32, rnd[0]);

        scanner = fork();
        ck_assert_int_ge(scanner, 0);
        if (scanner == 0)
                scan_proc(secret, marker);

        /* The marker is the shell's $0, so the scanner can tell that it saw the child's argv. */
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "read -r s; /bin/sleep 1; printf %s \"$s\"",
                                             marker),
                                .stdin_data = secret,
                                .stdin_size = strlen(secret) },
               &r);
        ck_assert_str_eq(r.out, secret);
        spawn_result_done(&r);

        ck_assert_int_eq(waitpid(scanner, &status, 0), scanner);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

static volatile sig_atomic_t alarm_count;

static void on_alarm(int sig)
{
        alarm_count++;
}

START_TEST(test_interrupted_by_signals)
{
        struct sigaction sa = { .sa_handler =
                                        on_alarm }; /* no SA_RESTART: interrupted calls fail with EINTR */
        struct itimerval every_ms = { .it_interval = { 0, 1000 }, .it_value = { 0, 1000 } };
        struct itimerval off = {};
        _cleanup_free_ char *data = pattern_new(LARGE_INPUT);
        SpawnResult r;

        ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
        ck_assert_int_eq(setitimer(ITIMER_REAL, &every_ms, NULL), 0);
        run_ok(&(SpawnOptions){ .argv = ARGV("/bin/sh", "-c", "/bin/sleep 0.3; exec /bin/cat"),
                                .stdin_data = data,
                                .stdin_size = LARGE_INPUT,
                                .output_max = 2 * LARGE_INPUT,
                                .timeout_ms = 20000 },
               &r);
        ck_assert_int_eq(setitimer(ITIMER_REAL, &off, NULL), 0);

        ck_assert_int_gt(alarm_count, 10);
        ck_assert(!r.timed_out);
        ck_assert_int_eq(r.exit_status, 0);
        ck_assert_uint_eq(r.out_size, LARGE_INPUT);
        ck_assert_mem_eq(r.out, data, LARGE_INPUT);
        spawn_result_done(&r);
}
END_TEST

static Suite *spawn_suite(void)
{
        Suite *s = suite_create("spawn");
        TCase *tc;

        tc = tcase_create("exit");
        tcase_add_test(tc, test_exit_zero);
        tcase_add_test(tc, test_exit_code);
        tcase_add_test(tc, test_killed_by_signal);
        suite_add_tcase(s, tc);

        tc = tcase_create("output");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_stdout_captured);
        tcase_add_test(tc, test_stdout_binary);
        tcase_add_test(tc, test_stdout_truncated);
        tcase_add_test(tc, test_stdout_at_max);
        tcase_add_test(tc, test_stdout_default_max);
        tcase_add_test(tc, test_stdout_written_before_exit);
        tcase_add_test(tc, test_stdout_drained_after_exit);
        tcase_add_test(tc, test_stderr_short);
        tcase_add_test(tc, test_stderr_tail_lines);
        tcase_add_test(tc, test_stderr_tail_one_write);
        tcase_add_test(tc, test_stderr_merged);
        suite_add_tcase(s, tc);

        tc = tcase_create("stdin");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_stdin_devnull);
        tcase_add_test(tc, test_stdin_small);
        tcase_add_test(tc, test_stdin_empty);
        tcase_add_test(tc, test_stdin_large);
        tcase_add_test(tc, test_stdin_after_output);
        tcase_add_test(tc, test_stdin_truncated_output);
        tcase_add_test(tc, test_stdin_never_read_exits);
        tcase_add_test(tc, test_stdin_never_read_running);
        tcase_add_test(tc, test_sigpipe_blocked_caller);
        tcase_add_test(tc, test_sigpipe_handler_kept);
        tcase_add_test(tc, test_interrupted_by_signals);
        suite_add_tcase(s, tc);

        tc = tcase_create("timeout");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_timeout_kills);
        tcase_add_test(tc, test_timeout_kills_group);
        tcase_add_test(tc, test_leftover_not_waited);
        suite_add_tcase(s, tc);

        tc = tcase_create("errors");
        tcase_add_test(tc, test_missing_program);
        tcase_add_test(tc, test_not_executable);
        tcase_add_test(tc, test_error_leaves_result);
        tcase_add_test(tc, test_relative_argv0);
        tcase_add_test(tc, test_bad_env);
        tcase_add_test(tc, test_bad_stdin);
        tcase_add_test(tc, test_bad_cwd);
        suite_add_tcase(s, tc);

        tc = tcase_create("isolation");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_cwd);
        tcase_add_test(tc, test_env_exact);
        tcase_add_test(tc, test_no_inherited_fds);
        tcase_add_test(tc, test_caller_low_fds_closed);
        tcase_add_test(tc, test_signals_reset);
        tcase_add_test(tc, test_own_session);
        tcase_add_test(tc, test_drop_user);
        tcase_add_test(tc, test_drop_user_cwd_denied);
        tcase_add_test(tc, test_secret_not_in_proc);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(spawn_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
