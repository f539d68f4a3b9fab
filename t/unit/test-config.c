/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <check.h>

#include "config.h"
#include "macro.h"

/* A scratch directory holding agent.conf and agent.conf.d/, removed after each test. */
static char test_dir[] = "/tmp/test-config-XXXXXX";
static char main_path[64];
static char dropin_dir[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void setup(void)
{
        strcpy(test_dir, "/tmp/test-config-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(test_dir));
        snprintf(main_path, sizeof(main_path), "%s/agent.conf", test_dir);
        snprintf(dropin_dir, sizeof(dropin_dir), "%s/agent.conf.d", test_dir);
}

static void teardown(void)
{
        nftw(test_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");

        ck_assert_msg(f, "cannot create %s", path);
        ck_assert_int_eq(fputs(text, f) >= 0, 1);
        ck_assert_int_eq(fclose(f), 0);
}

static void write_main(const char *text)
{
        write_file(main_path, text);
}

static char *dropin_path(const char *name)
{
        char *path = NULL;

        ck_assert_int_ge(asprintf(&path, "%s/%s", dropin_dir, name), 0);
        return path;
}

static void write_dropin(const char *name, const char *text)
{
        _cleanup_free_ char *path = dropin_path(name);

        (void) mkdir(dropin_dir, 0755);
        write_file(path, text);
}

static AgentConfig *load_ok(void)
{
        _cleanup_free_ char *error = NULL;
        AgentConfig *c = NULL;
        int r = config_load(main_path, &c, &error);

        ck_assert_msg(r == 0, "config_load failed: %s", error ?: strerror(-r));
        ck_assert_ptr_nonnull(c);
        ck_assert_ptr_null(error);
        return c;
}

/* Loads the files and expects an error message containing each of the given fragments. */
static void assert_load_error(const char *fragment1, const char *fragment2, const char *fragment3)
{
        const char *fragments[] = { fragment1, fragment2, fragment3 };
        _cleanup_free_ char *error = NULL;
        AgentConfig *c = NULL;
        int r = config_load(main_path, &c, &error);

        ck_assert_int_lt(r, 0);
        ck_assert_ptr_null(c);
        ck_assert_ptr_nonnull(error);
        for (size_t i = 0; i < ELEMENTSOF(fragments); i++)
                if (fragments[i])
                        ck_assert_msg(strstr(error, fragments[i]), "'%s' not in the error '%s'",
                                      fragments[i], error);
}

static size_t strv_length(char **v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

START_TEST(test_missing_main_defaults)
{
        AgentConfig *c = load_ok();
        _cleanup_strv_free_ char **groups = config_get_list(c, "policy", "allowed_groups");
        _cleanup_strv_free_ char **users = config_get_list(c, "policy", "allowed_users");

        ck_assert_uint_eq(config_get_uint(c, "agent", "max_request_bytes"), 1048576);
        ck_assert_uint_eq(config_get_uint(c, "agent", "read_timeout_ms"), 10000);
        ck_assert_str_eq(config_get(c, "agent", "apparmor"), "auto");
        ck_assert_str_eq(config_get(c, "agent", "lock_dir"), "/run/jabali-agent/locks");
        ck_assert(config_get_bool(c, "agent", "drop_capabilities"));
        ck_assert(config_get_bool(c, "audit", "fail_closed"));
        ck_assert_uint_eq(strv_length(groups), 1);
        ck_assert_str_eq(groups[0], "jabali");
        ck_assert_ptr_nonnull(users);
        ck_assert_uint_eq(strv_length(users), 0);
        config_free(c);
}
END_TEST

START_TEST(test_null_config_defaults)
{
        /* The getters fall back to the declared defaults without a loaded configuration. */
        ck_assert_uint_eq(config_get_uint(NULL, "agent", "write_timeout_ms"), 10000);
        ck_assert(config_get_bool(NULL, "audit", "fail_closed"));
        ck_assert_ptr_null(config_free(NULL));
}
END_TEST

START_TEST(test_main_file)
{
        write_main("# comment\n"
                   "; another comment\n"
                   "[agent]\n"
                   "max_request_bytes = 4096\n"
                   "apparmor=off\n"
                   "drop_capabilities = no\n"
                   "lock_dir = /tmp/locks\n"
                   "\n"
                   "[audit]\n"
                   "fail_closed = false\n");
        AgentConfig *c = load_ok();

        ck_assert_uint_eq(config_get_uint(c, "agent", "max_request_bytes"), 4096);
        ck_assert_str_eq(config_get(c, "agent", "apparmor"), "off");
        ck_assert(!config_get_bool(c, "agent", "drop_capabilities"));
        ck_assert_str_eq(config_get(c, "agent", "lock_dir"), "/tmp/locks");
        ck_assert(!config_get_bool(c, "audit", "fail_closed"));
        /* Keys the file does not set keep their defaults. */
        ck_assert_uint_eq(config_get_uint(c, "agent", "read_timeout_ms"), 10000);
        config_free(c);
}
END_TEST

START_TEST(test_dropin_order)
{
        write_main("[agent]\nmax_request_bytes = 100\nread_timeout_ms = 100\nwrite_timeout_ms = 100\n");
        write_dropin("20-b.conf", "[agent]\nread_timeout_ms = 20\nwrite_timeout_ms = 20\n");
        write_dropin("10-a.conf", "[agent]\nread_timeout_ms = 10\nlock_timeout_ms = 10\n");
        write_dropin("30-c.conf", "[agent]\nwrite_timeout_ms = 30\n");
        AgentConfig *c = load_ok();

        /* Lexical order: 10-a, 20-b, 30-c, each overriding key by key. */
        ck_assert_uint_eq(config_get_uint(c, "agent", "max_request_bytes"), 100);
        ck_assert_uint_eq(config_get_uint(c, "agent", "read_timeout_ms"), 20);
        ck_assert_uint_eq(config_get_uint(c, "agent", "write_timeout_ms"), 30);
        ck_assert_uint_eq(config_get_uint(c, "agent", "lock_timeout_ms"), 10);
        config_free(c);
}
END_TEST

START_TEST(test_dropin_lexical_not_numeric)
{
        write_dropin("9-late.conf", "[agent]\nread_timeout_ms = 9\n");
        write_dropin("10-early.conf", "[agent]\nread_timeout_ms = 10\n");
        AgentConfig *c = load_ok();

        /* "9-late" sorts after "10-early". */
        ck_assert_uint_eq(config_get_uint(c, "agent", "read_timeout_ms"), 9);
        config_free(c);
}
END_TEST

START_TEST(test_dropin_without_main)
{
        write_dropin("50-x.conf", "[policy]\nallowed_groups = ops\n");
        AgentConfig *c = load_ok();
        _cleanup_strv_free_ char **groups = config_get_list(c, "policy", "allowed_groups");

        ck_assert_uint_eq(strv_length(groups), 1);
        ck_assert_str_eq(groups[0], "ops");
        config_free(c);
}
END_TEST

START_TEST(test_dropin_ignored_names)
{
        write_dropin("10-a.conf", "[agent]\nread_timeout_ms = 10\n");
        write_dropin("20-b.conf.bak", "[bogus]\nx = 1\n");
        write_dropin(".30-hidden.conf", "[bogus]\nx = 1\n");
        write_dropin("README", "not ini at all\n");
        write_dropin("40-d.CONF", "[bogus]\nx = 1\n");
        AgentConfig *c = load_ok();

        ck_assert_uint_eq(config_get_uint(c, "agent", "read_timeout_ms"), 10);
        config_free(c);
}
END_TEST

START_TEST(test_unknown_section)
{
        write_main("[agent]\nread_timeout_ms = 5\n[bogus]\nkey = 1\n");
        assert_load_error(main_path, "[bogus]", "'key'");
}
END_TEST

START_TEST(test_unknown_key)
{
        write_main("[agent]\nread_timeout = 5\n");
        assert_load_error(main_path, "'read_timeout'", "[agent]");
}
END_TEST

START_TEST(test_key_outside_section)
{
        write_main("read_timeout_ms = 5\n");
        assert_load_error(main_path, "'read_timeout_ms'", NULL);
}
END_TEST

START_TEST(test_key_in_wrong_section)
{
        write_main("[audit]\nread_timeout_ms = 5\n");
        assert_load_error(main_path, "'read_timeout_ms'", "[audit]");
}
END_TEST

START_TEST(test_error_names_dropin)
{
        _cleanup_free_ char *path = dropin_path("20-bad.conf");

        write_main("[agent]\nread_timeout_ms = 5\n");
        write_dropin("10-good.conf", "[agent]\nwrite_timeout_ms = 5\n");
        write_dropin("20-bad.conf", "[agent]\nwrite_timeout_ms = 5\ntypo = 1\n");
        assert_load_error(path, "'typo'", NULL);
}
END_TEST

START_TEST(test_error_line)
{
        write_main("[agent]\n"
                   "read_timeout_ms = 5\n"
                   "\n"
                   "bogus = 1\n");
        /* file:line: as compilers print it, so editors can jump there. */
        assert_load_error(":4:", "'bogus'", NULL);
}
END_TEST

START_TEST(test_first_error_reported)
{
        write_main("[agent]\n"
                   "first_typo = 1\n"
                   "second_typo = 2\n"
                   "read_timeout_ms = x\n");
        assert_load_error(":2:", "'first_typo'", NULL);
}
END_TEST

START_TEST(test_key_twice_in_file)
{
        write_main("[policy]\nallowed_groups = a\nallowed_groups = b\n");
        assert_load_error(":3:", "set twice", NULL);
}
END_TEST

START_TEST(test_continuation_line)
{
        /* inih reads the indented line as a second value; it must not replace the first silently. */
        write_main("[policy]\nallowed_groups = a\n  b\n");
        assert_load_error(":3:", "set twice", NULL);
}
END_TEST

START_TEST(test_key_again_in_dropin)
{
        AgentConfig *c;

        write_main("[policy]\nallowed_groups = a\n");
        write_dropin("10-more.conf", "[policy]\nallowed_groups = b\n");
        c = load_ok();
        ck_assert_str_eq(config_get(c, "policy", "allowed_groups"), "b");
        config_free(c);
}
END_TEST

START_TEST(test_syntax_error)
{
        write_main("[agent]\nread_timeout_ms 5\n");
        assert_load_error(main_path, ":2:", NULL);
        write_main("[agent\nread_timeout_ms = 5\n");
        assert_load_error(main_path, ":1:", NULL);
}
END_TEST

START_TEST(test_syntax_error_before_key_error)
{
        write_main("[agent]\nno equals sign\nbogus = 1\n");
        assert_load_error(":2:", "syntax", NULL);
}
END_TEST

START_TEST(test_long_line)
{
        char text[1024];
        char words[700] = "";

        /* Longer than the INI reader's line buffer: it must fail, not be read as two lines. */
        for (int i = 0; i < 60; i++)
                strcat(words, " system.x*");
        snprintf(text, sizeof(text), "[policy]\ndenied =%s\n", words);
        write_main(text);
        assert_load_error(main_path, ":2:", NULL);
}
END_TEST

START_TEST(test_long_line_key_smuggled)
{
        char text[1024], pad[300];

        /* The first 199 bytes end after "/ggg... ", so a reader that split the line would hand
         * "lock_dir = /etc" to the parser as a line of its own. */
        memset(pad, 'g', 186);
        pad[186] = '\0';
        snprintf(text, sizeof(text), "[agent]\nlock_dir = /%s lock_dir = /etc\n", pad);
        write_main(text);
        assert_load_error(main_path, ":2:", NULL);
}
END_TEST

START_TEST(test_bool_values)
{
        static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off",
                                                                                       "0" };
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                snprintf(text, sizeof(text), "[audit]\nfail_closed = %s\n", yes[i]);
                write_main(text);
                AgentConfig *c = load_ok();
                ck_assert(config_get_bool(c, "audit", "fail_closed"));
                config_free(c);

                snprintf(text, sizeof(text), "[audit]\nfail_closed = %s\n", no[i]);
                write_main(text);
                c = load_ok();
                ck_assert(!config_get_bool(c, "audit", "fail_closed"));
                config_free(c);
        }
}
END_TEST

START_TEST(test_bool_invalid)
{
        static const char *const bad[] = { "maybe", "YES", "True", "2", "y", "n", "enabled" };
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(text, sizeof(text), "[audit]\nfail_closed = %s\n", bad[i]);
                write_main(text);
                assert_load_error(main_path, "fail_closed", "yes or no");
        }
        write_main("[audit]\nfail_closed =\n");
        assert_load_error(main_path, "fail_closed", NULL);
}
END_TEST

START_TEST(test_uint_values)
{
        write_main("[agent]\nmax_request_bytes = 0\nread_timeout_ms = 18446744073709551615\n");
        AgentConfig *c = load_ok();

        ck_assert_uint_eq(config_get_uint(c, "agent", "max_request_bytes"), 0);
        ck_assert_uint_eq(config_get_uint(c, "agent", "read_timeout_ms"), UINT64_MAX);
        config_free(c);
}
END_TEST

START_TEST(test_uint_invalid)
{
        static const char *const bad[] = {
                "-1", "+1", "1.5", "1e3", "0x10", "010", "abc", "10 ms", "18446744073709551616", " 1 2",
        };
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(text, sizeof(text), "[agent]\nmax_request_bytes = %s\n", bad[i]);
                write_main(text);
                assert_load_error(main_path, "max_request_bytes", "integer");
        }
        write_main("[agent]\nmax_request_bytes =\n");
        assert_load_error(main_path, "max_request_bytes", NULL);
}
END_TEST

