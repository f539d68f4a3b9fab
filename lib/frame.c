/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "frame.h"
#include "macro.h"
#include "timeutil.h"

static const char *const frame_error_table[_FRAME_ERROR_MAX] = {
        [FRAME_OK] = "ok",
        [FRAME_EOF] = "connection closed before a request",
        [FRAME_TRUNCATED] = "connection closed inside the frame",
        [FRAME_EMPTY] = "frame length is zero",
        [FRAME_TOO_LARGE] = "frame length exceeds the maximum request size",
        [FRAME_TIMEOUT] = "request frame did not arrive in time",
        [FRAME_IO] = "read error",
};

const char *frame_error_to_string(FrameError e)
{
        if (e < 0 || e >= _FRAME_ERROR_MAX)
                return NULL;
        return frame_error_table[e];
}

static uint32_t be32_decode(const uint8_t b[4])
{
        return (uint32_t) b[0] << 24 | (uint32_t) b[1] << 16 | (uint32_t) b[2] << 8 | (uint32_t) b[3];
}

/* Reads exactly size bytes before the monotonic deadline.  Returns the number of bytes read (short only at
 * EOF), -ETIMEDOUT, or another negative errno. */
static ssize_t read_full(int fd, void *buf, size_t size, uint64_t deadline)
{
        size_t done = 0;

        while (done < size) {
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;

                struct pollfd p = { .fd = fd, .events = POLLIN };
                int timeout = (int) ((deadline - now + 999) / 1000);
                int r = poll(&p, 1, timeout);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r == 0)
                        return -ETIMEDOUT;

                ssize_t n = read(fd, (uint8_t *) buf + done, size - done);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                done += (size_t) n;
        }

        return (ssize_t) done;
}

static FrameError map_read_error(ssize_t r, int *ret_errno)
{
        if (r == -ETIMEDOUT)
                return FRAME_TIMEOUT;
        if (ret_errno)
                *ret_errno = (int) -r;
        return FRAME_IO;
}

FrameError frame_read(int fd, size_t max, unsigned timeout_ms, char **ret, size_t *ret_size, int *ret_errno)
{
        uint8_t header[FRAME_HEADER_SIZE];
        uint64_t deadline = now_usec() + (uint64_t) timeout_ms * 1000;
        ssize_t n;

        assert(fd >= 0);
        assert(ret);
        assert(ret_size);

        n = read_full(fd, header, sizeof(header), deadline);
        if (n < 0)
                return map_read_error(n, ret_errno);
        if (n == 0)
                return FRAME_EOF;
        if ((size_t) n < sizeof(header))
                return FRAME_TRUNCATED;

        uint32_t length = be32_decode(header);
        if (length == 0)
                return FRAME_EMPTY;
        if (length > max) {
                *ret_size = length;
                return FRAME_TOO_LARGE;
        }

        _cleanup_free_ char *body = malloc((size_t) length + 1);
        if (!body) {
                if (ret_errno)
                        *ret_errno = ENOMEM;
                return FRAME_IO;
        }

        n = read_full(fd, body, length, deadline);
        if (n < 0)
                return map_read_error(n, ret_errno);
        if ((size_t) n < length)
                return FRAME_TRUNCATED;
        body[length] = '\0';

        *ret = TAKE_PTR(body);
        *ret_size = length;
        return FRAME_OK;
}

static ssize_t write_some(int fd, const void *buf, size_t size)
{
        ssize_t n = send(fd, buf, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == ENOTSOCK)
                n = write(fd, buf, size);
        return n;
}

int frame_write(int fd, const char *data, size_t size, unsigned timeout_ms)
{
        uint8_t header[FRAME_HEADER_SIZE];
        uint64_t deadline = now_usec() + (uint64_t) timeout_ms * 1000;
        struct {
                const void *p;
                size_t n;
        } parts[2] = { { header, sizeof(header) }, { data, size } };

        assert(fd >= 0);
        assert(data || size == 0);

        if (size == 0 || size > UINT32_MAX)
                return -EINVAL;

        header[0] = (uint8_t) (size >> 24);
        header[1] = (uint8_t) (size >> 16);
        header[2] = (uint8_t) (size >> 8);
        header[3] = (uint8_t) size;

        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                size_t done = 0;

                while (done < parts[i].n) {
                        ssize_t n = write_some(fd, (const uint8_t *) parts[i].p + done, parts[i].n - done);
                        if (n >= 0) {
                                done += (size_t) n;
                                continue;
                        }
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return -errno;

                        uint64_t now = now_usec();
                        if (now >= deadline)
                                return -ETIMEDOUT;
                        struct pollfd p = { .fd = fd, .events = POLLOUT };
                        if (poll(&p, 1, (int) ((deadline - now + 999) / 1000)) < 0 && errno != EINTR)
                                return -errno;
                }
        }

        return 0;
}

FrameError frame_parse_buffer(const uint8_t *buf, size_t size, size_t max, const uint8_t **ret_body,
                              size_t *ret_body_size)
{
        assert(buf || size == 0);

        if (size == 0)
                return FRAME_EOF;
        if (size < FRAME_HEADER_SIZE)
                return FRAME_TRUNCATED;

        uint32_t length = be32_decode(buf);
        if (length == 0)
                return FRAME_EMPTY;
        if (length > max)
                return FRAME_TOO_LARGE;
        if (size - FRAME_HEADER_SIZE < length)
                return FRAME_TRUNCATED;

        *ret_body = buf + FRAME_HEADER_SIZE;
        *ret_body_size = length;
        return FRAME_OK;
}
