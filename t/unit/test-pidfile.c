/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "fake-service.h"
#include "macro.h"
#include "pidfile.h"

static char tmpdir[PATH_MAX];

static void path_in_tmp(char *buf, size_t size, const char *name)
{
        int n = snprintf(buf, size, "%s/%s", tmpdir, name);
        ck_assert(n > 0 && (size_t) n < size);
}

static void write_file(const char *name, const void *data, size_t size, mode_t mode)
{
        char path[PATH_MAX];
        int fd;

        path_in_tmp(path, sizeof(path), name);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, size), (ssize_t) size);
        ck_assert_int_eq(fchmod(fd, mode), 0);
        ck_assert_int_eq(close(fd), 0);
}

static int read_in_tmp(const char *name, pid_t *ret)
{
        char path[PATH_MAX];

        path_in_tmp(path, sizeof(path), name);
        return pidfile_read(path, ret);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void setup(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-pidfile.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
        (void) nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

START_TEST(parse_valid)
{
        static const struct {
                const char *text;
                pid_t pid;
        } cases[] = {
                { "2", 2 },
                { "1234", 1234 },
                { "1234\n", 1234 },
                { "4194304", PIDFILE_PID_MAX },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                pid_t pid = 0;

                ck_assert_int_eq(pidfile_parse(cases[i].text, strlen(cases[i].text), &pid), 0);
                ck_assert_int_eq(pid, cases[i].pid);
        }
}
END_TEST

START_TEST(parse_hostile)
{
        static const char *const cases[] = {
                "",
                "\n",
                "0",
                "1",
                "1\n",
                "01",
                "007",
                "-5",
                "+5",
                " 5",
                "5 ",
                "5\t",
                "5\n\n",
                "5\r\n",
                "\n5",
                "abc",
                "5x",
                "0x10",
                "1e3",
                "4194305",
                "2147483648",
                "99999999999",
                "12345678901234567890",
                "-1",
                "4294967297",
                "5 6",
                "٣",
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                pid_t pid = 77;

                ck_assert_msg(pidfile_parse(cases[i], strlen(cases[i]), &pid) == -EBADMSG, "accepted \"%s\"",
                              cases[i]);
                ck_assert_int_eq(pid, 77);
        }
}
END_TEST

START_TEST(parse_embedded_nul)
{
        pid_t pid = 77;

        ck_assert_int_eq(pidfile_parse("5\0", 2, &pid), -EBADMSG);
        ck_assert_int_eq(pidfile_parse("5\0\n", 3, &pid), -EBADMSG);
        ck_assert_int_eq(pidfile_parse("\0"
                                       "5",
                                       2, &pid),
                         -EBADMSG);
        ck_assert_int_eq(pid, 77);
}
END_TEST

START_TEST(read_valid)
{
        pid_t pid = 0;

        write_file("ok.pid", "4321\n", 5, 0644);
        ck_assert_int_eq(read_in_tmp("ok.pid", &pid), 0);
        ck_assert_int_eq(pid, 4321);
}
END_TEST

START_TEST(read_missing)
{
        pid_t pid = 0;

        ck_assert_int_eq(read_in_tmp("absent.pid", &pid), -ENOENT);
}
END_TEST

START_TEST(read_symlink)
{
        char target[PATH_MAX], link[PATH_MAX];
        pid_t pid = 0;

        write_file("real.pid", "4321\n", 5, 0644);
        path_in_tmp(target, sizeof(target), "real.pid");
        path_in_tmp(link, sizeof(link), "link.pid");
        ck_assert_int_eq(symlink(target, link), 0);
        ck_assert_int_eq(read_in_tmp("link.pid", &pid), -ELOOP);
}
END_TEST

START_TEST(read_directory)
{
        char path[PATH_MAX];
        pid_t pid = 0;

        path_in_tmp(path, sizeof(path), "dir.pid");
        ck_assert_int_eq(mkdir(path, 0755), 0);
        ck_assert_int_eq(read_in_tmp("dir.pid", &pid), -EINVAL);
}
END_TEST

START_TEST(read_fifo)
{
        char path[PATH_MAX];
        pid_t pid = 0;

        /* Without O_NONBLOCK the open would wait for a writer forever. */
        path_in_tmp(path, sizeof(path), "fifo.pid");
        ck_assert_int_eq(mkfifo(path, 0644), 0);
        ck_assert_int_eq(read_in_tmp("fifo.pid", &pid), -EINVAL);
}
END_TEST

START_TEST(read_world_writable)
{
        pid_t pid = 0;

        write_file("ww.pid", "4321\n", 5, 0666);
        ck_assert_int_eq(read_in_tmp("ww.pid", &pid), -EPERM);
}
END_TEST

START_TEST(read_group_writable)
{
        pid_t pid = 0;

        write_file("gw.pid", "4321\n", 5, 0664);
        ck_assert_int_eq(read_in_tmp("gw.pid", &pid), -EPERM);
}
END_TEST

START_TEST(read_foreign_owner)
{
        char path[PATH_MAX];
        pid_t pid = 0;

        /* Needs root to give the file away, as the agent's tests run. */
        write_file("nobody.pid", "4321\n", 5, 0644);
        path_in_tmp(path, sizeof(path), "nobody.pid");
        ck_assert_msg(chown(path, 65534, 65534) == 0,
                      "chown to 65534 failed (the test must run as root): %s", strerror(errno));
        ck_assert_int_eq(read_in_tmp("nobody.pid", &pid), -EPERM);
}
END_TEST

START_TEST(read_too_large)
{
        char big[PIDFILE_SIZE_MAX + 1];
        pid_t pid = 0;

        memset(big, '1', sizeof(big));
        write_file("big.pid", big, sizeof(big), 0644);
        ck_assert_int_eq(read_in_tmp("big.pid", &pid), -EFBIG);
}
END_TEST

START_TEST(read_limit_size)
{
        char padded[PIDFILE_SIZE_MAX];
        pid_t pid = 0;

        /* A file of exactly the limit is read whole and then fails the strict parse, not the size check. */
        memset(padded, ' ', sizeof(padded));
        memcpy(padded, "4321", 4);
        write_file("padded.pid", padded, sizeof(padded), 0644);
        ck_assert_int_eq(read_in_tmp("padded.pid", &pid), -EBADMSG);
}
END_TEST

START_TEST(read_garbage)
{
        pid_t pid = 0;

        write_file("garbage.pid", "1\n", 2, 0644);
        ck_assert_int_eq(read_in_tmp("garbage.pid", &pid), -EBADMSG);
}
END_TEST

START_TEST(runs_own_comm)
{
        ck_assert_int_eq(prctl(PR_SET_NAME, "pidtest"), 0);
        ck_assert_int_eq(process_runs_program(getpid(), "pidtest"), 1);
}
END_TEST

START_TEST(runs_other_name)
{
        ck_assert_int_eq(prctl(PR_SET_NAME, "pidtest"), 0);
        ck_assert_int_eq(process_runs_program(getpid(), "nginx"), 0);
        ck_assert_int_eq(process_runs_program(getpid(), "pidtes"), 0);
        ck_assert_int_eq(process_runs_program(getpid(), "pidtestx"), 0);
}
END_TEST

START_TEST(runs_long_comm)
{
        /* The kernel keeps 15 bytes of comm, so a longer program name matches on its first 15. */
        ck_assert_int_eq(prctl(PR_SET_NAME, "abcdefghijklmnopq"), 0);
        ck_assert_int_eq(process_runs_program(getpid(), "abcdefghijklmnopq"), 1);
        ck_assert_int_eq(process_runs_program(getpid(), "abcdefghijklmno"), 1);
        ck_assert_int_eq(process_runs_program(getpid(), "abcdefghijklmn"), 0);
}
END_TEST

START_TEST(runs_exe_name)
{
        char exe[PATH_MAX];
        ssize_t n;
        const char *base;

        ck_assert_int_eq(prctl(PR_SET_NAME, "renamed"), 0);
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        ck_assert_int_gt(n, 0);
        exe[n] = '\0';
        base = strrchr(exe, '/') + 1;
        ck_assert_int_eq(process_runs_program(getpid(), base), 1);
}
END_TEST

START_TEST(runs_dead_pid)
{
        ck_assert_int_eq(process_runs_program(fake_service_dead_pid(), "pidtest"), -ESRCH);
}
END_TEST

START_TEST(open_matching)
{
        FakeService f = { .events_fd = -1 };
        char path[PATH_MAX];
        pid_t pid = 0;
        int pidfd = -1;

        path_in_tmp(path, sizeof(path), "svc.pid");
        fake_service_start(&f, path, "fakesvc");
        ck_assert_int_eq(pidfile_open_process(path, "fakesvc", &pid, &pidfd), 0);
        ck_assert_int_eq(pid, f.pid);
        ck_assert_int_ge(pidfd, 0);
        close(pidfd);
        fake_service_stop(&f);
}
END_TEST

START_TEST(open_unchecked)
{
        FakeService f = { .events_fd = -1 };
        char path[PATH_MAX];
        pid_t pid = 0;
        int pidfd = -1;

        path_in_tmp(path, sizeof(path), "svc.pid");
        fake_service_start(&f, path, "fakesvc");
        ck_assert_int_eq(pidfile_open_process(path, NULL, &pid, &pidfd), 0);
        ck_assert_int_eq(pid, f.pid);
        close(pidfd);
        fake_service_stop(&f);
}
END_TEST

START_TEST(open_other_program)
{
        FakeService f = { .events_fd = -1 };
        char path[PATH_MAX];
        pid_t pid = 0;
        int pidfd = -1;

        /* The pid is alive but runs something else: a stale pidfile whose pid was reused. */
        path_in_tmp(path, sizeof(path), "svc.pid");
        fake_service_start(&f, path, "fakesvc");
        ck_assert_int_eq(pidfile_open_process(path, "nginx", &pid, &pidfd), -ESRCH);
        ck_assert_int_eq(pidfd, -1);
        fake_service_stop(&f);
}
END_TEST

START_TEST(open_dead)
{
        char buf[32], path[PATH_MAX];
        pid_t pid = 0;
        int pidfd = -1, n;

        n = snprintf(buf, sizeof(buf), "%d\n", (int) fake_service_dead_pid());
        write_file("dead.pid", buf, (size_t) n, 0644);
        path_in_tmp(path, sizeof(path), "dead.pid");
        ck_assert_int_eq(pidfile_open_process(path, "fakesvc", &pid, &pidfd), -ESRCH);
        ck_assert_int_eq(pidfile_open_process(path, NULL, &pid, &pidfd), -ESRCH);
        ck_assert_int_eq(pidfd, -1);
}
END_TEST

static Suite *pidfile_suite(void)
{
        Suite *s = suite_create("pidfile");
        TCase *tc;

        tc = tcase_create("parse");
        tcase_add_test(tc, parse_valid);
        tcase_add_test(tc, parse_hostile);
        tcase_add_test(tc, parse_embedded_nul);
        suite_add_tcase(s, tc);

        tc = tcase_create("read");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, read_valid);
        tcase_add_test(tc, read_missing);
        tcase_add_test(tc, read_symlink);
        tcase_add_test(tc, read_directory);
        tcase_add_test(tc, read_fifo);
        tcase_add_test(tc, read_world_writable);
        tcase_add_test(tc, read_group_writable);
        tcase_add_test(tc, read_foreign_owner);
        tcase_add_test(tc, read_too_large);
        tcase_add_test(tc, read_limit_size);
        tcase_add_test(tc, read_garbage);
        suite_add_tcase(s, tc);

        tc = tcase_create("process");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, runs_own_comm);
        tcase_add_test(tc, runs_other_name);
        tcase_add_test(tc, runs_long_comm);
        tcase_add_test(tc, runs_exe_name);
        tcase_add_test(tc, runs_dead_pid);
        tcase_add_test(tc, open_matching);
        tcase_add_test(tc, open_unchecked);
        tcase_add_test(tc, open_other_program);
        tcase_add_test(tc, open_dead);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(pidfile_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
