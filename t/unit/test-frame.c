/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "frame.h"
#include "macro.h"
#include "timeutil.h"

#define TEST_MAX        1024u
#define TEST_TIMEOUT_MS 2000u

typedef struct Pair {
        int read_fd;
        int write_fd;
} Pair;

static Pair make_socketpair(void)
{
        int sv[2];

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        return (Pair){ .read_fd = sv[0], .write_fd = sv[1] };
}

static Pair make_pipe(void)
{
        int p[2];

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        return (Pair){ .read_fd = p[0], .write_fd = p[1] };
}

static void pair_close(Pair *p)
{
        if (p->read_fd >= 0)
                close(p->read_fd);
        if (p->write_fd >= 0)
                close(p->write_fd);
        *p = (Pair){ -1, -1 };
}

static void close_writer(Pair *p)
{
        ck_assert_int_eq(close(p->write_fd), 0);
        p->write_fd = -1;
}

static void send_bytes(int fd, const void *data, size_t size)
{
        ck_assert_int_eq(write(fd, data, size), (ssize_t) size);
}

static void send_header(int fd, uint32_t length)
{
        uint8_t h[4] = { (uint8_t) (length >> 24), (uint8_t) (length >> 16), (uint8_t) (length >> 8),
                         (uint8_t) length };
        send_bytes(fd, h, sizeof(h));
}

static uint64_t elapsed_ms(uint64_t start_usec)
{
        return (now_usec() - start_usec) / USEC_PER_MSEC;
}

/* Reads one frame and checks that nothing is handed out when the result is an error. */
static FrameError read_frame(int fd, size_t max, unsigned timeout_ms, char **ret_body, size_t *ret_size)
{
        char *body = NULL;
        size_t size = 0;
        int io_errno = 0;
        FrameError fe = frame_read(fd, max, timeout_ms, &body, &size, &io_errno);

        if (fe != FRAME_OK)
                ck_assert_ptr_null(body);
        *ret_body = body;
        *ret_size = size;
        return fe;
}

START_TEST(test_read_ok)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;

        send_header(p.write_fd, 5);
        send_bytes(p.write_fd, "hello", 5);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, 5);
        ck_assert_str_eq(body, "hello");
        pair_close(&p);
}
END_TEST

START_TEST(test_read_nul_terminated)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;

        /* The body may hold a NUL byte; the length is what counts and a terminator follows the body. */
        send_header(p.write_fd, 3);
        send_bytes(p.write_fd, "a\0b", 3);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, 3);
        ck_assert_mem_eq(body, "a\0b", 4);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_eof)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;

        close_writer(&p);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_EOF);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_truncated_header)
{
        for (size_t n = 1; n < FRAME_HEADER_SIZE; n++) {
                Pair p = make_socketpair();
                _cleanup_free_ char *body = NULL;
                size_t size;

                send_bytes(p.write_fd, "\0\0\0\5", n);
                close_writer(&p);
                ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size),
                                 FRAME_TRUNCATED);
                pair_close(&p);
        }
}
END_TEST

START_TEST(test_read_truncated_body)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;

        send_header(p.write_fd, 10);
        send_bytes(p.write_fd, "12345", 5);
        close_writer(&p);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_TRUNCATED);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_prefix_no_body)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;

        send_header(p.write_fd, 10);
        close_writer(&p);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_TRUNCATED);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_prefix_no_body_open)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        uint64_t start = now_usec();
        size_t size;

        /* The writer keeps the connection open and sends nothing after the prefix. */
        send_header(p.write_fd, 10);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, 300, &body, &size), FRAME_TIMEOUT);
        ck_assert_uint_ge(elapsed_ms(start), 290);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_length_zero)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;

        send_header(p.write_fd, 0);
        send_bytes(p.write_fd, "{}", 2);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_EMPTY);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_over_cap)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size = 0;

        /* No body follows: the length alone must be enough to reject the frame, without waiting. */
        send_header(p.write_fd, TEST_MAX + 1);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_TOO_LARGE);
        ck_assert_uint_eq(size, TEST_MAX + 1);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_max_length)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size = 0;

        send_header(p.write_fd, UINT32_MAX);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_TOO_LARGE);
        ck_assert_uint_eq(size, UINT32_MAX);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_exact_cap)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL, *data = malloc(TEST_MAX);
        size_t size;

        ck_assert_ptr_nonnull(data);
        memset(data, 'x', TEST_MAX);
        send_header(p.write_fd, TEST_MAX);
        send_bytes(p.write_fd, data, TEST_MAX);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, TEST_MAX);
        ck_assert_mem_eq(body, data, TEST_MAX);
        ck_assert_int_eq(body[TEST_MAX], '\0');
        pair_close(&p);
}
END_TEST

