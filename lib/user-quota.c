/* SPDX-License-Identifier: GPL-2.0-or-later */
/* quota.set: Linux disk quotas of an account on the filesystem of the homes. */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "quota.h"
#include "safefile.h"
#include "user-family.h"

#define QUOTA_SET_TIMEOUT_MS 10000

typedef struct QuotaSetParams {
        char *user;
        ParamInt block_soft_mb;
        ParamInt block_hard_mb;
        ParamInt inode_soft;
        ParamInt inode_hard;
} QuotaSetParams;

static const ParamSpec quota_set_params[] = {
        USER_PARAM(QuotaSetParams, user),
        {
                .name = "block_soft_mb",
                .type = PARAM_INT,
                .flags = PARAM_REQUIRED,
                .offset = offsetof(QuotaSetParams, block_soft_mb),
                .min = 0,
                .max = QUOTA_MB_MAX,
                .description =
                        "Soft block limit in MiB; 0 means none.  Not above block_hard_mb unless that is 0.",
        },
        {
                .name = "block_hard_mb",
                .type = PARAM_INT,
                .flags = PARAM_REQUIRED,
                .offset = offsetof(QuotaSetParams, block_hard_mb),
                .min = 0,
                .max = QUOTA_MB_MAX,
                .description = "Hard block limit in MiB; 0 means none.",
        },
        {
                .name = "inode_soft",
                .type = PARAM_INT,
                .offset = offsetof(QuotaSetParams, inode_soft),
                .min = 0,
                .max = QUOTA_INODES_MAX,
                .description = "Soft limit on files and directories; 0 means none.  When neither inode "
                               "limit is given, the inode limits stay as they are.",
        },
        {
                .name = "inode_hard",
                .type = PARAM_INT,
                .offset = offsetof(QuotaSetParams, inode_hard),
                .min = 0,
                .max = QUOTA_INODES_MAX,
                .description = "Hard limit on files and directories; 0 means none.",
        },
        {},
};

static bool quota_disabled(ActionContext *ctx)
{
        return strempty(config_get(ctx->config, "quota", "path"));
}

/* Opens the configured directory of the quota filesystem.  ACTION_FAILED after failing ctx. */
static int open_quota_fs(ActionContext *ctx, const char **ret_path)
{
        const char *path = config_get(ctx->config, "quota", "path");
        int fd;

        if (quota_disabled(ctx))
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                   "disk quotas are turned off on this host (quota.path is empty)");

        fd = safe_open_path(path, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0)
                return action_fail_errno(ctx, fd, "failed to open the quota filesystem %s (quota.path)",
                                         path);

        *ret_path = path;
        return fd;
}

static int fail_quota(ActionContext *ctx, int r, const char *path, const char *user)
{
        json_t *details = json_pack("{s:s}", "filesystem", path);

        if (r == -ESRCH)
                return action_fail(
                        ctx, AGENT_FAILED_PRECONDITION, details,
                        "user quotas are off on the filesystem of %s; mount it with usrquota (or the "
                        "ext4 quota feature) and turn them on",
                        path);
        if (r == -ENOSYS)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, details,
                                   "the kernel has no quotactl_fd(); Linux 5.14 or later is needed");
        if (quota_error_is_unsupported(r))
                return action_fail(
                        ctx, AGENT_FAILED_PRECONDITION, details,
                        "the filesystem of %s has no user quota support (%s); quota.path must be on a "
                        "filesystem mounted with usrquota, such as ext4 or XFS",
                        path, strerror(-r));
        json_decref(details);
        return action_fail_errno(ctx, r, "failed to set the disk quota of %s on %s", user, path);
}

