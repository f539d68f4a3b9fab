/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
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

/* The rights a rule on a file (not a directory) may carry. */
#define FILE_WRITE_RIGHTS (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)

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

static int ruleset_allow_path(int ruleset_fd, const char *path, uint64_t handled)
{
        struct landlock_path_beneath_attr rule = {};
        _cleanup_close_ int fd = -1;
        struct stat st;

        /* Symlinks are followed: the paths come from the agent's configuration, not from a tenant. */
        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;

        /* The kernel rejects directory rights on a rule for anything else. */
        rule.allowed_access = S_ISDIR(st.st_mode) ? handled : handled & FILE_WRITE_RIGHTS;
        rule.parent_fd = fd;
        if (sys_landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
                return -errno;
        return 0;
}

int landlock_restrict_writes(char *const *paths, const char **ret_failed_path)
{
        struct landlock_ruleset_attr attr = {};
        _cleanup_close_ int ruleset_fd = -1;
        int abi, r;

        assert(paths);

        abi = landlock_abi_version();
        if (abi < 0)
                return abi;

        attr.handled_access_fs = write_rights(abi);
        ruleset_fd = sys_landlock_create_ruleset(&attr, sizeof(attr), 0);
        if (ruleset_fd < 0)
                return -errno;

        for (char *const *p = paths; *p; p++) {
                r = ruleset_allow_path(ruleset_fd, *p, attr.handled_access_fs);
                if (r < 0) {
                        if (ret_failed_path)
                                *ret_failed_path = *p;
                        return r;
                }
        }

        if (sys_landlock_restrict_self(ruleset_fd, 0) < 0)
                return -errno;
        return abi;
}
