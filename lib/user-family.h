/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "account.h"
#include "action.h"
#include "param.h"
#include "spawn.h"
#include "validate.h"

/* Steps the account family's handlers share.  Each fails ctx with the right code and returns
 * ACTION_FAILED, or returns a value >= 0. */

/* The param entry of the account name every action of the family takes. */
#define USER_PARAM(params_type, field)                                                                      \
        {                                                                                                   \
                .name = "user", .type = PARAM_STRING, .flags = PARAM_REQUIRED,                              \
                .offset = offsetof(params_type, field), .max = 16, .check = validate_account_name,          \
                .constraint = "^[a-z][a-z0-9]{0,15}$",                                                      \
                .description = "The account: a Unix user in the managed group (accounts.managed_group).",   \
        }

/* Looks the managed account up and records it as the target of the request.  A missing account is
 * NOT_FOUND, a reserved or unmanaged one PERMISSION_DENIED. */
int user_lookup(ActionContext *ctx, const char *name, Account *ret);

/* The same for actions that clean up after an account that may be gone: a missing account sets
 * *ret_exists to false and ret->uid to (uid_t) -1. */
int user_lookup_or_missing(ActionContext *ctx, const char *name, Account *ret, bool *ret_exists);

/* Takes the advisory lock name (see lock_acquire()) within accounts' lock timeout.  Returns the locked
 * descriptor, or BUSY. */
int user_lock(ActionContext *ctx, const char *name);

/* Fails ctx with COMMAND_FAILED for a program that ran and failed, with its exit status and the tail of
 * its standard error in details. */
int user_fail_command(ActionContext *ctx, const char *program, const SpawnResult *res, const char *fmt, ...)
        _printf_(4, 5);

/* Parses request keys with the configured key types and RSA minimum into canonical lines, rejecting two
 * items with the same public key.  param names the request field for the error. */
int user_keys_parse(ActionContext *ctx, const char *param, const ParamStrv *keys, char ***ret_lines);

/* Makes the agent's block of the account's authorized_keys hold exactly lines, creating .ssh (0700) when
 * missing.  UNSAFE_PATH for a planted link or a file the account could have swapped in. */
int user_keys_write(ActionContext *ctx, const Account *a, char *const *lines, size_t n, bool *ret_changed);

/* Cleanup steps of user.delete that the clear actions share.  Each sets *ret_changed. */
int user_limits_remove(ActionContext *ctx, const char *name, bool *ret_changed);
int user_egress_remove(ActionContext *ctx, const char *name, uid_t uid, bool *ret_changed);
int user_quota_remove(ActionContext *ctx, const Account *a, bool *ret_changed);

extern const Action action_user_create;
extern const Action action_user_delete;
extern const Action action_sshkey_write;
extern const Action action_quota_set;
extern const Action action_user_limits_apply;
extern const Action action_user_limits_clear;
extern const Action action_user_egress_apply;
extern const Action action_user_egress_clear;
