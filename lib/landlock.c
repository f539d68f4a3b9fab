/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include "macro.h"

/* ABI 3 (Linux 6.2); the headers of older kernels lack it. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define WRITE_RIGHTS_ABI1                                                                                   \
        (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |   \
         LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |         \
         LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |      \
         LANDLOCK_ACCESS_FS_MAKE_SYM)

#define READ_RIGHTS (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

/* The rights a rule on a file (not a directory) may carry. */
#define FILE_RIGHTS                                                                                         \
        (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_READ_FILE)

static int sys_landlock_create_ruleset(const struct landlock_ruleset_attr *attr, size_t size, uint32_t flags)
{
        return (int) syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

static int sys_landlock_add_rule(int ruleset_fd, enum landlock_rule_type type, const void *attr,
                                 uint32_t flags)
{
        return (int) syscall(SYS_landlock_add_rule, ruleset_fd, type, attr, flags);
}

static int sys_landlock_restrict_self(int ruleset_fd, uint32_t flags)
{
        return (int) syscall(SYS_landlock_restrict_self, ruleset_fd, flags);
}

int landlock_abi_version(void)
{
        int abi = sys_landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

        if (abi < 0)
                return errno == ENOSYS || errno == EOPNOTSUPP ? -EOPNOTSUPP : -errno;
        return abi;
}

/* The write rights an ABI version defines.  Renaming or linking into another directory (REFER, ABI 2) is
 * denied by every ruleset unless a rule grants it, so it is handled and granted with the others; under
 * ABI 1 such a rename always fails with EXDEV. */
static uint64_t write_rights(int abi)
{
        uint64_t rights = WRITE_RIGHTS_ABI1;

        if (abi >= 2)
                rights |= LANDLOCK_ACCESS_FS_REFER;
        if (abi >= 3)
                rights |= LANDLOCK_ACCESS_FS_TRUNCATE;
        return rights;
}

/* Adds a rule granting rights beneath path, or on path alone when it is not a directory. */
static int ruleset_allow_path(int ruleset_fd, const char *path, uint64_t rights)
{
        struct landlock_path_beneath_attr rule = {};
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* Symlinks are followed: the paths come from the agent's configuration, never from a tenant. */
        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;

        /* The kernel rejects directory rights on a rule for anything else. */
        rule.allowed_access = S_ISDIR(st.st_mode) ? rights : rights & FILE_RIGHTS;
        rule.parent_fd = fd;
        if (sys_landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
                return -errno;
        return 0;
}

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

static bool strv_contains(char *const *v, const char *s)
{
        for (char *const *p = v; p && *p; p++)
                if (streq(*p, s))
                        return true;
        return false;
}

/* Adds a read rule for every entry of top but the hidden ones.  A symlink such as /bin -> usr/bin gets
 * none: whatever it points to is beneath another entry of top, whose own rule decides, so a link to a
 * hidden directory leads nowhere. */
static int ruleset_allow_reads(int ruleset_fd, const char *top, char *const *hidden)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        d = opendir(top);
        if (!d)
                return -errno;

        while ((errno = 0, de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, "..") || strv_contains(hidden, de->d_name))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                continue;
                        return -errno;
                }
                if (S_ISLNK(st.st_mode))
                        continue;

                if (asprintf(&path, "%s%s%s", top, streq(top, "/") ? "" : "/", de->d_name) < 0)
                        return -ENOMEM;
                r = ruleset_allow_path(ruleset_fd, path, READ_RIGHTS);
                /* The entry may have gone since readdir(). */
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        return -errno;
}

int landlock_restrict(char *const *writable, const char *top, char *const *hidden,
                      const char **ret_failed_path)
{
        struct landlock_ruleset_attr attr = {};
        _cleanup_close_ int ruleset_fd = -1;
        int abi, r;

        assert(writable);

        abi = landlock_abi_version();
        if (abi < 0)
                return abi;

        attr.handled_access_fs = write_rights(abi) | (top ? READ_RIGHTS : 0);
        ruleset_fd = sys_landlock_create_ruleset(&attr, sizeof(attr), 0);
        if (ruleset_fd < 0)
                return -errno;

        /* A writable path may also be read, even when it is beneath a hidden entry. */
        for (char *const *p = writable; *p; p++) {
                r = ruleset_allow_path(ruleset_fd, *p, attr.handled_access_fs);
                if (r < 0) {
                        if (ret_failed_path)
                                *ret_failed_path = *p;
                        return r;
                }
        }

        if (top) {
                r = ruleset_allow_reads(ruleset_fd, top, hidden);
                if (r < 0)
                        return r;
        }

        if (sys_landlock_restrict_self(ruleset_fd, 0) < 0)
                return -errno;
        return abi;
}
