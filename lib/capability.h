/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/* Returns "CAP_CHOWN" for CAP_CHOWN, or NULL for an unknown number. */
const char *capability_to_name(int cap);

/*
 * Keeps only the capabilities in keep (ending with -1, NULL for none) in the effective, permitted,
 * inheritable and bounding sets, so neither this process nor a program it runs as root can regain
 * another.  Returns 0 or a negative errno.
 */
int capability_drop_except(const int *keep);

/* Returns the effective capabilities of this process as "CAP_CHOWN CAP_KILL", "" for none. */
char *capability_effective_list(void);
