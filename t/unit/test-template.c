/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "template.h"

static const char *const two_items[] = { "a.example", "b.example", NULL };
static const char *const no_items[] = { NULL };

static const TemplateVar vars[] = {
        { "name", TEMPLATE_STRING, .string = "a.example" },
        { "empty", TEMPLATE_STRING, .string = "" },
        { "on", TEMPLATE_BOOL, .boolean = true },
        { "off", TEMPLATE_BOOL, .boolean = false },
        { "items", TEMPLATE_LIST, .list = two_items },
        { "none", TEMPLATE_LIST, .list = no_items },
        { "evil", TEMPLATE_STRING, .string = "x;} location / { alias /etc/; } #" },
};

/* Renders t and returns the output, or NULL on failure with the error code in *ret_k. */
static char *render(const char *t, int *ret_k)
{
        char *out = NULL, *error = NULL;
        int k = template_render(t, vars, ELEMENTSOF(vars), &out, &error);

        if (ret_k)
                *ret_k = k;
        free(error);
        return k < 0 ? NULL : out;
}

static void assert_renders(const char *t, const char *expected)
{
        _cleanup_free_ char *out = NULL;
        int k;

        out = render(t, &k);
        ck_assert_int_eq(k, 0);
        ck_assert_str_eq(out, expected);
}

static void assert_fails(const char *t, int expected)
{
        _cleanup_free_ char *out = NULL;
        int k;

        out = render(t, &k);
        ck_assert_ptr_null(out);
        ck_assert_int_eq(k, expected);
}

START_TEST(template_plain_text)
{
        assert_renders("server { listen 80; }\n", "server { listen 80; }\n");
        assert_renders("", "");
        assert_renders("$host $request_uri { }", "$host $request_uri { }");
}
END_TEST

START_TEST(template_variable)
{
        assert_renders("server_name {{name}};", "server_name a.example;");
        assert_renders("server_name {{items}};", "server_name a.example b.example;");
}
END_TEST

START_TEST(template_sections)
{
        assert_renders("{{#on}}yes{{/on}}{{#off}}no{{/off}}", "yes");
        assert_renders("{{^on}}yes{{/on}}{{^off}}no{{/off}}", "no");
        assert_renders("{{#name}}set{{/name}}{{#empty}}unset{{/empty}}", "set");
        assert_renders("{{^none}}nothing{{/none}}{{^items}}x{{/items}}", "nothing");
        assert_renders("{{#items}}listen {{.}};{{/items}}", "listen a.example;listen b.example;");
        assert_renders("{{#none}}listen {{.}};{{/none}}", "");
        assert_renders("{{#on}}{{#items}}[{{.}}]{{/items}}{{/on}}", "[a.example][b.example]");
}
END_TEST

START_TEST(template_standalone_lines)
{
        assert_renders("a\n  {{#on}}\nb\n  {{/on}}\nc\n", "a\nb\nc\n");
        assert_renders("a\n{{#off}}\nb\n{{/off}}\nc\n", "a\nc\n");
        assert_renders("{{! a comment }}\nx\n", "x\n");
        assert_renders("a {{#on}}b{{/on}} c\n", "a b c\n");
}
END_TEST

START_TEST(template_syntax_errors)
{
        assert_fails("{{nope}}", -EINVAL);
        assert_fails("{{#nope}}x{{/nope}}", -EINVAL);
        assert_fails("{{#on}}x", -EINVAL);
        assert_fails("{{#on}}x{{/off}}", -EINVAL);
        assert_fails("x{{/on}}", -EINVAL);
        assert_fails("{{name", -EINVAL);
        assert_fails("{{}}", -EINVAL);
        assert_fails("{{ name }}", -EINVAL);
        assert_fails("{{Name}}", -EINVAL);
        assert_fails("{{on}}", -EINVAL);
        assert_fails("{{.}}", -EINVAL);
        assert_fails("{{{name}}}", -EINVAL);
}
END_TEST

START_TEST(template_skipped_section_checked)
{
        /* An error inside a false section is still an error. */
        assert_fails("{{#off}}{{nope}}{{/off}}", -EINVAL);
        assert_fails("{{#none}}{{nope}}{{/none}}", -EINVAL);
}
END_TEST

START_TEST(template_unsafe_value)
{
        assert_fails("server_name {{evil}};", -EBADMSG);
        assert_fails("root {{empty}};", -EBADMSG);
        assert_fails("server_name {{none}};", -EBADMSG);
        /* An unused unsafe value is harmless. */
        assert_renders("{{#off}}{{evil}}{{/off}}ok", "ok");
}
END_TEST

START_TEST(template_value_charset)
{
        static const char *const bad[] = {
                ";",   "{",   "}", "\"",  "'", "$host", "#",   "\\", " ",    "\t",       "\n", "a\rb",
                "a b", "a;b", "`", "a,b", "(", ")",     "a*b", "~",  "\x7f", "\xc3\xa9", "",
        };
        static const char *const good[] = {
                "a.example",
                "/var/log/nginx/a.example.access.log",
                "[::1]:8080",
                "127.0.0.1:80",
                "unix:/run/php/php8.2-fpm-alice.sock",
                "10r/s",
                "jabali_req_a-b.example",
                "x@y+z",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ck_assert_msg(!template_value_is_safe(bad[i]), "accepted bad value #%zu", i);
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                ck_assert_msg(template_value_is_safe(good[i]), "rejected good value %s", good[i]);
}
END_TEST

START_TEST(template_error_names_line)
{
        _cleanup_free_ char *out = NULL, *error = NULL;
        int k;

        k = template_render("a\nb\n{{nope}}\n", vars, ELEMENTSOF(vars), &out, &error);
        ck_assert_int_eq(k, -EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_ptr_nonnull(strstr(error, "line 3"));
        ck_assert_ptr_nonnull(strstr(error, "nope"));
}
END_TEST

START_TEST(template_error_hides_value)
{
        _cleanup_free_ char *out = NULL, *error = NULL;
        int k;

        k = template_render("{{evil}}", vars, ELEMENTSOF(vars), &out, &error);
        ck_assert_int_eq(k, -EBADMSG);
        ck_assert_ptr_nonnull(error);
        ck_assert_ptr_null(strstr(error, "alias"));
        ck_assert_ptr_nonnull(strstr(error, "evil"));
}
END_TEST

START_TEST(template_deep_nesting)
{
        char t[2048] = "";

        for (int i = 0; i < 20; i++)
                strcat(t, "{{#on}}");
        strcat(t, "x");
        for (int i = 0; i < 20; i++)
                strcat(t, "{{/on}}");
        assert_fails(t, -EINVAL);
}
END_TEST

static Suite *template_suite(void)
{
        Suite *s = suite_create("template");
        TCase *tc = tcase_create("render");

        tcase_add_test(tc, template_plain_text);
        tcase_add_test(tc, template_variable);
        tcase_add_test(tc, template_sections);
        tcase_add_test(tc, template_standalone_lines);
        tcase_add_test(tc, template_syntax_errors);
        tcase_add_test(tc, template_skipped_section_checked);
        tcase_add_test(tc, template_unsafe_value);
        tcase_add_test(tc, template_value_charset);
        tcase_add_test(tc, template_error_names_line);
        tcase_add_test(tc, template_error_hides_value);
        tcase_add_test(tc, template_deep_nesting);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(template_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
