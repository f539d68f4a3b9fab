/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every configuration key the agent reads, with its default.  Add rows here for a new family; the
 * configuration reference in docs/configuration.md is generated from this table. */
#include <stddef.h>

#include "config.h"
#include "macro.h"

static const char *const apparmor_modes[] = { "require", "auto", "off", NULL };

const ConfigKey config_keys[] = {
        /* The request reader. */
        { "agent", "max_request_bytes", CONFIG_UINT, "1048576", NULL,
          "Largest request frame accepted, in bytes; a larger length prefix is REQUEST_TOO_LARGE." },
        { "agent", "read_timeout_ms", CONFIG_UINT, "10000", NULL,
          "Time the whole request frame must arrive within, in milliseconds." },
        { "agent", "write_timeout_ms", CONFIG_UINT, "10000", NULL,
          "Time allowed for writing the response, in milliseconds." },
        { "agent", "lock_dir", CONFIG_PATH, "/run/jabali-agent/locks", NULL,
          "Directory of the advisory lock files that serialise changes to shared state." },
        { "agent", "lock_timeout_ms", CONFIG_UINT, "15000", NULL,
          "Longest wait for a lock before the request is answered with BUSY, in milliseconds." },
        { "agent", "apparmor", CONFIG_ENUM, "auto", apparmor_modes,
          "require: refuse to run actions when the family subprofile cannot be entered; auto: enter it when "
          "AppArmor is enabled and note its absence in the audit record otherwise; off: never." },
        { "agent", "drop_capabilities", CONFIG_BOOL, "yes", NULL,
          "Drop every capability the action does not declare before its handler runs." },

        /* The audit trail. */
        { "audit", "fail_closed", CONFIG_BOOL, "yes", NULL,
          "Refuse changing actions with AUDIT_UNAVAILABLE when the accepted-record cannot be written.  Turn "
          "off only on development machines without a journal." },

        /* The caller policy. */
        { "policy", "allowed_groups", CONFIG_LIST, "jabali", NULL,
          "Groups whose members may call panel actions besides root." },
        { "policy", "allowed_users", CONFIG_LIST, "", NULL, "User names that may call panel actions besides root." },
        { "policy", "root_only", CONFIG_LIST, "", NULL,
          "Action names or shell patterns (fnmatch) restricted to root in addition to the built-in root-only "
          "actions." },
        { "policy", "denied", CONFIG_LIST, "", NULL,
          "Action names or shell patterns (fnmatch) that no caller, root included, may run on this host." },

        {},
};
