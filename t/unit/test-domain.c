/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "macro.h"
#include "validate.h"

/* Returns a domain of exactly length bytes: labels of 'a' of at most 60 bytes, then ".example". */
static char *ascii_domain(size_t length)
{
        const char *tail = ".example";
        char *s;

        ck_assert_uint_gt(length, strlen(tail) + 1);
        s = malloc(length + 1);
        ck_assert_ptr_nonnull(s);
        memset(s, 'a', length - strlen(tail));
        /* Dots every 60 bytes keep each label below 64 bytes. */
        for (size_t i = 60; i < length - strlen(tail) - 1; i += 61)
                s[i] = '.';
        strcpy(s + length - strlen(tail), tail);
        return s;
}

START_TEST(test_site_domain_longest)
{
        _cleanup_free_ char *domain = ascii_domain(NGINX_SITE_DOMAIN_MAX), *normalized = NULL;
        const char *reason = NULL;

        ck_assert_uint_eq(strlen(domain), NGINX_SITE_DOMAIN_MAX);
        ck_assert_int_eq(domain_check_site_domain(domain, &normalized, &reason), 0);
        ck_assert_str_eq(normalized, domain);
}
END_TEST

START_TEST(test_site_domain_one_too_long)
{
        _cleanup_free_ char *domain = ascii_domain(NGINX_SITE_DOMAIN_MAX + 1), *normalized = NULL;
        const char *reason = NULL;

        ck_assert_int_eq(domain_check_site_domain(domain, &normalized, &reason), -EINVAL);
        ck_assert_ptr_null(normalized);
        ck_assert_str_eq(reason, "is longer than 237 bytes, too long to name the vhost files");
}
END_TEST

START_TEST(test_site_domain_valid_but_long)
{
        _cleanup_free_ char *domain = ascii_domain(253), *normalized = NULL;
        const char *reason = NULL;

        /* validate_domain() accepts 253 bytes; the site check must not. */
        ck_assert_int_eq(validate_domain(domain, NULL, NULL), 0);
        ck_assert_int_eq(domain_check_site_domain(domain, &normalized, &reason), -EINVAL);
        ck_assert_ptr_null(normalized);
}
END_TEST

START_TEST(test_site_domain_counts_alabels)
{
        /* Four labels: three of 54 'a' and an e with acute accent (57 bytes in UTF-8, 62 as A-labels), one
         * of 40 'a' and the same letter.  224 bytes as sent, 245 bytes once converted. */
        char label[64], short_label[64], domain[256];
        _cleanup_free_ char *normalized = NULL;
        const char *reason = NULL;

        memset(label, 'a', 54);
        strcpy(label + 54, "\xc3\xa9");
        memset(short_label, 'a', 40);
        strcpy(short_label + 40, "\xc3\xa9");
        ck_assert_int_lt(
                snprintf(domain, sizeof(domain), "%s.%s.%s.%s.example", label, label, label, short_label),
                (int) sizeof(domain));
        ck_assert_uint_le(strlen(domain), NGINX_SITE_DOMAIN_MAX);

        ck_assert_int_eq(validate_domain(domain, &normalized, NULL), 0);
        ck_assert_uint_gt(strlen(normalized), NGINX_SITE_DOMAIN_MAX);
        free(TAKE_PTR(normalized));

        ck_assert_int_eq(domain_check_site_domain(domain, &normalized, &reason), -EINVAL);
        ck_assert_ptr_null(normalized);
}
END_TEST

START_TEST(test_site_domain_normalizes)
{
        _cleanup_free_ char *normalized = NULL;
        const char *reason = NULL;

        ck_assert_int_eq(domain_check_site_domain("B\xc3\xbc"
                                                  "cher.Example",
                                                  &normalized, &reason),
                         0);
        ck_assert_str_eq(normalized, "xn--bcher-kva.example");
}
END_TEST

START_TEST(test_site_domain_keeps_reason)
{
        const char *reason = NULL;

        ck_assert_int_eq(domain_check_site_domain("a..example", NULL, &reason), -EINVAL);
        ck_assert_str_eq(reason, "has an empty label");
        ck_assert_int_eq(domain_check_site_domain("co.uk", NULL, &reason), -EINVAL);
        ck_assert_str_eq(reason, "is a public suffix");
}
END_TEST

static Suite *domain_suite(void)
{
        Suite *s = suite_create("domain");
        TCase *tc = tcase_create("site-domain");

        tcase_add_test(tc, test_site_domain_longest);
        tcase_add_test(tc, test_site_domain_one_too_long);
        tcase_add_test(tc, test_site_domain_valid_but_long);
        tcase_add_test(tc, test_site_domain_counts_alabels);
        tcase_add_test(tc, test_site_domain_normalizes);
        tcase_add_test(tc, test_site_domain_keeps_reason);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(domain_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
