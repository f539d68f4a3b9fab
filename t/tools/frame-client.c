/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame-client: a test client that sends raw bytes to the agent and prints the response body.
 *
 *   frame-client [--raw] [--hangup] [--delay MS] SOCKET < INPUT
 *
 * Without --raw, INPUT is the JSON body and the 4-byte length prefix is added.  With --raw, INPUT is sent
 * as is (for truncated frames, bad prefixes and the like).  --hangup closes the connection right after
 * sending.  --delay waits MS milliseconds between connecting and sending, which keeps a connection (and
 * its service instance) open for tests that count instances.  Prints the response body and a newline;
 * exit status 0 when a frame came back, 1 when the agent closed without a response, 2 on usage or I/O
 * errors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "frame.h"
#include "macro.h"

#define INPUT_MAX    (4u * 1024u * 1024u)
#define DELAY_MAX_MS 600000u
#define USAGE        "usage: frame-client [--raw] [--hangup] [--delay MS] SOCKET < INPUT\n"

static size_t read_stdin(char *buf, size_t max)
{
        size_t n = 0;
        ssize_t k;

        while (n < max && (k = read(STDIN_FILENO, buf + n, max - n)) > 0)
                n += (size_t) k;
        return n;
}

static int write_all(int fd, const void *p, size_t n)
{
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p = (const char *) p + k;
                n -= (size_t) k;
        }
        return 0;
}

/* Parses a --delay value: 0 to DELAY_MAX_MS milliseconds. */
static int parse_delay(const char *s, unsigned *ret)
{
        char *end = NULL;
        unsigned long v;

        if (!*s || *s == '-')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > DELAY_MAX_MS)
                return -EINVAL;

        *ret = (unsigned) v;
        return 0;
}

static void sleep_ms(unsigned ms)
{
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int main(int argc, char *argv[])
{
        bool raw = false, hangup = false;
        unsigned delay_ms = 0;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *input = NULL, *body = NULL;
        _cleanup_close_ int fd = -1;
        const char *path = NULL;
        size_t n, size = 0;
        int io_errno = 0;

        for (int i = 1; i < argc; i++) {
                if (streq(argv[i], "--raw"))
                        raw = true;
                else if (streq(argv[i], "--hangup"))
                        hangup = true;
                else if (streq(argv[i], "--delay")) {
                        if (i + 1 >= argc || parse_delay(argv[i + 1], &delay_ms) < 0) {
                                fprintf(stderr, "Invalid --delay, expected 0 to %u milliseconds: %s\n",
                                        DELAY_MAX_MS, i + 1 < argc ? argv[i + 1] : "(missing)");
                                return 2;
                        }
                        i++;
                } else if (!path)
                        path = argv[i];
                else {
                        fputs(USAGE, stderr);
                        return 2;
                }
        }
        if (!path || strlen(path) >= sizeof(sa.sun_path)) {
                fputs(USAGE, stderr);
                return 2;
        }
        strcpy(sa.sun_path, path);

        input = malloc(INPUT_MAX);
        if (!input)
                return 2;
        n = read_stdin(input, INPUT_MAX);
        /* A trailing newline from a here-document is not part of the JSON body. */
        if (!raw && n > 0 && input[n - 1] == '\n')
                n--;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "Failed to connect to %s: %s\n", path, strerror(errno));
                return 2;
        }
        if (delay_ms > 0)
                sleep_ms(delay_ms);

        if (!raw) {
                uint8_t header[4] = { (uint8_t) (n >> 24), (uint8_t) (n >> 16), (uint8_t) (n >> 8),
                                      (uint8_t) n };
                if (write_all(fd, header, sizeof(header)) < 0)
                        return 2;
        }
        if (n > 0 && write_all(fd, input, n) < 0)
                return 2;
        if (hangup)
                return 0;
        /* Signal the end of the request, so a truncated frame is seen as such rather than timing out. */
        (void) shutdown(fd, SHUT_WR);

        FrameError fe = frame_read(fd, 64u * 1024u * 1024u, 60000, &body, &size, &io_errno);
        if (fe == FRAME_EOF)
                return 1;
        if (fe != FRAME_OK) {
                fprintf(stderr, "Failed to read the response: %s\n", frame_error_to_string(fe));
                return 2;
        }
        fwrite(body, 1, size, stdout);
        fputc('\n', stdout);
        return 0;
}
