/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Advisory locks with a bounded wait: flock() on a file under the lock directory (default
 * /run/jabali-agent/locks), one file per lock name.  The lock ends when the descriptor is closed,
 * including when the process dies.
 */

/* name: [a-z0-9._-]{1,128}, e.g. "nginx" or "user.alice".  Waits up to timeout_ms.  Returns the locked
 * descriptor, -EWOULDBLOCK when the wait ran out, or another negative errno. */
int lock_acquire(const char *lock_dir, const char *name, unsigned timeout_ms);
