/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <sys/quota.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "quota.h"

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif

static int quotactl_fd_call(int fd, unsigned cmd, uid_t id, struct dqblk *dq)
{
        /* QCMD() shifts the command into the sign bit of an int, which is undefined behaviour.  The kernel
         * reads the same bits as an unsigned int. */
        unsigned command = cmd << SUBCMDSHIFT | (USRQUOTA & SUBCMDMASK);

        if (syscall(SYS_quotactl_fd, fd, command, (unsigned) id, dq) >= 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;

        /* ENOSYS also comes from a filesystem without quota operations, such as procfs, overlayfs or a tmpfs
         * mounted without quota options.  A kernel that has the system call rejects a closed descriptor
         * with EBADF. */
        if (syscall(SYS_quotactl_fd, -1, command, (unsigned) id, dq) < 0 && errno == EBADF)
                return -EOPNOTSUPP;
        return -ENOSYS;
}

int quota_limits_from_request(int64_t block_soft_mb, int64_t block_hard_mb, int64_t inode_soft,
                              int64_t inode_hard, QuotaLimits *ret, const char **ret_param,
                              const char **ret_reason)
{
        assert(ret);
        assert(ret_param);
        assert(ret_reason);

        if (block_soft_mb < 0 || block_soft_mb > QUOTA_MB_MAX || block_hard_mb < 0 ||
            block_hard_mb > QUOTA_MB_MAX) {
                *ret_param = block_soft_mb < 0 || block_soft_mb > QUOTA_MB_MAX ? "block_soft_mb"
                                                                               : "block_hard_mb";
                *ret_reason = "block limits must be from 0 to 16777216 MiB";
                return -ERANGE;
        }
        if (inode_soft > QUOTA_INODES_MAX || inode_hard > QUOTA_INODES_MAX) {
                *ret_param = inode_soft > QUOTA_INODES_MAX ? "inode_soft" : "inode_hard";
                *ret_reason = "inode limits must be from 0 to 4294967295";
                return -ERANGE;
        }
        if (block_hard_mb != 0 && block_soft_mb > block_hard_mb) {
                *ret_param = "block_soft_mb";
                *ret_reason = "block_soft_mb is above block_hard_mb";
                return -EINVAL;
        }
        if (inode_hard > 0 && inode_soft > inode_hard) {
                *ret_param = "inode_soft";
                *ret_reason = "inode_soft is above inode_hard";
                return -EINVAL;
        }

        /* Both factors are bounded above, so the products fit in 64 bits. */
        *ret = (QuotaLimits){
                .block_soft_kib = (uint64_t) block_soft_mb * 1024,
                .block_hard_kib = (uint64_t) block_hard_mb * 1024,
                .inode_soft = inode_soft > 0 ? (uint64_t) inode_soft : 0,
                .inode_hard = inode_hard > 0 ? (uint64_t) inode_hard : 0,
        };
        return 0;
}

int quota_get(int fs_fd, uid_t uid, QuotaLimits *ret_limits, QuotaUsage *ret_usage)
{
        struct dqblk dq = {};
        int r;

        assert(fs_fd >= 0);

        r = quotactl_fd_call(fs_fd, Q_GETQUOTA, uid, &dq);
        if (r < 0)
                return r;

        if (ret_limits)
                *ret_limits = (QuotaLimits){
                        .block_soft_kib = dq.dqb_bsoftlimit,
                        .block_hard_kib = dq.dqb_bhardlimit,
                        .inode_soft = dq.dqb_isoftlimit,
                        .inode_hard = dq.dqb_ihardlimit,
                };
        if (ret_usage)
                *ret_usage = (QuotaUsage){ .bytes = dq.dqb_curspace, .inodes = dq.dqb_curinodes };
        return 0;
}

int quota_set(int fs_fd, uid_t uid, const QuotaLimits *l, bool set_inodes)
{
        struct dqblk dq = {
                .dqb_bsoftlimit = l->block_soft_kib,
                .dqb_bhardlimit = l->block_hard_kib,
                .dqb_isoftlimit = l->inode_soft,
                .dqb_ihardlimit = l->inode_hard,
                .dqb_valid = QIF_BLIMITS | (set_inodes ? QIF_ILIMITS : 0),
        };

        assert(fs_fd >= 0);
        assert(l);

        return quotactl_fd_call(fs_fd, Q_SETQUOTA, uid, &dq);
}

bool quota_error_is_unsupported(int err)
{
        switch (-err) {
        case ESRCH:  /* quotas are off on this filesystem */
        case ENOSYS: /* the kernel has no quotactl_fd() */
        case ENOTTY: /* the filesystem has no quota support */
        case EOPNOTSUPP:
        case ENOPKG: /* the quota format is not built into the kernel */
                return true;
        default:
                return false;
        }
}
