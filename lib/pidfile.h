/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Pidfiles of services that run without systemd.  A pidfile may be stale, so the pid it contains can
 * belong to an unrelated process by now; pidfile_open_process() checks the process name and returns a
 * pidfd, so a signal sent through it cannot reach a process that took over the pid later.
 */

/* The largest pid Linux can hand out (PID_MAX_LIMIT on 64-bit kernels). */
#define PIDFILE_PID_MAX 4194304
/* The largest pidfile read, in bytes; a longer file is -EFBIG. */
#define PIDFILE_SIZE_MAX 32

/* Parses pidfile contents: decimal digits with no sign, space or leading zero, then at most one "\n".
 * The pid must be in 2..PIDFILE_PID_MAX, so pid 1 and process groups are never named.  Returns -EBADMSG
 * otherwise. */
int pidfile_parse(const char *data, size_t size, pid_t *ret_pid);

/* Reads and parses the pidfile at path without following a symlink in its last component.  Returns
 * -ENOENT when absent, -ELOOP for a symlink, -EINVAL for a non-regular file, -EPERM when the file is owned
 * by a user other than root or the caller, or is writable by group or others (then anyone could point the
 * agent at any process), -EFBIG when longer than PIDFILE_SIZE_MAX, and -EBADMSG for invalid contents. */
int pidfile_read(const char *path, pid_t *ret_pid);

/* Returns 1 when the process pid runs the program name: its comm (which the kernel truncates to 15 bytes)
 * or the last component of its /proc/PID/exe link equals name.  Returns 0 when neither does, -ESRCH when
 * the process does not exist. */
int process_runs_program(pid_t pid, const char *name);

/* Opens a pidfd on the process the pidfile at path names, after checking that it runs the program name
 * (empty or NULL: no check).  Returns the pidfile_read() errors, or -ESRCH when the process is gone or
 * runs another program. */
int pidfile_open_process(const char *path, const char *name, pid_t *ret_pid, int *ret_pidfd);
