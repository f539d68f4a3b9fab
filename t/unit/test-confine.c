/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action.h"
#include "config.h"
#include "confine.h"
#include "landlock.h"
#include "macro.h"

/* A scratch directory with agent.conf; confine_enter() runs in a child, because it cannot be undone. */
static char test_dir[] = "/tmp/test-confine-XXXXXX";

/* What the child reports about one confine_enter() call. */
typedef struct Outcome {
        int r;
        char apparmor[512];
        char landlock[4096];
        char capabilities[512];
        char failed[64];
        int no_new_privs;
        int create_errno;    /* of creating a file in the scratch directory afterwards */
        int list_root_errno; /* of listing /root afterwards */
} Outcome;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void setup(void)
{
        strcpy(test_dir, "/tmp/test-confine-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(test_dir));
}

static void teardown(void)
{
        nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static AgentConfig *load_config(const char *agent_section)
{
        _cleanup_free_ char *path = NULL, *error = NULL;
        AgentConfig *c = NULL;
        FILE *f;

        ck_assert_int_ge(asprintf(&path, "%s/agent.conf", test_dir), 0);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "[agent]\nlock_dir = %s\n%s\n[nginx]\nacme_root = %s/missing\n", test_dir, agent_section,
                test_dir);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_msg(config_load(path, &c, &error) == 0, "config: %s", error);
        return c;
}

static void copy_string(char *dst, size_t size, const char *src)
{
        snprintf(dst, size, "%s", src ?: "(null)");
}

/* Runs confine_enter() for a in a child and returns what it did there. */
static Outcome confine_in_child(const AgentConfig *c, const Action *a)
{
        Outcome o = {};
        int p[2], status;
        pid_t pid;

        ck_assert_int_eq(pipe(p), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                ConfineReport report;
                _cleanup_free_ char *probe = NULL;
                DIR *root;
                int fd;

                close(p[0]);
                o.r = confine_enter(c, a, &report);
                copy_string(o.apparmor, sizeof(o.apparmor), report.apparmor);
                copy_string(o.landlock, sizeof(o.landlock), report.landlock);
                copy_string(o.capabilities, sizeof(o.capabilities), report.capabilities);
                copy_string(o.failed, sizeof(o.failed), report.failed);
                o.no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
                if (asprintf(&probe, "%s/probe", test_dir) < 0)
                        _exit(2);
                fd = open(probe, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                o.create_errno = fd < 0 ? errno : 0;
                root = opendir("/root");
                o.list_root_errno = root ? 0 : errno;
                if (write(p[1], &o, sizeof(o)) != (ssize_t) sizeof(o))
                        _exit(1);
                _exit(0);
        }
        close(p[1]);
        ck_assert_int_eq(read(p[0], &o, sizeof(o)), (ssize_t) sizeof(o));
        close(p[0]);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
        return o;
}

/* The errno of listing /root without confinement: 0 for root, EACCES for other users. */
static int list_root_errno(void)
{
        DIR *d = opendir("/root");

        if (!d)
                return errno;
        closedir(d);
        return 0;
}

static const Action agent_action = { .name = "agent.test", .family = FAMILY_AGENT };
static const Action domain_action = { .name = "domain.test", .family = FAMILY_DOMAIN };

START_TEST(test_all_off)
{
        AgentConfig *c = load_config("apparmor = off\nlandlock = off\ndrop_capabilities = no");
        Outcome o = confine_in_child(c, &agent_action);

        ck_assert_int_eq(o.r, 0);
        ck_assert_str_eq(o.apparmor, "off");
        ck_assert_str_eq(o.landlock, "off");
        ck_assert_str_eq(o.capabilities, "all");
        ck_assert_str_eq(o.failed, "(null)");
        ck_assert_int_eq(o.create_errno, 0);
        ck_assert_int_eq(o.list_root_errno, list_root_errno());
        config_free(c);
}
END_TEST

START_TEST(test_no_new_privs_set)
{
        AgentConfig *c = load_config("apparmor = off\nlandlock = off\ndrop_capabilities = no");
        Outcome o = confine_in_child(c, &agent_action);

        ck_assert_int_eq(o.no_new_privs, 1);
        config_free(c);
}
END_TEST

START_TEST(test_landlock_require)
{
        AgentConfig *c = load_config("apparmor = off\nlandlock = require\ndrop_capabilities = no");
        Outcome o = confine_in_child(c, &agent_action);

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(o.r, -EOPNOTSUPP);
                ck_assert_str_eq(o.failed, "Landlock");
                ck_assert_str_eq(o.landlock, "unavailable");
                config_free(c);
                return;
        }
        ck_assert_int_eq(o.r, 0);
        ck_assert_msg(strncmp(o.landlock, "abi ", 4) == 0, "landlock state: %s", o.landlock);
        ck_assert_ptr_nonnull(strstr(o.landlock, ": /dev/null"));
        /* The agent family writes nothing, so not even the scratch directory. */
        ck_assert_int_eq(o.create_errno, EACCES);
        ck_assert_ptr_nonnull(strstr(o.landlock, "; unreadable: /root"));
        ck_assert_int_eq(o.list_root_errno, EACCES);
        config_free(c);
}
END_TEST

START_TEST(test_landlock_auto)
{
        AgentConfig *c = load_config("apparmor = off\nlandlock = auto\ndrop_capabilities = no");
        Outcome o = confine_in_child(c, &agent_action);

        ck_assert_int_eq(o.r, 0);
        if (landlock_abi_version() < 0) {
                ck_assert_str_eq(o.landlock, "unavailable");
                ck_assert_int_eq(o.create_errno, 0);
        } else {
                ck_assert_msg(strncmp(o.landlock, "abi ", 4) == 0, "landlock state: %s", o.landlock);
                ck_assert_int_eq(o.create_errno, EACCES);
        }
        config_free(c);
}
END_TEST

START_TEST(test_landlock_names_missing)
{
        _cleanup_free_ char *written = NULL, *missing = NULL;
        AgentConfig *c = load_config("apparmor = off\nlandlock = require\ndrop_capabilities = no");
        Outcome o;

        if (landlock_abi_version() < 0) {
                ck_assert_int_eq(confine_in_child(c, &domain_action).r, -EOPNOTSUPP);
                config_free(c);
                return;
        }
        o = confine_in_child(c, &domain_action);
        ck_assert_int_eq(o.r, 0);
        /* The lock directory is the scratch directory, so the domain family may write there. */
        ck_assert_int_eq(asprintf(&written, " %s", test_dir) > 0, 1);
        ck_assert_ptr_nonnull(strstr(o.landlock, written));
        ck_assert_int_eq(asprintf(&missing, " %s/missing", test_dir) > 0, 1);
        ck_assert_msg(strstr(o.landlock, "; missing:"), "landlock state: %s", o.landlock);
        ck_assert_msg(strstr(strstr(o.landlock, "; missing:") ?: "", missing), "landlock state: %s",
                      o.landlock);
        ck_assert_int_eq(o.create_errno, 0);
        config_free(c);
}
END_TEST

START_TEST(test_apparmor_require_unavailable)
{
        AgentConfig *c = load_config("apparmor = require\nlandlock = off\ndrop_capabilities = no");
        Outcome o = confine_in_child(c, &agent_action);

        /* With AppArmor enabled, the result depends on whether the profile is loaded on this host. */
        if (confine_apparmor_enabled()) {
                ck_assert(o.r == 0 || streq(o.failed, "AppArmor"));
                config_free(c);
                return;
        }
        ck_assert_int_eq(o.r, -EOPNOTSUPP);
        ck_assert_str_eq(o.failed, "AppArmor");
        ck_assert_str_eq(o.apparmor, "unavailable");
        /* Nothing after the failed step ran. */
        ck_assert_str_eq(o.landlock, "(null)");
        config_free(c);
}
END_TEST

static Suite *confine_suite(void)
{
        Suite *s = suite_create("confine");
        TCase *tc = tcase_create("enter");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_all_off);
        tcase_add_test(tc, test_no_new_privs_set);
        tcase_add_test(tc, test_landlock_require);
        tcase_add_test(tc, test_landlock_auto);
        tcase_add_test(tc, test_landlock_names_missing);
        tcase_add_test(tc, test_apparmor_require_unavailable);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(confine_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
