/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <check.h>

#include "action.h"
#include "config.h"
#include "docgen.h"
#include "errcode.h"
#include "macro.h"

typedef void (*Generator)(FILE *f);

static char *generate(Generator g)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        ck_assert_ptr_nonnull(f);
        g(f);
        ck_assert_int_eq(fclose(f), 0);
        ck_assert_ptr_nonnull(text);
        return text;
}

/* Checks that text contains prefix, value and suffix in a row. */
static void assert_contains(const char *text, const char *prefix, const char *value, const char *suffix)
{
        _cleanup_free_ char *needle = NULL;

        ck_assert_int_ge(asprintf(&needle, "%s%s%s", prefix, value, suffix), 0);
        ck_assert_msg(strstr(text, needle), "'%s' missing from the generated reference", needle);
}

/* Runs the agent binary of this build with one option and returns its standard output. */
static char *run_agent(const char *option)
{
        const char *dir = getenv("AGENT_BUILD_DIR") ?: "build";
        _cleanup_free_ char *path = NULL;
        char *text = NULL;
        size_t size = 0, n;
        char buf[4096];
        FILE *out, *p;
        int status;

        ck_assert_int_ge(asprintf(&path, "%s/jabali-agent", dir), 0);
        ck_assert_msg(access(path, X_OK) == 0, "%s is not built; run the test through make check", path);

        int fds[2];
        ck_assert_int_eq(pipe(fds), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                dup2(fds[1], STDOUT_FILENO);
                close(fds[0]);
                close(fds[1]);
                execl(path, path, option, (char *) NULL);
                _exit(127);
        }
        close(fds[1]);

        out = open_memstream(&text, &size);
        ck_assert_ptr_nonnull(out);
        p = fdopen(fds[0], "r");
        ck_assert_ptr_nonnull(p);
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                fwrite(buf, 1, n, out);
        fclose(p);
        fclose(out);

        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_int_eq(WEXITSTATUS(status), 0);
        return text;
}

START_TEST(test_actions_all_listed)
{
        _cleanup_free_ char *text = generate(docgen_actions_markdown);

        ck_assert_uint_gt(action_count(), 0);
        for (size_t i = 0; i < action_count(); i++) {
                const Action *a = action_at(i);

                assert_contains(text, "\n## ", a->name, "\n");
                assert_contains(text, "| [`", a->name, "`]");
        }
}
END_TEST

START_TEST(test_actions_codes_listed)
{
        _cleanup_free_ char *text = generate(docgen_actions_markdown);

        for (int c = AGENT_OK + 1; c < _AGENT_CODE_MAX; c++)
                assert_contains(text, "| `", agent_code_to_string((AgentCode) c), "` |");
        /* OK is not an error code. */
        ck_assert_ptr_null(strstr(text, "| `OK` |"));
}
END_TEST

START_TEST(test_actions_params_listed)
{
        _cleanup_free_ char *text = generate(docgen_actions_markdown);

        for (size_t i = 0; i < action_count(); i++)
                for (const ParamSpec *s = action_at(i)->params; s && s->name; s++)
                        assert_contains(text, "| `", s->name, "");
}
END_TEST

START_TEST(test_binary_matches)
{
        _cleanup_free_ char *text = generate(docgen_actions_markdown);
        _cleanup_free_ char *dumped = run_agent("--dump-actions-markdown");

        /* The binary prints the same registry the library holds, every action included. */
        ck_assert_str_eq(dumped, text);
        for (size_t i = 0; i < action_count(); i++)
                assert_contains(dumped, "\n## ", action_at(i)->name, "\n");
}
END_TEST

START_TEST(test_config_all_listed)
{
        _cleanup_free_ char *text = generate(docgen_config_markdown);
        _cleanup_free_ char *dumped = run_agent("--dump-config-markdown");

        for (size_t i = 0; config_key_at(i); i++) {
                const ConfigKey *k = config_key_at(i);

                assert_contains(text, "\n## [", k->section, "]\n");
                assert_contains(text, "| `", k->key, "` |");
        }
        ck_assert_str_eq(dumped, text);
}
END_TEST

START_TEST(test_table_rows)
{
        _cleanup_free_ char *text = generate(docgen_actions_markdown);
        size_t rows = 0;

        /* One summary row per action: the table header row is the only other line starting "| [". */
        for (const char *p = text; (p = strstr(p, "\n| [`")); p++)
                rows++;
        ck_assert_uint_eq(rows, action_count());
}
END_TEST

START_TEST(test_registry_sorted)
{
        for (size_t i = 1; i < action_count(); i++)
                ck_assert_int_lt(strcmp(action_at(i - 1)->name, action_at(i)->name), 0);
        for (size_t i = 0; i < action_count(); i++)
                ck_assert_ptr_eq(action_lookup(action_at(i)->name), action_at(i));
        ck_assert_ptr_null(action_at(action_count()));
        ck_assert_ptr_null(action_lookup("no.such.action"));
        ck_assert_ptr_null(action_lookup(NULL));
}
END_TEST

static Suite *docgen_suite(void)
{
        Suite *s = suite_create("docgen");
        TCase *tc = tcase_create("markdown");

        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_actions_all_listed);
        tcase_add_test(tc, test_actions_codes_listed);
        tcase_add_test(tc, test_actions_params_listed);
        tcase_add_test(tc, test_binary_matches);
        tcase_add_test(tc, test_config_all_listed);
        tcase_add_test(tc, test_table_rows);
        tcase_add_test(tc, test_registry_sorted);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(docgen_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