START_TEST(test_path_invalid)
{
        static const char *const bad[] = {
                "relative/dir", "./locks", "/run/../etc", "/run/..", "/run/./x",
                "/run/.",       "/run//x", "/run/x/",     "~/x",
        };
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                snprintf(text, sizeof(text), "[agent]\nlock_dir = %s\n", bad[i]);
                write_main(text);
                assert_load_error(main_path, "lock_dir", "absolute path");
        }
}
END_TEST

START_TEST(test_path_valid)
{
        static const char *const good[] = { "/", "/run", "/run/jabali-agent/locks", "/a/..b/c.",
                                            "/a/.hidden" };
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                snprintf(text, sizeof(text), "[agent]\nlock_dir = %s\n", good[i]);
                write_main(text);
                AgentConfig *c = load_ok();
                ck_assert_str_eq(config_get(c, "agent", "lock_dir"), good[i]);
                config_free(c);
        }
}
END_TEST

START_TEST(test_enum_invalid)
{
        write_main("[agent]\napparmor = sometimes\n");
        assert_load_error(main_path, "apparmor", "allowed values");
        write_main("[agent]\napparmor = Require\n");
        assert_load_error(main_path, "apparmor", NULL);
        write_main("[agent]\napparmor =\n");
        assert_load_error(main_path, "apparmor", NULL);
}
END_TEST

