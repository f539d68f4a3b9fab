/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "config.h"
#include "errcode.h"
#include "macro.h"
#include "param.h"

/* The AppArmor subprofile each action runs in, named after its family. */
typedef enum ActionFamily {
        FAMILY_AGENT,
        FAMILY_DOMAIN,
        FAMILY_SSL,
        FAMILY_DNS,
        FAMILY_MAIL,
        FAMILY_DB,
        FAMILY_USER,
        FAMILY_PHP,
        FAMILY_BACKUP,
        FAMILY_APP,
        FAMILY_SECURITY,
        FAMILY_SYSTEM,
        _FAMILY_MAX,
        _FAMILY_INVALID = -EINVAL,
} ActionFamily;

const char *action_family_to_string(ActionFamily f);

/* Who may call an action before the configuration's overrides apply. */
typedef enum CallerPolicy {
        CALLER_PANEL, /* root and the configured groups (default: jabali) */
        CALLER_ROOT,  /* root only */
        _CALLER_POLICY_MAX,
        _CALLER_POLICY_INVALID = -EINVAL,
} CallerPolicy;

const char *caller_policy_to_string(CallerPolicy p);

/*
 * A path an action and the programs it runs may change: a fixed path, or the path a configuration key
 * holds.  The agent turns the list into Landlock rules before the handler runs (see write-set.h).  A list
 * ends with an entry whose path and section are both NULL.
 */
typedef struct WritePath {
        const char *path;    /* an absolute path, when section is NULL */
        const char *section; /* or the configuration key whose value is the path */
        const char *key;
        bool create; /* a directory of the agent's own, made with mode 0700 when missing */
} WritePath;

typedef struct ActionContext ActionContext;

/* Runs the action.  Returns 0 with ctx->result set, or a negative value after action_fail(), or a negative
 * errno that the dispatcher maps to a code. */
typedef int (*ActionHandler)(ActionContext *ctx, void *params);

typedef struct Action {
        const char *name;
        ActionFamily family;
        const char *description;
        const ParamSpec *params; /* ends with an entry whose name is NULL */
        size_t params_size;      /* sizeof the struct param_parse() fills */
        ActionHandler handler;
        CallerPolicy policy;
        bool changing;           /* changes host state, so it is refused when the audit record fails */
        unsigned timeout_ms;     /* the action's maximum; a caller's timeout_ms can only shorten it */
        const int *capabilities; /* CAP_* values the handler keeps, ending with -1; NULL keeps none */
        const char *result_doc;  /* the result object, for the reference */
        /* The paths the handler and its programs may change besides /dev/null; NULL takes the family's list
         * from write-set.c.  An action that changes less than its family narrows it here. */
        const WritePath *write_paths;
} Action;

struct ActionContext {
        const Action *action;
        const AgentConfig *config;
        const char *request_id;
        const char *subject_user;
        uid_t peer_uid;
        gid_t peer_gid;
        pid_t peer_pid;
        uint64_t deadline_usec; /* CLOCK_MONOTONIC */

        /* The host features the request path detected, for agent.version. */
        bool journal_ok;
        const char *apparmor_state;
        const char *landlock_state;
        const char *capabilities_kept;

        /* Set by the handler. */
        char *target_user; /* the account acted on, for the audit record */
        json_t *result;

        /* Set by action_fail(). */
        AgentCode code;
        char *message;
        json_t *details;
};

/* The value handlers return after action_fail(). */
#define ACTION_FAILED (-EPROTO)

/* Records an error response.  details (may be NULL) is stolen.  Returns ACTION_FAILED. */
int action_fail(ActionContext *ctx, AgentCode code, json_t *details, const char *fmt, ...) _printf_(4, 5);

/* Records an error for a negative errno r: ENOENT is NOT_FOUND, EEXIST ALREADY_EXISTS, ELOOP/EXDEV/ENOTDIR
 * UNSAFE_PATH, EWOULDBLOCK/EBUSY BUSY, ETIMEDOUT/ETIME TIMEOUT, EACCES/EPERM PERMISSION_DENIED, others
 * INTERNAL.  The message is the formatted text followed by ": " and strerror(-r).  Returns ACTION_FAILED. */
int action_fail_errno(ActionContext *ctx, int r, const char *fmt, ...) _printf_(3, 4);

/* Maps a negative errno to the code action_fail_errno() uses. */
AgentCode agent_code_from_errno(int r);

/* Records the account acted on for the audit record. */
int action_set_target_user(ActionContext *ctx, const char *user);

/* Milliseconds left until the deadline, at least 1. */
unsigned action_remaining_ms(const ActionContext *ctx);

/* The registry: every action of this agent version, in name order. */
const Action *action_lookup(const char *name);
size_t action_count(void);
const Action *action_at(size_t i);

/* Returns the action's documentation (for agent.actions). */
json_t *action_describe(const Action *a, const AgentConfig *config);
