/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.limits.apply and user.limits.clear: the drop-in of the account's systemd slice. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "safefile.h"
#include "service.h"
#include "slice.h"
#include "user-family.h"

#define USER_LIMITS_TIMEOUT_MS 30000
#define SLICE_DROPIN_READ_MAX  (64u * 1024u)

typedef struct UserLimitsParams {
        char *user;
        ParamInt cpu_percent;
        ParamInt memory_mb;
        ParamInt tasks;
        ParamInt io_read_mbps;
        ParamInt io_write_mbps;
} UserLimitsParams;

static const ParamSpec user_limits_apply_params[] = {
        USER_PARAM(UserLimitsParams, user),
        {
                .name = "cpu_percent",
                .type = PARAM_INT,
                .offset = offsetof(UserLimitsParams, cpu_percent),
                .min = 1,
                .max = SLICE_CPU_PERCENT_MAX,
                .description = "CPUQuota= in percent of one CPU (200 is two CPUs).",
        },
        {
                .name = "memory_mb",
                .type = PARAM_INT,
                .offset = offsetof(UserLimitsParams, memory_mb),
                .min = SLICE_MEMORY_MB_MIN,
                .max = SLICE_MEMORY_MB_MAX,
                .description = "MemoryMax= in MiB; MemoryHigh= is set to limits.memory_high_percent of it.",
        },
        {
                .name = "tasks",
                .type = PARAM_INT,
                .offset = offsetof(UserLimitsParams, tasks),
                .min = 1,
                .max = SLICE_TASKS_MAX,
                .description = "TasksMax=: processes and threads.",
        },
        {
                .name = "io_read_mbps",
                .type = PARAM_INT,
                .offset = offsetof(UserLimitsParams, io_read_mbps),
                .min = 1,
                .max = SLICE_IO_MBPS_MAX,
                .description = "IOReadBandwidthMax= on the device of limits.io_path, in MB/s (10^6 bytes).",
        },
        {
                .name = "io_write_mbps",
                .type = PARAM_INT,
                .offset = offsetof(UserLimitsParams, io_write_mbps),
                .min = 1,
                .max = SLICE_IO_MBPS_MAX,
                .description = "IOWriteBandwidthMax= on the device of limits.io_path, in MB/s (10^6 bytes).",
        },
        {},
};

typedef struct UserLimitsClearParams {
        char *user;
} UserLimitsClearParams;

static const ParamSpec user_limits_clear_params[] = {
        USER_PARAM(UserLimitsClearParams, user),
        {},
};

/* Reads the current drop-in, for restoring it when systemd fails to reload.  *ret is NULL when absent. */
static int dropin_read(const char *unit_dir, const char *user, char **ret)
{
        _cleanup_free_ char *unit = NULL, *path = NULL;
        _cleanup_close_ int dir_fd = -1;
        size_t size;
        int r;

        r = slice_unit_name(user, &unit);
        if (r < 0)
                return r;
        if (asprintf(&path, "%s.d/" SLICE_DROPIN_NAME, unit) < 0)
                return -ENOMEM;

        dir_fd = safe_open_path(unit_dir, O_RDONLY | O_DIRECTORY, 0);
        if (dir_fd < 0)
                return dir_fd;

        r = safe_read_beneath(dir_fd, path, SLICE_DROPIN_READ_MAX, ret, &size);
        if (r == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        return r < 0 ? r : 0;
}

/* Writes content (NULL removes the drop-in) and makes systemd reload its units when it runs.  On a failed
 * reload the previous drop-in is put back, so the same request can be retried. */
static int dropin_update_and_reload(ActionContext *ctx, const char *user, const char *content,
                                    bool *ret_changed, bool *ret_reloaded)
{
        const char *unit_dir = config_get(ctx->config, "limits", "unit_dir");
        _cleanup_free_ char *previous = NULL, *reload_error = NULL;
        bool changed = false, restored = false;
        int r;

        r = dropin_read(unit_dir, user, &previous);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to read the slice drop-in of %s under %s", user,
                                         unit_dir);

        r = slice_dropin_update(unit_dir, user, content, &changed);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to write the slice drop-in of %s under %s", user,
                                         unit_dir);

        *ret_changed = changed;
        *ret_reloaded = false;
        if (!changed)
                return 0;

        r = service_daemon_reload(action_remaining_ms(ctx), &reload_error);
        if (r == -EHOSTDOWN)
                return 0; /* systemd is not running, and reads the drop-in when it starts */
        if (r < 0) {
                restored = slice_dropin_update(unit_dir, user, previous, &changed) >= 0;
                return action_fail(ctx, AGENT_UNAVAILABLE, json_pack("{s:b}", "restored", restored),
                                   "%s; the previous slice drop-in of %s was %s",
                                   reload_error ?: "systemd failed to reload", user,
                                   restored ? "restored" : "not restored");
        }

        *ret_reloaded = true;
        return 0;
}

