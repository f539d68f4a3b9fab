/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <cap-ng.h>
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock.h"
#include "macro.h"

/* A fresh tree per test: allowed/ is the write set, denied/ is outside it.  Each contains a file "old" with
 * known content, and allowed/ two subdirectories for renames between directories. */
static char base[] = "/tmp/test-landlock.XXXXXX";
static char allowed[64], denied[64];

static void write_file(const char *dir, const char *name, const char *content)
{
        char path[PATH_MAX];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_ge(fputs(content, f), 0);
        ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
        char path[PATH_MAX];

        strcpy(base, "/tmp/test-landlock.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(base));
        snprintf(allowed, sizeof(allowed), "%s/allowed", base);
        snprintf(denied, sizeof(denied), "%s/denied", base);
        ck_assert_int_eq(mkdir(allowed, 0755), 0);
        ck_assert_int_eq(mkdir(denied, 0755), 0);
        snprintf(path, sizeof(path), "%s/one", allowed);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/two", allowed);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        write_file(allowed, "old", "allowed content\n");
        write_file(allowed, "one/moved", "moved content\n");
        write_file(denied, "old", "denied content\n");
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path);
}

static void teardown(void)
{
        nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char *path_in(const char *dir, const char *name)
{
        char *p;

        ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
        return p;
}

static bool exists(const char *dir, const char *name)
{
        _cleanup_free_ char *p = path_in(dir, name);

        return access(p, F_OK) == 0;
}

/* The errno an operation leaves, or 0 when it succeeds. */
static int errno_of(int result)
{
        return result < 0 ? errno : 0;
}

static int create_in(const char *dir, const char *name)
{
        _cleanup_free_ char *p = path_in(dir, name);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

        if (fd < 0)
                return errno;
        close(fd);
        return 0;
}

/*
 * Runs op in a child that has set no_new_privs and called landlock_restrict(paths, top, hidden), and
 * returns what the child reports: op's value, or 100 + the negated return value of landlock_restrict()
 * when that failed.  The test process itself stays unrestricted.
 */
static int run_restricted_reads(char *const *paths, const char *top, char *const *hidden, int (*op)(void))
{
        int status;
        pid_t pid;

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int r;

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(99);
                r = landlock_restrict(paths, top, hidden, NULL);
                if (r < 0)
                        _exit(100 + (-r & 0x7f));
                _exit(op() & 0x7f);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/* The same with writes restricted only. */
static int run_restricted(char *const *paths, int (*op)(void))
{
        return run_restricted_reads(paths, NULL, NULL, op);
}

/* Runs op restricted to allowed/ when the kernel has Landlock.  Without it, checks that the call reports
 * -EOPNOTSUPP and returns -1, so the caller checks nothing more. */
static int run_in_allowed(int (*op)(void))
{
        char *paths[] = { allowed, NULL };

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(landlock_restrict(paths, NULL, NULL, NULL), -EOPNOTSUPP);
                return -1;
        }
        return run_restricted(paths, op);
}

static int op_create_allowed(void)
{
        return create_in(allowed, "new");
}

static int op_create_denied(void)
{
        return create_in(denied, "new");
}

static int op_write_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "old");

        return errno_of(open(p, O_WRONLY | O_APPEND | O_CLOEXEC));
}

static int op_read_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "old");
        char buf[64] = {};
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return errno;
        if (read(fd, buf, sizeof(buf) - 1) < 0)
                return errno;
        return streq(buf, "denied content\n") ? 0 : 50;
}

static int op_mkdir_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "dir");

        return errno_of(mkdir(p, 0755));
}

static int op_unlink_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "old");

        return errno_of(unlink(p));
}

static int op_symlink_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "link");

        return errno_of(symlink("/etc/passwd", p));
}

static int op_truncate_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "old");

        return errno_of(truncate(p, 0));
}

static int op_rename_out(void)
{
        _cleanup_free_ char *from = path_in(allowed, "old"), *to = path_in(denied, "moved");

        return errno_of(rename(from, to));
}

static int op_rename_in_dir(void)
{
        _cleanup_free_ char *from = path_in(allowed, "old"), *to = path_in(allowed, "renamed");

        return errno_of(rename(from, to));
}

static int op_rename_between_dirs(void)
{
        _cleanup_free_ char *from = path_in(allowed, "one/moved"), *to = path_in(allowed, "two/moved");

        return errno_of(rename(from, to));
}

static int op_exec_touch_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "touched");
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return errno;
        if (pid == 0) {
                /* touch's message about the expected failure would only clutter the test output. */
                close(STDERR_FILENO);
                execl("/usr/bin/touch", "touch", p, (char *) NULL);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) != pid)
                return errno;
        /* touch reports the failure with exit status 1. */
        return WIFEXITED(status) ? WEXITSTATUS(status) : 60;
}

