/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Filesystem restriction with Landlock (Linux 5.13 and later), through the raw system calls.
 *
 * The access rights that change the filesystem are handled: writing and truncating files, and creating,
 * removing, renaming and linking directory entries.  Reading files and listing directories are handled
 * only when some top-level directories are to be hidden.  Executing stays as the other layers allow.
 * Landlock does not control stat(), chmod(), chown(), utimes() or extended attributes, and it does not
 * apply to descriptors opened before the restriction.
 */

/* Returns the Landlock ABI version of the running kernel (1 or more), or -EOPNOTSUPP when the kernel
 * lacks Landlock or boots with it disabled. */
int landlock_abi_version(void);

/*
 * Restricts the calling thread, and every program it runs afterwards, to changing the filesystem only
 * beneath the directories in writable (a NULL-terminated list).  A path that is not a directory (a
 * device such as /dev/null, a log file) may only be written and truncated.
 *
 * When top is not NULL, reading files and listing directories is allowed only beneath the entries of the
 * directory top, except those whose names are in hidden (NULL-terminated).  With top "/" and hidden
 * {"root"}, everything but /root stays readable, though "/" itself can no longer be listed.
 *
 * The restriction cannot be widened later.  The caller must have set no_new_privs, and must be
 * single-threaded, because other threads keep their rights.  Every writable path must exist: the caller
 * leaves out optional paths that are missing.  Returns the ABI version in force, or a negative errno with
 * nothing restricted: -EOPNOTSUPP without Landlock, and the error of opening a path with
 * *ret_failed_path pointing at it (only for a writable path).
 */
int landlock_restrict(char *const *writable, const char *top, char *const *hidden,
                      const char **ret_failed_path);
