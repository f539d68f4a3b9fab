/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The subprocess runner.  Never a shell: argv[0] is an absolute path and is executed as is.  The child
 * gets a fixed PATH, LANG=C.UTF-8 and only the extra variables given, its own process group, stdin from
 * /dev/null or from the given bytes through a pipe (the place for secrets), every other descriptor
 * closed, and is killed with its whole process group at the timeout.
 */

#define SPAWN_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SPAWN_OUTPUT_MAX_DEFAULT (64u * 1024u)
#define SPAWN_STDERR_TAIL 2048u

typedef struct SpawnOptions {
        const char *const *argv;      /* argv[0] absolute */
        const char *const *env;       /* extra "NAME=value" entries, NULL-terminated; never secrets */
        const void *stdin_data;       /* written to a pipe on stdin, then closed; NULL: /dev/null */
        size_t stdin_size;
        unsigned timeout_ms;          /* 0 means 30 s */
        size_t output_max;            /* stdout bytes kept, 0 means SPAWN_OUTPUT_MAX_DEFAULT; more is dropped */
        const char *cwd;              /* NULL: "/" */
        bool drop_to_user;            /* run as uid/gid with only gid as group */
        uid_t uid;
        gid_t gid;
        bool merge_stderr;            /* stderr goes into the stdout capture too */
} SpawnOptions;

typedef struct SpawnResult {
        int exit_status;   /* exit code, or -1 when killed by a signal */
        int term_signal;   /* the signal, or 0 */
        bool timed_out;    /* killed at the timeout */
        char *out;         /* captured stdout, NUL-terminated */
        size_t out_size;
        bool out_truncated;
        char *err_tail;    /* the last SPAWN_STDERR_TAIL bytes of stderr, NUL-terminated */
} SpawnResult;

/* Runs the program to completion.  Returns 0 when it ran (whatever its exit status; see ret), or a negative
 * errno when it could not be started.  ret is filled in either case only on 0. */
int spawn_run(const SpawnOptions *opts, SpawnResult *ret);
void spawn_result_done(SpawnResult *r);

/* True when the child exited with status 0. */
bool spawn_succeeded(const SpawnResult *r);