static int op_read_allowed(void)
{
        _cleanup_free_ char *p = path_in(allowed, "old");
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);

        return fd < 0 ? errno : 0;
}

static int op_list_denied(void)
{
        DIR *d = opendir(denied);

        if (!d)
                return errno;
        closedir(d);
        return 0;
}

static int op_list_top(void)
{
        DIR *d = opendir(base);

        if (!d)
                return errno;
        closedir(d);
        return 0;
}

static int op_stat_denied(void)
{
        _cleanup_free_ char *p = path_in(denied, "old");
        struct stat st;

        return errno_of(stat(p, &st));
}

static int op_read_denied_through_link(void)
{
        _cleanup_free_ char *p = path_in(base, "link/old");
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);

        return fd < 0 ? errno : 0;
}

static int op_write_dev_null(void)
{
        _cleanup_close_ int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return errno;
        return write(fd, "x", 1) == 1 ? 0 : errno;
}

START_TEST(test_abi_reported)
{
        int abi = landlock_abi_version();

        ck_assert_msg(abi >= 1 || abi == -EOPNOTSUPP, "unexpected ABI result %d", abi);
}
END_TEST

START_TEST(test_create_inside)
{
        int r = run_in_allowed(op_create_allowed);

        if (r < 0)
                return;
        ck_assert_int_eq(r, 0);
        ck_assert(exists(allowed, "new"));
}
END_TEST