START_TEST(test_read_trailing_ignored)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;

        /* One request per connection: bytes after the frame are not part of it. */
        send_header(p.write_fd, 2);
        send_bytes(p.write_fd, "{}garbage", 9);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, 2);
        ck_assert_str_eq(body, "{}");
        pair_close(&p);
}
END_TEST

START_TEST(test_read_silent_timeout)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        uint64_t start = now_usec();
        size_t size;

        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, 200, &body, &size), FRAME_TIMEOUT);
        ck_assert_uint_ge(elapsed_ms(start), 190);
        ck_assert_uint_lt(elapsed_ms(start), 1000);
        pair_close(&p);
}
END_TEST

/* Sends a whole frame one byte every 300 ms from a child, then waits to be killed. */
static pid_t start_slow_drip(int fd, const char *body)
{
        pid_t pid = fork();

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                uint32_t n = (uint32_t) strlen(body);
                uint8_t frame[64] = { (uint8_t) (n >> 24), (uint8_t) (n >> 16), (uint8_t) (n >> 8),
                                      (uint8_t) n };

                memcpy(frame + 4, body, n);
                for (size_t i = 0; i < n + 4; i++) {
                        if (write(fd, frame + i, 1) != 1)
                                _exit(1);
                        usleep(300 * 1000);
                }
                pause();
                _exit(0);
        }
        return pid;
}

START_TEST(test_read_slow_drip)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        uint64_t start = now_usec();
        size_t size;
        pid_t pid;

        /* 4 + 16 bytes at 300 ms each take 6 s.  Every single read finishes well within the 1500 ms
         * timeout, so only a deadline over the whole frame stops the reader at 1500 ms. */
        pid = start_slow_drip(p.write_fd, "{\"action\":\"a.b\"}");
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, 1500, &body, &size), FRAME_TIMEOUT);
        ck_assert_uint_ge(elapsed_ms(start), 1490);
        ck_assert_uint_lt(elapsed_ms(start), 2500);

        kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_slow_drip_in_time)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;
        pid_t pid;

        /* The same writer finishes 4 + 2 bytes in about 1.8 s, inside a 4 s deadline. */
        pid = start_slow_drip(p.write_fd, "{}");
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, 4000, &body, &size), FRAME_OK);
        ck_assert_str_eq(body, "{}");

        kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_pipe)
{
        Pair p = make_pipe();
        _cleanup_free_ char *body = NULL;
        size_t size;

        send_header(p.write_fd, 2);
        send_bytes(p.write_fd, "{}", 2);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_OK);
        ck_assert_str_eq(body, "{}");
        pair_close(&p);
}
END_TEST

START_TEST(test_read_pipe_truncated)
{
        Pair p = make_pipe();
        _cleanup_free_ char *body = NULL;
        size_t size;

        send_header(p.write_fd, 4);
        send_bytes(p.write_fd, "{}", 2);
        close_writer(&p);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_TRUNCATED);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_nonblocking)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        size_t size;
        pid_t pid;

        ck_assert_int_eq(fcntl(p.read_fd, F_SETFL, O_NONBLOCK), 0);
        pid = start_slow_drip(p.write_fd, "[]");
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, 4000, &body, &size), FRAME_OK);
        ck_assert_str_eq(body, "[]");

        kill(pid, SIGKILL);
        ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
        pair_close(&p);
}
END_TEST

START_TEST(test_read_bad_fd)
{
        _cleanup_close_ int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        int io_errno = 0;

        /* poll() reports a write-only file as readable, and read() then fails: an I/O error, not EOF. */
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(frame_read(fd, TEST_MAX, 200, &body, &size, &io_errno), FRAME_IO);
        ck_assert_int_eq(io_errno, EBADF);
        ck_assert_ptr_null(body);
}
END_TEST

START_TEST(test_write_round_trip)
{
        Pair p = make_socketpair();
        _cleanup_free_ char *body = NULL;
        const char *text = "{\"action\":\"agent.ping\"}";
        size_t size;

        ck_assert_int_eq(frame_write(p.write_fd, text, strlen(text), TEST_TIMEOUT_MS), 0);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, strlen(text));
        ck_assert_str_eq(body, text);
        pair_close(&p);
}
END_TEST

