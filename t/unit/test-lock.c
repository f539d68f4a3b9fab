/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "macro.h"

/* A fresh base directory per test; the lock directory inside it does not exist yet. */
static char base[] = "/tmp/test-lock.XXXXXX";
static char lock_dir[PATH_MAX];

static uint64_t now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}

static void setup(void)
{
        strcpy(base, "/tmp/test-lock.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(base));
        snprintf(lock_dir, sizeof(lock_dir), "%s/locks", base);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path);
}

static void teardown(void)
{
        nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *path_in_lock_dir(const char *name)
{
        char *p;

        ck_assert_int_ge(asprintf(&p, "%s/%s", lock_dir, name), 0);
        return p;
}

/* Forks a child that takes the lock, reports on a pipe that it holds it, then holds it for hold_ms (or until
 * killed, when hold_ms is 0) and exits.  Returns its pid once the lock is held. */
static pid_t holder_start(const char *name, unsigned hold_ms)
{
        int p[2];
        char c;
        pid_t pid;

        ck_assert_int_eq(pipe(p), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int fd = lock_acquire(lock_dir, name, 0);

                if (fd < 0 || write(p[1], "x", 1) != 1)
                        _exit(1);
                if (hold_ms == 0)
                        for (;;)
                                pause();
                usleep(hold_ms * 1000u);
                _exit(0);
        }

        close(p[1]);
        ck_assert_int_eq(read(p[0], &c, 1), 1);
        close(p[0]);
        return pid;
}

START_TEST(test_acquire_creates)
{
        _cleanup_free_ char *file = path_in_lock_dir("nginx");
        _cleanup_close_ int fd = -1;
        struct stat st;

        fd = lock_acquire(lock_dir, "nginx", 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);

        ck_assert_int_eq(stat(lock_dir, &st), 0);
        ck_assert(S_ISDIR(st.st_mode));
        ck_assert_uint_eq(st.st_mode & 07777, 0700);
        ck_assert_int_eq(stat(file, &st), 0);
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_uint_eq(st.st_mode & 07777, 0600);

        /* The descriptor holds the lock: another open file description cannot take it. */
        _cleanup_close_ int other = open(file, O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(other, 0);
        ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), -1);
        ck_assert_int_eq(errno, EWOULDBLOCK);
}
END_TEST

START_TEST(test_existing_dir)
{
        _cleanup_close_ int fd = -1;

        ck_assert_int_eq(mkdir(lock_dir, 0700), 0);
        fd = lock_acquire(lock_dir, "user.alice", 0);
        ck_assert_int_ge(fd, 0);
}
END_TEST

START_TEST(test_parent_missing)
{
        char deep[PATH_MAX];

        snprintf(deep, sizeof(deep), "%s/missing/locks", base);
        ck_assert_int_eq(lock_acquire(deep, "nginx", 0), -ENOENT);
}
END_TEST

START_TEST(test_bad_names)
{
        static const char *const bad[] = {
                "",       ".",    "..",   "a/b", "/etc", "../x",        "A",    "Nginx", "nginx ",
                " nginx", "x\ny", "a\\b", "*",   "a:b",  "caf\xc3\xa9", "\x7f", "a\tb",
        };
        char long_name[130];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(lock_acquire(lock_dir, bad[i], 0) == -EINVAL, "name \"%s\"", bad[i]);

        memset(long_name, 'a', 129);
        long_name[129] = '\0';
        ck_assert_int_eq(lock_acquire(lock_dir, long_name, 0), -EINVAL);

        /* Nothing was created for a rejected name, not even the directory. */
        ck_assert_int_eq(access(lock_dir, F_OK), -1);
}
END_TEST

