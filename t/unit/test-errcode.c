/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "errcode.h"
#include "macro.h"

/* The wire names in enum order.  Codes are only ever added, so this list only ever grows at the end. */
static const char *const wire_names[] = {
        "OK",
        "INVALID_REQUEST",
        "REQUEST_TOO_LARGE",
        "UNKNOWN_ACTION",
        "INVALID_PARAMS",
        "PERMISSION_DENIED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "CONFLICT",
        "FAILED_PRECONDITION",
        "UNSAFE_PATH",
        "CONFIG_INVALID",
        "COMMAND_FAILED",
        "BUSY",
        "TIMEOUT",
        "UNAVAILABLE",
        "AUDIT_UNAVAILABLE",
        "INTERNAL",
};

START_TEST(test_names_stable)
{
        ck_assert_int_eq(_AGENT_CODE_MAX, ELEMENTSOF(wire_names));
        for (size_t i = 0; i < ELEMENTSOF(wire_names); i++)
                ck_assert_str_eq(agent_code_to_string((AgentCode) i), wire_names[i]);
}
END_TEST

START_TEST(test_round_trip)
{
        for (int c = 0; c < _AGENT_CODE_MAX; c++) {
                const char *name = agent_code_to_string((AgentCode) c);

                ck_assert_ptr_nonnull(name);
                ck_assert_int_eq(agent_code_from_string(name), c);
        }
}
END_TEST

START_TEST(test_upper_snake)
{
        for (int c = 0; c < _AGENT_CODE_MAX; c++) {
                const char *name = agent_code_to_string((AgentCode) c);

                ck_assert_uint_eq(strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"), strlen(name));
                ck_assert_int_ne(name[0], '_');
                ck_assert_int_ne(name[strlen(name) - 1], '_');
        }
}
END_TEST

START_TEST(test_names_unique)
{
        for (int a = 0; a < _AGENT_CODE_MAX; a++)
                for (int b = a + 1; b < _AGENT_CODE_MAX; b++)
                        ck_assert_str_ne(agent_code_to_string((AgentCode) a),
                                         agent_code_to_string((AgentCode) b));
}
END_TEST

START_TEST(test_descriptions)
{
        for (int c = 0; c < _AGENT_CODE_MAX; c++) {
                const char *d = agent_code_description((AgentCode) c);

                ck_assert_ptr_nonnull(d);
                ck_assert_msg(strlen(d) > 10, "%s has no real description",
                              agent_code_to_string((AgentCode) c));
                /* One sentence or more, for the generated reference. */
                ck_assert_int_eq(d[strlen(d) - 1], '.');
        }
}
END_TEST

START_TEST(test_retryable)
{
        ck_assert(agent_code_retryable(AGENT_BUSY));
        ck_assert(agent_code_retryable(AGENT_TIMEOUT));
        ck_assert(agent_code_retryable(AGENT_UNAVAILABLE));
        ck_assert(agent_code_retryable(AGENT_AUDIT_UNAVAILABLE));
        ck_assert(!agent_code_retryable(AGENT_INVALID_PARAMS));
        ck_assert(!agent_code_retryable(AGENT_PERMISSION_DENIED));
        ck_assert(!agent_code_retryable(AGENT_UNKNOWN_ACTION));
        ck_assert(!agent_code_retryable(AGENT_OK));
}
END_TEST

START_TEST(test_unknown_strings)
{
        static const char *const unknown[] = {
                "",
                "ok",
                "invalid_request",
                "INVALID_REQUEST ",
                " INVALID_REQUEST",
                "INVALID-REQUEST",
                "INVALID_REQUEST\n",
                "UNKNOWN",
                "ERROR",
                "_AGENT_CODE_MAX",
                "INVALID_PARAMSX",
        };

        for (size_t i = 0; i < ELEMENTSOF(unknown); i++)
                ck_assert_msg(agent_code_from_string(unknown[i]) == _AGENT_CODE_INVALID, "'%s' accepted",
                              unknown[i]);
        ck_assert_int_eq(agent_code_from_string(NULL), _AGENT_CODE_INVALID);
}
END_TEST

START_TEST(test_out_of_range)
{
        ck_assert_ptr_null(agent_code_to_string(_AGENT_CODE_MAX));
        ck_assert_ptr_null(agent_code_to_string(_AGENT_CODE_INVALID));
        ck_assert_ptr_null(agent_code_to_string((AgentCode) 1000));
        ck_assert_ptr_null(agent_code_description(_AGENT_CODE_MAX));
        ck_assert_ptr_null(agent_code_description(_AGENT_CODE_INVALID));
        ck_assert(!agent_code_retryable(_AGENT_CODE_MAX));
        ck_assert(!agent_code_retryable(_AGENT_CODE_INVALID));
}
END_TEST

static Suite *errcode_suite(void)
{
        Suite *s = suite_create("errcode");
        TCase *tc = tcase_create("codes");

        tcase_add_test(tc, test_names_stable);
        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_upper_snake);
        tcase_add_test(tc, test_names_unique);
        tcase_add_test(tc, test_descriptions);
        tcase_add_test(tc, test_retryable);
        tcase_add_test(tc, test_unknown_strings);
        tcase_add_test(tc, test_out_of_range);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(errcode_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
