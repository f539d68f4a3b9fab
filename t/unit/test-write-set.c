/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "config.h"
#include "macro.h"
#include "write-set.h"

/* A scratch directory with agent.conf and the directories it names, removed after each test. */
static char test_dir[] = "/tmp/test-write-set-XXXXXX";
static AgentConfig *config;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static char *path_in_test_dir(const char *name)
{
        char *p;

        ck_assert_int_ge(asprintf(&p, "%s/%s", test_dir, name), 0);
        return p;
}

static void make_dir(const char *name)
{
        _cleanup_free_ char *p = path_in_test_dir(name);

        ck_assert_int_eq(mkdir(p, 0755), 0);
}

/* Points the domain and user families' path keys into the scratch directory.  "cache" and "acme" stay
 * missing on purpose, and so does "locks", which resolving creates.  "home" is both the home root and the
 * slice drop-in directory.  nginx.pid is an empty file in place of nginx's pid file. */
static void setup(void)
{
        _cleanup_free_ char *conf = NULL, *error = NULL, *pid = NULL;
        FILE *f;

        strcpy(test_dir, "/tmp/test-write-set-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(test_dir));
        make_dir("available");
        make_dir("enabled");
        make_dir("logs");
        make_dir("home");
        pid = path_in_test_dir("nginx.pid");
        f = fopen(pid, "we");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(fclose(f), 0);

        conf = path_in_test_dir("agent.conf");
        f = fopen(conf, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f,
                "[agent]\nlock_dir = %1$s/locks\n"
                "[nginx]\nsites_available = %1$s/available\nsites_enabled = %1$s/enabled\n"
                "log_dir = %1$s/logs\ncache_root = %1$s/cache\nacme_root = %1$s/acme\n"
                "[accounts]\nhome_root = %1$s/home\n"
                "[limits]\nunit_dir = %1$s/home\n"
                "[service.nginx]\npidfile = %1$s/nginx.pid\n",
                test_dir);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_msg(config_load(conf, &config, &error) == 0, "config: %s", error);
}

static void teardown(void)
{
        config = config_free(config);
        nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v[n])
                n++;
        return n;
}

/* Asserts that v contains exactly the expected entries in order; entries starting with '@' are names in the
 * scratch directory, the others absolute paths. */
static void assert_paths(char *const *v, const char *const *expected, size_t n)
{
        ck_assert_uint_eq(strv_length(v), n);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *want =
                        expected[i][0] == '@' ? path_in_test_dir(expected[i] + 1) : strdup(expected[i]);

                ck_assert_str_eq(v[i], want);
        }
}

static bool key_declared(const char *section, const char *key)
{
        const ConfigKey *k;

        for (size_t i = 0; (k = config_key_at(i)); i++)
                if (streq(k->section, section) && streq(k->key, key))
                        return true;
        return false;
}

START_TEST(test_agent_family_dev_null)
{
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        const Action a = { .name = "agent.test", .family = FAMILY_AGENT };
        static const char *const want[] = { "/dev/null" };

        ck_assert_int_eq(write_set_resolve(config, &a, &paths, &missing), 0);
        assert_paths(paths, want, ELEMENTSOF(want));
        ck_assert_ptr_null(missing[0]);
}
END_TEST

START_TEST(test_domain_family_config)
{
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        const Action a = { .name = "domain.test", .family = FAMILY_DOMAIN };
        static const char *const host_paths[] = { "/run/nginx.pid", "/var/lib/nginx" };
        const char *want[7 + ELEMENTSOF(host_paths)] = { "/dev/null", "@available", "@enabled",  "@logs",
                                                         "@home",     "@locks",     "@nginx.pid" };
        const char *want_missing[2 + ELEMENTSOF(host_paths)] = { "@cache", "@acme" };
        size_t n = 7, n_missing = 2;

        /* The fixed paths after the configured ones depend on what this host has. */
        for (size_t i = 0; i < ELEMENTSOF(host_paths); i++) {
                if (access(host_paths[i], F_OK) == 0)
                        want[n++] = host_paths[i];
                else
                        want_missing[n_missing++] = host_paths[i];
        }

        ck_assert_int_eq(write_set_resolve(config, &a, &paths, &missing), 0);
        assert_paths(paths, want, n);
        assert_paths(missing, want_missing, n_missing);
}
END_TEST

