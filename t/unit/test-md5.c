/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "md5.h"

/* The test suite of RFC 1321, appendix A.5, plus lengths around the 56- and 64-byte padding edges. */
START_TEST(md5_rfc1321_suite)
{
        static const struct {
                const char *input, *digest;
        } cases[] = {
                { "", "d41d8cd98f00b204e9800998ecf8427e" },
                { "a", "0cc175b9c0f1b6a831c399e269772661" },
                { "abc", "900150983cd24fb0d6963f7d28e17f72" },
                { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
                { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
                { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                  "d174ab98d277d9f5a5611c2c9f419d9f" },
                { "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                  "57edf4a22be3c955ac49da2e2107b67a" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char hex[MD5_HEX_SIZE];

                md5_hex(cases[i].input, strlen(cases[i].input), hex);
                ck_assert_str_eq(hex, cases[i].digest);
        }
}
END_TEST

START_TEST(md5_padding_edges)
{
        /* Digests of n bytes of 'x', computed with coreutils md5sum. */
        static const struct {
                size_t n;
                const char *digest;
        } cases[] = {
                { 55, "04364420e25c512fd958a70738aa8f72" },
                { 56, "668a72d5ba17f08e62dabcafad6db14b" },
                { 63, "7dc2ca208106a2f703567bdff99d8981" },
                { 64, "c1bb4f81d892b2d57947682aeb252456" },
        };
        char buf[128];

        memset(buf, 'x', sizeof(buf));
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char hex[MD5_HEX_SIZE];

                md5_hex(buf, cases[i].n, hex);
                ck_assert_str_eq(hex, cases[i].digest);
        }
}
END_TEST

static Suite *md5_suite(void)
{
        Suite *s = suite_create("md5");
        TCase *tc = tcase_create("digest");

        tcase_add_test(tc, md5_rfc1321_suite);
        tcase_add_test(tc, md5_padding_edges);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(md5_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
