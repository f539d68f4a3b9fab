/* SPDX-License-Identifier: GPL-2.0-or-later */
/* user.create: a Unix account in the managed group with the home layout of the host. */
#include <assert.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "home.h"
#include "macro.h"
#include "safefile.h"
#include "sshkey.h"
#include "user-family.h"

#define USER_CREATE_TIMEOUT_MS 60000
#define PASSWORD_MIN           8
#define PASSWORD_MAX           1024

typedef struct UserCreateParams {
        char *user;
        char *password;
        char *shell;
        ParamStrv ssh_keys;
} UserCreateParams;

static const ParamSpec user_create_params[] = {
        USER_PARAM(UserCreateParams, user),
        {
                .name = "password",
                .type = PARAM_STRING,
                .flags = PARAM_SECRET,
                .offset = offsetof(UserCreateParams, password),
                .min = PASSWORD_MIN,
                .max = PASSWORD_MAX,
                .description =
                        "Login password, given to chpasswd on its standard input.  Without it the account "
                        "has a locked password and logs in with keys only.",
        },
        {
                .name = "shell",
                .type = PARAM_STRING,
                .offset = offsetof(UserCreateParams, shell),
                .max = 255,
                .constraint = "one of accounts.shells",
                .description = "Login shell; accounts.default_shell when absent.",
        },
        {
                .name = "ssh_keys",
                .type = PARAM_STRING_ARRAY,
                .offset = offsetof(UserCreateParams, ssh_keys),
                .max = 64,
                .check = ssh_key_check,
                .constraint = "\"type base64 [comment]\" without options; RSA of at least ssh.rsa_min_bits",
                .description = "Public keys for the agent's block of ~/.ssh/authorized_keys.",
        },
        {},
};

static bool shell_allowed(const AgentConfig *c, const char *shell)
{
        _cleanup_strv_free_ char **shells = config_get_list(c, "accounts", "shells");

        for (char **s = shells; s && *s; s++)
                if (streq(*s, shell))
                        return true;
        return false;
}

static int group_exists(const char *name)
{
        struct group gr, *found = NULL;
        char buf[16384];
        int r;

        r = getgrnam_r(name, &gr, buf, sizeof(buf), &found);
        if (r != 0)
                return -r;
        return found != NULL;
}

/* Runs a program that needs no input, with the rest of the request's time as its timeout. */
static int run(ActionContext *ctx, const char *const *argv, const void *input, size_t input_size,
               SpawnResult *ret)
{
        SpawnOptions o = {
                .argv = argv,
                .stdin_data = input,
                .stdin_size = input_size,
                .timeout_ms = action_remaining_ms(ctx),
        };

        return spawn_run(&o, ret);
}

/* Puts the host back as it was before this request: the home it created and the passwd entry.  Returns
 * what went wrong, for the error details, or NULL when everything was undone. */
static char *rollback(ActionContext *ctx, int home_root_fd, const char *name, bool remove_home)
{
        const char *argv[] = { config_get(ctx->config, "accounts", "userdel"), "--", name, NULL };
        SpawnResult res = {};
        char *problem = NULL;
        int r;

        if (remove_home) {
                r = safe_remove_tree_beneath(home_root_fd, name);
                if (r < 0 && r != -ENOENT &&
                    asprintf(&problem, "removing the home failed: %s", strerror(-r)) < 0)
                        problem = NULL;
        }

        r = run(ctx, argv, NULL, 0, &res);
        if ((r < 0 || !spawn_succeeded(&res)) && !problem &&
            asprintf(&problem, "userdel failed: %s", r < 0 ? strerror(-r) : "non-zero exit status") < 0)
                problem = NULL;
        spawn_result_done(&res);
        return problem;
}

static json_t *account_result(const Account *a, bool changed)
{
        return json_pack("{s:b, s:s, s:I, s:I, s:s, s:s}", "changed", changed, "user", a->name, "uid",
                         (json_int_t) a->uid, "gid", (json_int_t) a->gid, "home", a->home, "shell",
                         a->shell);
}

