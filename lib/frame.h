/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/*
 * The frame: a 4-byte unsigned big-endian length N, then N bytes of UTF-8 JSON.  N = 0 and N above the
 * configured maximum are errors.
 */

#define FRAME_HEADER_SIZE 4u

typedef enum FrameError {
        FRAME_OK = 0,
        FRAME_EOF,       /* the peer closed before sending a byte */
        FRAME_TRUNCATED, /* the peer closed inside the header or the body */
        FRAME_EMPTY,     /* N = 0 */
        FRAME_TOO_LARGE, /* N > max */
        FRAME_TIMEOUT,   /* the whole frame did not arrive in time */
        FRAME_IO,        /* a read error other than the above */
        _FRAME_ERROR_MAX,
} FrameError;

const char *frame_error_to_string(FrameError e);

/* Reads one frame from fd within timeout_ms (the whole frame, not each read).  fd may be blocking or not.
 * On FRAME_OK, *ret contains the body plus a terminating NUL and *ret_size its length; on FRAME_TOO_LARGE,
 * *ret_size contains the announced length.  errno-style details of FRAME_IO are in *ret_errno. */
FrameError frame_read(int fd, size_t max, unsigned timeout_ms, char **ret, size_t *ret_size, int *ret_errno);

/* Writes one frame within timeout_ms.  Returns 0 or a negative errno (-ETIMEDOUT, -EPIPE, ...).  SIGPIPE
 * is avoided by send(MSG_NOSIGNAL) on sockets; on other descriptors the caller ignores SIGPIPE. */
int frame_write(int fd, const char *data, size_t size, unsigned timeout_ms);

/* Splits a buffer holding a whole frame (header and body), for the fuzzer and tests: the same rules as
 * frame_read() without the I/O.  *ret_body points into buf. */
FrameError frame_parse_buffer(const uint8_t *buf, size_t size, size_t max, const uint8_t **ret_body,
                              size_t *ret_body_size);
