/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "action.h"
#include "config.h"

/*
 * The write set of an action: the paths that it and the programs it runs may change.  Every other path
 * of the filesystem is closed to writes by a Landlock ruleset (landlock.h) before the handler runs.
 */

/* The list of a family, for its actions that declare none. */
const WritePath *write_set_of_family(ActionFamily f);

/* The list in force for an action: its own, or its family's. */
const WritePath *write_set_of_action(const Action *a);

/*
 * Resolves the action's list against the configuration: /dev/null first, then each path once, in list
 * order.  Directories marked create are made first when missing (their parent must exist).  A path that
 * does not exist goes to *ret_missing instead of *ret_paths: a write there fails with EACCES, and the
 * audit record names it.  Both lists are NULL-terminated; free them with strv_free().
 */
int write_set_resolve(const AgentConfig *c, const Action *a, char ***ret_paths, char ***ret_missing);
