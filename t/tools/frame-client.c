/* SPDX-License-Identifier: GPL-2.0-or-later */

/* frame-client: sends one request read from standard input to a Unix stream socket and prints the response.
 *
 * By default standard input is the JSON text of the request and the tool adds the 4-byte big-endian length
 * prefix.  With --raw the bytes go out unchanged, so tests can send broken frames.  The response payload is
 * printed followed by a newline.
 *
 * Exit status: 0 when a response was printed (or, with --close, when the request was sent), 1 when the
 * connection, a read or a write failed or no response arrived, 2 on a usage error. */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>

#include "frame-io.h"
#include "macro.h"

#define REQUEST_MAX  (64u * 1024 * 1024)
#define RESPONSE_MAX (16u * 1024 * 1024)

typedef struct Options {
        const char *socket_path;
        bool raw;
        bool close_after_send;
        unsigned delay_ms;
        unsigned timeout_ms;
        size_t response_max;
} Options;

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: frame-client [OPTIONS] SOCKET < REQUEST\n"
                "Send one request to the Unix stream socket SOCKET and print the response payload.\n"
                "\n"
                "  --raw            send standard input unchanged, without adding the length prefix\n"
                "  --close          close the connection right after sending; do not read a response\n"
                "  --delay MS       wait MS milliseconds after connecting before sending (default 0)\n"
                "  --timeout MS     fail when sending or the response takes longer than MS milliseconds\n"
                "                   (default 30000)\n"
                "  --max BYTES      reject a response longer than BYTES (default %u)\n"
                "  -h, --help       show this help\n",
                RESPONSE_MAX);
}

static int parse_unsigned(const char *s, unsigned long long max, unsigned long long *ret)
{
        char *end = NULL;
        unsigned long long v;

        assert(s);
        assert(ret);

        if (!*s || *s == '-')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > max)
                return -EINVAL;

        *ret = v;
        return 0;
}

static int parse_options(int argc, char **argv, Options *ret)
{
        static const struct option longopts[] = {
                { "raw", no_argument, NULL, 'r' },
                { "close", no_argument, NULL, 'c' },
                { "delay", required_argument, NULL, 'd' },
                { "timeout", required_argument, NULL, 't' },
                { "max", required_argument, NULL, 'm' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        Options o = { .timeout_ms = 30000, .response_max = RESPONSE_MAX };
        unsigned long long v;
        int c;

        assert(ret);

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0) {
                switch (c) {
                case 'r':
                        o.raw = true;
                        break;
                case 'c':
                        o.close_after_send = true;
                        break;
                case 'd':
                case 't':
                        if (parse_unsigned(optarg, 24u * 3600 * 1000, &v) < 0) {
                                fprintf(stderr, "frame-client: invalid number of milliseconds: %s\n",
                                        optarg);
                                return -EINVAL;
                        }
                        if (c == 'd')
                                o.delay_ms = (unsigned) v;
                        else
                                o.timeout_ms = (unsigned) v;
                        break;
                case 'm':
                        if (parse_unsigned(optarg, UINT32_MAX, &v) < 0 || v == 0) {
                                fprintf(stderr,
                                        "frame-client: invalid --max, expected 1 to %" PRIu32 ": %s\n",
                                        UINT32_MAX, optarg);
                                return -EINVAL;
                        }
                        o.response_max = (size_t) v;
                        break;
                case 'h':
                        usage(stdout);
                        exit(EXIT_SUCCESS);
                default:
                        return -EINVAL;
                }
        }

        if (optind != argc - 1) {
                usage(stderr);
                return -EINVAL;
        }
        o.socket_path = argv[optind];

        *ret = o;
        return 0;
}

/* Reads all of standard input, up to REQUEST_MAX bytes. */
static int read_request(char **ret_buf, size_t *ret_size)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, allocated = 0;

        assert(ret_buf);
        assert(ret_size);

        for (;;) {
                if (size == allocated) {
                        size_t n = allocated == 0 ? 4096 : allocated * 2;
                        char *p;

                        if (allocated >= REQUEST_MAX)
                                return -EFBIG;
                        if (n > REQUEST_MAX)
                                n = REQUEST_MAX;
                        p = realloc(buf, n);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        allocated = n;
                }

                ssize_t k = read(STDIN_FILENO, buf + size, allocated - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
        }

        *ret_buf = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static int connect_unix(const char *path, unsigned timeout_ms, int *ret_fd)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
        _cleanup_close_ int fd = -1;

        assert(path);
        assert(ret_fd);

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -errno;

        *ret_fd = TAKE_FD(fd);
        return 0;
}

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int main(int argc, char **argv)
{
        _cleanup_free_ char *request = NULL, *response = NULL;
        _cleanup_close_ int fd = -1;
        size_t request_size = 0, response_size = 0;
        Options o;
        int r, write_error;

        /* A peer that closes early must show up as EPIPE from write(), not kill the tool. */
        signal(SIGPIPE, SIG_IGN);

        if (parse_options(argc, argv, &o) < 0)
                return 2;

        r = read_request(&request, &request_size);
        if (r < 0) {
                fprintf(stderr, "frame-client: failed to read the request from standard input: %s\n",
                        strerror(-r));
                return 1;
        }

        r = connect_unix(o.socket_path, o.timeout_ms, &fd);
        if (r < 0) {
                fprintf(stderr, "frame-client: failed to connect to %s: %s\n", o.socket_path, strerror(-r));
                return 1;
        }

        if (o.delay_ms > 0)
                sleep_ms(o.delay_ms);

        write_error = o.raw ? write_all(fd, request, request_size) : frame_write(fd, request, request_size);
        if (o.close_after_send) {
                if (write_error < 0) {
                        fprintf(stderr, "frame-client: failed to send the request to %s: %s\n",
                                o.socket_path, strerror(-write_error));
                        return 1;
                }
                return 0;
        }

        /* The server may reject a frame after its length prefix and close the connection.  Its error
         * response is still queued on our side, so a failed write is reported only when no response can be
         * read. */
        r = frame_read(fd, o.response_max, &response, &response_size);
        if (r < 0) {
                if (write_error < 0)
                        fprintf(stderr, "frame-client: failed to send the request to %s: %s\n",
                                o.socket_path, strerror(-write_error));
                if (r == -ENODATA)
                        fprintf(stderr, "frame-client: %s closed the connection without a response\n",
                                o.socket_path);
                else
                        fprintf(stderr, "frame-client: failed to read the response from %s: %s\n",
                                o.socket_path, strerror(-r));
                return 1;
        }

        if (fwrite(response, 1, response_size, stdout) != response_size || putchar('\n') == EOF ||
            fflush(stdout) != 0) {
                fprintf(stderr, "frame-client: failed to write the response to standard output: %s\n",
                        strerror(errno));
                return 1;
        }
        return 0;
}
