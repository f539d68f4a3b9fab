/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "envelope.h"
#include "macro.h"
#include "timeutil.h"

#define CROCKFORD "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/* One parse with its outputs; released with parsed_done(). */
typedef struct Parsed {
        int r;
        Envelope env;
        EnvelopeError error;
} Parsed;

static Parsed parse_n(const char *body, size_t size)
{
        Parsed p = {};

        p.r = envelope_parse(body, size, &p.env, &p.error);
        return p;
}

static Parsed parse(const char *body)
{
        return parse_n(body, strlen(body));
}

static void parsed_done(Parsed *p)
{
        envelope_done(&p->env);
        envelope_error_done(&p->error);
}

static bool is_ulid(const char *s)
{
        return s && strlen(s) == 26 && strspn(s, CROCKFORD) == 26 && s[0] <= '7';
}

/* Decodes the 48-bit millisecond time of a ULID. */
static uint64_t ulid_time_ms(const char *s)
{
        uint64_t ms = 0;

        for (int i = 0; i < 10; i++)
                ms = ms << 5 | (uint64_t) (strchr(CROCKFORD, s[i]) - CROCKFORD);
        return ms;
}

/* Checks a rejection: the code, the field, and a minted ULID in place of a missing or invalid id. */
static void assert_rejected_minted(const char *body, const char *field)
{
        Parsed p = parse(body);

        ck_assert_int_eq(p.r, -EINVAL);
        ck_assert_int_eq(p.error.code, AGENT_INVALID_REQUEST);
        ck_assert_ptr_nonnull(p.error.message);
        if (field)
                ck_assert_pstr_eq(p.error.field, field);
        else
                ck_assert_ptr_null(p.error.field);
        ck_assert_msg(is_ulid(p.env.request_id), "request_id '%s' for %s is not a ULID", p.env.request_id,
                      body);
        ck_assert(p.env.request_id_minted);
        parsed_done(&p);
}

/* Checks a rejection of a request whose valid request_id "r1" must be echoed. */
static void assert_rejected_echoed(const char *body, const char *field)
{
        Parsed p = parse(body);

        ck_assert_int_eq(p.r, -EINVAL);
        ck_assert_int_eq(p.error.code, AGENT_INVALID_REQUEST);
        ck_assert_pstr_eq(p.error.field, field);
        ck_assert_str_eq(p.env.request_id, "r1");
        ck_assert(!p.env.request_id_minted);
        parsed_done(&p);
}

static char *nested(const char *head, char open, char close, unsigned levels, const char *tail)
{
        size_t n = strlen(head) + 2 * (size_t) levels + strlen(tail);
        char *s = malloc(n + 1), *p = s;

        ck_assert_ptr_nonnull(s);
        p = stpcpy(p, head);
        memset(p, open, levels);
        p += levels;
        memset(p, close, levels);
        p += levels;
        strcpy(p, tail);
        return s;
}

START_TEST(test_parse_minimal)
{
        Parsed p = parse("{\"action\":\"agent.ping\"}");

        ck_assert_int_eq(p.r, 0);
        ck_assert_str_eq(p.env.action, "agent.ping");
        ck_assert(json_is_object(p.env.params));
        ck_assert_uint_eq(json_object_size(p.env.params), 0);
        ck_assert(is_ulid(p.env.request_id));
        ck_assert(p.env.request_id_minted);
        ck_assert_ptr_null(p.env.subject_user);
        ck_assert_uint_eq(p.env.timeout_ms, 0);
        ck_assert_ptr_null(p.error.message);
        parsed_done(&p);
}
END_TEST

START_TEST(test_parse_full)
{
        Parsed p = parse("{\"action\":\"domain.create\",\"params\":{\"domain\":\"a.example\"},"
                         "\"request_id\":\"01J:req-1.x_Z\",\"subject_user\":\"admin@panel.example\","
                         "\"timeout_ms\":2500}");

        ck_assert_int_eq(p.r, 0);
        ck_assert_str_eq(p.env.action, "domain.create");
        ck_assert_str_eq(json_string_value(json_object_get(p.env.params, "domain")), "a.example");
        ck_assert_str_eq(p.env.request_id, "01J:req-1.x_Z");
        ck_assert(!p.env.request_id_minted);
        ck_assert_str_eq(p.env.subject_user, "admin@panel.example");
        ck_assert_uint_eq(p.env.timeout_ms, 2500);
        parsed_done(&p);
}
END_TEST

