/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Linux disk quotas of one user on one filesystem, through quotactl_fd(2) (Linux 5.14 and later) on a
 * descriptor of a directory on that filesystem, so no device path has to be looked up.  The filesystem
 * must be mounted with user quotas on (for ext4: the quota feature, or usrquota/usrjquota and quotaon).
 */

/* Largest block limit accepted, in MiB (16 TiB), and largest inode limit (ext4 cannot have more). */
#define QUOTA_MB_MAX     (16ll * 1024 * 1024)
#define QUOTA_INODES_MAX 4294967295ll

typedef struct QuotaLimits {
        uint64_t block_soft_kib; /* in 1 KiB quota blocks, 0 for no limit */
        uint64_t block_hard_kib;
        uint64_t inode_soft;
        uint64_t inode_hard;
} QuotaLimits;

typedef struct QuotaUsage {
        uint64_t bytes;
        uint64_t inodes;
} QuotaUsage;

/* Converts request values in MiB into limits: each 0 to QUOTA_MB_MAX, soft not above hard unless hard is 0
 * (no hard limit).  Inodes likewise with QUOTA_INODES_MAX; negative inode values mean "not given" and
 * leave those fields 0.  -EINVAL with a static reason and the request field it concerns, and -ERANGE for a
 * value outside its bounds. */
int quota_limits_from_request(int64_t block_soft_mb, int64_t block_hard_mb, int64_t inode_soft,
                              int64_t inode_hard, QuotaLimits *ret, const char **ret_param,
                              const char **ret_reason);

/* Reads the user's limits and usage on the filesystem of fs_fd.  -ESRCH when user quotas are off there,
 * -ENOSYS when the kernel has no quotactl_fd(), -EOPNOTSUPP when the filesystem has no quota operations. */
int quota_get(int fs_fd, uid_t uid, QuotaLimits *ret_limits, QuotaUsage *ret_usage);

/* Sets the block limits, and the inode limits too when set_inodes is true.  Limits not set keep their
 * values. */
int quota_set(int fs_fd, uid_t uid, const QuotaLimits *l, bool set_inodes);

/* True when err is an error quota_get() or quota_set() returns for a filesystem without user quotas. */
bool quota_error_is_unsupported(int err);