START_TEST(test_write_header_bytes)
{
        Pair p = make_socketpair();
        uint8_t buf[8];

        ck_assert_int_eq(frame_write(p.write_fd, "abcd", 4, TEST_TIMEOUT_MS), 0);
        ck_assert_int_eq(read(p.read_fd, buf, sizeof(buf)), 8);
        ck_assert_mem_eq(buf, "\0\0\0\4abcd", 8);
        pair_close(&p);
}
END_TEST

START_TEST(test_write_large)
{
        const size_t n = 4u * 1024u * 1024u;
        Pair p = make_socketpair();
        _cleanup_free_ char *data = malloc(n), *body = NULL;
        size_t size;
        pid_t pid;
        int status;

        ck_assert_ptr_nonnull(data);
        for (size_t i = 0; i < n; i++)
                data[i] = (char) ('a' + i % 26);

        /* Larger than the socket buffer, so the writer has to wait for the reader in the child. */
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                close(p.read_fd);
                _exit(frame_write(p.write_fd, data, n, 10000) == 0 ? 0 : 1);
        }
        close_writer(&p);

        ck_assert_int_eq(read_frame(p.read_fd, n, 10000, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, n);
        ck_assert_mem_eq(body, data, n);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
        pair_close(&p);
}
END_TEST

START_TEST(test_write_pipe)
{
        Pair p = make_pipe();
        _cleanup_free_ char *body = NULL;
        size_t size;

        ck_assert_int_eq(frame_write(p.write_fd, "[1]", 3, TEST_TIMEOUT_MS), 0);
        ck_assert_int_eq(read_frame(p.read_fd, TEST_MAX, TEST_TIMEOUT_MS, &body, &size), FRAME_OK);
        ck_assert_str_eq(body, "[1]");
        pair_close(&p);
}
END_TEST

START_TEST(test_write_empty)
{
        Pair p = make_socketpair();

        ck_assert_int_eq(frame_write(p.write_fd, "", 0, TEST_TIMEOUT_MS), -EINVAL);
        pair_close(&p);
}
END_TEST

START_TEST(test_write_peer_closed)
{
        Pair p = make_socketpair();

        /* MSG_NOSIGNAL: the test process survives without ignoring SIGPIPE. */
        ck_assert_int_eq(close(p.read_fd), 0);
        p.read_fd = -1;
        ck_assert_int_eq(frame_write(p.write_fd, "{}", 2, TEST_TIMEOUT_MS), -EPIPE);
        pair_close(&p);
}
END_TEST

START_TEST(test_write_timeout)
{
        const size_t n = 8u * 1024u * 1024u;
        Pair p = make_socketpair();
        _cleanup_free_ char *data = calloc(1, n);
        uint64_t start = now_usec();

        /* The reader never reads, so the socket buffer fills and the deadline ends the write. */
        ck_assert_ptr_nonnull(data);
        ck_assert_int_eq(frame_write(p.write_fd, data, n, 300), -ETIMEDOUT);
        ck_assert_uint_ge(elapsed_ms(start), 290);
        ck_assert_uint_lt(elapsed_ms(start), 2000);
        pair_close(&p);
}
END_TEST

static FrameError parse(const void *buf, size_t size, size_t max, const uint8_t **ret_body, size_t *ret_size)
{
        return frame_parse_buffer(buf, size, max, ret_body, ret_size);
}

