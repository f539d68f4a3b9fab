/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "action.h"
#include "config.h"

#define APPARMOR_PROFILE "jabali-agent"

/*
 * Confines the process for one action: switches into the AppArmor subprofile of the action's family
 * (jabali-agent//FAMILY, a one-way aa_change_profile()), then drops every capability the action does not
 * declare.  [agent] apparmor: "require" fails when the subprofile cannot be entered, "auto" goes on and
 * reports "unavailable", "off" skips AppArmor.  On success *ret_apparmor describes the outcome for the
 * audit record (static string or allocated; free it) and *ret_capabilities lists the kept capabilities.
 * Returns 0, or a negative errno with *ret_apparmor naming the failure.
 */
int confine_enter(const AgentConfig *c, const Action *a, char **ret_apparmor, char **ret_capabilities);

/* Returns whether AppArmor is enabled in the running kernel. */
bool confine_apparmor_enabled(void);
