/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "account.h"
#include "config.h"

/*
 * The home layout of an account: <home_root>/<user> (mode 0750, owner the account, group
 * accounts.home_group so the web server can enter it), with domains/ (0750, same group), .ssh/ (0700) and
 * tmp/ (0700) owned by the account and its own group.
 */

/* Opens the directory name inside parent_fd without following a symlink, creating it first when create is
 * true, and sets owner and mode on the descriptor where they differ.  Sets *ret_changed when it created or
 * fixed something.  Returns the descriptor, -ELOOP or -ENOTDIR when name is a symlink or not a directory,
 * -ENOENT when it is missing and create is false. */
int home_dir_ensure(int parent_fd, const char *name, mode_t mode, uid_t uid, gid_t gid, bool create,
                    bool *ret_changed);

/* Creates or repairs the whole layout of the account below the already opened home_root_fd and sets
 * *ret_changed as home_dir_ensure() does.  Returns the descriptor of the home, or -ENOENT when
 * accounts.home_group does not exist. */
int home_layout_ensure(const AgentConfig *c, const Account *a, int home_root_fd, bool *ret_changed);
