/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "slice.h"

#define HEADER                                                                                              \
        "# Written by jabali-agent (user.limits.apply); the next apply or clear replaces this "             \
        "file.\n[Slice]\n"

START_TEST(test_unit_name)
{
        _cleanup_free_ char *name = NULL;

        ck_assert_int_eq(slice_unit_name("jtcarol", &name), 0);
        ck_assert_str_eq(name, "jabali-user-jtcarol.slice");
}
END_TEST

START_TEST(test_unit_name_rejects)
{
        static const char *const names[] = { "", "a-b", "../x", "A", "a.b", "abcdefghijklmnopq", "1abc" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char *name = NULL;

                ck_assert_int_eq(slice_unit_name(names[i], &name), -EINVAL);
                ck_assert_ptr_null(name);
        }
}
END_TEST

START_TEST(test_render_all)
{
        SliceLimits l = {
                .cpu_percent = 150,
                .memory_mb = 1024,
                .tasks = 200,
                .io_read_mbps = 10,
                .io_write_mbps = 5,
        };
        _cleanup_free_ char *out = NULL;

        ck_assert_int_eq(slice_render_dropin(&l, 90, "/home", &out), 0);
        ck_assert_str_eq(out, HEADER "CPUQuota=150%\n"
                                     "MemoryMax=1024M\n"
                                     "MemoryHigh=943718K\n"
                                     "TasksMax=200\n"
                                     "IOReadBandwidthMax=/home 10000000\n"
                                     "IOWriteBandwidthMax=/home 5000000\n");
}
END_TEST

START_TEST(test_render_memory_high_below_max)
{
        SliceLimits l = { .memory_mb = SLICE_MEMORY_MB_MIN };
        _cleanup_free_ char *out = NULL;

        ck_assert_int_eq(slice_render_dropin(&l, 99, "/home", &out), 0);
        /* 16 MiB is 16384 KiB, and 99% of it rounds down to 16220 KiB. */
        ck_assert_str_eq(out, HEADER "MemoryMax=16M\nMemoryHigh=16220K\n");
}
END_TEST

START_TEST(test_render_only_given)
{
        SliceLimits l = { .tasks = 50 };
        _cleanup_free_ char *out = NULL;

        /* Without IO limits the path is not used, so an invalid one does not matter. */
        ck_assert_int_eq(slice_render_dropin(&l, 90, NULL, &out), 0);
        ck_assert_str_eq(out, HEADER "TasksMax=50\n");
}
END_TEST

START_TEST(test_render_maximums)
{
        SliceLimits l = {
                .cpu_percent = SLICE_CPU_PERCENT_MAX,
                .memory_mb = SLICE_MEMORY_MB_MAX,
                .tasks = SLICE_TASKS_MAX,
                .io_read_mbps = SLICE_IO_MBPS_MAX,
                .io_write_mbps = SLICE_IO_MBPS_MAX,
        };
        _cleanup_free_ char *out = NULL;

        ck_assert_int_eq(slice_render_dropin(&l, 90, "/srv/home", &out), 0);
        ck_assert_ptr_nonnull(strstr(out, "MemoryMax=16777216M\n"));
        ck_assert_ptr_nonnull(strstr(out, "MemoryHigh=15461882265K\n"));
        ck_assert_ptr_nonnull(strstr(out, "IOReadBandwidthMax=/srv/home 1000000000000\n"));
}
END_TEST

START_TEST(test_render_rejects_out_of_bounds)
{
        static const SliceLimits cases[] = {
                { .cpu_percent = SLICE_CPU_PERCENT_MAX + 1 },
                { .memory_mb = SLICE_MEMORY_MB_MIN - 1 },
                { .memory_mb = SLICE_MEMORY_MB_MAX + 1 },
                { .memory_mb = UINT64_MAX },
                { .tasks = SLICE_TASKS_MAX + 1 },
                { .io_read_mbps = SLICE_IO_MBPS_MAX + 1 },
                { .io_write_mbps = UINT64_MAX },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *out = NULL;

                ck_assert_int_eq(slice_render_dropin(&cases[i], 90, "/home", &out), -EINVAL);
                ck_assert_ptr_null(out);
        }
}
END_TEST

START_TEST(test_render_rejects_percent)
{
        SliceLimits l = { .memory_mb = 100 };
        char *out = NULL;

        ck_assert_int_eq(slice_render_dropin(&l, 49, "/home", &out), -EINVAL);
        ck_assert_int_eq(slice_render_dropin(&l, 100, "/home", &out), -EINVAL);
        ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_render_rejects_io_path)
{
        static const char *const paths[] = {
                "home", "/home dir", "/home\n[Service]", "/home/%u", "/home\\x20", "/h\"ome", "",
        };
        SliceLimits l = { .io_read_mbps = 1 };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                char *out = NULL;

                ck_assert_int_eq(slice_render_dropin(&l, 90, paths[i], &out), -EINVAL);
                ck_assert_ptr_null(out);
        }
}
END_TEST

