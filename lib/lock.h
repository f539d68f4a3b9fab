/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Advisory locks with a bounded wait: flock() on a file under the lock directory (default
 * /run/jabali-agent/locks), one file per lock name.  The lock ends when the descriptor is closed,
 * including when the process dies.  Lock files are never removed, so every process locking a name locks
 * the same file.
 */

/* Locks the file name inside lock_dir, waiting up to timeout_ms (0: one attempt).  name: [a-z0-9._-]{1,128}
 * and neither "." nor "..", e.g. "nginx" or "user.alice".  lock_dir is created with mode 0700 when missing,
 * and its parent must exist.  It must not be a symlink, must belong to the effective uid and must not be
 * writable by group or others (-EPERM).  Returns the locked descriptor (O_CLOEXEC), -EWOULDBLOCK when the
 * wait ran out, -EINVAL for a bad name, -ELOOP when the lock file or lock_dir is a symlink, or another
 * negative errno. */
int lock_acquire(const char *lock_dir, const char *name, unsigned timeout_ms);
