/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "macro.h"
#include "quota.h"

START_TEST(test_limits_convert_mib)
{
        QuotaLimits l;
        const char *param = NULL, *reason = NULL;

        ck_assert_int_eq(quota_limits_from_request(100, 200, 1000, 2000, &l, &param, &reason), 0);
        ck_assert_uint_eq(l.block_soft_kib, 102400);
        ck_assert_uint_eq(l.block_hard_kib, 204800);
        ck_assert_uint_eq(l.inode_soft, 1000);
        ck_assert_uint_eq(l.inode_hard, 2000);
}
END_TEST

START_TEST(test_limits_zero_means_none)
{
        QuotaLimits l;
        const char *param = NULL, *reason = NULL;

        ck_assert_int_eq(quota_limits_from_request(0, 0, -1, -1, &l, &param, &reason), 0);
        ck_assert_uint_eq(l.block_soft_kib, 0);
        ck_assert_uint_eq(l.block_hard_kib, 0);
        ck_assert_uint_eq(l.inode_soft, 0);
        ck_assert_uint_eq(l.inode_hard, 0);
}
END_TEST

START_TEST(test_limits_soft_without_hard)
{
        QuotaLimits l;
        const char *param = NULL, *reason = NULL;

        ck_assert_int_eq(quota_limits_from_request(500, 0, 10, 0, &l, &param, &reason), 0);
        ck_assert_uint_eq(l.block_soft_kib, 512000);
        ck_assert_uint_eq(l.block_hard_kib, 0);
}
END_TEST

START_TEST(test_limits_maximum_fits)
{
        QuotaLimits l;
        const char *param = NULL, *reason = NULL;

        ck_assert_int_eq(quota_limits_from_request(QUOTA_MB_MAX, QUOTA_MB_MAX, QUOTA_INODES_MAX,
                                                   QUOTA_INODES_MAX, &l, &param, &reason),
                         0);
        ck_assert_uint_eq(l.block_hard_kib, (uint64_t) QUOTA_MB_MAX * 1024);
        ck_assert_uint_eq(l.inode_hard, 4294967295u);
}
END_TEST

START_TEST(test_limits_reject_range)
{
        static const int64_t cases[][4] = {
                { -1, 0, -1, -1 },
                { 0, -1, -1, -1 },
                { QUOTA_MB_MAX + 1, 0, -1, -1 },
                { 0, QUOTA_MB_MAX + 1, -1, -1 },
                /* Values that wrap around when multiplied by 1024 in 64 bits. */
                { INT64_MAX / 1024 + 1, 0, -1, -1 },
                { 0, INT64_MAX, -1, -1 },
                { INT64_MIN, 0, -1, -1 },
                { 0, 0, QUOTA_INODES_MAX + 1, -1 },
                { 0, 0, -1, INT64_MAX },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                QuotaLimits l = { .block_hard_kib = 7 };
                const char *param = NULL, *reason = NULL;

                ck_assert_int_eq(quota_limits_from_request(cases[i][0], cases[i][1], cases[i][2],
                                                           cases[i][3], &l, &param, &reason),
                                 -ERANGE);
                ck_assert_ptr_nonnull(reason);
                ck_assert_uint_eq(l.block_hard_kib, 7);
        }
}
END_TEST

START_TEST(test_limits_reject_soft_above_hard)
{
        QuotaLimits l;
        const char *param = NULL, *reason = NULL;

        ck_assert_int_eq(quota_limits_from_request(201, 200, -1, -1, &l, &param, &reason), -EINVAL);
        ck_assert_str_eq(reason, "block_soft_mb is above block_hard_mb");
        ck_assert_str_eq(param, "block_soft_mb");
        ck_assert_int_eq(quota_limits_from_request(1, 2, 11, 10, &l, &param, &reason), -EINVAL);
        ck_assert_str_eq(reason, "inode_soft is above inode_hard");
        ck_assert_str_eq(param, "inode_soft");
}
END_TEST

START_TEST(test_unsupported_errors)
{
        ck_assert(quota_error_is_unsupported(-ESRCH));
        ck_assert(quota_error_is_unsupported(-ENOSYS));
        ck_assert(quota_error_is_unsupported(-ENOTTY));
        ck_assert(quota_error_is_unsupported(-EOPNOTSUPP));
        ck_assert(!quota_error_is_unsupported(-EPERM));
        ck_assert(!quota_error_is_unsupported(-EIO));
}
END_TEST

START_TEST(test_get_bad_descriptor)
{
        QuotaLimits l;
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

        /* A character device is on no filesystem with quotas, so the call fails and fills nothing. */
        ck_assert_int_ge(fd, 0);
        ck_assert_int_lt(quota_get(fd, 0, &l, NULL), 0);
        close(fd);
}
END_TEST

START_TEST(test_get_no_quota_operations)
{
        QuotaLimits l;
        int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        /* procfs has no quota operations, so the kernel's ENOSYS must not read as a missing system call. */
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(quota_get(fd, 0, &l, NULL), -EOPNOTSUPP);
        close(fd);
}
END_TEST

static Suite *quota_suite(void)
{
        Suite *s = suite_create("quota");
        TCase *tc = tcase_create("limits");

        tcase_add_test(tc, test_limits_convert_mib);
        tcase_add_test(tc, test_limits_zero_means_none);
        tcase_add_test(tc, test_limits_soft_without_hard);
        tcase_add_test(tc, test_limits_maximum_fits);
        tcase_add_test(tc, test_limits_reject_range);
        tcase_add_test(tc, test_limits_reject_soft_above_hard);
        tcase_add_test(tc, test_unsupported_errors);
        tcase_add_test(tc, test_get_bad_descriptor);
        tcase_add_test(tc, test_get_no_quota_operations);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(quota_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