START_TEST(test_good_names)
{
        static const char *const good[] = { "-", "_", "a", ".x", "x..", "user.alice", "db_alice-1.2", "0" };
        char long_name[129];

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                int fd = lock_acquire(lock_dir, good[i], 0);

                ck_assert_msg(fd >= 0, "name \"%s\": %d", good[i], fd);
                close(fd);
        }

        memset(long_name, 'a', 128);
        long_name[128] = '\0';
        int fd = lock_acquire(lock_dir, long_name, 0);
        ck_assert_int_ge(fd, 0);
        close(fd);
}
END_TEST

START_TEST(test_busy_same_process)
{
        _cleanup_close_ int fd = -1;

        /* flock() locks belong to the open file description, so a second open conflicts even here. */
        fd = lock_acquire(lock_dir, "nginx", 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -EWOULDBLOCK);

        /* Other names are independent. */
        int other = lock_acquire(lock_dir, "php", 0);
        ck_assert_int_ge(other, 0);
        close(other);
}
END_TEST

START_TEST(test_released_on_close)
{
        int fd, again;

        fd = lock_acquire(lock_dir, "nginx", 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(close(fd), 0);

        again = lock_acquire(lock_dir, "nginx", 0);
        ck_assert_int_ge(again, 0);
        close(again);
}
END_TEST

START_TEST(test_timeout_bounds)
{
        _cleanup_close_ int fd = -1;
        uint64_t start, elapsed;

        fd = lock_acquire(lock_dir, "nginx", 0);
        ck_assert_int_ge(fd, 0);

        start = now_ms();
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 300), -EWOULDBLOCK);
        elapsed = now_ms() - start;
        ck_assert_uint_ge(elapsed, 300);
        ck_assert_uint_lt(elapsed, 1000);

        start = now_ms();
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -EWOULDBLOCK);
        ck_assert_uint_lt(now_ms() - start, 100);
}
END_TEST

START_TEST(test_contended_other_process)
{
        uint64_t start, elapsed;
        pid_t holder;
        int status;

        holder = holder_start("nginx", 0);

        start = now_ms();
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 200), -EWOULDBLOCK);
        elapsed = now_ms() - start;
        ck_assert_uint_ge(elapsed, 200);
        ck_assert_uint_lt(elapsed, 1000);

        ck_assert_int_eq(kill(holder, SIGKILL), 0);
        ck_assert_int_eq(waitpid(holder, &status, 0), holder);
}
END_TEST

START_TEST(test_waits_for_release)
{
        _cleanup_close_ int fd = -1;
        uint64_t start, elapsed;
        pid_t holder;
        int status;

        /* The holder exits after 300 ms, well inside the 5 s wait. */
        holder = holder_start("nginx", 300);
        start = now_ms();
        fd = lock_acquire(lock_dir, "nginx", 5000);
        elapsed = now_ms() - start;
        ck_assert_int_ge(fd, 0);
        ck_assert_uint_ge(elapsed, 200);
        ck_assert_uint_lt(elapsed, 2000);

        ck_assert_int_eq(waitpid(holder, &status, 0), holder);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_released_on_death)
{
        _cleanup_close_ int fd = -1;
        pid_t holder;
        int status;

        holder = holder_start("nginx", 0);
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -EWOULDBLOCK);

        ck_assert_int_eq(kill(holder, SIGKILL), 0);
        ck_assert_int_eq(waitpid(holder, &status, 0), holder);
        ck_assert(WIFSIGNALED(status));

        fd = lock_acquire(lock_dir, "nginx", 0);
        ck_assert_int_ge(fd, 0);
}
END_TEST