START_TEST(test_parse_params_null)
{
        Parsed p = parse("{\"action\":\"agent.ping\",\"params\":null}");

        ck_assert_int_eq(p.r, 0);
        ck_assert(json_is_object(p.env.params));
        parsed_done(&p);
}
END_TEST

START_TEST(test_utf8_invalid)
{
        static const char *const bodies[] = {
                "{\"action\":\"agent.ping\",\"params\":{\"a\":\"\xff\"}}",
                "{\"action\":\"agent.ping\",\"params\":{\"a\":\"\xc3\"}}",         /* truncated sequence */
                "{\"action\":\"agent.ping\",\"params\":{\"a\":\"\xc0\xaf\"}}",     /* overlong '/' */
                "{\"action\":\"agent.ping\",\"params\":{\"a\":\"\xed\xa0\x80\"}}", /* UTF-16 surrogate */
                "{\"action\":\"agent.ping\",\"params\":{\"\xfe\":1}}",             /* in a key */
                "{\"action\":\"agent.ping\",\"request_id\":\"r1\xff\"}",
        };

        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                Parsed p = parse(bodies[i]);

                ck_assert_int_eq(p.r, -EINVAL);
                ck_assert_int_eq(p.error.code, AGENT_INVALID_REQUEST);
                ck_assert_msg(strstr(p.error.message, "invalid UTF-8"), "case %zu: %s", i, p.error.message);
                ck_assert(is_ulid(p.env.request_id));
                parsed_done(&p);
        }
}
END_TEST

START_TEST(test_nul_rejected)
{
        static const char escaped[] = "{\"action\":\"agent.ping\",\"params\":{\"a\":\"x\\u0000y\"}}";
        static const char raw[] = "{\"action\":\"agent.ping\",\"params\":{\"a\":\"x\0y\"}}";
        Parsed p;

        p = parse(escaped);
        ck_assert_int_eq(p.r, -EINVAL);
        ck_assert_int_eq(p.error.code, AGENT_INVALID_REQUEST);
        parsed_done(&p);

        p = parse_n(raw, sizeof(raw) - 1);
        ck_assert_int_eq(p.r, -EINVAL);
        ck_assert_int_eq(p.error.code, AGENT_INVALID_REQUEST);
        parsed_done(&p);

        /* A NUL after a complete object is trailing data, not the end of the text. */
        p = parse_n("{\"action\":\"agent.ping\"}\0", 24);
        ck_assert_int_eq(p.r, -EINVAL);
        parsed_done(&p);
}
END_TEST

START_TEST(test_not_object)
{
        static const char *const bodies[] = {
                "[]",
                "[{\"action\":\"agent.ping\"}]",
                "\"agent.ping\"",
                "1",
                "true",
                "null",
                "",
                "   ",
                "{",
                "{\"action\":\"agent.ping\"",
                "{\"action\":\"agent.ping\"} {}",
                "{'action':1}",
                "\xef\xbb\xbf{\"action\":\"agent.ping\"}",
        };

        for (size_t i = 0; i < ELEMENTSOF(bodies); i++)
                assert_rejected_minted(bodies[i], NULL);
}
END_TEST

START_TEST(test_not_object_message)
{
        static const char *const bodies[] = { "[]", "\"agent.ping\"", "1", "null" };

        /* A valid JSON text that is not an object is named as such, not as a syntax error. */
        for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
                Parsed p = parse(bodies[i]);

                ck_assert_int_eq(p.r, -EINVAL);
                ck_assert_msg(streq(p.error.message, "request is not a JSON object"), "%s: %s", bodies[i],
                              p.error.message);
                parsed_done(&p);
        }
}
END_TEST

