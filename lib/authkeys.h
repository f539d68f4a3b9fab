/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * The agent's block of ~/.ssh/authorized_keys.  Lines an operator or the account wrote outside the block
 * are kept.  The file is read and replaced through the descriptor of .ssh, never through a path, and is
 * left 0600 and owned by the account.
 */

#define AUTHORIZED_KEYS_BEGIN "# BEGIN jabali-agent managed keys: lines up to the END marker are replaced"
#define AUTHORIZED_KEYS_END   "# END jabali-agent managed keys"
/* Largest authorized_keys the agent reads back. */
#define AUTHORIZED_KEYS_SIZE_MAX (1024u * 1024u)

/* Makes the block of authorized_keys inside ssh_dir_fd contain exactly lines (canonical key lines from
 * ssh_key_parse()), and sets *ret_changed.  Returns -ELOOP when the existing file is a symlink, is not a
 * regular file, has other hard links or belongs to someone other than the account or root.  Returns
 * -EBADMSG when it contains a NUL byte or an unbalanced block, and -EFBIG when it is larger than
 * AUTHORIZED_KEYS_SIZE_MAX.  For those errors *ret_reason describes the problem. */
int authorized_keys_update(int ssh_dir_fd, uid_t uid, gid_t gid, char *const *lines, size_t n,
                           bool *ret_changed, const char **ret_reason);