/* The account exists and is managed: converge what the request can check, refuse what it cannot. */
static int user_create_existing(ActionContext *ctx, const UserCreateParams *p, const Account *a,
                                char *const *keys)
{
        _cleanup_close_ int root_fd = -1, home_fd = -1;
        bool changed = false, keys_changed = false;
        int r;

        /* The stored hash cannot be compared with the request, and user.create must not become a way to
         * reset a password. */
        if (p->password)
                return action_fail(ctx, AGENT_ALREADY_EXISTS, json_pack("{s:s}", "param", "password"),
                                   "account %s exists already; user.create does not change its password",
                                   a->name);
        if (p->shell && !streq(p->shell, a->shell))
                return action_fail(ctx, AGENT_ALREADY_EXISTS, json_pack("{s:s}", "param", "shell"),
                                   "account %s exists already with shell %s", a->name, a->shell);

        root_fd =
                safe_open_path(config_get(ctx->config, "accounts", "home_root"), O_RDONLY | O_DIRECTORY, 0);
        if (root_fd < 0)
                return action_fail_errno(ctx, root_fd, "failed to open %s",
                                         config_get(ctx->config, "accounts", "home_root"));

        home_fd = home_layout_ensure(ctx->config, a, root_fd, &changed);
        if (home_fd == -ELOOP || home_fd == -ENOTDIR)
                return action_fail(
                        ctx, AGENT_UNSAFE_PATH, NULL,
                        "the home layout of %s contains a symbolic link or a file where a directory "
                        "belongs; nothing was changed through it",
                        a->home);
        if (home_fd < 0)
                return action_fail_errno(ctx, home_fd, "failed to repair the home %s", a->home);

        if (p->ssh_keys.v) {
                r = user_keys_write(ctx, a, keys, p->ssh_keys.n, &keys_changed);
                if (r < 0)
                        return r;
        }

        ctx->result = account_result(a, changed || keys_changed);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

static int user_create_new(ActionContext *ctx, const UserCreateParams *p, const char *shell,
                           char *const *keys)
{
        const AgentConfig *c = ctx->config;
        const char *home_root = config_get(c, "accounts", "home_root");
        const char *managed_group = config_get(c, "accounts", "managed_group");
        const char *home_group = config_get(c, "accounts", "home_group");
        _cleanup_free_ char *home = NULL, *uid_min = NULL, *input = NULL, *problem = NULL;
        _cleanup_(account_done) Account a = {};
        _cleanup_close_ int root_fd = -1, home_fd = -1;
        SpawnResult res = {};
        struct stat st;
        bool changed = false;
        int r;

        r = group_exists(managed_group);
        if (r <= 0)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                   "the managed group %s does not exist; create it first", managed_group);
        r = group_exists(home_group);
        if (r <= 0)
                return action_fail(
                        ctx, AGENT_FAILED_PRECONDITION, NULL,
                        "the home group %s does not exist; create it or change accounts.home_group",
                        home_group);
        r = group_exists(p->user);
        if (r != 0)
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "param", "user"),
                                   "a group named %s exists already", p->user);

        root_fd = safe_open_path(home_root, O_RDONLY | O_DIRECTORY, 0);
        if (root_fd == -ELOOP || root_fd == -ENOTDIR)
                return action_fail(ctx, AGENT_UNSAFE_PATH, NULL, "%s contains a symbolic link", home_root);
        if (root_fd < 0)
                return action_fail_errno(ctx, root_fd, "failed to open %s", home_root);

        /* A leftover home (kept by user.delete, or made by hand) belongs to someone else's history. */
        if (fstatat(root_fd, p->user, &st, AT_SYMLINK_NOFOLLOW) == 0)
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "param", "user"),
                                   "%s/%s exists already; remove or rename it before creating account %s",
                                   home_root, p->user, p->user);

        if (asprintf(&home, "%s%s%s", home_root, streq(home_root, "/") ? "" : "/", p->user) < 0 ||
            asprintf(&uid_min, "UID_MIN=%" PRIu64, config_get_uint(c, "accounts", "min_uid")) < 0)
                return action_fail_errno(ctx, -ENOMEM, "failed to build the useradd command");

        const char *useradd[] = {
                config_get(c, "accounts", "useradd"),
                "--no-create-home",
                "--home-dir",
                home,
                "--shell",
                shell,
                "--user-group",
                "--groups",
                managed_group,
                "--key",
                uid_min,
                /* useradd gives each new account a range of subordinate uids and gids by default.  With
                 * newuidmap installed (package uidmap), the account could run processes under those uids,
                 * which the egress rules, the process kill of user.delete and the quota do not match. */
                "--key",
                "SUB_UID_COUNT=0",
                "--key",
                "SUB_GID_COUNT=0",
                "--",
                p->user,
                NULL,
        };
        r = run(ctx, useradd, NULL, 0, &res);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to run %s", useradd[0]);
        if (!spawn_succeeded(&res)) {
                r = user_fail_command(ctx, "useradd", &res, "failed to create account %s", p->user);
                spawn_result_done(&res);
                return r;
        }
        spawn_result_done(&res);

        r = account_lookup_managed(c, p->user, &a);
        if (r < 0) {
                problem = rollback(ctx, root_fd, p->user, false);
                return action_fail(
                        ctx, AGENT_INTERNAL, problem ? json_pack("{s:s}", "rollback", problem) : NULL,
                        "account %s was created but is not a managed account (%s); it was removed again",
                        p->user, strerror(-r));
        }

        if (p->password) {
                const char *chpasswd[] = { config_get(c, "accounts", "chpasswd"), NULL };
                size_t input_size;

                /* "name:password\n" on chpasswd's standard input: never in argv or the environment. */
                if (asprintf(&input, "%s:%s\n", p->user, p->password) < 0) {
                        problem = rollback(ctx, root_fd, p->user, false);
                        return action_fail_errno(ctx, -ENOMEM, "failed to set the password of %s", p->user);
                }
                input_size = strlen(input);

                r = run(ctx, chpasswd, input, input_size, &res);
                explicit_bzero(input, input_size);
                if (r < 0 || !spawn_succeeded(&res)) {
                        /* PAM modules do not echo the password, but a message that did must not leave. */
                        if (r >= 0 && res.err_tail && strstr(res.err_tail, p->password))
                                res.err_tail[0] = 0;
                        problem = rollback(ctx, root_fd, p->user, false);
                        if (r < 0)
                                r = action_fail_errno(ctx, r, "failed to run %s", chpasswd[0]);
                        else
                                r = user_fail_command(ctx, "chpasswd", &res,
                                                      "failed to set the password of %s", p->user);
                        spawn_result_done(&res);
                        if (problem)
                                json_object_set_new(ctx->details, "rollback", json_string(problem));
                        return r;
                }
                spawn_result_done(&res);
        }

        home_fd = home_layout_ensure(c, &a, root_fd, &changed);
        if (home_fd < 0) {
                problem = rollback(ctx, root_fd, p->user, true);
                return action_fail(
                        ctx, home_fd == -ELOOP || home_fd == -ENOTDIR ? AGENT_UNSAFE_PATH : AGENT_INTERNAL,
                        problem ? json_pack("{s:s}", "rollback", problem) : NULL,
                        "failed to create the home %s: %s; the account was removed again", home,
                        strerror(-home_fd));
        }

        if (keys && keys[0]) {
                bool keys_changed;

                r = user_keys_write(ctx, &a, keys, p->ssh_keys.n, &keys_changed);
                if (r < 0) {
                        problem = rollback(ctx, root_fd, p->user, true);
                        if (problem && ctx->details)
                                json_object_set_new(ctx->details, "rollback", json_string(problem));
                        return r;
                }
        }

        ctx->result = account_result(&a, true);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

