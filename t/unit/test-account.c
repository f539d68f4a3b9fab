/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "account.h"
#include "config.h"
#include "macro.h"

static char *make_dir(void)
{
        char *dir = strdup("/tmp/jtacc-account.XXXXXX");

        ck_assert_ptr_nonnull(dir);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        return dir;
}

/* Loads a configuration with the given [accounts] lines. */
static AgentConfig *load(const char *accounts_lines)
{
        _cleanup_free_ char *dir = make_dir(), *path = NULL, *error = NULL;
        AgentConfig *c = NULL;
        FILE *f;

        ck_assert_int_ge(asprintf(&path, "%s/agent.conf", dir), 0);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "[accounts]\n%s\n", accounts_lines);
        fclose(f);

        ck_assert_int_eq(config_load(path, &c, &error), 0);
        unlink(path);
        rmdir(dir);
        return c;
}

START_TEST(test_reserved_builtin)
{
        static const char *const names[] = { "root", "daemon", "bin",   "nobody",
                                             "sshd", "www",    "mysql", "jabali" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                ck_assert_msg(account_name_reserved(NULL, names[i]), "%s not reserved", names[i]);
        ck_assert(!account_name_reserved(NULL, "jtalice"));
}
END_TEST

START_TEST(test_reserved_from_config)
{
        AgentConfig *c = load("reserved_names = jtkeep jtother");

        ck_assert(account_name_reserved(c, "jtkeep"));
        ck_assert(account_name_reserved(c, "jtother"));
        ck_assert(account_name_reserved(c, "root"));
        ck_assert(!account_name_reserved(c, "jtkeeper"));
        config_free(c);
}
END_TEST

START_TEST(test_lookup_invalid_names)
{
        static const char *const names[] = {
                "", "Root", "../etc", "a-b", "a_b", "1abc", "abcdefghijklmnopq", "a b"
        };
        AgentConfig *c = load("");

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                Account a = { .uid = 7 };

                ck_assert_int_eq(account_lookup_managed(c, names[i], &a), -EINVAL);
                ck_assert_uint_eq(a.uid, 7);
        }
        config_free(c);
}
END_TEST

START_TEST(test_lookup_system_accounts)
{
        AgentConfig *c = load("");
        Account a = {};

        ck_assert_int_eq(account_lookup_managed(c, "root", &a), -EPERM);
        ck_assert_int_eq(account_lookup_managed(c, "nobody", &a), -EPERM);
        ck_assert_ptr_null(a.name);
        config_free(c);
}
END_TEST

START_TEST(test_lookup_missing)
{
        AgentConfig *c = load("");
        Account a = {};

        ck_assert_int_eq(account_lookup_managed(c, "jtanosuchuser", &a), -ENOENT);
        config_free(c);
}
END_TEST

START_TEST(test_lookup_reserved_before_host)
{
        AgentConfig *c = load("reserved_names = jtanosuchuser");
        Account a = {};

        /* A reserved name is refused whether or not the host has it. */
        ck_assert_int_eq(account_lookup_managed(c, "jtanosuchuser", &a), -EPERM);
        config_free(c);
}
END_TEST

START_TEST(test_open_home_owner)
{
        _cleanup_free_ char *dir = make_dir();
        Account mine = { .name = (char *) "jta", .uid = getuid(), .home = dir };
        Account other = { .name = (char *) "jta", .uid = getuid() + 1, .home = dir };
        int fd;

        fd = account_open_home(NULL, &mine);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(account_open_home(NULL, &other), -EPERM);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_open_home_symlink)
{
        _cleanup_free_ char *dir = make_dir(), *link_path = NULL;
        Account a = { .name = (char *) "jta", .uid = getuid() };

        ck_assert_int_ge(asprintf(&link_path, "%s.link", dir), 0);
        ck_assert_int_eq(symlink(dir, link_path), 0);
        a.home = link_path;
        ck_assert_int_eq(account_open_home(NULL, &a), -ELOOP);
        ck_assert_int_eq(unlink(link_path), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_count_domains)
{
        _cleanup_free_ char *dir = make_dir(), *path = NULL;
        Account a = { .name = (char *) "jta", .uid = getuid(), .home = dir };
        unsigned n = 99;
        int fd;

        ck_assert_int_eq(account_count_domains(NULL, &a, &n), 0);
        ck_assert_uint_eq(n, 0);

        ck_assert_int_ge(asprintf(&path, "%s/domains", dir), 0);
        ck_assert_int_eq(mkdir(path, 0750), 0);
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/domains/a.example", dir), 0);
        ck_assert_int_eq(mkdir(path, 0750), 0);
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/domains/b.example", dir), 0);
        ck_assert_int_eq(mkdir(path, 0750), 0);
        free(path);
        /* A link and a file are no domains. */
        ck_assert_int_ge(asprintf(&path, "%s/domains/c.example", dir), 0);
        ck_assert_int_eq(symlink("/etc", path), 0);
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/domains/notes.txt", dir), 0);
        fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);

        ck_assert_int_eq(account_count_domains(NULL, &a, &n), 0);
        ck_assert_uint_eq(n, 2);

        ck_assert_int_eq(unlink(path), 0);
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/domains", dir), 0);
        for (const char *const *name = (const char *const[]){ "a.example", "b.example", NULL }; *name;
             name++) {
                _cleanup_free_ char *sub = NULL;

                ck_assert_int_ge(asprintf(&sub, "%s/%s", path, *name), 0);
                ck_assert_int_eq(rmdir(sub), 0);
        }
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/domains/c.example", dir), 0);
        ck_assert_int_eq(unlink(path), 0);
        free(path);
        ck_assert_int_ge(asprintf(&path, "%s/domains", dir), 0);
        ck_assert_int_eq(rmdir(path), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

START_TEST(test_count_domains_symlinked)
{
        _cleanup_free_ char *dir = make_dir(), *target = make_dir(), *path = NULL;
        Account a = { .name = (char *) "jta", .uid = getuid(), .home = dir };
        unsigned n = 99;

        ck_assert_int_ge(asprintf(&path, "%s/domains", dir), 0);
        ck_assert_int_eq(symlink(target, path), 0);
        ck_assert_int_eq(account_count_domains(NULL, &a, &n), -ELOOP);
        ck_assert_uint_eq(n, 99);

        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(rmdir(dir), 0);
        ck_assert_int_eq(rmdir(target), 0);
}
END_TEST

static Suite *account_suite(void)
{
        Suite *s = suite_create("account");
        TCase *tc = tcase_create("rule");

        tcase_add_test(tc, test_reserved_builtin);
        tcase_add_test(tc, test_reserved_from_config);
        tcase_add_test(tc, test_lookup_invalid_names);
        tcase_add_test(tc, test_lookup_system_accounts);
        tcase_add_test(tc, test_lookup_missing);
        tcase_add_test(tc, test_lookup_reserved_before_host);
        suite_add_tcase(s, tc);

        tc = tcase_create("home");
        tcase_add_test(tc, test_open_home_owner);
        tcase_add_test(tc, test_open_home_symlink);
        tcase_add_test(tc, test_count_domains);
        tcase_add_test(tc, test_count_domains_symlinked);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(account_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