START_TEST(test_limits_empty)
{
        SliceLimits none = {}, some = { .tasks = 1 };

        ck_assert(slice_limits_empty(&none));
        ck_assert(!slice_limits_empty(&some));
}
END_TEST

static char *make_unit_dir(void)
{
        char *dir = strdup("/tmp/jtacc-slice.XXXXXX");

        ck_assert_ptr_nonnull(dir);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        return dir;
}

static char *read_dropin(const char *dir)
{
        _cleanup_free_ char *path = NULL;
        char *data = NULL;
        size_t size = 0;
        FILE *f;

        ck_assert_int_ge(asprintf(&path, "%s/jabali-user-jtcarol.slice.d/" SLICE_DROPIN_NAME, dir), 0);
        f = fopen(path, "re");
        if (!f)
                return NULL;
        ck_assert_int_ge(getdelim(&data, &size, 0, f), 0);
        fclose(f);
        return data;
}

START_TEST(test_update_writes_and_removes)
{
        _cleanup_free_ char *dir = make_unit_dir(), *data = NULL, *dropin_dir = NULL;
        bool changed = false;
        struct stat st;

        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", "[Slice]\nTasksMax=5\n", &changed), 0);
        ck_assert(changed);
        data = read_dropin(dir);
        ck_assert_ptr_nonnull(data);
        ck_assert_str_eq(data, "[Slice]\nTasksMax=5\n");

        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", "[Slice]\nTasksMax=5\n", &changed), 0);
        ck_assert(!changed);

        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", NULL, &changed), 0);
        ck_assert(changed);
        ck_assert_int_ge(asprintf(&dropin_dir, "%s/jabali-user-jtcarol.slice.d", dir), 0);
        ck_assert_int_eq(stat(dropin_dir, &st), -1);

        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", NULL, &changed), 0);
        ck_assert(!changed);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_update_keeps_operator_dropins)
{
        _cleanup_free_ char *dir = make_unit_dir(), *other = NULL, *dropin_dir = NULL;
        bool changed = false;
        int fd;

        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", "[Slice]\n", &changed), 0);
        ck_assert_int_ge(asprintf(&dropin_dir, "%s/jabali-user-jtcarol.slice.d", dir), 0);
        ck_assert_int_ge(asprintf(&other, "%s/10-operator.conf", dropin_dir), 0);
        fd = open(other, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        close(fd);

        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", NULL, &changed), 0);
        ck_assert(changed);
        ck_assert_int_eq(access(other, F_OK), 0);

        ck_assert_int_eq(unlink(other), 0);
        ck_assert_int_eq(rmdir(dropin_dir), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_update_rejects_symlinked_dropin_dir)
{
        _cleanup_free_ char *dir = make_unit_dir(), *target = make_unit_dir(), *link_path = NULL;
        bool changed = false;

        ck_assert_int_ge(asprintf(&link_path, "%s/jabali-user-jtcarol.slice.d", dir), 0);
        ck_assert_int_eq(symlink(target, link_path), 0);

        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", "[Slice]\n", &changed), -ELOOP);
        ck_assert_int_eq(slice_dropin_update(dir, "jtcarol", NULL, &changed), -ELOOP);

        ck_assert_int_eq(unlink(link_path), 0);
        ck_assert_int_eq(rmdir(target), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *slice_suite(void)
{
        Suite *s = suite_create("slice");
        TCase *tc = tcase_create("render");

        tcase_add_test(tc, test_unit_name);
        tcase_add_test(tc, test_unit_name_rejects);
        tcase_add_test(tc, test_render_all);
        tcase_add_test(tc, test_render_memory_high_below_max);
        tcase_add_test(tc, test_render_only_given);
        tcase_add_test(tc, test_render_maximums);
        tcase_add_test(tc, test_render_rejects_out_of_bounds);
        tcase_add_test(tc, test_render_rejects_percent);
        tcase_add_test(tc, test_render_rejects_io_path);
        tcase_add_test(tc, test_limits_empty);
        suite_add_tcase(s, tc);

        tc = tcase_create("update");
        tcase_add_test(tc, test_update_writes_and_removes);
        tcase_add_test(tc, test_update_keeps_operator_dropins);
        tcase_add_test(tc, test_update_rejects_symlinked_dropin_dir);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(slice_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
