/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * Test hooks of safefile.c.  Production code does not call these: the resolver switches to the
 * component walk by itself when openat2() returns ENOSYS.
 */

/* Makes every later resolution in this process walk components with O_NOFOLLOW instead of calling
 * openat2(), so tests cover the path taken on kernels before Linux 5.6. */
void safefile_force_walk(bool on);

/* Returns true when resolutions use openat2(): not forced to walk, and the kernel has the system call. */
bool safefile_uses_openat2(void);
