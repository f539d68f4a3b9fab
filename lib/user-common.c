/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "authkeys.h"
#include "home.h"
#include "lock.h"
#include "macro.h"
#include "sshkey.h"
#include "user-family.h"

static int fail_lookup(ActionContext *ctx, const char *name, int r)
{
        const AgentConfig *c = ctx->config;

        switch (r) {
        case -EINVAL:
                return action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", "user"),
                                   "account name is invalid");
        case -EPERM:
                if (account_name_reserved(c, name))
                        return action_fail(ctx, AGENT_PERMISSION_DENIED, json_pack("{s:s}", "param", "user"),
                                           "account name %s is reserved for the system", name);
                return action_fail(
                        ctx, AGENT_PERMISSION_DENIED, json_pack("{s:s}", "param", "user"),
                        "account %s is not managed by the agent: it is outside group %s, has a uid "
                        "below %" PRIu64 " or a home other than %s/%s",
                        name, config_get(c, "accounts", "managed_group"),
                        config_get_uint(c, "accounts", "min_uid"), config_get(c, "accounts", "home_root"),
                        name);
        case -ENOENT:
                return action_fail(ctx, AGENT_NOT_FOUND, json_pack("{s:s}", "param", "user"),
                                   "account %s does not exist", name);
        default:
                return action_fail_errno(ctx, r, "failed to look up account %s", name);
        }
}

int user_lookup(ActionContext *ctx, const char *name, Account *ret)
{
        int r;

        assert(ctx);
        assert(name);
        assert(ret);

        r = action_set_target_user(ctx, name);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to record the target account");

        r = account_lookup_managed(ctx->config, name, ret);
        if (r < 0)
                return fail_lookup(ctx, name, r);
        return 0;
}

int user_lookup_or_missing(ActionContext *ctx, const char *name, Account *ret, bool *ret_exists)
{
        int r;

        assert(ctx);
        assert(name);
        assert(ret);
        assert(ret_exists);

        r = action_set_target_user(ctx, name);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to record the target account");

        r = account_lookup_managed(ctx->config, name, ret);
        if (r == -ENOENT) {
                *ret = (Account){ .uid = (uid_t) -1, .gid = (gid_t) -1 };
                *ret_exists = false;
                return 0;
        }
        if (r < 0)
                return fail_lookup(ctx, name, r);

        *ret_exists = true;
        return 0;
}

int user_lock(ActionContext *ctx, const char *name)
{
        const AgentConfig *c = ctx->config;
        uint64_t timeout_ms = config_get_uint(c, "agent", "lock_timeout_ms");
        int fd;

        if (timeout_ms > action_remaining_ms(ctx))
                timeout_ms = action_remaining_ms(ctx);

        fd = lock_acquire(config_get(c, "agent", "lock_dir"), name, (unsigned) timeout_ms);
        if (fd == -EWOULDBLOCK)
                return action_fail(ctx, AGENT_BUSY, json_pack("{s:s}", "lock", name),
                                   "another request holds the lock %s; retry later", name);
        if (fd < 0)
                return action_fail_errno(ctx, fd, "failed to take the lock %s", name);
        return fd;
}

/* Returns a copy of a program's output that is printable ASCII, for a JSON string in details. */
static char *printable_copy(const char *s)
{
        char *copy = strdup(s ?: "");

        for (char *p = copy; p && *p; p++)
                if ((*p < 0x20 && *p != '\n') || (unsigned char) *p >= 0x7f)
                        *p = '?';
        return copy;
}

int user_fail_command(ActionContext *ctx, const char *program, const SpawnResult *res, const char *fmt, ...)
{
        _cleanup_free_ char *what = NULL, *err = NULL;
        json_t *details;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&what, fmt, ap) < 0)
                what = NULL;
        va_end(ap);

        err = printable_copy(res->err_tail);
        details = json_pack("{s:s, s:i, s:i, s:b, s:s}", "program", program, "exit_status", res->exit_status,
                            "signal", res->term_signal, "timed_out", res->timed_out, "stderr", err ?: "");

        if (res->timed_out)
                return action_fail(ctx, AGENT_TIMEOUT, details, "%s: %s timed out", what ?: "failed",
                                   program);
        if (res->term_signal)
                return action_fail(ctx, AGENT_COMMAND_FAILED, details, "%s: %s was killed by signal %d",
                                   what ?: "failed", program, res->term_signal);
        return action_fail(ctx, AGENT_COMMAND_FAILED, details, "%s: %s exited with status %d",
                           what ?: "failed", program, res->exit_status);
}

