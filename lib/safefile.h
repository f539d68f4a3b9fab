/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * File operations that cannot be redirected by symlinks planted in a tenant's tree.  Paths given to the
 * *_beneath functions are relative to a directory descriptor and are resolved with openat2() and
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, so a symlink anywhere on the way is -ELOOP
 * and ".." or an absolute path leaving the root is -EXDEV.
 */

/* Opens path beneath dirfd. flags as for openat(); O_NOFOLLOW and O_CLOEXEC are always added. */
int safe_open_beneath(int dirfd, const char *path, int flags, mode_t mode);

/* Opens an absolute path with every component opened by O_NOFOLLOW (for roots such as /home/alice that are
 * reached from "/").  Symlink components give -ELOOP. */
int safe_open_path(const char *path, int flags, mode_t mode);

/* Creates every missing directory of path beneath dirfd with mode, owner uid and group gid (fchown and
 * fchmod on the opened descriptor, so the mode is exact whatever the umask), and returns a descriptor of
 * the last one.  Existing directories are not changed unless fix_existing is true, in which case owner and
 * mode are set on them as well.  A non-directory on the way is -ENOTDIR; a symlink -ELOOP. */
int safe_mkdir_beneath(int dirfd, const char *path, mode_t mode, uid_t uid, gid_t gid, bool fix_existing);

/* Writes data to name inside the directory dirfd atomically: a temporary file in the same directory,
 * fchown/fchmod, write, fsync, renameat over name, fsync of the directory.  name is one component.  uid or
 * gid of (uid_t)-1 / (gid_t)-1 keeps the writer's. */
int safe_write_atomic(int dirfd, const char *name, const void *data, size_t size, mode_t mode, uid_t uid,
                      gid_t gid);

/* Reads a whole regular file (opened with O_NOFOLLOW beneath dirfd) of at most max bytes.  Returns -ENOENT
 * when absent, -EFBIG when larger, -EBADF... on a non-regular file -EINVAL.  *ret is NUL-terminated. */
int safe_read_beneath(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size);

/* Removes path beneath dirfd, recursively for a directory, never following a symlink (a symlink is
 * removed as a link).  Crosses no mount point (-EXDEV).  -ENOENT when absent. */
int safe_remove_tree_beneath(int dirfd, const char *path);

/* A saved copy of a file, to restore the previous state byte for byte after a failed validation. */
typedef struct FileBackup {
        bool existed;
        char *data;
        size_t size;
        mode_t mode;
        uid_t uid;
        gid_t gid;
} FileBackup;

int file_backup_take(int dirfd, const char *name, FileBackup *ret);
/* Puts the saved state back: rewrites the old bytes, mode and owner atomically, or removes the file when
 * it did not exist. */
int file_backup_restore(int dirfd, const char *name, const FileBackup *b);
void file_backup_done(FileBackup *b);
