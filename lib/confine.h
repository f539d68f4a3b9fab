/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "action.h"
#include "config.h"

#define APPARMOR_PROFILE "jabali-agent"

/* What confine_enter() did, for the audit record and agent.version.  Each string is allocated. */
typedef struct ConfineReport {
        char *apparmor;     /* "jabali-agent//FAMILY", "off", "unavailable", or why entering it failed */
        char *landlock;     /* "abi N: PATH...", "off", "unavailable", or why restricting failed */
        char *capabilities; /* the kept capabilities, "none", or "all" when dropping is off */
        const char *failed; /* the step that failed, for the error message; NULL on success */
} ConfineReport;

void confine_report_done(ConfineReport *r);

/*
 * Confines the process for one action, one way, in this order:
 *   1. switches into the AppArmor subprofile of the action's family (jabali-agent//FAMILY) with
 *      aa_change_profile(), which the kernel refuses under no_new_privs, so it comes first;
 *   2. sets no_new_privs, so no program the handler runs gains privileges through a set-user-ID or
 *      file-capability binary;
 *   3. restricts filesystem writes to the action's write set (write-set.h) and closes /root to reads with
 *      Landlock, which needs no_new_privs;
 *   4. drops every capability the action does not declare.
 * [agent] apparmor and [agent] landlock each take "require" (fail when the step cannot be done), "auto"
 * (do it when the kernel can, and report "unavailable" or the failure otherwise) or "off".
 * Returns 0, or a negative errno with ret->failed naming the step; ret is filled in both cases.
 */
int confine_enter(const AgentConfig *c, const Action *a, ConfineReport *ret);

/* Returns whether AppArmor is enabled in the running kernel. */
bool confine_apparmor_enabled(void);
