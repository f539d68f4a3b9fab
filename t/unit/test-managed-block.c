/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "managed-block.h"

#define BEGIN "# BEGIN managed"
#define END   "# END managed"

static char *replace(const char *text, const char *const *lines, size_t n)
{
        char *out = NULL;

        ck_assert_int_eq(managed_block_replace(text, BEGIN, END, lines, n, &out), 0);
        ck_assert_ptr_nonnull(out);
        return out;
}

START_TEST(test_replace_empty_file)
{
        const char *lines[] = { "key one", "key two" };
        _cleanup_free_ char *out = replace("", lines, 2);

        ck_assert_str_eq(out, BEGIN "\nkey one\nkey two\n" END "\n");
}
END_TEST

START_TEST(test_replace_appends_after_operator_lines)
{
        const char *lines[] = { "key one" };
        _cleanup_free_ char *out = replace("operator a\noperator b\n", lines, 1);

        ck_assert_str_eq(out, "operator a\noperator b\n" BEGIN "\nkey one\n" END "\n");
}
END_TEST

START_TEST(test_replace_adds_missing_newline)
{
        const char *lines[] = { "key one" };
        _cleanup_free_ char *out = replace("operator a", lines, 1);

        ck_assert_str_eq(out, "operator a\n" BEGIN "\nkey one\n" END "\n");
}
END_TEST

START_TEST(test_replace_keeps_surrounding_lines)
{
        const char *lines[] = { "new key" };
        const char *text =
                "before\n" BEGIN "\nold key 1\nold key 2\n" END "\nafter 1\nafter 2 without newline";
        _cleanup_free_ char *out = replace(text, lines, 1);

        ck_assert_str_eq(out, "before\n" BEGIN "\nnew key\n" END "\nafter 1\nafter 2 without newline");
}
END_TEST

START_TEST(test_replace_is_idempotent)
{
        const char *lines[] = { "key one", "key two" };
        _cleanup_free_ char *first = replace("operator\n", lines, 2);
        _cleanup_free_ char *second = replace(first, lines, 2);

        ck_assert_str_eq(first, second);
}
END_TEST

START_TEST(test_replace_empty_removes_block)
{
        _cleanup_free_ char *out = replace("a\n" BEGIN "\nkey\n" END "\nb\n", NULL, 0);

        ck_assert_str_eq(out, "a\nb\n");
}
END_TEST

START_TEST(test_replace_empty_without_block)
{
        _cleanup_free_ char *out = replace("a\nb", NULL, 0);

        ck_assert_str_eq(out, "a\nb");
}
END_TEST

START_TEST(test_replace_block_at_end_without_newline)
{
        const char *lines[] = { "new" };
        _cleanup_free_ char *out = replace("a\n" BEGIN "\nold\n" END, lines, 1);

        ck_assert_str_eq(out, "a\n" BEGIN "\nnew\n" END "\n");
}
END_TEST

START_TEST(test_replace_ignores_near_markers)
{
        const char *lines[] = { "new" };
        /* Lines that only resemble a marker belong to the operator. */
        const char *text = " " BEGIN "\n" BEGIN " \n" END "x\n";
        _cleanup_free_ char *out = replace(text, lines, 1);

        ck_assert_str_eq(out, " " BEGIN "\n" BEGIN " \n" END "x\n" BEGIN "\nnew\n" END "\n");
}
END_TEST

START_TEST(test_replace_rejects_unbalanced)
{
        static const char *const texts[] = {
                BEGIN "\nkey\n",                         /* no end */
                "key\n" END "\n",                        /* no begin */
                END "\n" BEGIN "\n",                     /* end first */
                BEGIN "\n" BEGIN "\n" END "\n",          /* nested begin */
                BEGIN "\n" END "\n" BEGIN "\n" END "\n", /* two blocks */
                BEGIN "\n" END "\n" END "\n",            /* extra end */
        };
        const char *lines[] = { "key" };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                char *out = NULL;

                ck_assert_int_eq(managed_block_replace(texts[i], BEGIN, END, lines, 1, &out), -EBADMSG);
                ck_assert_ptr_null(out);
        }
}
END_TEST

START_TEST(test_replace_rejects_bad_lines)
{
        const char *newline[] = { "key\ncommand=\"x\" key" };
        const char *marker[] = { END };
        char *out = NULL;

        ck_assert_int_eq(managed_block_replace("", BEGIN, END, newline, 1, &out), -EINVAL);
        ck_assert_int_eq(managed_block_replace("", BEGIN, END, marker, 1, &out), -EINVAL);
        ck_assert_ptr_null(out);
}
END_TEST

START_TEST(test_lines_extracts_block)
{
        _cleanup_strv_free_ char **lines = NULL;

        ck_assert_int_eq(managed_block_lines("a\n" BEGIN "\nk1\nk2\n" END "\nb\n", BEGIN, END, &lines), 0);
        ck_assert_ptr_nonnull(lines);
        ck_assert_str_eq(lines[0], "k1");
        ck_assert_str_eq(lines[1], "k2");
        ck_assert_ptr_null(lines[2]);
}
END_TEST

START_TEST(test_lines_without_block)
{
        _cleanup_strv_free_ char **lines = NULL;

        ck_assert_int_eq(managed_block_lines("a\nb\n", BEGIN, END, &lines), 0);
        ck_assert_ptr_nonnull(lines);
        ck_assert_ptr_null(lines[0]);
}
END_TEST

START_TEST(test_lines_rejects_unbalanced)
{
        char **lines = NULL;

        ck_assert_int_eq(managed_block_lines(BEGIN "\nk\n", BEGIN, END, &lines), -EBADMSG);
        ck_assert_ptr_null(lines);
}
END_TEST

static Suite *managed_block_suite(void)
{
        Suite *s = suite_create("managed-block");
        TCase *tc = tcase_create("replace");

        tcase_add_test(tc, test_replace_empty_file);
        tcase_add_test(tc, test_replace_appends_after_operator_lines);
        tcase_add_test(tc, test_replace_adds_missing_newline);
        tcase_add_test(tc, test_replace_keeps_surrounding_lines);
        tcase_add_test(tc, test_replace_is_idempotent);
        tcase_add_test(tc, test_replace_empty_removes_block);
        tcase_add_test(tc, test_replace_empty_without_block);
        tcase_add_test(tc, test_replace_block_at_end_without_newline);
        tcase_add_test(tc, test_replace_ignores_near_markers);
        tcase_add_test(tc, test_replace_rejects_unbalanced);
        tcase_add_test(tc, test_replace_rejects_bad_lines);
        suite_add_tcase(s, tc);

        tc = tcase_create("lines");
        tcase_add_test(tc, test_lines_extracts_block);
        tcase_add_test(tc, test_lines_without_block);
        tcase_add_test(tc, test_lines_rejects_unbalanced);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(managed_block_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
