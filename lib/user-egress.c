/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.egress.apply and user.egress.clear: nftables rules for an account's outbound traffic. */
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "egress.h"
#include "macro.h"
#include "user-family.h"

#define USER_EGRESS_TIMEOUT_MS 15000
#define EGRESS_LOCK            "egress"

typedef struct EgressAllowParams {
        char *cidr;
        char *proto;
        ParamStrv ports;
} EgressAllowParams;

static const char *const proto_choices[] = { "tcp", "udp", "any", NULL };
static const char *const mode_choices[] = { "enforce", "learn", NULL };

static const ParamSpec egress_allow_params[] = {
        {
                .name = "cidr",
                .type = PARAM_STRING,
                .flags = PARAM_REQUIRED,
                .offset = offsetof(EgressAllowParams, cidr),
                .max = 64,
                .check = validate_cidr,
                .constraint = "IPv4 or IPv6 CIDR with the host bits zero; a bare address is /32 or /128",
                .description = "Destination network.",
        },
        {
                .name = "proto",
                .type = PARAM_STRING,
                .offset = offsetof(EgressAllowParams, proto),
                .choices = proto_choices,
                .description = "Protocol; any when absent.",
        },
        {
                .name = "ports",
                .type = PARAM_STRING_ARRAY,
                .offset = offsetof(EgressAllowParams, ports),
                .max = EGRESS_PORTS_MAX,
                .check = egress_port_check,
                .constraint = "\"443\" or \"8000-8100\", not overlapping; needs proto tcp or udp",
                .description = "Destination ports; every port when absent.",
        },
        {},
};

typedef struct UserEgressApplyParams {
        char *user;
        char *mode;
        ParamArray allow;
} UserEgressApplyParams;

static const ParamSpec user_egress_apply_params[] = {
        USER_PARAM(UserEgressApplyParams, user),
        {
                .name = "mode",
                .type = PARAM_STRING,
                .flags = PARAM_REQUIRED,
                .offset = offsetof(UserEgressApplyParams, mode),
                .choices = mode_choices,
                .description =
                        "enforce: traffic outside the allow list is logged and rejected; learn: it is "
                        "logged and passes.",
        },
        {
                .name = "allow",
                .type = PARAM_OBJECT_ARRAY,
                .flags = PARAM_REQUIRED,
                .offset = offsetof(UserEgressApplyParams, allow),
                .max = 256,
                .items = egress_allow_params,
                .item_size = sizeof(EgressAllowParams),
                .description = "Destinations the account may open connections to, besides replies on "
                               "connections already established.",
        },
        {},
};

typedef struct UserEgressClearParams {
        char *user;
} UserEgressClearParams;

static const ParamSpec user_egress_clear_params[] = {
        USER_PARAM(UserEgressClearParams, user),
        {},
};

static int egress_table(ActionContext *ctx, const char **ret)
{
        const char *table = config_get(ctx->config, "egress", "table");

        if (!egress_table_name_valid(table))
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                   "egress.table must match [a-z][a-z0-9_]{0,31}");
        *ret = table;
        return 0;
}

static int read_state(ActionContext *ctx, const char *table, const char *user, uid_t uid, EgressState *ret)
{
        _cleanup_free_ char *error = NULL;
        int r;

        r = egress_state_read(table, user, uid, ret, &error);
        if (r < 0)
                return action_fail(ctx, AGENT_COMMAND_FAILED,
                                   json_pack("{s:s}", "nft_error", error ?: strerror(-r)),
                                   "failed to list the nftables table inet %s", table);
        return 0;
}

static int run_transaction(ActionContext *ctx, const char *table, const char *commands, const char *what)
{
        _cleanup_free_ char *error = NULL;
        int r;

        r = egress_run(commands, &error);
        if (r == -EIO)
                return action_fail(ctx, AGENT_COMMAND_FAILED, json_pack("{s:s}", "nft_error", error ?: ""),
                                   "nftables refused %s in table inet %s; the previous rules stay in force",
                                   what, table);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to run the nftables transaction for %s", what);
        return 0;
}