START_TEST(test_parse_ok)
{
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(parse("\0\0\0\2{}", 6, TEST_MAX, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, 2);
        ck_assert_mem_eq(body, "{}", 2);
}
END_TEST

START_TEST(test_parse_body_pointer)
{
        static const uint8_t buf[] = "\0\0\0\3abcXYZ";
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(frame_parse_buffer(buf, sizeof(buf) - 1, TEST_MAX, &body, &size), FRAME_OK);
        ck_assert_ptr_eq(body, buf + FRAME_HEADER_SIZE);
        ck_assert_uint_eq(size, 3);
}
END_TEST

START_TEST(test_parse_empty_buffer)
{
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(frame_parse_buffer(NULL, 0, TEST_MAX, &body, &size), FRAME_EOF);
        ck_assert_ptr_null(body);
}
END_TEST

START_TEST(test_parse_short_header)
{
        for (size_t n = 1; n < FRAME_HEADER_SIZE; n++) {
                const uint8_t *body = NULL;
                size_t size = 0;

                ck_assert_int_eq(parse("\0\0\0\2{}", n, TEST_MAX, &body, &size), FRAME_TRUNCATED);
                ck_assert_ptr_null(body);
        }
}
END_TEST

START_TEST(test_parse_length_zero)
{
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(parse("\0\0\0\0{}", 6, TEST_MAX, &body, &size), FRAME_EMPTY);
        ck_assert_ptr_null(body);
}
END_TEST

START_TEST(test_parse_over_cap)
{
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(parse("\0\0\0\3abc", 7, 2, &body, &size), FRAME_TOO_LARGE);
        ck_assert_ptr_null(body);
        ck_assert_int_eq(parse("\xff\xff\xff\xff", 4, TEST_MAX, &body, &size), FRAME_TOO_LARGE);
        ck_assert_int_eq(parse("\x80\0\0\0", 4, SIZE_MAX, &body, &size), FRAME_TRUNCATED);
}
END_TEST

START_TEST(test_parse_exact_cap)
{
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(parse("\0\0\0\3abc", 7, 3, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, 3);
}
END_TEST

START_TEST(test_parse_truncated_body)
{
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(parse("\0\0\0\5abcd", 8, TEST_MAX, &body, &size), FRAME_TRUNCATED);
        ck_assert_int_eq(parse("\0\0\0\5", 4, TEST_MAX, &body, &size), FRAME_TRUNCATED);
        ck_assert_ptr_null(body);
}
END_TEST

START_TEST(test_parse_trailing)
{
        const uint8_t *body = NULL;
        size_t size = 0;

        ck_assert_int_eq(parse("\0\0\0\2{}{}", 8, TEST_MAX, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, 2);
}
END_TEST

START_TEST(test_parse_big_endian)
{
        static uint8_t buf[4 + 258];
        const uint8_t *body = NULL;
        size_t size = 0;

        /* 0x00000102 = 258: a little-endian reading would see 0x02010000. */
        memcpy(buf, "\0\0\1\2", 4);
        ck_assert_int_eq(frame_parse_buffer(buf, sizeof(buf), TEST_MAX, &body, &size), FRAME_OK);
        ck_assert_uint_eq(size, 258);
}
END_TEST

START_TEST(test_error_strings)
{
        for (int e = 0; e < _FRAME_ERROR_MAX; e++) {
                const char *s = frame_error_to_string((FrameError) e);
                ck_assert_ptr_nonnull(s);
                ck_assert_int_gt(strlen(s), 0);
        }
        ck_assert_ptr_null(frame_error_to_string(_FRAME_ERROR_MAX));
        ck_assert_ptr_null(frame_error_to_string((FrameError) -1));
}
END_TEST

static Suite *frame_suite(void)
{
        Suite *s = suite_create("frame");
        TCase *tc;

        tc = tcase_create("read");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_read_ok);
        tcase_add_test(tc, test_read_nul_terminated);
        tcase_add_test(tc, test_read_eof);
        tcase_add_test(tc, test_read_truncated_header);
        tcase_add_test(tc, test_read_truncated_body);
        tcase_add_test(tc, test_read_prefix_no_body);
        tcase_add_test(tc, test_read_prefix_no_body_open);
        tcase_add_test(tc, test_read_length_zero);
        tcase_add_test(tc, test_read_over_cap);
        tcase_add_test(tc, test_read_max_length);
        tcase_add_test(tc, test_read_exact_cap);
        tcase_add_test(tc, test_read_trailing_ignored);
        tcase_add_test(tc, test_read_silent_timeout);
        tcase_add_test(tc, test_read_slow_drip);
        tcase_add_test(tc, test_read_slow_drip_in_time);
        tcase_add_test(tc, test_read_pipe);
        tcase_add_test(tc, test_read_pipe_truncated);
        tcase_add_test(tc, test_read_nonblocking);
        tcase_add_test(tc, test_read_bad_fd);
        suite_add_tcase(s, tc);

        tc = tcase_create("write");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_write_round_trip);
        tcase_add_test(tc, test_write_header_bytes);
        tcase_add_test(tc, test_write_large);
        tcase_add_test(tc, test_write_pipe);
        tcase_add_test(tc, test_write_empty);
        tcase_add_test(tc, test_write_peer_closed);
        tcase_add_test(tc, test_write_timeout);
        suite_add_tcase(s, tc);

        tc = tcase_create("parse");
        tcase_add_test(tc, test_parse_ok);
        tcase_add_test(tc, test_parse_body_pointer);
        tcase_add_test(tc, test_parse_empty_buffer);
        tcase_add_test(tc, test_parse_short_header);
        tcase_add_test(tc, test_parse_length_zero);
        tcase_add_test(tc, test_parse_over_cap);
        tcase_add_test(tc, test_parse_exact_cap);
        tcase_add_test(tc, test_parse_truncated_body);
        tcase_add_test(tc, test_parse_trailing);
        tcase_add_test(tc, test_parse_big_endian);
        tcase_add_test(tc, test_error_strings);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(frame_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