START_TEST(test_symlink_dangling)
{
        _cleanup_free_ char *link = path_in_lock_dir("nginx");
        char target[PATH_MAX];

        /* A link to a file that does not exist: following it would create the file. */
        snprintf(target, sizeof(target), "%s/created-through-link", base);
        ck_assert_int_eq(mkdir(lock_dir, 0700), 0);
        ck_assert_int_eq(symlink(target, link), 0);

        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -ELOOP);
        ck_assert_int_eq(access(target, F_OK), -1);
        ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_symlink_existing)
{
        _cleanup_free_ char *link = path_in_lock_dir("nginx");
        _cleanup_close_ int target_fd = -1;
        char target[PATH_MAX];
        struct stat st;

        snprintf(target, sizeof(target), "%s/victim", base);
        target_fd = open(target, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        ck_assert_int_ge(target_fd, 0);
        ck_assert_int_eq(mkdir(lock_dir, 0700), 0);
        ck_assert_int_eq(symlink(target, link), 0);

        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -ELOOP);

        /* The target is neither locked nor changed. */
        ck_assert_int_eq(flock(target_fd, LOCK_EX | LOCK_NB), 0);
        ck_assert_int_eq(fstat(target_fd, &st), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0644);
        ck_assert_int_eq(st.st_size, 0);
}
END_TEST

START_TEST(test_dir_symlink)
{
        char real_dir[PATH_MAX];

        snprintf(real_dir, sizeof(real_dir), "%s/elsewhere", base);
        ck_assert_int_eq(mkdir(real_dir, 0700), 0);
        ck_assert_int_eq(symlink(real_dir, lock_dir), 0);

        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -ELOOP);
}
END_TEST

START_TEST(test_dir_unsafe)
{
        ck_assert_int_eq(mkdir(lock_dir, 0700), 0);

        ck_assert_int_eq(chmod(lock_dir, 0770), 0);
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -EPERM);
        ck_assert_int_eq(chmod(lock_dir, 0703), 0);
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -EPERM);

        /* A directory owned by someone else, here the user nobody, even with mode 0700. */
        ck_assert_int_eq(geteuid(), 0);
        ck_assert_int_eq(chmod(lock_dir, 0700), 0);
        ck_assert_int_eq(chown(lock_dir, 65534, 65534), 0);
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -EPERM);
}
END_TEST

START_TEST(test_dir_is_file)
{
        _cleanup_close_ int fd = open(lock_dir, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(lock_acquire(lock_dir, "nginx", 0), -ENOTDIR);
}
END_TEST

START_TEST(test_not_regular)
{
        _cleanup_free_ char *dir = path_in_lock_dir("a-dir");
        _cleanup_free_ char *fifo = path_in_lock_dir("a-fifo");

        ck_assert_int_eq(mkdir(lock_dir, 0700), 0);
        ck_assert_int_eq(mkdir(dir, 0700), 0);
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);

        ck_assert_int_eq(lock_acquire(lock_dir, "a-dir", 0), -EISDIR);
        ck_assert_int_eq(lock_acquire(lock_dir, "a-fifo", 0), -EBADFD);
}
END_TEST

static Suite *lock_suite(void)
{
        Suite *s = suite_create("lock");
        TCase *tc;

        tc = tcase_create("acquire");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 20);
        tcase_add_test(tc, test_acquire_creates);
        tcase_add_test(tc, test_existing_dir);
        tcase_add_test(tc, test_parent_missing);
        tcase_add_test(tc, test_bad_names);
        tcase_add_test(tc, test_good_names);
        suite_add_tcase(s, tc);

        tc = tcase_create("contention");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 20);
        tcase_add_test(tc, test_busy_same_process);
        tcase_add_test(tc, test_released_on_close);
        tcase_add_test(tc, test_timeout_bounds);
        tcase_add_test(tc, test_contended_other_process);
        tcase_add_test(tc, test_waits_for_release);
        tcase_add_test(tc, test_released_on_death);
        suite_add_tcase(s, tc);

        tc = tcase_create("hostile");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_symlink_dangling);
        tcase_add_test(tc, test_symlink_existing);
        tcase_add_test(tc, test_dir_symlink);
        tcase_add_test(tc, test_dir_unsafe);
        tcase_add_test(tc, test_dir_is_file);
        tcase_add_test(tc, test_not_regular);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(lock_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