START_TEST(test_depth_limit)
{
        _cleanup_free_ char *ok = NULL, *deep = NULL;
        Parsed p;

        /* The envelope object is level 1 and params level 2, so 30 more levels are the limit of 32. */
        ok = nested("{\"action\":\"agent.ping\",\"params\":{\"a\":", '[', ']', ENVELOPE_MAX_DEPTH - 2, "}}");
        p = parse(ok);
        ck_assert_int_eq(p.r, 0);
        parsed_done(&p);

        deep = nested("{\"action\":\"agent.ping\",\"params\":{\"a\":", '[', ']', ENVELOPE_MAX_DEPTH - 1,
                      "}}");
        assert_rejected_minted(deep, NULL);
        p = parse(deep);
        ck_assert_ptr_nonnull(strstr(p.error.message, "deeper"));
        parsed_done(&p);
}
END_TEST

START_TEST(test_depth_bomb_arrays)
{
        _cleanup_free_ char *bomb =
                nested("{\"action\":\"agent.ping\",\"request_id\":\"r1\",\"params\":{\"a\":", '[', ']',
                       100000, "}}");

        /* Rejected before parsing, so even the caller's id is not read. */
        assert_rejected_minted(bomb, NULL);
}
END_TEST

START_TEST(test_depth_bomb_objects)
{
        const unsigned levels = 50000;
        size_t n = 64 + (size_t) levels * 7;
        _cleanup_free_ char *bomb = malloc(n);
        char *p = bomb;

        ck_assert_ptr_nonnull(bomb);
        p = stpcpy(p, "{\"action\":\"agent.ping\",\"params\":");
        for (unsigned i = 0; i < levels; i++)
                p = stpcpy(p, "{\"a\":");
        p = stpcpy(p, "1");
        memset(p, '}', levels + 1);
        p[levels + 1] = '\0';
        assert_rejected_minted(bomb, NULL);
}
END_TEST

START_TEST(test_depth_bomb_unclosed)
{
        _cleanup_free_ char *bomb = malloc(200001);

        /* Only opening brackets: counted as they come, without waiting for the closing ones. */
        ck_assert_ptr_nonnull(bomb);
        memset(bomb, '[', 200000);
        bomb[200000] = '\0';
        assert_rejected_minted(bomb, NULL);
}
END_TEST

START_TEST(test_depth_in_strings)
{
        _cleanup_free_ char *s = NULL, *escaped = NULL;
        Parsed p;

        /* Brackets inside a string are text and do not nest. */
        s = nested("{\"action\":\"agent.ping\",\"params\":{\"a\":\"", '[', '{', 1000, "\"}}");
        p = parse(s);
        ck_assert_int_eq(p.r, 0);
        parsed_done(&p);

        /* An escaped quote does not end the string. */
        escaped = nested("{\"action\":\"agent.ping\",\"params\":{\"a\":\"\\\"", '{', '[', 1000, "\\\\\"}}");
        p = parse(escaped);
        ck_assert_int_eq(p.r, 0);
        parsed_done(&p);
}
END_TEST

START_TEST(test_depth_in_keys)
{
        _cleanup_free_ char *s =
                nested("{\"action\":\"agent.ping\",\"params\":{\"", '{', '}', 500, "\":1}}");
        Parsed p = parse(s);

        ck_assert_int_eq(p.r, 0);
        parsed_done(&p);
}
END_TEST

START_TEST(test_text_depth)
{
        ck_assert_uint_eq(json_text_depth("", 0), 0);
        ck_assert_uint_eq(json_text_depth("1", 1), 0);
        ck_assert_uint_eq(json_text_depth("{}", 2), 1);
        ck_assert_uint_eq(json_text_depth("[[],[[]]]", 9), 3);
        ck_assert_uint_eq(json_text_depth("{\"[[[\":[]}", 10), 2);
        ck_assert_uint_eq(json_text_depth("[\"\\\"[[\"]", 8), 1);
        ck_assert_uint_eq(json_text_depth("[\"\\\\\",[[]]]", 11), 3);
        ck_assert_uint_eq(json_text_depth("]]]][", 5), 1);
        /* Only the first size bytes count. */
        ck_assert_uint_eq(json_text_depth("[[[[", 2), 2);
}
END_TEST

