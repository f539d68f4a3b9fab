/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * File operations that cannot be redirected by symlinks planted in a tenant's tree.  Paths given to the
 * *_beneath functions are relative to a directory descriptor and are resolved with openat2() and
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, or, on kernels without openat2() (before
 * Linux 5.6), one component at a time with O_NOFOLLOW.  Either way a symlink anywhere on the way, the last
 * component included, is -ELOOP.  An absolute path or any ".." component is -EXDEV, even where ".." would
 * stay beneath the directory, and an empty path is -EINVAL.  "." components and repeated slashes are
 * allowed.  Every descriptor returned has O_CLOEXEC set.
 */

/* Opens path beneath dirfd.  flags are those of openat(), and a symlink as the last component is -ELOOP
 * even with O_PATH | O_NOFOLLOW.  Returns the descriptor or a negative errno. */
int safe_open_beneath(int dirfd, const char *path, int flags, mode_t mode);

/* Opens an absolute path from "/" one component at a time, each opened with O_NOFOLLOW, for roots such as
 * /home/alice.  A symlink component is -ELOOP.  A relative path, an empty, "." or ".." component or a
 * trailing slash is -EINVAL. */
int safe_open_path(const char *path, int flags, mode_t mode);

/* Creates every missing directory of path beneath dirfd with mode, owner uid and group gid, and returns a
 * read-only descriptor of the last one.  Owner and mode are set with fchown() and fchmod() on the opened
 * descriptor, so the mode is exact whatever the umask.  An existing directory is left as it is unless
 * fix_existing is true, in which case its owner and mode are set too.  A non-directory on the way is
 * -ENOTDIR and a symlink is -ELOOP.  uid or gid of (uid_t) -1 / (gid_t) -1 leaves that id as created. */
int safe_mkdir_beneath(int dirfd, const char *path, mode_t mode, uid_t uid, gid_t gid, bool fix_existing);

/* Writes data to name inside the directory dirfd atomically: a temporary file ".#name.XXXXXX" in the same
 * directory, fchown()/fchmod(), write, fsync(), renameat() over name, fsync() of the directory.  The
 * temporary file is removed on every failure before the rename.  name is one component (no '/', not "."
 * or "..", else -EINVAL).  A symlink or hard link at name is replaced, never written through.  uid or gid
 * of (uid_t) -1 / (gid_t) -1 keeps the writer's. */
int safe_write_atomic(int dirfd, const char *name, const void *data, size_t size, mode_t mode, uid_t uid,
                      gid_t gid);

/* Reads a whole regular file beneath dirfd of at most max bytes.  The file is opened with O_NONBLOCK and
 * checked with fstat() before any read, so a FIFO cannot block.  Returns -ENOENT when absent, -EFBIG when
 * larger than max, -EINVAL when not a regular file (directory, FIFO, socket, device).  *ret is
 * NUL-terminated, and ret_size may be NULL. */
int safe_read_beneath(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size);

/* The maximum depth safe_remove_tree_beneath() descends below path before it gives up with -ELOOP. */
#define SAFE_REMOVE_TREE_DEPTH_MAX 256U

/* Removes path beneath dirfd, recursively for a directory, never following a symlink (a symlink is
 * removed as a link).  A directory on another mount, path itself included, is -EXDEV.  -ENOENT when
 * absent.  Stops at the first error, leaving what was not removed yet. */
int safe_remove_tree_beneath(int dirfd, const char *path);

/* The largest file file_backup_take() saves, meant for configuration files. */
#define FILE_BACKUP_SIZE_MAX (16U * 1024U * 1024U)

/* A saved copy of a file, to restore the previous state byte for byte after a failed validation.
 * NOTE: extended attributes, ACLs and timestamps are not saved. */
typedef struct FileBackup {
        bool existed;
        char *data;
        size_t size;
        mode_t mode; /* permission bits only, setuid, setgid and sticky included */
        uid_t uid;
        gid_t gid;
} FileBackup;

/* Saves name (one component) inside dirfd.  An absent file is saved as existed = false.  A symlink is -ELOOP
 * and a non-regular file -EINVAL. */
int file_backup_take(int dirfd, const char *name, FileBackup *ret);

/* Puts the saved state back: rewrites the old bytes, mode and owner atomically, or removes the file when
 * it did not exist.  Restoring twice gives the same result. */
int file_backup_restore(int dirfd, const char *name, const FileBackup *b);

/* Frees the saved data.  Safe to call twice and on a zeroed FileBackup. */
void file_backup_done(FileBackup *b);