static bool key_type_allowed(char **allowed, SshKeyType type)
{
        const char *name = ssh_key_type_to_string(type);

        for (char **t = allowed; t && *t; t++)
                if (streq(*t, name))
                        return true;
        return false;
}

int user_keys_parse(ActionContext *ctx, const char *param, const ParamStrv *keys, char ***ret_lines)
{
        const AgentConfig *c = ctx->config;
        _cleanup_strv_free_ char **allowed = config_get_list(c, "ssh", "key_types");
        _cleanup_strv_free_ char **lines = NULL;
        SshKey *parsed = NULL;
        uint64_t min_bits = config_get_uint(c, "ssh", "rsa_min_bits");
        size_t n = keys ? keys->n : 0;
        int r = 0;

        assert(ret_lines);

        lines = calloc(n + 1, sizeof(char *));
        parsed = calloc(n ? n : 1, sizeof(SshKey));
        if (!lines || !parsed) {
                free(parsed);
                return action_fail_errno(ctx, -ENOMEM, "failed to parse %s", param);
        }

        for (size_t i = 0; i < n && r >= 0; i++) {
                _cleanup_free_ char *item = NULL;
                const char *reason = NULL;

                if (asprintf(&item, "%s[%zu]", param, i) < 0) {
                        r = action_fail_errno(ctx, -ENOMEM, "failed to parse %s", param);
                        break;
                }

                r = ssh_key_parse(keys->v[i], min_bits > UINT32_MAX ? UINT32_MAX : (unsigned) min_bits,
                                  &parsed[i], &reason);
                if (r == -ENOMEM) {
                        r = action_fail_errno(ctx, r, "failed to parse %s", item);
                        break;
                }
                if (r < 0) {
                        r = action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", item),
                                        "parameter '%s' is invalid: %s", item, reason);
                        break;
                }

                if (!key_type_allowed(allowed, parsed[i].type)) {
                        r = action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", item),
                                        "parameter '%s' is invalid: key type %s is not allowed on this host "
                                        "(ssh.key_types)",
                                        item, ssh_key_type_to_string(parsed[i].type));
                        break;
                }

                for (size_t k = 0; k < i; k++)
                        if (ssh_key_same(&parsed[k], &parsed[i])) {
                                r = action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", item),
                                                "parameter '%s' repeats the key of %s[%zu]", item, param, k);
                                break;
                        }
                if (r < 0)
                        break;

                lines[i] = strdup(parsed[i].line);
                if (!lines[i])
                        r = action_fail_errno(ctx, -ENOMEM, "failed to parse %s", item);
        }

        for (size_t i = 0; i < n; i++)
                ssh_key_done(&parsed[i]);
        free(parsed);
        if (r < 0)
                return r;

        *ret_lines = TAKE_PTR(lines);
        return 0;
}

int user_keys_write(ActionContext *ctx, const Account *a, char *const *lines, size_t n, bool *ret_changed)
{
        _cleanup_close_ int home_fd = -1, ssh_fd = -1;
        const char *reason = NULL;
        bool changed = false, file_changed = false;
        int r;

        assert(a);
        assert(ret_changed);

        home_fd = account_open_home(ctx->config, a);
        if (home_fd == -ENOENT)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                   "home %s of account %s does not exist", a->home, a->name);
        if (home_fd == -EPERM)
                return action_fail(ctx, AGENT_UNSAFE_PATH, NULL,
                                   "home %s is not owned by account %s; nothing was written", a->home,
                                   a->name);
        if (home_fd < 0)
                return action_fail_errno(ctx, home_fd, "failed to open home %s", a->home);

        ssh_fd = home_dir_ensure(home_fd, ".ssh", 0700, a->uid, a->gid, true, &changed);
        if (ssh_fd == -ELOOP || ssh_fd == -ENOTDIR)
                return action_fail(ctx, AGENT_UNSAFE_PATH, NULL,
                                   "%s/.ssh is a symbolic link or not a directory; nothing was written",
                                   a->home);
        if (ssh_fd < 0)
                return action_fail_errno(ctx, ssh_fd, "failed to open %s/.ssh", a->home);

        r = authorized_keys_update(ssh_fd, a->uid, a->gid, lines, n, &file_changed, &reason);
        if (r == -ELOOP)
                return action_fail(ctx, AGENT_UNSAFE_PATH, NULL,
                                   "%s/.ssh/authorized_keys %s; nothing was written", a->home, reason);
        if ((r == -EBADMSG || r == -EFBIG) && reason)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                   "%s/.ssh/authorized_keys %s; fix or remove the file and retry", a->home,
                                   reason);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to write %s/.ssh/authorized_keys", a->home);

        *ret_changed = changed || file_changed;
        return 0;
}