START_TEST(test_duplicate_keys)
{
        assert_rejected_minted("{\"action\":\"agent.ping\",\"action\":\"agent.version\"}", NULL);
        assert_rejected_minted("{\"action\":\"agent.ping\",\"request_id\":\"r1\",\"request_id\":\"r2\"}",
                               NULL);
        assert_rejected_minted("{\"action\":\"agent.ping\",\"params\":{\"a\":1,\"a\":1}}", NULL);
        assert_rejected_minted("{\"action\":\"agent.ping\",\"params\":{\"l\":[{\"k\":1,\"k\":2}]}}", NULL);
        /* "\u0061" is "a": the comparison is on the decoded key. */
        assert_rejected_minted("{\"action\":\"agent.ping\",\"params\":{\"a\":1,\"\\u0061\":2}}", NULL);

        Parsed p = parse("{\"action\":\"agent.ping\",\"action\":\"agent.ping\"}");
        ck_assert_ptr_nonnull(strstr(p.error.message, "duplicate key"));
        parsed_done(&p);
}
END_TEST

START_TEST(test_wrong_types)
{
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":1}", "action");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":null}", "action");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":[\"agent.ping\"]}", "action");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":{}}", "action");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"params\":[]}", "params");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"params\":\"{}\"}",
                               "params");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"params\":0}", "params");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"params\":false}",
                               "params");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"subject_user\":1}",
                               "subject_user");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"subject_user\":null}",
                               "subject_user");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"timeout_ms\":\"100\"}",
                               "timeout_ms");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"timeout_ms\":100.0}",
                               "timeout_ms");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"timeout_ms\":true}",
                               "timeout_ms");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"timeout_ms\":null}",
                               "timeout_ms");
        assert_rejected_minted("{\"request_id\":1,\"action\":\"agent.ping\"}", "request_id");
        assert_rejected_minted("{\"request_id\":null,\"action\":\"agent.ping\"}", "request_id");
        assert_rejected_minted("{\"request_id\":[\"r1\"],\"action\":\"agent.ping\"}", "request_id");
}
END_TEST

START_TEST(test_missing_action)
{
        assert_rejected_echoed("{\"request_id\":\"r1\"}", "action");
        assert_rejected_minted("{}", "action");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"params\":{}}", "action");
}
END_TEST

START_TEST(test_unknown_keys)
{
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"extra\":1}", "extra");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"Action\":\"x.y\"}",
                               "Action");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"params \":{}}",
                               "params ");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"\":1}", "");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent.ping\",\"x\\n\\u0001\":1}",
                               "x\n\x01");
}
END_TEST

START_TEST(test_unknown_key_not_in_message)
{
        Parsed p = parse("{\"action\":\"agent.ping\",\"$(touch /tmp/pwn_env)\":1}");

        /* The raw key goes to the field only, where the response encoder escapes it. */
        ck_assert_int_eq(p.r, -EINVAL);
        ck_assert_str_eq(p.error.field, "$(touch /tmp/pwn_env)");
        ck_assert_ptr_null(strstr(p.error.message, "touch"));
        parsed_done(&p);
}
END_TEST

START_TEST(test_unknown_key_echo_capped)
{
        char body[512];
        char key[201];

        /* 199 ASCII bytes, then a two-byte character straddling the cut at 64 bytes is not split. */
        memset(key, 'k', 63);
        memcpy(key + 63, "\xc3\xa9", 2);
        memset(key + 65, 'k', 135);
        key[200] = '\0';
        snprintf(body, sizeof(body), "{\"action\":\"agent.ping\",\"%s\":1}", key);

        Parsed p = parse(body);
        ck_assert_int_eq(p.r, -EINVAL);
        ck_assert_uint_eq(strlen(p.error.field), 63);
        ck_assert_int_eq(strncmp(p.error.field, key, 63), 0);
        parsed_done(&p);
}
END_TEST