static int user_egress_apply(ActionContext *ctx, void *params)
{
        UserEgressApplyParams *p = params;
        _cleanup_(account_done) Account a = {};
        _cleanup_(egress_state_done) EgressState state = {};
        _cleanup_free_ EgressRule *rules = NULL;
        _cleanup_free_ char *commands = NULL, *fingerprint = NULL, *what = NULL;
        _cleanup_close_ int lock_fd = -1;
        const EgressAllowParams *allow = p->allow.v;
        const char *table = NULL;
        EgressMode mode;
        bool changed;
        int r;

        r = user_lookup(ctx, p->user, &a);
        if (r < 0)
                return r;

        r = egress_table(ctx, &table);
        if (r < 0)
                return r;

        mode = egress_mode_from_string(p->mode);
        if (mode < 0)
                return action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", "mode"),
                                   "parameter 'mode' is not enforce or learn");

        rules = calloc(p->allow.n ? p->allow.n : 1, sizeof(EgressRule));
        if (!rules)
                return action_fail_errno(ctx, -ENOMEM, "failed to parse the allow list");
        for (size_t i = 0; i < p->allow.n; i++) {
                const char *reason = NULL;
                _cleanup_free_ char *param = NULL;

                r = egress_rule_from_text(allow[i].cidr, allow[i].proto, allow[i].ports.v, allow[i].ports.n,
                                          &rules[i], &reason);
                if (r < 0) {
                        if (asprintf(&param, "allow[%zu]", i) < 0)
                                param = NULL;
                        return action_fail(ctx, AGENT_INVALID_PARAMS,
                                           json_pack("{s:s}", "param", param ?: "allow"),
                                           "parameter '%s' is invalid: %s", param ?: "allow", reason);
                }
        }

        lock_fd = user_lock(ctx, EGRESS_LOCK);
        if (lock_fd < 0)
                return lock_fd;

        r = read_state(ctx, table, a.name, a.uid, &state);
        if (r < 0)
                return r;

        r = egress_render_apply(table, a.name, a.uid, mode, rules, p->allow.n, &state, &commands,
                                &fingerprint);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to build the nftables rules of %s", a.name);

        changed = !(state.map_exists && state.dispatch_ok && state.element_ok && !state.uid_elsewhere &&
                    state.n_jump_uids == 1 && state.fingerprint && streq(state.fingerprint, fingerprint));
        if (changed) {
                if (asprintf(&what, "the rules of %s", a.name) < 0)
                        return action_fail_errno(ctx, -ENOMEM, "failed to describe the transaction");
                r = run_transaction(ctx, table, commands, what);
                if (r < 0)
                        return r;
        }

        ctx->result = json_pack("{s:b, s:s, s:s, s:s, s:I}", "changed", changed, "user", a.name, "mode",
                                p->mode, "table", table, "rules", (json_int_t) p->allow.n);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

int user_egress_remove(ActionContext *ctx, const char *name, uid_t uid, bool *ret_changed)
{
        _cleanup_(egress_state_done) EgressState state = {};
        _cleanup_free_ char *commands = NULL, *what = NULL;
        _cleanup_close_ int lock_fd = -1;
        const char *table = NULL;
        int r;

        r = egress_table(ctx, &table);
        if (r < 0)
                return r;

        lock_fd = user_lock(ctx, EGRESS_LOCK);
        if (lock_fd < 0)
                return lock_fd;

        r = read_state(ctx, table, name, uid, &state);
        if (r < 0)
                return r;

        r = egress_render_clear(table, name, &state, &commands);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to build the nftables commands for %s", name);
        if (!commands) {
                *ret_changed = false;
                return 0;
        }

        if (asprintf(&what, "removing the rules of %s", name) < 0)
                return action_fail_errno(ctx, -ENOMEM, "failed to describe the transaction");
        r = run_transaction(ctx, table, commands, what);
        if (r < 0)
                return r;

        *ret_changed = true;
        return 0;
}

static int user_egress_clear(ActionContext *ctx, void *params)
{
        UserEgressClearParams *p = params;
        _cleanup_(account_done) Account a = {};
        bool exists, changed = false;
        int r;

        r = user_lookup_or_missing(ctx, p->user, &a, &exists);
        if (r < 0)
                return r;

        r = user_egress_remove(ctx, p->user, a.uid, &changed);
        if (r < 0)
                return r;

        ctx->result = json_pack("{s:b, s:s, s:s}", "changed", changed, "user", p->user, "table",
                                config_get(ctx->config, "egress", "table"));
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

static const int user_egress_capabilities[] = { CAP_NET_ADMIN, -1 };

const Action action_user_egress_apply = {
        .name = "user.egress.apply",
        .family = FAMILY_USER,
        .description =
                "Replaces the account's outbound rules, matched by uid, in the agent's nftables table "
                "(egress.table) in one transaction: all of it applies or none of it, and a refused "
                "transaction leaves the previous rules in force.",
        .params = user_egress_apply_params,
        .params_size = sizeof(UserEgressApplyParams),
        .handler = user_egress_apply,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = USER_EGRESS_TIMEOUT_MS,
        .capabilities = user_egress_capabilities,
        .result_doc = "{changed, user, mode, table, rules: number of allow entries}",
};

const Action action_user_egress_clear = {
        .name = "user.egress.clear",
        .family = FAMILY_USER,
        .description = "Removes the account's chain and map entries from the agent's nftables table in one "
                       "transaction; also for an account that no longer exists.",
        .params = user_egress_clear_params,
        .params_size = sizeof(UserEgressClearParams),
        .handler = user_egress_clear,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = USER_EGRESS_TIMEOUT_MS,
        .capabilities = user_egress_capabilities,
        .result_doc = "{changed, user, table}",
};