START_TEST(test_enum_values)
{
        static const char *const good[] = { "require", "auto", "off" };
        char text[128];

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                snprintf(text, sizeof(text), "[agent]\napparmor = %s\n", good[i]);
                write_main(text);
                AgentConfig *c = load_ok();
                ck_assert_str_eq(config_get(c, "agent", "apparmor"), good[i]);
                config_free(c);
        }
}
END_TEST

START_TEST(test_list_split)
{
        write_main("[policy]\n"
                   "allowed_groups = jabali  ops   admins\n"
                   "root_only = db.root.* system.*\n"
                   "denied =\n");
        AgentConfig *c = load_ok();
        _cleanup_strv_free_ char **groups = config_get_list(c, "policy", "allowed_groups");
        _cleanup_strv_free_ char **root_only = config_get_list(c, "policy", "root_only");
        _cleanup_strv_free_ char **denied = config_get_list(c, "policy", "denied");

        ck_assert_uint_eq(strv_length(groups), 3);
        ck_assert_str_eq(groups[0], "jabali");
        ck_assert_str_eq(groups[1], "ops");
        ck_assert_str_eq(groups[2], "admins");
        ck_assert_uint_eq(strv_length(root_only), 2);
        ck_assert_str_eq(root_only[1], "system.*");
        ck_assert_ptr_nonnull(denied);
        ck_assert_uint_eq(strv_length(denied), 0);
        config_free(c);
}
END_TEST