START_TEST(test_request_id_valid)
{
        char max[REQUEST_ID_MAX + 1];

        memset(max, 'a', REQUEST_ID_MAX);
        max[REQUEST_ID_MAX] = '\0';

        ck_assert(request_id_valid("a"));
        ck_assert(request_id_valid("01J4ZK8Q1V6Y2E3R4T5Y6U7I8O"));
        ck_assert(request_id_valid("panel:sync-42.retry_1"));
        ck_assert(request_id_valid(max));
        ck_assert(request_id_valid("-"));
}
END_TEST

START_TEST(test_request_id_invalid)
{
        static const char *const ids[] = {
                "",           "a b",   "a/b",   "a\\b", "a\"b", "a\nb", "a\tb",         "r\xc3\xa9q",
                "a;rm -rf /", "$(id)", "a%2Fb", "a+b",  "a@b",  "a,b",  "\xe2\x80\xa8",
        };
        char long_id[REQUEST_ID_MAX + 2];

        for (size_t i = 0; i < ELEMENTSOF(ids); i++)
                ck_assert_msg(!request_id_valid(ids[i]), "'%s' accepted", ids[i]);
        memset(long_id, 'a', REQUEST_ID_MAX + 1);
        long_id[REQUEST_ID_MAX + 1] = '\0';
        ck_assert(!request_id_valid(long_id));
        ck_assert(!request_id_valid(NULL));
}
END_TEST

START_TEST(test_request_id_minted)
{
        static const char *const bodies[] = {
                "{\"action\":\"agent.ping\",\"request_id\":\"\"}",
                "{\"action\":\"agent.ping\",\"request_id\":\"a b\"}",
                "{\"action\":\"agent.ping\",\"request_id\":\"r\\u00e9q\"}",
                "{\"action\":\"agent.ping\",\"request_id\":\"x\\ny\"}",
                ("{\"action\":\"agent.ping\",\"request_id\":"
                 "\"12345678901234567890123456789012345678901234567890"
                 "123456789012345\"}"),
        };

        /* A bad id is not echoed: the response must carry an id the caller can log safely. */
        for (size_t i = 0; i < ELEMENTSOF(bodies); i++)
                assert_rejected_minted(bodies[i], "request_id");
}
END_TEST

START_TEST(test_request_id_max_echoed)
{
        Parsed p = parse(
                "{\"action\":\"agent.ping\",\"request_id\":\"12345678901234567890123456789012345678901234"
                "56789012345678901234\"}");

        ck_assert_int_eq(p.r, 0);
        ck_assert_uint_eq(strlen(p.env.request_id), REQUEST_ID_MAX);
        ck_assert(!p.env.request_id_minted);
        parsed_done(&p);
}
END_TEST

START_TEST(test_request_id_echoed_on_error)
{
        /* An error found after the id was read still echoes the caller's id. */
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"Agent.Ping\"}", "action");
        assert_rejected_echoed("{\"action\":\"agent.ping\",\"request_id\":\"r1\",\"timeout_ms\":0}",
                               "timeout_ms");
}
END_TEST

START_TEST(test_subject_user)
{
        char max[SUBJECT_USER_MAX + 2];
        Parsed p;

        p = parse("{\"action\":\"agent.ping\",\"subject_user\":\"ops+alice@panel.example\"}");
        ck_assert_int_eq(p.r, 0);
        ck_assert_str_eq(p.env.subject_user, "ops+alice@panel.example");
        parsed_done(&p);

        memset(max, 'u', SUBJECT_USER_MAX);
        max[SUBJECT_USER_MAX] = '\0';
        _cleanup_free_ char *ok = NULL, *too_long = NULL;
        ck_assert_int_ge(asprintf(&ok, "{\"action\":\"agent.ping\",\"subject_user\":\"%s\"}", max), 0);
        p = parse(ok);
        ck_assert_int_eq(p.r, 0);
        parsed_done(&p);

        max[SUBJECT_USER_MAX] = 'u';
        max[SUBJECT_USER_MAX + 1] = '\0';
        ck_assert_int_ge(asprintf(&too_long, "{\"action\":\"agent.ping\",\"subject_user\":\"%s\"}", max), 0);
        assert_rejected_minted(too_long, "subject_user");

        assert_rejected_minted("{\"action\":\"agent.ping\",\"subject_user\":\"\"}", "subject_user");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"subject_user\":\"a b\"}", "subject_user");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"subject_user\":\"a\\nJABALI_RESULT=ok\"}",
                               "subject_user");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"subject_user\":\"\\u00e9\"}", "subject_user");
}
END_TEST

