/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "macro.h"

/* The test vectors of RFC 4648 section 10. */
static const char *const vectors[][2] = {
        { "", "" },
        { "f", "Zg==" },
        { "fo", "Zm8=" },
        { "foo", "Zm9v" },
        { "foob", "Zm9vYg==" },
        { "fooba", "Zm9vYmE=" },
        { "foobar", "Zm9vYmFy" },
};

START_TEST(test_encode_vectors)
{
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ char *text = NULL;

                ck_assert_int_eq(base64_encode(vectors[i][0], strlen(vectors[i][0]), &text), 0);
                ck_assert_str_eq(text, vectors[i][1]);
        }
}
END_TEST

START_TEST(test_decode_vectors)
{
        for (size_t i = 0; i < ELEMENTSOF(vectors); i++) {
                _cleanup_free_ uint8_t *data = NULL;
                size_t size = 0;

                ck_assert_int_eq(base64_decode(vectors[i][1], strlen(vectors[i][1]), &data, &size), 0);
                ck_assert_uint_eq(size, strlen(vectors[i][0]));
                ck_assert_mem_eq(data, vectors[i][0], size);
        }
}
END_TEST

START_TEST(test_decode_all_bytes)
{
        uint8_t in[256];
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ uint8_t *out = NULL;
        size_t size = 0;

        for (size_t i = 0; i < sizeof(in); i++)
                in[i] = (uint8_t) i;
        ck_assert_int_eq(base64_encode(in, sizeof(in), &text), 0);
        ck_assert_int_eq(base64_decode(text, strlen(text), &out, &size), 0);
        ck_assert_uint_eq(size, sizeof(in));
        ck_assert_mem_eq(out, in, sizeof(in));
}
END_TEST

START_TEST(test_decode_rejects)
{
        static const char *const invalid[] = {
                "Zg",       /* not a multiple of 4 */
                "Zg=",      /* short padding */
                "Z===",     /* three padding characters */
                "=Zg=",     /* padding first */
                "Zg==Zg==", /* padding in the middle */
                "Zh==",     /* unused bits set: only "Zg==" encodes "f" */
                "Zm9=",     /* unused bits set: only "Zm8=" encodes "fo" */
                "Zm9v\n",   /* whitespace */
                "Zm 9",     /* space */
                "Zm-_",     /* the URL-safe alphabet */
                "Zm9\x80",  /* a byte outside ASCII */
        };

        for (size_t i = 0; i < ELEMENTSOF(invalid); i++) {
                uint8_t *data = NULL;
                size_t size = 0;

                ck_assert_int_eq(base64_decode(invalid[i], strlen(invalid[i]), &data, &size), -EINVAL);
                ck_assert_ptr_null(data);
        }
}
END_TEST

static Suite *base64_suite(void)
{
        Suite *s = suite_create("base64");
        TCase *tc = tcase_create("codec");

        tcase_add_test(tc, test_encode_vectors);
        tcase_add_test(tc, test_decode_vectors);
        tcase_add_test(tc, test_decode_all_bytes);
        tcase_add_test(tc, test_decode_rejects);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(base64_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
