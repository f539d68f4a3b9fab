/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <cap-ng.h>
#include <check.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capability.h"
#include "macro.h"

START_TEST(test_name_kernel_spelling)
{
        ck_assert_str_eq(capability_to_name(CAP_CHOWN), "CAP_CHOWN");
        ck_assert_str_eq(capability_to_name(CAP_NET_ADMIN), "CAP_NET_ADMIN");
        ck_assert_ptr_null(capability_to_name(1000));
}
END_TEST

/* Each drop runs in a child, because it cannot be undone. */
static void in_child(void (*body)(void))
{
        pid_t pid = fork();
        int status;

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                body();
                _exit(0);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed with status %d", status);
}

static void drop_keeps_only_listed(void)
{
        static const int keep[] = { CAP_CHOWN, CAP_KILL, -1 };
        _cleanup_free_ char *list = NULL;

        if (capability_drop_except(keep) < 0)
                _exit(10);
        list = capability_effective_list();
        if (!list || !streq(list, "CAP_CHOWN CAP_KILL"))
                _exit(11);
        /* The bounding set is cut as well, so a program run as root cannot regain the rest. */
        if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) != 0)
                _exit(12);
        if (prctl(PR_CAPBSET_READ, CAP_CHOWN) != 1)
                _exit(13);
}

START_TEST(test_drop_keeps_only_listed)
{
        ck_assert_int_eq(geteuid(), 0);
        in_child(drop_keeps_only_listed);
}
END_TEST

static void drop_skips_unavailable(void)
{
        static const int keep[] = { CAP_CHOWN, CAP_SYS_TIME, -1 };
        _cleanup_free_ char *list = NULL;

        /* Take CAP_SYS_TIME away first, as a unit's CapabilityBoundingSet= would. */
        capng_get_caps_process();
        capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET, CAP_SYS_TIME);
        if (capng_apply(CAPNG_SELECT_ALL) < 0)
                _exit(20);

        if (capability_drop_except(keep) < 0)
                _exit(21);
        list = capability_effective_list();
        if (!list || !streq(list, "CAP_CHOWN"))
                _exit(22);
}

START_TEST(test_drop_skips_unavailable)
{
        ck_assert_int_eq(geteuid(), 0);
        in_child(drop_skips_unavailable);
}
END_TEST

static void drop_none(void)
{
        _cleanup_free_ char *list = NULL;

        if (capability_drop_except(NULL) < 0)
                _exit(30);
        list = capability_effective_list();
        if (!list || !streq(list, ""))
                _exit(31);
}

START_TEST(test_drop_none)
{
        ck_assert_int_eq(geteuid(), 0);
        in_child(drop_none);
}
END_TEST

static Suite *capability_suite(void)
{
        Suite *s = suite_create("capability");
        TCase *tc = tcase_create("drop");

        tcase_add_test(tc, test_name_kernel_spelling);
        tcase_add_test(tc, test_drop_keeps_only_listed);
        tcase_add_test(tc, test_drop_skips_unavailable);
        tcase_add_test(tc, test_drop_none);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(capability_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
