/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Standard base64 (RFC 4648 section 4, "+/" alphabet, "=" padding). */

/* Encodes size bytes.  Returns 0 and a NUL-terminated string in *ret, or -ENOMEM. */
int base64_encode(const void *data, size_t size, char **ret);

/* Decodes the canonical encoding only: the length is a multiple of 4, padding appears only at the end and
 * the unused bits of the last group are zero, so every byte string has exactly one accepted encoding.
 * Whitespace is invalid.  Returns -EINVAL for anything else. */
int base64_decode(const char *text, size_t length, uint8_t **ret, size_t *ret_size);
