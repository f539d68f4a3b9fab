/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Frame reading and writing for frame-bench and ping-responder.  A frame is a 4-byte unsigned big-endian
 * length N followed by N bytes of payload.  This is written apart from lib/frame.c on purpose, so the
 * benchmark client cannot share a framing bug with the agent it measures. */

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"

/* Writes all n bytes, retrying on short writes and EINTR. */
static inline int write_all(int fd, const void *buf, size_t n)
{
        const uint8_t *p = buf;

        assert(fd >= 0);
        assert(buf || n == 0);

        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Reads exactly n bytes.  Returns -ENODATA when the peer closed before the first byte and -EPROTO when it
 * closed part-way, so callers can tell "no response" from "truncated response". */
static inline int read_exact(int fd, void *buf, size_t n)
{
        uint8_t *p = buf;
        size_t done = 0;

        assert(fd >= 0);
        assert(buf || n == 0);

        while (done < n) {
                ssize_t k = read(fd, p + done, n - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return -ETIMEDOUT; /* SO_RCVTIMEO ran out */
                        return -errno;
                }
                if (k == 0)
                        return done == 0 ? -ENODATA : -EPROTO;
                done += (size_t) k;
        }
        return 0;
}

/* Writes one frame: the length prefix, then the payload. */
static inline int frame_write(int fd, const void *payload, size_t size)
{
        uint8_t header[4];
        int r;

        assert(fd >= 0);

        if (size > UINT32_MAX)
                return -EMSGSIZE;

        header[0] = (uint8_t) (size >> 24);
        header[1] = (uint8_t) (size >> 16);
        header[2] = (uint8_t) (size >> 8);
        header[3] = (uint8_t) size;

        r = write_all(fd, header, sizeof header);
        if (r < 0)
                return r;
        return write_all(fd, payload, size);
}

/* Reads one frame of 1 to max bytes.  On success *ret_payload is a NUL-terminated copy the caller frees and
 * *ret_size excludes the terminator.  Returns -EBADMSG for a zero length and -EMSGSIZE above max. */
static inline int frame_read(int fd, size_t max, char **ret_payload, size_t *ret_size)
{
        _cleanup_free_ char *payload = NULL;
        uint8_t header[4];
        uint32_t size;
        int r;

        assert(fd >= 0);
        assert(ret_payload);
        assert(ret_size);

        r = read_exact(fd, header, sizeof header);
        if (r < 0)
                return r;

        size = (uint32_t) header[0] << 24 | (uint32_t) header[1] << 16 | (uint32_t) header[2] << 8 |
               (uint32_t) header[3];
        if (size == 0)
                return -EBADMSG;
        if (size > max)
                return -EMSGSIZE;

        payload = malloc((size_t) size + 1);
        if (!payload)
                return -ENOMEM;

        r = read_exact(fd, payload, size);
        if (r < 0)
                return r == -ENODATA ? -EPROTO : r;
        payload[size] = '\0';

        *ret_payload = TAKE_PTR(payload);
        *ret_size = size;
        return 0;
}
