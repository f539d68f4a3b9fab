/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * MD5 (RFC 1321), for one purpose only: nginx names a cache file after the MD5 of its cache key, so purging
 * one URL means computing that name.  It is not used for anything that needs collision resistance.
 */

#define MD5_DIGEST_SIZE 16
#define MD5_HEX_SIZE    (2 * MD5_DIGEST_SIZE + 1)

void md5(const void *data, size_t size, uint8_t ret[MD5_DIGEST_SIZE]);

/* Writes the lowercase hex digest, NUL-terminated, as nginx prints it. */
void md5_hex(const void *data, size_t size, char ret[MD5_HEX_SIZE]);
