/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The subprocess runner.  Never a shell: argv[0] is an absolute path and is executed as is.  The child
 * gets a fixed PATH, LANG=C.UTF-8 and only the extra variables given, its own session and process group,
 * default signal dispositions and an empty signal mask, stdin from /dev/null or from the given bytes
 * through a pipe (the place for secrets), stdout and stderr on pipes, every other descriptor closed, and
 * "/" or the given directory as working directory.  It is killed with its whole process group at the
 * timeout.
 *
 * Requirements on the caller: one thread, and SIGCHLD not ignored (the kernel would reap the child before
 * its status is read).  While spawn_run() runs, SIGPIPE is ignored, so that a child that closes stdin early
 * yields EPIPE instead of killing the caller.  The previous disposition is restored before it returns.
 */

#define SPAWN_PATH               "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SPAWN_OUTPUT_MAX_DEFAULT (64u * 1024u)
#define SPAWN_STDERR_TAIL        2048u

typedef struct SpawnOptions {
        const char *const *argv; /* argv[0] absolute */
        const char *const *env;  /* extra "NAME=value" entries, NULL-terminated; never secrets; neither
                                  * PATH nor LANG, no name twice */
        const void *stdin_data;  /* written to a pipe on stdin, then closed; NULL: /dev/null */
        size_t stdin_size;
        unsigned timeout_ms; /* 0 means 30 s */
        size_t output_max;   /* stdout bytes kept, 0 means SPAWN_OUTPUT_MAX_DEFAULT; more is dropped */
        const char *cwd;     /* absolute; NULL: "/"; entered after the drop to uid */
        bool drop_to_user;   /* run as uid/gid with only gid as group; verified before exec */
        uid_t uid;
        gid_t gid;
        bool merge_stderr; /* stderr goes into the stdout capture too; err_tail stays empty */
} SpawnOptions;

typedef struct SpawnResult {
        int exit_status; /* exit code, or -1 when killed by a signal (including at the timeout) */
        int term_signal; /* the signal, or 0 */
        bool timed_out;  /* killed at the timeout */
        char *out;       /* captured stdout, NUL-terminated; raw bytes, may hold NULs and invalid UTF-8 */
        size_t out_size;
        bool out_truncated;
        char *err_tail; /* the last SPAWN_STDERR_TAIL bytes of stderr, NUL-terminated; raw bytes */
} SpawnResult;

/* Runs the program until it exits or the timeout kills it.  Returns 0 when it ran, whatever its exit
 * status, and fills ret.  Returns a negative errno, with ret untouched, when it could not be started:
 * -EINVAL for a relative argv[0] or cwd or a bad env entry (checked before forking), or the errno of the
 * failed step in the child (-ENOENT for a missing program, -EACCES, -EPERM for a failed drop to uid).
 * Output written after the child exited, by processes it left behind in its group, is not waited for and
 * those processes are not killed. */
int spawn_run(const SpawnOptions *opts, SpawnResult *ret);
/* Frees the buffers of a result filled by spawn_run(); safe to call twice. */
void spawn_result_done(SpawnResult *r);

/* True when the child exited with status 0. */
bool spawn_succeeded(const SpawnResult *r);
