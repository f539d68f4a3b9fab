/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sshkey.write: the agent's block of an account's authorized_keys. */
#include <linux/capability.h>
#include <stdio.h>

#include "macro.h"
#include "sshkey.h"
#include "user-family.h"

#define SSHKEY_WRITE_TIMEOUT_MS 10000

typedef struct SshkeyWriteParams {
        char *user;
        ParamStrv keys;
} SshkeyWriteParams;

static const ParamSpec sshkey_write_params[] = {
        USER_PARAM(SshkeyWriteParams, user),
        {
                .name = "keys",
                .type = PARAM_STRING_ARRAY,
                .flags = PARAM_REQUIRED,
                .offset = offsetof(SshkeyWriteParams, keys),
                .max = 64,
                .check = ssh_key_check,
                .constraint = "\"type base64 [comment]\" without options; RSA of at least ssh.rsa_min_bits",
                .description =
                        "Every public key of the block, which they replace; an empty list removes the "
                        "block.",
        },
        {},
};

static int sshkey_write(ActionContext *ctx, void *params)
{
        SshkeyWriteParams *p = params;
        _cleanup_(account_done) Account a = {};
        _cleanup_strv_free_ char **lines = NULL;
        _cleanup_free_ char *lock_name = NULL;
        _cleanup_close_ int lock_fd = -1;
        bool changed = false;
        int r;

        r = user_lookup(ctx, p->user, &a);
        if (r < 0)
                return r;

        r = user_keys_parse(ctx, "keys", &p->keys, &lines);
        if (r < 0)
                return r;

        if (asprintf(&lock_name, "user.%s", a.name) < 0)
                return action_fail_errno(ctx, -ENOMEM, "failed to name the lock");
        lock_fd = user_lock(ctx, lock_name);
        if (lock_fd < 0)
                return lock_fd;

        r = user_keys_write(ctx, &a, lines, p->keys.n, &changed);
        if (r < 0)
                return r;

        ctx->result = json_pack("{s:b, s:s, s:I}", "changed", changed, "user", a.name, "keys",
                                (json_int_t) p->keys.n);
        return ctx->result ? 0 : action_fail_errno(ctx, -ENOMEM, "failed to build the result");
}

static const int sshkey_write_capabilities[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, -1 };

const Action action_sshkey_write = {
        .name = "sshkey.write",
        .family = FAMILY_USER,
        .description =
                "Replaces the agent's block of ~/.ssh/authorized_keys (between marker lines) with the "
                "given keys; lines outside the block are kept.  .ssh is 0700 and the file 0600, both "
                "owned by the account; a symbolic link or hard link in their place is UNSAFE_PATH.",
        .params = sshkey_write_params,
        .params_size = sizeof(SshkeyWriteParams),
        .handler = sshkey_write,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = SSHKEY_WRITE_TIMEOUT_MS,
        .capabilities = sshkey_write_capabilities,
        .result_doc = "{changed, user, keys: number of keys in the block}",
};
