/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authkeys.h"
#include "macro.h"
#include "managed-block.h"
#include "safefile.h"

#define AUTHORIZED_KEYS "authorized_keys"

/* Reads the open file completely.  st_size is only a hint, because the account may write to the file
 * meanwhile. */
static int read_all(int fd, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;

        buf = malloc(AUTHORIZED_KEYS_SIZE_MAX + 1);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                ssize_t n = read(fd, buf + size, AUTHORIZED_KEYS_SIZE_MAX + 1 - size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size > AUTHORIZED_KEYS_SIZE_MAX)
                        return -EFBIG;
        }

        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int authorized_keys_update(int ssh_dir_fd, uid_t uid, gid_t gid, char *const *lines, size_t n,
                           bool *ret_changed, const char **ret_reason)
{
        _cleanup_free_ char *old = NULL, *new = NULL;
        _cleanup_close_ int fd = -1;
        size_t old_size = 0;
        struct stat st;
        int r;

        assert(ssh_dir_fd >= 0);
        assert(lines || n == 0);
        assert(ret_changed);
        assert(ret_reason);

        /* O_NONBLOCK: a FIFO planted in place of the file must not block the agent. */
        fd = openat(ssh_dir_fd, AUTHORIZED_KEYS, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 && errno == ELOOP) {
                *ret_reason = "is a symbolic link";
                return -ELOOP;
        }
        /* Opening a Unix socket fails with ENXIO, so it never reaches the type check below. */
        if (fd < 0 && errno == ENXIO) {
                *ret_reason = "is not a regular file";
                return -ELOOP;
        }
        if (fd < 0 && errno != ENOENT)
                return -errno;

        if (fd >= 0) {
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (!S_ISREG(st.st_mode)) {
                        *ret_reason = "is not a regular file";
                        return -ELOOP;
                }
                /* A hard link could make the agent read, and pass on to the account, a file of someone
                 * else. */
                if (st.st_nlink != 1) {
                        *ret_reason = "has more than one hard link";
                        return -ELOOP;
                }
                if (st.st_uid != uid && st.st_uid != 0) {
                        *ret_reason = "belongs to another user";
                        return -ELOOP;
                }

                r = read_all(fd, &old, &old_size);
                if (r == -EFBIG)
                        *ret_reason = "is larger than 1 MiB";
                if (r < 0)
                        return r;
                if (memchr(old, 0, old_size)) {
                        *ret_reason = "contains a NUL byte";
                        return -EBADMSG;
                }
        }

        r = managed_block_replace(old ?: "", AUTHORIZED_KEYS_BEGIN, AUTHORIZED_KEYS_END,
                                  (const char *const *) lines, n, &new);
        if (r == -EBADMSG)
                *ret_reason = "has a begin marker without an end marker, or the reverse";
        if (r < 0)
                return r;

        if (fd < 0 && n == 0) {
                *ret_changed = false;
                return 0;
        }

        if (fd >= 0 && streq(old, new)) {
                bool fixed = false;

                if (st.st_uid != uid || st.st_gid != gid) {
                        if (fchown(fd, uid, gid) < 0)
                                return -errno;
                        fixed = true;
                }
                if ((st.st_mode & 07777) != 0600) {
                        if (fchmod(fd, 0600) < 0)
                                return -errno;
                        fixed = true;
                }
                *ret_changed = fixed;
                return 0;
        }

        r = safe_write_atomic(ssh_dir_fd, AUTHORIZED_KEYS, new, strlen(new), 0600, uid, gid);
        if (r < 0)
                return r;

        *ret_changed = true;
        return 0;
}
