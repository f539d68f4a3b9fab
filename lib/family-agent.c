/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The agent family: introspection that changes nothing and needs no capability. */
#include <string.h>

#include "action.h"
#include "confine.h"
#include "landlock.h"
#include "macro.h"

#define AGENT_TIMEOUT_MS 5000

typedef struct NoParams {
        char unused;
} NoParams;

static const ParamSpec no_params[] = {
        {},
};

static int agent_ping(ActionContext *ctx, void *params)
{
        ctx->result = json_pack("{s:b}", "pong", true);
        return ctx->result ? 0 : -ENOMEM;
}

static int agent_version(ActionContext *ctx, void *params)
{
        const char *apparmor = config_get(ctx->config, "agent", "apparmor");
        const char *landlock = config_get(ctx->config, "agent", "landlock");
        int abi = landlock_abi_version();

        ctx->result = json_pack(
                "{s:s, s:s, s:{s:b, s:{s:s, s:b, s:s?}, s:{s:s, s:i, s:s?}, s:{s:b, s:s?}}}", "version",
                AGENT_VERSION, "build", AGENT_BUILD, "features", "journal", ctx->journal_ok, "apparmor",
                "mode", apparmor, "kernel", confine_apparmor_enabled(), "profile", ctx->apparmor_state,
                "landlock", "mode", landlock, "kernel_abi", abi > 0 ? abi : 0, "state", ctx->landlock_state,
                "capabilities", "drop", config_get_bool(ctx->config, "agent", "drop_capabilities"), "kept",
                ctx->capabilities_kept);
        return ctx->result ? 0 : -ENOMEM;
}

static int agent_actions(ActionContext *ctx, void *params)
{
        json_t *list = json_array();

        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < action_count(); i++)
                json_array_append_new(list, action_describe(action_at(i), ctx->config));

        ctx->result = json_pack("{s:o}", "actions", list);
        return ctx->result ? 0 : -ENOMEM;
}

static const Action action_agent_ping = {
        .name = "agent.ping",
        .family = FAMILY_AGENT,
        .description = "Checks that the agent responds.",
        .params = no_params,
        .params_size = sizeof(NoParams),
        .handler = agent_ping,
        .policy = CALLER_PANEL,
        .timeout_ms = AGENT_TIMEOUT_MS,
        .result_doc = "{pong: true}",
};

static const Action action_agent_version = {
        .name = "agent.version",
        .family = FAMILY_AGENT,
        .description =
                "Returns the agent's version, build and which confinement and audit features are active.",
        .params = no_params,
        .params_size = sizeof(NoParams),
        .handler = agent_version,
        .policy = CALLER_PANEL,
        .timeout_ms = AGENT_TIMEOUT_MS,
        .result_doc = "{version, build, features: {journal: bool (the accepted-record of this request was "
                      "written), "
                      "apparmor: {mode, kernel: bool, profile}, landlock: {mode, kernel_abi: 0 without "
                      "Landlock, state: the write set in force}, capabilities: {drop: bool, kept}}}",
};

static const Action action_agent_actions = {
        .name = "agent.actions",
        .family = FAMILY_AGENT,
        .description = "Returns the catalogue: every action with its params, caller policy, timeout and "
                       "capabilities.",
        .params = no_params,
        .params_size = sizeof(NoParams),
        .handler = agent_actions,
        .policy = CALLER_PANEL,
        .timeout_ms = AGENT_TIMEOUT_MS,
        .result_doc =
                "{actions: [{name, family, description, changing, caller, timeout_ms, capabilities, params, "
                "result}]}",
};

const Action *const agent_family_actions[] = {
        &action_agent_ping,
        &action_agent_version,
        &action_agent_actions,
        NULL,
};