START_TEST(test_timeout_range)
{
        _cleanup_free_ char *max = NULL, *over = NULL;
        Parsed p;

        p = parse("{\"action\":\"agent.ping\",\"timeout_ms\":1}");
        ck_assert_int_eq(p.r, 0);
        ck_assert_uint_eq(p.env.timeout_ms, 1);
        parsed_done(&p);

        ck_assert_int_ge(asprintf(&max, "{\"action\":\"agent.ping\",\"timeout_ms\":%u}", TIMEOUT_MS_MAX), 0);
        p = parse(max);
        ck_assert_int_eq(p.r, 0);
        ck_assert_uint_eq(p.env.timeout_ms, TIMEOUT_MS_MAX);
        parsed_done(&p);

        ck_assert_int_ge(
                asprintf(&over, "{\"action\":\"agent.ping\",\"timeout_ms\":%u}", TIMEOUT_MS_MAX + 1), 0);
        assert_rejected_minted(over, "timeout_ms");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"timeout_ms\":0}", "timeout_ms");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"timeout_ms\":-1}", "timeout_ms");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"timeout_ms\":4294967297}", "timeout_ms");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"timeout_ms\":-9223372036854775808}",
                               "timeout_ms");
        assert_rejected_minted("{\"action\":\"agent.ping\",\"timeout_ms\":1e3}", "timeout_ms");
        /* Beyond 64 bits the JSON parser itself rejects the number. */
        assert_rejected_minted("{\"action\":\"agent.ping\",\"timeout_ms\":99999999999999999999}", NULL);
}
END_TEST

START_TEST(test_action_name_valid)
{
        char max[ACTION_NAME_MAX + 1];

        memset(max, 'a', ACTION_NAME_MAX);
        max[1] = '.';
        max[ACTION_NAME_MAX] = '\0';

        ck_assert(action_name_valid("agent.ping"));
        ck_assert(action_name_valid("a.b"));
        ck_assert(action_name_valid("db.root.password.rotate"));
        ck_assert(action_name_valid("php.pool_write2.x"));
        ck_assert(action_name_valid(max));
}
END_TEST

START_TEST(test_action_name_invalid)
{
        static const char *const names[] = {
                "",
                "agent",
                "a.",
                ".a",
                "a..b",
                "Agent.ping",
                "agent.Ping",
                "agent.ping-x",
                "1agent.ping",
                "agent.1ping",
                "agent._ping",
                "_a.b",
                "agent. ping",
                "agent.ping\n",
                "agent/ping",
                "agent.p\xc3\xaeng",
                "a.b.",
                "ab",
                "agent.ping ",
                "agent..",
        };
        char long_name[ACTION_NAME_MAX + 2];

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                ck_assert_msg(!action_name_valid(names[i]), "'%s' accepted", names[i]);

        memset(long_name, 'a', ACTION_NAME_MAX + 1);
        long_name[1] = '.';
        long_name[ACTION_NAME_MAX + 1] = '\0';
        ck_assert(!action_name_valid(long_name));
        ck_assert(!action_name_valid(NULL));
}
END_TEST

START_TEST(test_action_name_rejected)
{
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"agent\"}", "action");
        assert_rejected_echoed("{\"request_id\":\"r1\",\"action\":\"../etc/passwd\"}", "action");
        /* \u0000 fails in the JSON parser, before the id is read. */
        assert_rejected_minted("{\"request_id\":\"r1\",\"action\":\"agent.ping\\u0000\"}", NULL);
}
END_TEST

START_TEST(test_ulid_format)
{
        for (int i = 0; i < 1000; i++) {
                _cleanup_free_ char *id = ulid_new();

                ck_assert_ptr_nonnull(id);
                ck_assert_uint_eq(strlen(id), 26);
                ck_assert_msg(strspn(id, CROCKFORD) == 26, "'%s' has a character outside Crockford base32",
                              id);
                /* 128 bits in 26 digits leave 3 bits for the first one. */
                ck_assert_int_le(id[0], '7');
                ck_assert(request_id_valid(id));
        }
}
END_TEST

