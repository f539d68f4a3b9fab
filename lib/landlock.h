/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Filesystem write restriction with Landlock (Linux 5.13 and later), through the raw system calls.
 *
 * Only the access rights that change the filesystem are handled: writing and truncating files, and
 * creating, removing, renaming and linking directory entries.  Reading and executing stay as the other
 * layers allow.  Landlock does not control chmod(), chown(), utimes() or extended attributes, and it does
 * not apply to descriptors opened before the restriction.
 */

/* Returns the Landlock ABI version of the running kernel (1 or more), or -EOPNOTSUPP when the kernel
 * lacks Landlock or boots with it disabled. */
int landlock_abi_version(void);

/*
 * Restricts the calling thread, and every program it runs afterwards, to changing the filesystem only
 * beneath the directories in paths (a NULL-terminated list).  A path that is not a directory (a device
 * such as /dev/null, a log file) may only be written and truncated.  The restriction cannot be widened
 * later.  The caller must have set no_new_privs, and must be single-threaded, because other threads keep
 * their rights.
 *
 * Every path must exist: the caller leaves out optional paths that are missing.  Returns the ABI version
 * in force, or a negative errno with nothing restricted: -EOPNOTSUPP without Landlock, and the error of
 * opening a path with *ret_failed_path pointing at it.
 */
int landlock_restrict_writes(char *const *paths, const char **ret_failed_path);