START_TEST(test_list_many)
{
        char text[256] = "[policy]\nallowed_users =";
        AgentConfig *c;

        /* More words than the list's first allocation. */
        for (int i = 0; i < 20; i++) {
                char word[8];
                snprintf(word, sizeof(word), " u%d", i);
                strcat(text, word);
        }
        strcat(text, "\n");
        write_main(text);
        c = load_ok();

        _cleanup_strv_free_ char **users = config_get_list(c, "policy", "allowed_users");
        ck_assert_uint_eq(strv_length(users), 20);
        ck_assert_str_eq(users[0], "u0");
        ck_assert_str_eq(users[19], "u19");
        config_free(c);
}
END_TEST

START_TEST(test_list_controls)
{
        write_main("[policy]\nallowed_groups = a\x01"
                   "b\n");
        assert_load_error(main_path, "allowed_groups", "control characters");
        /* Words are separated by spaces; a tab is a control character like any other. */
        write_main("[policy]\nallowed_groups = a\tb\n");
        assert_load_error(main_path, "allowed_groups", "control characters");
}
END_TEST

START_TEST(test_inline_comment)
{
        write_main("[agent]\nread_timeout_ms = 250 ; milliseconds\n");
        AgentConfig *c = load_ok();

        ck_assert_uint_eq(config_get_uint(c, "agent", "read_timeout_ms"), 250);
        config_free(c);
}
END_TEST