START_TEST(test_ulid_time)
{
        uint64_t before = realtime_usec() / 1000;
        _cleanup_free_ char *id = ulid_new();
        uint64_t after = realtime_usec() / 1000;

        ck_assert_ptr_nonnull(id);
        ck_assert_uint_ge(ulid_time_ms(id), before);
        ck_assert_uint_le(ulid_time_ms(id), after);
}
END_TEST

START_TEST(test_ulid_monotonic)
{
        _cleanup_free_ char *first = ulid_new();

        ck_assert_ptr_nonnull(first);
        usleep(5000);
        for (int i = 0; i < 100; i++) {
                _cleanup_free_ char *next = ulid_new();

                ck_assert_ptr_nonnull(next);
                /* Ids minted later sort after earlier ones by their time prefix. */
                ck_assert_int_gt(strncmp(next, first, 10), 0);
        }
}
END_TEST

START_TEST(test_ulid_random)
{
        _cleanup_free_ char *a = ulid_new(), *b = ulid_new();

        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_str_ne(a + 10, b + 10);
}
END_TEST

START_TEST(test_done_idempotent)
{
        Parsed p = parse("{\"action\":\"agent.ping\",\"subject_user\":\"alice\"}");

        ck_assert_int_eq(p.r, 0);
        parsed_done(&p);
        ck_assert_ptr_null(p.env.action);
        ck_assert_ptr_null(p.env.params);
        parsed_done(&p);
        envelope_done(NULL);
        envelope_error_done(NULL);
}
END_TEST

static Suite *envelope_suite(void)
{
        Suite *s = suite_create("envelope");
        TCase *tc;

        tc = tcase_create("parse");
        tcase_add_test(tc, test_parse_minimal);
        tcase_add_test(tc, test_parse_full);
        tcase_add_test(tc, test_parse_params_null);
        tcase_add_test(tc, test_utf8_invalid);
        tcase_add_test(tc, test_nul_rejected);
        tcase_add_test(tc, test_not_object);
        tcase_add_test(tc, test_not_object_message);
        tcase_add_test(tc, test_duplicate_keys);
        tcase_add_test(tc, test_wrong_types);
        tcase_add_test(tc, test_missing_action);
        tcase_add_test(tc, test_unknown_keys);
        tcase_add_test(tc, test_unknown_key_not_in_message);
        tcase_add_test(tc, test_unknown_key_echo_capped);
        tcase_add_test(tc, test_done_idempotent);
        suite_add_tcase(s, tc);

        tc = tcase_create("depth");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_depth_limit);
        tcase_add_test(tc, test_depth_bomb_arrays);
        tcase_add_test(tc, test_depth_bomb_objects);
        tcase_add_test(tc, test_depth_bomb_unclosed);
        tcase_add_test(tc, test_depth_in_strings);
        tcase_add_test(tc, test_depth_in_keys);
        tcase_add_test(tc, test_text_depth);
        suite_add_tcase(s, tc);

        tc = tcase_create("fields");
        tcase_add_test(tc, test_request_id_valid);
        tcase_add_test(tc, test_request_id_invalid);
        tcase_add_test(tc, test_request_id_minted);
        tcase_add_test(tc, test_request_id_max_echoed);
        tcase_add_test(tc, test_request_id_echoed_on_error);
        tcase_add_test(tc, test_subject_user);
        tcase_add_test(tc, test_timeout_range);
        tcase_add_test(tc, test_action_name_valid);
        tcase_add_test(tc, test_action_name_invalid);
        tcase_add_test(tc, test_action_name_rejected);
        suite_add_tcase(s, tc);

        tc = tcase_create("ulid");
        tcase_add_test(tc, test_ulid_format);
        tcase_add_test(tc, test_ulid_time);
        tcase_add_test(tc, test_ulid_monotonic);
        tcase_add_test(tc, test_ulid_random);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(envelope_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