static int user_limits_apply(ActionContext *ctx, void *params)
{
        UserLimitsParams *p = params;
        _cleanup_(account_done) Account a = {};
        _cleanup_free_ char *content = NULL, *unit = NULL, *lock_name = NULL;
        _cleanup_close_ int lock_fd = -1;
        SliceLimits l = {
                .cpu_percent = p->cpu_percent.set ? (uint64_t) p->cpu_percent.v : 0,
                .memory_mb = p->memory_mb.set ? (uint64_t) p->memory_mb.v : 0,
                .tasks = p->tasks.set ? (uint64_t) p->tasks.v : 0,
                .io_read_mbps = p->io_read_mbps.set ? (uint64_t) p->io_read_mbps.v : 0,
                .io_write_mbps = p->io_write_mbps.set ? (uint64_t) p->io_write_mbps.v : 0,
        };
        uint64_t percent = config_get_uint(ctx->config, "limits", "memory_high_percent");
        bool changed = false, reloaded = false;
        int r;

        r = user_lookup(ctx, p->user, &a);
        if (r < 0)
                return r;

        if (percent < 50 || percent > 99)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                   "limits.memory_high_percent must be from 50 to 99");

        /* No limit given means no drop-in at all. */
        if (!slice_limits_empty(&l)) {
                r = slice_render_dropin(&l, (unsigned) percent, config_get(ctx->config, "limits", "io_path"),
                                        &content);
                if (r == -EINVAL)
                        return action_fail(
                                ctx, AGENT_FAILED_PRECONDITION, NULL,
                                "limits.io_path must be an absolute path of letters, digits and /._-");
                if (r < 0)
                        return action_fail_errno(ctx, r, "failed to render the slice drop-in of %s", a.name);
        }

        r = slice_unit_name(a.name, &unit);
        if (r < 0 || asprintf(&lock_name, "user.%s", a.name) < 0)
                return action_fail_errno(ctx, r < 0 ? r : -ENOMEM, "failed to name the slice of %s", a.name);

        lock_fd = user_lock(ctx, lock_name);
        if (lock_fd < 0)
                return lock_fd;

        r = dropin_update_and_reload(ctx, a.name, content, &changed, &reloaded);
        if (r < 0)
                return r;

        ctx->result = json_pack("{s:b, s:s, s:s, s:b}", "changed", changed, "user", a.name, "unit", unit,
                                "reloaded", reloaded);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

int user_limits_remove(ActionContext *ctx, const char *name, bool *ret_changed)
{
        bool reloaded;

        return dropin_update_and_reload(ctx, name, NULL, ret_changed, &reloaded);
}

static int user_limits_clear(ActionContext *ctx, void *params)
{
        UserLimitsClearParams *p = params;
        _cleanup_(account_done) Account a = {};
        _cleanup_free_ char *unit = NULL, *lock_name = NULL;
        _cleanup_close_ int lock_fd = -1;
        bool exists, changed = false, reloaded = false;
        int r;

        r = user_lookup_or_missing(ctx, p->user, &a, &exists);
        if (r < 0)
                return r;

        r = slice_unit_name(p->user, &unit);
        if (r < 0 || asprintf(&lock_name, "user.%s", p->user) < 0)
                return action_fail_errno(ctx, r < 0 ? r : -ENOMEM, "failed to name the slice of %s",
                                         p->user);

        lock_fd = user_lock(ctx, lock_name);
        if (lock_fd < 0)
                return lock_fd;

        r = dropin_update_and_reload(ctx, p->user, NULL, &changed, &reloaded);
        if (r < 0)
                return r;

        ctx->result = json_pack("{s:b, s:s, s:s, s:b}", "changed", changed, "user", p->user, "unit", unit,
                                "reloaded", reloaded);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

const Action action_user_limits_apply = {
        .name = "user.limits.apply",
        .family = FAMILY_USER,
        .description =
                "Writes the drop-in of jabali-user-<user>.slice with exactly the given limits (CPUQuota, "
                "MemoryMax with MemoryHigh below it, TasksMax, IO bandwidth) and reloads systemd when it "
                "runs.  No limit given removes the drop-in.",
        .params = user_limits_apply_params,
        .params_size = sizeof(UserLimitsParams),
        .handler = user_limits_apply,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = USER_LIMITS_TIMEOUT_MS,
        .result_doc = "{changed, user, unit, reloaded: systemd reloaded its units}",
};

const Action action_user_limits_clear = {
        .name = "user.limits.clear",
        .family = FAMILY_USER,
        .description =
                "Removes the drop-in of jabali-user-<user>.slice and reloads systemd when it runs; also for "
                "an account that no longer exists.",
        .params = user_limits_clear_params,
        .params_size = sizeof(UserLimitsClearParams),
        .handler = user_limits_clear,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = USER_LIMITS_TIMEOUT_MS,
        .result_doc = "{changed, user, unit, reloaded}",
};
