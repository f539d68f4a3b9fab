/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

/*
 * The managed-account rule shared by every family: an account the agent may act on is a Unix user whose
 * name passes validate_account_name(), that is a member of the managed group (default jabali-users),
 * whose uid is at least the configured minimum (default 1000) and not 65534, whose name is not reserved,
 * and whose home is <home_root>/<name>.  Everything else (root, system accounts, accounts created by
 * someone else) is never touched.
 */

typedef struct Account {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home; /* <home_root>/<name> */
        char *shell;
} Account;

/* Looks the account up on the host (NSS).  Returns 0 and fills ret for a managed account; -ENOENT when no
 * such user exists; -EPERM when it exists but is not managed (system account, reserved name, not in the
 * managed group, home elsewhere); -EINVAL for an invalid name. */
int account_lookup_managed(const AgentConfig *c, const char *name, Account *ret);
void account_done(Account *a);

/* True for names the agent never creates: root, system and service account names from a built-in list
 * plus [accounts] reserved_names. */
bool account_name_reserved(const AgentConfig *c, const char *name);

/* Opens the account's home directory as a descriptor (O_DIRECTORY|O_NOFOLLOW on every component) and checks
 * it is owned by the account.  -ELOOP or -ENOTDIR for a planted link, -EPERM for a wrong owner. */
int account_open_home(const AgentConfig *c, const Account *a);

/* Counts the account's domains as the directories under <home>/domains, for user.delete.  The count is 0
 * when the home or domains/ does not exist, and the result -ELOOP or -ENOTDIR when either is a planted link.
 * user.delete also counts the vhosts whose owner record names the account, which finds a domain whose
 * directory the tenant removed. */
int account_count_domains(const AgentConfig *c, const Account *a, unsigned *ret);