static int user_create(ActionContext *ctx, void *params)
{
        UserCreateParams *p = params;
        const AgentConfig *c = ctx->config;
        _cleanup_(account_done) Account a = {};
        _cleanup_strv_free_ char **keys = NULL;
        _cleanup_free_ char *lock_name = NULL;
        _cleanup_close_ int lock_fd = -1, user_lock_fd = -1;
        const char *shell;
        int r;

        r = action_set_target_user(ctx, p->user);
        if (r < 0)
                return action_fail_errno(ctx, r, "failed to record the target account");

        if (account_name_reserved(c, p->user))
                return action_fail(ctx, AGENT_PERMISSION_DENIED, json_pack("{s:s}", "param", "user"),
                                   "account name %s is reserved for the system", p->user);

        shell = p->shell ?: config_get(c, "accounts", "default_shell");
        if (!shell_allowed(c, shell))
                return action_fail(ctx, p->shell ? AGENT_INVALID_PARAMS : AGENT_FAILED_PRECONDITION,
                                   json_pack("{s:s}", "param", "shell"),
                                   "shell %s is not one of the allowed shells (accounts.shells)", shell);

        r = user_keys_parse(ctx, "ssh_keys", &p->ssh_keys, &keys);
        if (r < 0)
                return r;

        /* One lock for every account change: useradd and userdel rewrite the same files, and a second
         * request for the same name must see the first one's result.  The account's own lock keeps the
         * other actions of the family out of the home while it is made. */
        lock_fd = user_lock(ctx, "accounts");
        if (lock_fd < 0)
                return lock_fd;
        if (asprintf(&lock_name, "user.%s", p->user) < 0)
                return action_fail_errno(ctx, -ENOMEM, "failed to name the lock");
        user_lock_fd = user_lock(ctx, lock_name);
        if (user_lock_fd < 0)
                return user_lock_fd;

        r = account_lookup_managed(c, p->user, &a);
        if (r == 0)
                return user_create_existing(ctx, p, &a, keys);
        if (r == -EPERM)
                return action_fail(ctx, AGENT_PERMISSION_DENIED, json_pack("{s:s}", "param", "user"),
                                   "account %s exists and is not managed by the agent", p->user);
        if (r != -ENOENT)
                return action_fail_errno(ctx, r, "failed to look up account %s", p->user);

        return user_create_new(ctx, p, shell, keys);
}

static const int user_create_capabilities[] = {
        CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_SETUID, CAP_SETGID, CAP_AUDIT_WRITE, -1,
};

const Action action_user_create = {
        .name = "user.create",
        .family = FAMILY_USER,
        .description =
                "Creates a Unix account in the managed group with its home (0750, group "
                "accounts.home_group) and domains/, .ssh/ and tmp/ inside, and without subordinate uid and "
                "gid ranges.  Repeating the request for an "
                "existing managed account repairs the home layout and keys and changes nothing else; with "
                "a password or another shell it is ALREADY_EXISTS.",
        .params = user_create_params,
        .params_size = sizeof(UserCreateParams),
        .handler = user_create,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = USER_CREATE_TIMEOUT_MS,
        .capabilities = user_create_capabilities,
        .result_doc = "{changed, user, uid, gid, home, shell}",
};