START_TEST(test_create_outside)
{
        int r = run_in_allowed(op_create_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
        ck_assert(!exists(denied, "new"));
}
END_TEST

START_TEST(test_write_outside)
{
        int r = run_in_allowed(op_write_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
}
END_TEST

START_TEST(test_read_outside)
{
        int r = run_in_allowed(op_read_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, 0);
}
END_TEST

START_TEST(test_mkdir_outside)
{
        int r = run_in_allowed(op_mkdir_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
        ck_assert(!exists(denied, "dir"));
}
END_TEST

START_TEST(test_unlink_outside)
{
        int r = run_in_allowed(op_unlink_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
        ck_assert(exists(denied, "old"));
}
END_TEST

START_TEST(test_symlink_outside)
{
        int r = run_in_allowed(op_symlink_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
        ck_assert(!exists(denied, "link"));
}
END_TEST

START_TEST(test_truncate_outside)
{
        int r = run_in_allowed(op_truncate_denied);

        if (r < 0)
                return;
        /* Truncation became a separate right in ABI 3; before it, truncate() was not restricted. */
        ck_assert_int_eq(r, landlock_abi_version() >= 3 ? EACCES : 0);
}
END_TEST

START_TEST(test_rename_out_of_set)
{
        int r = run_in_allowed(op_rename_out);

        if (r < 0)
                return;
        ck_assert_int_ne(r, 0);
        ck_assert(exists(allowed, "old"));
        ck_assert(!exists(denied, "moved"));
}
END_TEST

START_TEST(test_rename_same_dir)
{
        int r = run_in_allowed(op_rename_in_dir);

        if (r < 0)
                return;
        ck_assert_int_eq(r, 0);
        ck_assert(exists(allowed, "renamed"));
}
END_TEST

START_TEST(test_rename_across_dirs)
{
        int r = run_in_allowed(op_rename_between_dirs);

        if (r < 0)
                return;
        /* ABI 1 has no right to grant for a rename into another directory: it always fails with EXDEV. */
        if (landlock_abi_version() == 1) {
                ck_assert_int_eq(r, EXDEV);
                return;
        }
        ck_assert_int_eq(r, 0);
        ck_assert(exists(allowed, "two/moved"));
}
END_TEST

START_TEST(test_program_inherits)
{
        int r = run_in_allowed(op_exec_touch_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, 1);
        ck_assert(!exists(denied, "touched"));
}
END_TEST

START_TEST(test_dev_null_needs_rule)
{
        char *without[] = { allowed, NULL };
        char *with[] = { allowed, (char *) "/dev/null", NULL };

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(landlock_restrict(with, NULL, NULL, NULL), -EOPNOTSUPP);
                return;
        }
        ck_assert_int_eq(run_restricted(without, op_write_dev_null), EACCES);
        ck_assert_int_eq(run_restricted(with, op_write_dev_null), 0);
}
END_TEST

START_TEST(test_file_rule_writes_only)
{
        _cleanup_free_ char *file = path_in(denied, "old");
        char *paths[] = { file, NULL };

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(landlock_restrict(paths, NULL, NULL, NULL), -EOPNOTSUPP);
                return;
        }
        /* A rule on a file lets that file be written, not its directory be changed. */
        ck_assert_int_eq(run_restricted(paths, op_write_denied), 0);
        ck_assert_int_eq(run_restricted(paths, op_create_denied), EACCES);
}
END_TEST

/* Restricts reads to the entries of the scratch directory but denied/, and writes to allowed/. */
static int run_hiding_denied(int (*op)(void))
{
        char *paths[] = { allowed, NULL };
        char *hidden[] = { (char *) "denied", NULL };

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(landlock_restrict(paths, base, hidden, NULL), -EOPNOTSUPP);
                return -1;
        }
        return run_restricted_reads(paths, base, hidden, op);
}

START_TEST(test_hidden_read_denied)
{
        int r = run_hiding_denied(op_read_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
}
END_TEST

START_TEST(test_hidden_list_denied)
{
        int r = run_hiding_denied(op_list_denied);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
}
END_TEST

START_TEST(test_hidden_stat_allowed)
{
        int r = run_hiding_denied(op_stat_denied);

        if (r < 0)
                return;
        /* Landlock does not control metadata. */
        ck_assert_int_eq(r, 0);
}
END_TEST

START_TEST(test_visible_read_allowed)
{
        int r = run_hiding_denied(op_read_allowed);

        if (r < 0)
                return;
        ck_assert_int_eq(r, 0);
}
END_TEST

START_TEST(test_top_not_listed)
{
        int r = run_hiding_denied(op_list_top);

        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
}
END_TEST

START_TEST(test_link_to_hidden_unread)
{
        _cleanup_free_ char *link = path_in(base, "link");
        int r;

        /* A link among the entries of top must not open the hidden directory to reads. */
        ck_assert_int_eq(symlink(denied, link), 0);
        r = run_hiding_denied(op_read_denied_through_link);
        if (r < 0)
                return;
        ck_assert_int_eq(r, EACCES);
}
END_TEST

START_TEST(test_writable_hidden_readable)
{
        char *paths[] = { denied, NULL };
        char *hidden[] = { (char *) "denied", NULL };

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(landlock_restrict(paths, base, hidden, NULL), -EOPNOTSUPP);
                return;
        }
        /* A path in the write set stays readable even beneath a hidden entry. */
        ck_assert_int_eq(run_restricted_reads(paths, base, hidden, op_read_denied), 0);
}
END_TEST

START_TEST(test_missing_path)
{
        _cleanup_free_ char *missing = path_in(base, "missing");
        char *paths[] = { allowed, missing, NULL };
        const char *failed = NULL;
        int status;
        pid_t pid;

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(landlock_restrict(paths, NULL, NULL, NULL), -EOPNOTSUPP);
                return;
        }

        /* In a child, so that a wrong success would not restrict the test process. */
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int r;

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(99);
                r = landlock_restrict(paths, NULL, NULL, &failed);
                if (r != -ENOENT)
                        _exit(1);
                if (failed != missing)
                        _exit(2);
                /* Nothing is restricted after the failure. */
                _exit(create_in(denied, "after") == 0 ? 0 : 3);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
        ck_assert(exists(denied, "after"));
}
END_TEST

START_TEST(test_without_no_new_privs)
{
        char *paths[] = { allowed, NULL };
        int expected = landlock_abi_version() < 0 ? -EOPNOTSUPP : -EPERM;
        int status;
        pid_t pid;

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                /* The kernel accepts CAP_SYS_ADMIN instead of no_new_privs, so root gives it up first. */
                capng_get_caps_process();
                if (capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SYS_ADMIN) < 0 ||
                    capng_apply(CAPNG_SELECT_CAPS) < 0)
                        _exit(2);
                _exit(landlock_restrict(paths, NULL, NULL, NULL) == expected ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

static Suite *landlock_suite(void)
{
        Suite *s = suite_create("landlock");
        TCase *tc = tcase_create("writes");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_abi_reported);
        tcase_add_test(tc, test_create_inside);
        tcase_add_test(tc, test_create_outside);
        tcase_add_test(tc, test_write_outside);
        tcase_add_test(tc, test_read_outside);
        tcase_add_test(tc, test_mkdir_outside);
        tcase_add_test(tc, test_unlink_outside);
        tcase_add_test(tc, test_symlink_outside);
        tcase_add_test(tc, test_truncate_outside);
        tcase_add_test(tc, test_rename_out_of_set);
        tcase_add_test(tc, test_rename_same_dir);
        tcase_add_test(tc, test_rename_across_dirs);
        tcase_add_test(tc, test_program_inherits);
        tcase_add_test(tc, test_dev_null_needs_rule);
        tcase_add_test(tc, test_file_rule_writes_only);
        tcase_add_test(tc, test_hidden_read_denied);
        tcase_add_test(tc, test_hidden_list_denied);
        tcase_add_test(tc, test_hidden_stat_allowed);
        tcase_add_test(tc, test_visible_read_allowed);
        tcase_add_test(tc, test_top_not_listed);
        tcase_add_test(tc, test_link_to_hidden_unread);
        tcase_add_test(tc, test_writable_hidden_readable);
        tcase_add_test(tc, test_missing_path);
        tcase_add_test(tc, test_without_no_new_privs);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(landlock_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
