/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "action.h"
#include "capability.h"
#include "policy.h"
#include "timeutil.h"

static const char *const family_table[_FAMILY_MAX] = {
        [FAMILY_AGENT] = "agent", [FAMILY_DOMAIN] = "domain",     [FAMILY_SSL] = "ssl",
        [FAMILY_DNS] = "dns",     [FAMILY_MAIL] = "mail",         [FAMILY_DB] = "db",
        [FAMILY_USER] = "user",   [FAMILY_PHP] = "php",           [FAMILY_BACKUP] = "backup",
        [FAMILY_APP] = "app",     [FAMILY_SECURITY] = "security", [FAMILY_SYSTEM] = "system",
};

const char *action_family_to_string(ActionFamily f)
{
        if (f < 0 || f >= _FAMILY_MAX)
                return NULL;
        return family_table[f];
}

static const char *const caller_policy_table[_CALLER_POLICY_MAX] = {
        [CALLER_PANEL] = "panel",
        [CALLER_ROOT] = "root",
};

const char *caller_policy_to_string(CallerPolicy p)
{
        if (p < 0 || p >= _CALLER_POLICY_MAX)
                return NULL;
        return caller_policy_table[p];
}

static void action_set_error(ActionContext *ctx, AgentCode code, json_t *details, char *message)
{
        /* The first error wins: a cleanup path must not overwrite the cause. */
        if (ctx->code != AGENT_OK) {
                json_decref(details);
                free(message);
                return;
        }
        ctx->code = code;
        ctx->details = details;
        ctx->message = message;
}

int action_fail(ActionContext *ctx, AgentCode code, json_t *details, const char *fmt, ...)
{
        char *message = NULL;
        va_list ap;

        assert(ctx);
        assert(code > AGENT_OK && code < _AGENT_CODE_MAX);

        va_start(ap, fmt);
        if (vasprintf(&message, fmt, ap) < 0)
                message = NULL;
        va_end(ap);

        action_set_error(ctx, code, details, message);
        return ACTION_FAILED;
}

AgentCode agent_code_from_errno(int r)
{
        switch (-r) {
        case ENOENT:
                return AGENT_NOT_FOUND;
        case EEXIST:
                return AGENT_ALREADY_EXISTS;
        case ELOOP:
        case EXDEV:
        case ENOTDIR:
                return AGENT_UNSAFE_PATH;
        case EWOULDBLOCK:
        case EBUSY:
                return AGENT_BUSY;
        case ETIMEDOUT:
        case ETIME:
                return AGENT_TIMEOUT;
        case EACCES:
        case EPERM:
                return AGENT_PERMISSION_DENIED;
        case EINVAL:
                return AGENT_INVALID_PARAMS;
        default:
                return AGENT_INTERNAL;
        }
}

int action_fail_errno(ActionContext *ctx, int r, const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL;
        char *message = NULL;
        va_list ap;

        assert(ctx);
        assert(r < 0);

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);

        if (asprintf(&message, "%s: %s", text ?: "failed", strerror(-r)) < 0)
                message = NULL;

        action_set_error(ctx, agent_code_from_errno(r), NULL, message);
        return ACTION_FAILED;
}

int action_set_target_user(ActionContext *ctx, const char *user)
{
        char *copy;

        assert(ctx);

        copy = user ? strdup(user) : NULL;
        if (user && !copy)
                return -ENOMEM;
        free(ctx->target_user);
        ctx->target_user = copy;
        return 0;
}

unsigned action_remaining_ms(const ActionContext *ctx)
{
        uint64_t now = now_usec();

        if (ctx->deadline_usec <= now + USEC_PER_MSEC)
                return 1;
        return (unsigned) ((ctx->deadline_usec - now) / USEC_PER_MSEC);
}

json_t *action_describe(const Action *a, const AgentConfig *config)
{
        json_t *caps = json_array(), *d;

        for (const int *c = a->capabilities; c && *c >= 0; c++)
                json_array_append_new(caps, json_string(capability_to_name(*c) ?: "unknown"));

        d = json_pack("{s:s, s:s, s:s, s:b, s:o, s:i, s:o, s:o}", "name", a->name, "family",
                      action_family_to_string(a->family), "description", a->description ?: "", "changing",
                      a->changing, "caller", policy_describe(a, config), "timeout_ms",
                      (json_int_t) a->timeout_ms, "capabilities", caps, "params", param_describe(a->params));
        if (d && a->result_doc)
                json_object_set_new(d, "result", json_string(a->result_doc));
        return d;
}