START_TEST(test_dropin_dir_not_directory)
{
        write_file(dropin_dir, "[agent]\n");
        assert_load_error(dropin_dir, NULL, NULL);
}
END_TEST

START_TEST(test_dropin_unreadable_file)
{
        _cleanup_free_ char *path = dropin_path("10-gone.conf");

        /* A drop-in that cannot be opened is an error, not a silent skip (a dangling symlink here). */
        (void) mkdir(dropin_dir, 0755);
        ck_assert_int_eq(symlink("/nonexistent/jabali-test.conf", path), 0);
        assert_load_error(path, NULL, NULL);
}
END_TEST

START_TEST(test_error_optional)
{
        AgentConfig *c = NULL;

        /* ret_error may be NULL. */
        write_main("[agent]\nbogus = 1\n");
        ck_assert_int_lt(config_load(main_path, &c, NULL), 0);
        ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_defaults_valid)
{
        /* Every declared default passes its own key's check when written out. */
        for (size_t i = 0; config_key_at(i); i++) {
                const ConfigKey *k = config_key_at(i);
                char text[512];

                ck_assert_ptr_nonnull(k->description);
                ck_assert_int_gt(strlen(k->description), 0);
                ck_assert_ptr_nonnull(k->def);
                snprintf(text, sizeof(text), "[%s]\n%s = %s\n", k->section, k->key, k->def);
                write_main(text);
                AgentConfig *c = load_ok();
                ck_assert_str_eq(config_get(c, k->section, k->key), k->def);
                config_free(c);
        }
}
END_TEST

START_TEST(test_undeclared_aborts)
{
        (void) config_get(NULL, "agent", "no_such_key");
}
END_TEST

static Suite *config_suite(void)
{
        Suite *s = suite_create("config");
        TCase *tc;

        tc = tcase_create("load");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_missing_main_defaults);
        tcase_add_test(tc, test_key_twice_in_file);
        tcase_add_test(tc, test_continuation_line);
        tcase_add_test(tc, test_key_again_in_dropin);
        tcase_add_test(tc, test_null_config_defaults);
        tcase_add_test(tc, test_main_file);
        tcase_add_test(tc, test_dropin_order);
        tcase_add_test(tc, test_dropin_lexical_not_numeric);
        tcase_add_test(tc, test_dropin_without_main);
        tcase_add_test(tc, test_dropin_ignored_names);
        tcase_add_test(tc, test_dropin_dir_not_directory);
        tcase_add_test(tc, test_dropin_unreadable_file);
        tcase_add_test(tc, test_inline_comment);
        tcase_add_test(tc, test_defaults_valid);
        tcase_add_test_raise_signal(tc, test_undeclared_aborts, SIGABRT);
        suite_add_tcase(s, tc);

        tc = tcase_create("errors");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_unknown_section);
        tcase_add_test(tc, test_unknown_key);
        tcase_add_test(tc, test_key_outside_section);
        tcase_add_test(tc, test_key_in_wrong_section);
        tcase_add_test(tc, test_error_names_dropin);
        tcase_add_test(tc, test_error_line);
        tcase_add_test(tc, test_first_error_reported);
        tcase_add_test(tc, test_syntax_error);
        tcase_add_test(tc, test_syntax_error_before_key_error);
        tcase_add_test(tc, test_long_line);
        tcase_add_test(tc, test_long_line_key_smuggled);
        tcase_add_test(tc, test_error_optional);
        suite_add_tcase(s, tc);

        tc = tcase_create("types");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_bool_values);
        tcase_add_test(tc, test_bool_invalid);
        tcase_add_test(tc, test_uint_values);
        tcase_add_test(tc, test_uint_invalid);
        tcase_add_test(tc, test_path_invalid);
        tcase_add_test(tc, test_path_valid);
        tcase_add_test(tc, test_enum_invalid);
        tcase_add_test(tc, test_enum_values);
        tcase_add_test(tc, test_list_split);
        tcase_add_test(tc, test_list_many);
        tcase_add_test(tc, test_list_controls);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(config_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