START_TEST(test_user_family_config)
{
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        const Action a = { .name = "user.test", .family = FAMILY_USER };
        static const char *const host_paths[] = { "/var/mail", "/var/log/lastlog", "/var/log/faillog" };
        const char *want[4 + ELEMENTSOF(host_paths)] = { "/dev/null", "/etc", "@home", "@locks" };
        size_t n = 4;

        /* The fixed paths after the configured ones depend on what this host has. */
        for (size_t i = 0; i < ELEMENTSOF(host_paths); i++)
                if (access(host_paths[i], F_OK) == 0)
                        want[n++] = host_paths[i];

        ck_assert_int_eq(write_set_resolve(config, &a, &paths, &missing), 0);
        assert_paths(paths, want, n);
}
END_TEST

START_TEST(test_duplicate_once)
{
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        _cleanup_free_ char *home = path_in_test_dir("home");
        const Action a = { .name = "user.test", .family = FAMILY_USER };
        size_t seen = 0;

        /* accounts.home_root and limits.unit_dir are the same directory here. */
        ck_assert_int_eq(write_set_resolve(config, &a, &paths, &missing), 0);
        for (char **p = paths; *p; p++)
                if (streq(*p, home))
                        seen++;
        ck_assert_uint_eq(seen, 1);
}
END_TEST

START_TEST(test_action_overrides_family)
{
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        static const WritePath own[] = {
                { .section = "nginx", .key = "log_dir" },
                { .path = "/nonexistent-jabali-test" },
                { .section = "nginx", .key = "template" },
                {},
        };
        const Action a = { .name = "domain.narrow", .family = FAMILY_DOMAIN, .write_paths = own };
        static const char *const want[] = { "/dev/null", "@logs" };
        static const char *const want_missing[] = { "/nonexistent-jabali-test" };

        /* nginx.template is empty by default, so it names nothing. */
        ck_assert_ptr_eq(write_set_of_action(&a), own);
        ck_assert_int_eq(write_set_resolve(config, &a, &paths, &missing), 0);
        assert_paths(paths, want, ELEMENTSOF(want));
        assert_paths(missing, want_missing, ELEMENTSOF(want_missing));
}
END_TEST

START_TEST(test_lock_dir_created)
{
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        _cleanup_free_ char *locks = path_in_test_dir("locks");
        const Action a = { .name = "user.test", .family = FAMILY_USER };
        struct stat st;

        ck_assert_int_eq(write_set_resolve(config, &a, &paths, &missing), 0);
        ck_assert_int_eq(stat(locks, &st), 0);
        ck_assert(S_ISDIR(st.st_mode));
        ck_assert_uint_eq(st.st_mode & 07777, 0700);
}
END_TEST

START_TEST(test_every_family_has_list)
{
        for (ActionFamily f = 0; f < _FAMILY_MAX; f++)
                ck_assert_ptr_nonnull(write_set_of_family(f));
}
END_TEST

START_TEST(test_registered_keys_declared)
{
        /* A misspelt key would abort the agent at the first request of the action. */
        for (size_t i = 0; i < action_count(); i++) {
                const Action *a = action_at(i);

                for (const WritePath *w = write_set_of_action(a); w->path || w->section; w++) {
                        if (!w->section) {
                                ck_assert_msg(w->path[0] == '/', "%s: relative path %s", a->name, w->path);
                                continue;
                        }
                        ck_assert_msg(key_declared(w->section, w->key), "%s: [%s] %s is not declared",
                                      a->name, w->section, w->key);
                }
        }
}
END_TEST

static Suite *write_set_suite(void)
{
        Suite *s = suite_create("write-set");
        TCase *tc = tcase_create("resolve");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_agent_family_dev_null);
        tcase_add_test(tc, test_domain_family_config);
        tcase_add_test(tc, test_user_family_config);
        tcase_add_test(tc, test_duplicate_once);
        tcase_add_test(tc, test_action_overrides_family);
        tcase_add_test(tc, test_lock_dir_created);
        tcase_add_test(tc, test_every_family_has_list);
        tcase_add_test(tc, test_registered_keys_declared);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(write_set_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