static int quota_set_action(ActionContext *ctx, void *params)
{
        QuotaSetParams *p = params;
        _cleanup_(account_done) Account a = {};
        _cleanup_free_ char *lock_name = NULL;
        _cleanup_close_ int lock_fd = -1, fs_fd = -1;
        QuotaLimits want, have;
        QuotaUsage usage;
        const char *path = NULL, *param = NULL, *reason = NULL;
        bool set_inodes = p->inode_soft.set || p->inode_hard.set;
        bool changed;
        int r;

        r = user_lookup(ctx, p->user, &a);
        if (r < 0)
                return r;

        r = quota_limits_from_request(p->block_soft_mb.v, p->block_hard_mb.v,
                                      p->inode_soft.set ? p->inode_soft.v : 0,
                                      p->inode_hard.set ? p->inode_hard.v : 0, &want, &param, &reason);
        if (r < 0)
                return action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", param),
                                   "invalid quota: %s", reason);

        if (asprintf(&lock_name, "user.%s", a.name) < 0)
                return action_fail_errno(ctx, -ENOMEM, "failed to name the lock");
        lock_fd = user_lock(ctx, lock_name);
        if (lock_fd < 0)
                return lock_fd;

        fs_fd = open_quota_fs(ctx, &path);
        if (fs_fd < 0)
                return fs_fd;

        r = quota_get(fs_fd, a.uid, &have, &usage);
        if (r < 0)
                return fail_quota(ctx, r, path, a.name);

        changed = have.block_soft_kib != want.block_soft_kib || have.block_hard_kib != want.block_hard_kib ||
                  (set_inodes && (have.inode_soft != want.inode_soft || have.inode_hard != want.inode_hard));
        if (changed) {
                r = quota_set(fs_fd, a.uid, &want, set_inodes);
                if (r < 0)
                        return fail_quota(ctx, r, path, a.name);
        }
        if (!set_inodes) {
                want.inode_soft = have.inode_soft;
                want.inode_hard = have.inode_hard;
        }

        ctx->result = json_pack(
                "{s:b, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "changed", changed, "user", a.name,
                "filesystem", path, "block_soft_mb", (json_int_t) (want.block_soft_kib / 1024),
                "block_hard_mb", (json_int_t) (want.block_hard_kib / 1024), "inode_soft",
                (json_int_t) want.inode_soft, "inode_hard", (json_int_t) want.inode_hard, "used_bytes",
                (json_int_t) usage.bytes, "used_inodes", (json_int_t) usage.inodes);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

int user_quota_remove(ActionContext *ctx, const Account *a, bool *ret_changed)
{
        _cleanup_close_ int fs_fd = -1;
        QuotaLimits none = {}, have;
        const char *path = NULL;
        int r;

        if (quota_disabled(ctx)) {
                *ret_changed = false;
                return 0;
        }

        fs_fd = open_quota_fs(ctx, &path);
        if (fs_fd < 0)
                return fs_fd;

        r = quota_get(fs_fd, a->uid, &have, NULL);
        /* Without quotas on the filesystem there is nothing to remove. */
        if (r < 0 && quota_error_is_unsupported(r)) {
                *ret_changed = false;
                return 0;
        }
        if (r < 0)
                return fail_quota(ctx, r, path, a->name);

        if (have.block_soft_kib == 0 && have.block_hard_kib == 0 && have.inode_soft == 0 &&
            have.inode_hard == 0) {
                *ret_changed = false;
                return 0;
        }

        r = quota_set(fs_fd, a->uid, &none, true);
        if (r < 0)
                return fail_quota(ctx, r, path, a->name);

        *ret_changed = true;
        return 0;
}

static const int quota_set_capabilities[] = { CAP_SYS_ADMIN, -1 };

const Action action_quota_set = {
        .name = "quota.set",
        .family = FAMILY_USER,
        .description = "Sets the account's user quota on the filesystem of quota.path with quotactl_fd(2).  "
                       "FAILED_PRECONDITION when user quotas are not enabled there.",
        .params = quota_set_params,
        .params_size = sizeof(QuotaSetParams),
        .handler = quota_set_action,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = QUOTA_SET_TIMEOUT_MS,
        .capabilities = quota_set_capabilities,
        .result_doc = "{changed, user, filesystem, block_soft_mb, block_hard_mb, inode_soft, inode_hard, "
                      "used_bytes, "
                      "used_inodes}",
};
