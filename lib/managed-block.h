/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/*
 * A block of lines that the agent owns inside a file that others edit too, such as authorized_keys: the
 * lines between a begin marker line and an end marker line.  Lines outside the block are kept byte for
 * byte.
 */

/* Returns in *ret a copy of text whose block contains exactly the n lines (each without a newline).  A
 * missing block is appended at the end, and n == 0 removes the block with its markers.  Returns -EBADMSG
 * when text has a begin marker without an end marker after it, an end marker without a begin marker, or
 * more than one block, because rewriting such a file could swallow lines someone else wrote.  Returns
 * -EINVAL when a line contains a newline or equals a marker. */
int managed_block_replace(const char *text, const char *begin, const char *end, const char *const *lines,
                          size_t n, char **ret);

/* Returns the lines inside the block as a NULL-terminated list (empty when there is no block), with the
 * same -EBADMSG cases as managed_block_replace(). */
int managed_block_lines(const char *text, const char *begin, const char *end, char ***ret);
