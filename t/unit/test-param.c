/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "macro.h"
#include "param-table.h"
#include "param.h"

#define A1_KEY    "php$(touch /tmp/pwn_a1)"
#define A1_CANARY "/tmp/pwn_a1"

/* One parse with its outputs; released with parsed_done(). */
typedef struct Parsed {
        int r;
        TestParams p;
        ParamError error;
} Parsed;

static Parsed parse_json(json_t *params)
{
        Parsed out = {};

        out.r = param_parse(test_table, params, &out.p, &out.error);
        return out;
}

/* Parses a JSON text; the caller writes it with single quotes for readability. */
static Parsed parse(const char *text)
{
        _cleanup_free_ char *json = strdup(text);
        _cleanup_json_ json_t *params = NULL;
        json_error_t jerr;

        ck_assert_ptr_nonnull(json);
        for (char *c = json; *c; c++)
                if (*c == '\'')
                        *c = '"';
        params = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
        ck_assert_msg(params, "test input %s: %s", json, jerr.text);
        return parse_json(params);
}

static void parsed_done(Parsed *out)
{
        param_free(test_table, &out->p);
        param_error_done(&out->error);
}

static bool all_zero(const void *p, size_t size)
{
        const unsigned char *b = p;

        for (size_t i = 0; i < size; i++)
                if (b[i])
                        return false;
        return true;
}

/* Checks a rejection: the dotted path in ParamError.param, a message naming it, and nothing left in the
 * struct (param_parse releases it on failure). */
static void assert_rejected(Parsed *out, const char *param)
{
        ck_assert_int_eq(out->r, -EINVAL);
        ck_assert_pstr_eq(out->error.param, param);
        ck_assert_ptr_nonnull(out->error.message);
        ck_assert_ptr_null(out->p.name);
        ck_assert_ptr_null(out->p.items.v);
        ck_assert_ptr_null(out->p.aliases.v);
        ck_assert_ptr_null(out->p.settings);
        parsed_done(out);
}

static void assert_text_rejected(const char *text, const char *param)
{
        Parsed out = parse(text);

        ck_assert_msg(out.r == -EINVAL, "%s accepted", text);
        assert_rejected(&out, param);
}

static void assert_text_accepted(const char *text)
{
        Parsed out = parse(text);

        ck_assert_msg(out.r == 0, "%s rejected: %s", text, out.error.message);
        parsed_done(&out);
}

/* Parses {"name": "n", key: value} with value a JSON string built from raw bytes. */
static Parsed parse_string_param(const char *key, const char *value)
{
        _cleanup_json_ json_t *params = json_pack("{s:s, s:s}", "name", "n", key, value);

        ck_assert_msg(params, "'%s' is not valid UTF-8", value);
        return parse_json(params);
}

START_TEST(test_parse_full)
{
        Parsed out =
                parse("{'name':'Alice.Example','title':'Home page','mode':'safe','password':'s3cret-pw',"
                      "'body':'line one\\n\\tline two','note':'hi','count':10,'size':2147483647,"
                      "'offset':-100,'enabled':false,'aliases':['WWW.a','b'],'tokens':['t1','t2'],"
                      "'items':[{'host':'H1','key':'k1'},{'host':'h2','port':8443}],"
                      "'settings':{'a':1,'b':[true]}}");

        ck_assert_int_eq(out.r, 0);
        ck_assert_str_eq(out.p.name, "alice.example");
        ck_assert_str_eq(out.p.title, "Home page");
        ck_assert_str_eq(out.p.mode, "safe");
        ck_assert_str_eq(out.p.password, "s3cret-pw");
        ck_assert_str_eq(out.p.body, "line one\n\tline two");
        ck_assert_str_eq(out.p.note, "hi");
        ck_assert(out.p.count.set);
        ck_assert_int_eq(out.p.count.v, 10);
        ck_assert_int_eq(out.p.size.v, INT32_MAX);
        ck_assert_int_eq(out.p.offset.v, -100);
        ck_assert(out.p.enabled.set);
        ck_assert(!out.p.enabled.v);
        ck_assert_uint_eq(out.p.aliases.n, 2);
        ck_assert_str_eq(out.p.aliases.v[0], "www.a");
        ck_assert_str_eq(out.p.aliases.v[1], "b");
        ck_assert_ptr_null(out.p.aliases.v[2]);
        ck_assert_uint_eq(out.p.tokens.n, 2);
        ck_assert_uint_eq(out.p.items.n, 2);

        TestItem *items = out.p.items.v;
        ck_assert_str_eq(items[0].host, "h1");
        ck_assert_str_eq(items[0].key, "k1");
        ck_assert(!items[0].port.set);
        ck_assert_int_eq(items[0].port.v, 443);
        ck_assert_ptr_null(items[1].key);
        ck_assert_int_eq(items[1].port.v, 8443);
        ck_assert(json_is_object(out.p.settings));
        ck_assert_uint_eq(json_object_size(out.p.settings), 2);
        ck_assert_ptr_null(out.error.message);
        ck_assert_ptr_null(out.error.param);
        parsed_done(&out);
}
END_TEST

START_TEST(test_parse_defaults)
{
        Parsed out = parse("{'name':'a'}");

        ck_assert_int_eq(out.r, 0);
        ck_assert_ptr_null(out.p.title);
        ck_assert_ptr_null(out.p.password);
        ck_assert(!out.p.count.set);
        ck_assert_int_eq(out.p.count.v, 5);
        ck_assert(!out.p.size.set);
        ck_assert_int_eq(out.p.size.v, 0);
        ck_assert(!out.p.enabled.set);
        ck_assert(out.p.enabled.v);
        ck_assert_uint_eq(out.p.aliases.n, 0);
        ck_assert_ptr_null(out.p.aliases.v);
        ck_assert_uint_eq(out.p.items.n, 0);
        ck_assert_ptr_null(out.p.settings);
        parsed_done(&out);
}
END_TEST

START_TEST(test_params_not_object)
{
        _cleanup_json_ json_t *array = json_array();
        Parsed out = parse_json(array);

        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_str_eq(out.error.param, "params");
        parsed_done(&out);

        out = parse_json(NULL);
        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_str_eq(out.error.param, "params");
        parsed_done(&out);
}
END_TEST

START_TEST(test_required_missing)
{
        Parsed out = parse("{'title':'x'}");

        ck_assert_str_eq(out.error.message, "missing parameter 'name'");
        assert_rejected(&out, "name");
        assert_text_rejected("{}", "name");
        assert_text_rejected("{'name':null}", "name");
        assert_text_rejected("{'name':'a','items':[{'port':1}]}", "items[0].host");
}
END_TEST

START_TEST(test_unknown_key_a1)
{
        _cleanup_json_ json_t *params = json_pack("{s:s, s:s}", "name", "a", A1_KEY, "x");
        Parsed out;

        (void) unlink(A1_CANARY);
        out = parse_json(params);
        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_str_eq(out.error.param, A1_KEY);
        ck_assert_str_eq(out.error.message, "unknown parameter 'php??touch??tmp?pwn_a1?'");
        ck_assert_int_eq(access(A1_CANARY, F_OK), -1);
        parsed_done(&out);
}
END_TEST

START_TEST(test_unknown_key_first)
{
        Parsed out = parse("{'name':5,'zzz':1}");

        /* A crafted key is reported even when a known key is wrong too. */
        ck_assert_str_eq(out.error.message, "unknown parameter 'zzz'");
        assert_rejected(&out, "zzz");
}
END_TEST

START_TEST(test_unknown_key_nonprintable)
{
        _cleanup_json_ json_t *params =
                json_pack("{s:s, s:i}", "name", "a", "k\x01\n\x1b[31m\xc3\xa9\xe2\x80\xa8", 1);
        Parsed out = parse_json(params);

        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_str_eq(out.error.message, "unknown parameter 'k????31m?????"
                                            "'");
        ck_assert_str_eq(out.error.param, "k\x01\n\x1b[31m\xc3\xa9\xe2\x80\xa8");
        parsed_done(&out);
}
END_TEST

START_TEST(test_unknown_key_long)
{
        char key[201];
        _cleanup_json_ json_t *params = NULL;
        Parsed out;

        memset(key, 'k', 200);
        key[200] = '\0';
        params = json_pack("{s:s, s:i}", "name", "a", key, 1);
        out = parse_json(params);
        ck_assert_int_eq(out.r, -EINVAL);
        /* The message shows the first 64 bytes; the param keeps the whole key. */
        ck_assert_uint_eq(strlen(out.error.message), strlen("unknown parameter ''") + 64 + 3);
        ck_assert_ptr_nonnull(strstr(out.error.message, "kkk...'"));
        ck_assert_str_eq(out.error.param, key);
        parsed_done(&out);
}
END_TEST

START_TEST(test_unknown_key_long_utf8)
{
        char key[3 * 200 + 1] = "";
        _cleanup_json_ json_t *params = NULL, *echo = NULL;
        Parsed out;

        /* 600 bytes of 3-byte characters: a cut at a fixed byte count could split one of them. */
        for (int i = 0; i < 200; i++)
                strcat(key, "\xe2\x82\xac");
        params = json_pack("{s:s, s:i}", "name", "a", key, 1);
        ck_assert_ptr_nonnull(params);
        out = parse_json(params);
        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_ptr_nonnull(out.error.param);
        ck_assert_uint_le(strlen(out.error.param), 256);
        ck_assert_int_eq(strncmp(out.error.param, key, strlen(out.error.param)), 0);
        /* The param goes into the JSON response, which takes valid UTF-8 only. */
        echo = json_string(out.error.param);
        ck_assert_ptr_nonnull(echo);
        parsed_done(&out);
}
END_TEST

START_TEST(test_unknown_key_nested)
{
        Parsed out = parse("{'name':'a','items':[{'host':'a'},{'host':'b','bogus':1}]}");

        ck_assert_str_eq(out.error.message, "unknown parameter 'bogus'");
        assert_rejected(&out, "items[1].bogus");
}
END_TEST

START_TEST(test_string_type)
{
        assert_text_rejected("{'name':1}", "name");
        assert_text_rejected("{'name':true}", "name");
        assert_text_rejected("{'name':['a']}", "name");
        assert_text_rejected("{'name':{'a':1}}", "name");
        assert_text_rejected("{'name':'a','title':null}", "title");
}
END_TEST

START_TEST(test_string_length)
{
        _cleanup_free_ char *max = malloc(PARAM_STRING_MAX_DEFAULT + 2);
        Parsed out;

        ck_assert_ptr_nonnull(max);
        memset(max, 'x', PARAM_STRING_MAX_DEFAULT + 1);
        max[PARAM_STRING_MAX_DEFAULT] = '\0';
        out = parse_string_param("title", max);
        ck_assert_int_eq(out.r, 0);
        parsed_done(&out);

        max[PARAM_STRING_MAX_DEFAULT] = 'x';
        max[PARAM_STRING_MAX_DEFAULT + 1] = '\0';
        out = parse_string_param("title", max);
        assert_rejected(&out, "title");

        /* An empty string is never a value, even without a declared minimum. */
        assert_text_rejected("{'name':'a','title':''}", "title");
        assert_text_rejected("{'name':''}", "name");
        assert_text_rejected("{'name':'a','note':'x'}", "note");
        assert_text_accepted("{'name':'a','note':'12345678'}");
        assert_text_rejected("{'name':'a','note':'123456789'}", "note");
        assert_text_rejected("{'name':'a','password':'short'}", "password");
}
END_TEST

START_TEST(test_string_nul)
{
        _cleanup_json_ json_t *params = json_pack("{s:s, s:s%}", "name", "a", "title", "a\0b", (size_t) 3);
        Parsed out = parse_json(params);

        ck_assert_str_eq(out.error.message, "parameter 'title' contains a NUL character");
        assert_rejected(&out, "title");
}
END_TEST

START_TEST(test_string_controls)
{
        static const char *const bad[] = {
                "a\x01",
                "a\nb",
                "a\rb",
                "a\tb",
                "a\x1b[2J",
                "a\x7f",
                "a\xc2\x80",
                "a\xc2\x85",
                "a\xc2\x9f",
                "a\xe2\x80\xa8",
                ("\xe2\x80\xa9"
                 "b"),
                "\x1f",
                "ok\x0b",
                "ok\x0c",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                Parsed out = parse_string_param("title", bad[i]);

                ck_assert_msg(out.r == -EINVAL, "case %zu accepted", i);
                ck_assert_str_eq(out.error.message, "parameter 'title' contains control characters");
                assert_rejected(&out, "title");
        }
}
END_TEST

START_TEST(test_string_unicode_ok)
{
        static const char *const good[] = {
                "caf\xc3\xa9", /* U+00E9 */
                ("a\xc2\xa0"
                 "b"),              /* U+00A0, just above the C1 range */
                "\xe2\x80\xa7",     /* U+2027, just below U+2028 */
                "\xe2\x80\xaa",     /* U+202A, just above U+2029 */
                "\xf0\x9f\x98\x80", /* a 4-byte character */
                "~!@#$%^&*()_+{}|:<>?",
        };

        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                Parsed out = parse_string_param("title", good[i]);

                ck_assert_msg(out.r == 0, "case %zu rejected: %s", i, out.error.message);
                ck_assert_str_eq(out.p.title, good[i]);
                parsed_done(&out);
        }
}
END_TEST

START_TEST(test_multiline)
{
        static const char *const bad[] = { "a\rb",      "a\r\nb",        "a\x01", "a\x7f",
                                           "a\xc2\x85", "a\xe2\x80\xa8", "\x0b" };
        Parsed out = parse_string_param("body", "one\ntwo\n\tthree\n");

        ck_assert_int_eq(out.r, 0);
        ck_assert_str_eq(out.p.body, "one\ntwo\n\tthree\n");
        parsed_done(&out);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                out = parse_string_param("body", bad[i]);
                ck_assert_msg(out.r == -EINVAL, "case %zu accepted", i);
                assert_rejected(&out, "body");
        }
}
END_TEST

START_TEST(test_choices)
{
        assert_text_accepted("{'name':'a','mode':'fast'}");
        assert_text_accepted("{'name':'a','mode':'safe'}");
        assert_text_rejected("{'name':'a','mode':'FAST'}", "mode");
        assert_text_rejected("{'name':'a','mode':'fast '}", "mode");
        assert_text_rejected("{'name':'a','mode':'slow'}", "mode");
        assert_text_rejected("{'name':'a','mode':''}", "mode");

        Parsed out = parse("{'name':'a','mode':'other'}");
        ck_assert_str_eq(out.error.message, "parameter 'mode' is not one of the allowed values");
        parsed_done(&out);
}
END_TEST

START_TEST(test_int_range)
{
        assert_text_accepted("{'name':'a','count':1}");
        assert_text_accepted("{'name':'a','count':10}");
        assert_text_rejected("{'name':'a','count':0}", "count");
        assert_text_rejected("{'name':'a','count':11}", "count");
        assert_text_rejected("{'name':'a','count':-1}", "count");
        assert_text_accepted("{'name':'a','offset':-100}");
        assert_text_accepted("{'name':'a','offset':0}");
        assert_text_rejected("{'name':'a','offset':-101}", "offset");
        assert_text_rejected("{'name':'a','offset':101}", "offset");
        assert_text_accepted("{'name':'a','size':0}");
        assert_text_accepted("{'name':'a','size':2147483647}");
        assert_text_rejected("{'name':'a','size':2147483648}", "size");
        assert_text_rejected("{'name':'a','size':-1}", "size");
        assert_text_rejected("{'name':'a','size':9223372036854775807}", "size");
        assert_text_rejected("{'name':'a','size':-9223372036854775808}", "size");

        Parsed out = parse("{'name':'a','count':12}");
        ck_assert_str_eq(out.error.message, "parameter 'count' must be from 1 to 10");
        parsed_done(&out);
}
END_TEST

START_TEST(test_int_type)
{
        assert_text_rejected("{'name':'a','count':1.0}", "count");
        assert_text_rejected("{'name':'a','count':2.5}", "count");
        assert_text_rejected("{'name':'a','count':1e0}", "count");
        assert_text_rejected("{'name':'a','count':'3'}", "count");
        assert_text_rejected("{'name':'a','count':true}", "count");
        assert_text_rejected("{'name':'a','count':null}", "count");
        assert_text_rejected("{'name':'a','count':[3]}", "count");
}
END_TEST

START_TEST(test_bool_strict)
{
        Parsed out = parse("{'name':'a','enabled':true}");

        ck_assert_int_eq(out.r, 0);
        ck_assert(out.p.enabled.set);
        ck_assert(out.p.enabled.v);
        parsed_done(&out);

        assert_text_rejected("{'name':'a','enabled':'true'}", "enabled");
        assert_text_rejected("{'name':'a','enabled':'yes'}", "enabled");
        assert_text_rejected("{'name':'a','enabled':1}", "enabled");
        assert_text_rejected("{'name':'a','enabled':0}", "enabled");
        assert_text_rejected("{'name':'a','enabled':null}", "enabled");
        assert_text_rejected("{'name':'a','enabled':[]}", "enabled");
}
END_TEST

START_TEST(test_nullable)
{
        Parsed out = parse("{'name':'a','note':null}");

        ck_assert_int_eq(out.r, 0);
        ck_assert_ptr_null(out.p.note);
        parsed_done(&out);
}
END_TEST

START_TEST(test_check_normalises)
{
        Parsed out = parse("{'name':'MiXeD.Case'}");

        ck_assert_int_eq(out.r, 0);
        ck_assert_str_eq(out.p.name, "mixed.case");
        parsed_done(&out);
}
END_TEST

START_TEST(test_check_rejects)
{
        Parsed out = parse("{'name':'bad/../value'}");

        /* The reason comes from the check; the value is never repeated. */
        ck_assert_str_eq(out.error.message,
                         "parameter 'name' is invalid: must contain only letters, digits and dots");
        ck_assert_ptr_null(strstr(out.error.message, "bad/"));
        assert_rejected(&out, "name");
}
END_TEST

START_TEST(test_secret_not_in_message)
{
        static const char *const secrets[] = { "CANARY-7f3a\x01", "CANARY-7f3a\xe2\x80\xa8", "CANARY" };
        _cleanup_free_ char *long_secret = malloc(200);

        for (size_t i = 0; i < ELEMENTSOF(secrets); i++) {
                Parsed out = parse_string_param("password", secrets[i]);

                ck_assert_int_eq(out.r, -EINVAL);
                ck_assert_ptr_null(strstr(out.error.message, "CANARY"));
                ck_assert_ptr_null(strstr(out.error.param, "CANARY"));
                parsed_done(&out);
        }

        ck_assert_ptr_nonnull(long_secret);
        memset(long_secret, 'C', 199);
        long_secret[199] = '\0';
        Parsed out = parse_string_param("password", long_secret);
        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_ptr_null(strstr(out.error.message, "CCCCCCCC"));
        parsed_done(&out);
}
END_TEST

START_TEST(test_strv_items)
{
        assert_text_accepted("{'name':'a','aliases':[]}");
        assert_text_accepted("{'name':'a','aliases':['a','b','c']}");
        assert_text_rejected("{'name':'a','aliases':['a','b','c','d']}", "aliases");
        assert_text_rejected("{'name':'a','aliases':'a'}", "aliases");
        assert_text_rejected("{'name':'a','aliases':{}}", "aliases");
        assert_text_rejected("{'name':'a','aliases':['a',1]}", "aliases[1]");
        assert_text_rejected("{'name':'a','aliases':['a',null]}", "aliases[1]");
        assert_text_rejected("{'name':'a','aliases':['a','']}", "aliases[1]");
        assert_text_rejected("{'name':'a','aliases':['a','b c']}", "aliases[1]");
}
END_TEST

START_TEST(test_strv_item_length)
{
        _cleanup_free_ char *item = malloc(PARAM_STRING_MAX_DEFAULT + 2);
        _cleanup_json_ json_t *params = NULL;
        Parsed out;

        /* The item count bounds do not bound the length of an item. */
        ck_assert_ptr_nonnull(item);
        memset(item, 't', PARAM_STRING_MAX_DEFAULT + 1);
        item[PARAM_STRING_MAX_DEFAULT + 1] = '\0';
        params = json_pack("{s:s, s:[s]}", "name", "a", "tokens", item);
        out = parse_json(params);
        assert_rejected(&out, "tokens[0]");
}
END_TEST

START_TEST(test_strv_duplicates)
{
        Parsed out = parse("{'name':'a','aliases':['x.example','y','X.Example']}");

        /* The duplicate is found after normalisation. */
        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_str_eq(out.error.message, "parameter 'aliases[2]' repeats item 0");
        assert_rejected(&out, "aliases[2]");
        assert_text_rejected("{'name':'a','tokens':['t','t']}", "tokens[1]");
}
END_TEST

START_TEST(test_object_array)
{
        assert_text_accepted("{'name':'a','items':[]}");
        assert_text_rejected("{'name':'a','items':[{'host':'a'},{'host':'b'},{'host':'c'}]}", "items");
        assert_text_rejected("{'name':'a','items':{'host':'a'}}", "items");
        assert_text_rejected("{'name':'a','items':[{'host':'a'},'b']}", "items[1]");
        assert_text_rejected("{'name':'a','items':[[]]}", "items[0]");
        assert_text_rejected("{'name':'a','items':[{'host':'a','port':0}]}", "items[0].port");
        assert_text_rejected("{'name':'a','items':[{'host':'a','key':'\\u0007'}]}", "items[0].key");
}
END_TEST

START_TEST(test_object_array_partial_free)
{
        /* The second item fails after the first one and part of the second were allocated; the sanitizer
         * build checks that nothing leaks. */
        Parsed out = parse("{'name':'a','aliases':['p','q'],'items':[{'host':'a','key':'k'},"
                           "{'host':'b','key':'k2','port':70000}]}");

        assert_rejected(&out, "items[1].port");
}
END_TEST

START_TEST(test_object_param)
{
        assert_text_accepted("{'name':'a','settings':{}}");
        assert_text_accepted("{'name':'a','settings':{'a':1,'b':2,'c':3}}");
        assert_text_rejected("{'name':'a','settings':{'a':1,'b':2,'c':3,'d':4}}", "settings");
        assert_text_rejected("{'name':'a','settings':[]}", "settings");
        assert_text_rejected("{'name':'a','settings':'x'}", "settings");

        Parsed out = parse("{'name':'a','settings':{'user':'root'}}");
        ck_assert_str_eq(out.error.message, "parameter 'settings' is invalid: must not set user");
        assert_rejected(&out, "settings");
}
END_TEST

START_TEST(test_free_all)
{
        Parsed out =
                parse("{'name':'a','title':'t','mode':'fast','password':'p4ssw0rd!','body':'b','note':'nn',"
                      "'aliases':['x'],'tokens':['t'],'items':[{'host':'h','key':'k'}],'settings':{'k':1}}");

        ck_assert_int_eq(out.r, 0);
        param_free(test_table, &out.p);
        ck_assert(all_zero(&out.p.name, offsetof(TestParams, count) - offsetof(TestParams, name)));
        ck_assert_ptr_null(out.p.aliases.v);
        ck_assert_uint_eq(out.p.aliases.n, 0);
        ck_assert_ptr_null(out.p.tokens.v);
        ck_assert_ptr_null(out.p.items.v);
        ck_assert_uint_eq(out.p.items.n, 0);
        ck_assert_ptr_null(out.p.settings);
        /* A second release finds nothing to free. */
        param_free(test_table, &out.p);
        param_free(test_table, NULL);
        param_error_done(&out.error);
        param_error_done(NULL);
}
END_TEST

START_TEST(test_failure_releases)
{
        Parsed out = parse("{'name':'a','title':'t','password':'p4ssw0rd!','tokens':['t'],"
                           "'settings':{'k':1},'enabled':'no'}");

        /* Every field parsed before the failing one is released and zeroed. */
        ck_assert_int_eq(out.r, -EINVAL);
        ck_assert_ptr_null(out.p.title);
        ck_assert_ptr_null(out.p.password);
        ck_assert_ptr_null(out.p.tokens.v);
        assert_rejected(&out, "enabled");
}
END_TEST

START_TEST(test_redact)
{
        _cleanup_json_ json_t *params =
                json_loads("{\"name\":\"a\",\"password\":\"hunter22\",\"tokens\":[\"t1\"],"
                           "\"items\":[{\"host\":\"h\",\"key\":\"k1\"},{\"key\":\"k2\"},"
                           "\"str\",{\"zz\":1}],\"count\":3,\"x$(id)\":\"v\"}",
                           0, NULL);
        _cleanup_json_ json_t *redacted = NULL;
        _cleanup_free_ char *text = NULL;
        json_t *items;

        ck_assert_ptr_nonnull(params);
        redacted = param_redact(test_table, params);
        ck_assert_ptr_nonnull(redacted);
        ck_assert_str_eq(json_string_value(json_object_get(redacted, "name")), "a");
        ck_assert_str_eq(json_string_value(json_object_get(redacted, "password")), "<redacted>");
        ck_assert_str_eq(json_string_value(json_object_get(redacted, "tokens")), "<redacted>");
        ck_assert_int_eq(json_integer_value(json_object_get(redacted, "count")), 3);
        ck_assert_str_eq(json_string_value(json_object_get(redacted, "x$(id)")), "<unknown>");

        items = json_object_get(redacted, "items");
        ck_assert_uint_eq(json_array_size(items), 4);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "host")), "h");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "key")), "<redacted>");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "key")), "<redacted>");
        ck_assert_str_eq(json_string_value(json_array_get(items, 2)), "<invalid>");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 3), "zz")), "<unknown>");

        text = json_dumps(redacted, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        ck_assert_ptr_null(strstr(text, "hunter22"));
        ck_assert_ptr_null(strstr(text, "k1"));
        ck_assert_ptr_null(strstr(text, "k2"));
        ck_assert_ptr_null(strstr(text, "t1"));
}
END_TEST

START_TEST(test_redact_wrong_types)
{
        _cleanup_json_ json_t *params =
                json_loads("{\"password\":[\"hunter22\"],\"items\":{\"key\":\"k1\"}}", 0, NULL);
        _cleanup_json_ json_t *redacted = NULL, *array = json_array(), *shown = NULL;
        _cleanup_free_ char *text = NULL;

        /* A secret is redacted whatever its JSON type. */
        ck_assert_ptr_nonnull(params);
        redacted = param_redact(test_table, params);
        text = json_dumps(redacted, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        ck_assert_ptr_null(strstr(text, "hunter22"));
        ck_assert_ptr_null(strstr(text, "k1"));
        ck_assert_str_eq(json_string_value(json_object_get(redacted, "password")), "<redacted>");

        shown = param_redact(test_table, array);
        ck_assert_str_eq(json_string_value(shown), "<not an object>");
}
END_TEST

START_TEST(test_redact_keeps_input)
{
        _cleanup_json_ json_t *params = json_pack("{s:s}", "password", "hunter22");
        _cleanup_json_ json_t *redacted = param_redact(test_table, params);

        ck_assert_ptr_nonnull(redacted);
        ck_assert_str_eq(json_string_value(json_object_get(params, "password")), "hunter22");
}
END_TEST

static json_t *describe_entry(json_t *list, const char *name)
{
        size_t i;
        json_t *d;

        json_array_foreach(list, i,
                           d) if (streq(json_string_value(json_object_get(d, "name")), name)) return d;
        ck_abort_msg("no entry for %s", name);
        return NULL;
}

static json_int_t int_field(json_t *d, const char *key)
{
        json_t *v = json_object_get(d, key);

        ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
        return json_integer_value(v);
}

START_TEST(test_describe)
{
        _cleanup_json_ json_t *list = param_describe(test_table);
        json_t *d, *items;

        ck_assert_ptr_nonnull(list);
        ck_assert_uint_eq(json_array_size(list), ELEMENTSOF(test_table) - 1);

        d = describe_entry(list, "name");
        ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "string");
        ck_assert(json_is_true(json_object_get(d, "required")));
        ck_assert(json_is_false(json_object_get(d, "secret")));
        ck_assert_int_eq(int_field(d, "min_length"), 1);
        ck_assert_int_eq(int_field(d, "max_length"), 64);
        ck_assert_str_eq(json_string_value(json_object_get(d, "constraint")), "letters, digits and dots");
        ck_assert_str_eq(json_string_value(json_object_get(d, "description")), "The name.");

        d = describe_entry(list, "title");
        ck_assert_int_eq(int_field(d, "max_length"), PARAM_STRING_MAX_DEFAULT);
        ck_assert_ptr_null(json_object_get(d, "constraint"));

        d = describe_entry(list, "mode");
        ck_assert_uint_eq(json_array_size(json_object_get(d, "choices")), 2);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(d, "choices"), 1)), "safe");

        d = describe_entry(list, "password");
        ck_assert(json_is_true(json_object_get(d, "secret")));
        ck_assert_int_eq(int_field(d, "min_length"), 8);

        ck_assert(json_is_true(json_object_get(describe_entry(list, "body"), "multiline")));
        ck_assert(json_is_true(json_object_get(describe_entry(list, "note"), "nullable")));
        ck_assert_ptr_null(json_object_get(describe_entry(list, "title"), "nullable"));

        d = describe_entry(list, "count");
        ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "integer");
        ck_assert_int_eq(int_field(d, "min"), 1);
        ck_assert_int_eq(int_field(d, "max"), 10);
        ck_assert_int_eq(int_field(d, "default"), 5);

        d = describe_entry(list, "size");
        ck_assert_int_eq(int_field(d, "min"), 0);
        ck_assert_int_eq(int_field(d, "max"), INT32_MAX);

        d = describe_entry(list, "enabled");
        ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "boolean");
        ck_assert(json_is_true(json_object_get(d, "default")));

        d = describe_entry(list, "aliases");
        ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "array of strings");
        ck_assert_int_eq(int_field(d, "min_items"), 0);
        ck_assert_int_eq(int_field(d, "max_items"), 3);

        d = describe_entry(list, "tokens");
        ck_assert_int_eq(int_field(d, "max_items"), PARAM_ARRAY_MAX_DEFAULT);
        ck_assert(json_is_true(json_object_get(d, "secret")));

        d = describe_entry(list, "items");
        ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "array of objects");
        ck_assert_int_eq(int_field(d, "max_items"), 2);
        items = json_object_get(d, "items");
        ck_assert_uint_eq(json_array_size(items), ELEMENTSOF(test_item_table) - 1);
        ck_assert(json_is_true(json_object_get(describe_entry(items, "key"), "secret")));
        ck_assert_int_eq(int_field(describe_entry(items, "port"), "default"), 443);

        d = describe_entry(list, "settings");
        ck_assert_str_eq(json_string_value(json_object_get(d, "type")), "object");
        ck_assert_int_eq(int_field(d, "max_keys"), 3);
}
END_TEST

START_TEST(test_describe_empty)
{
        static const ParamSpec empty[] = { {} };
        _cleanup_json_ json_t *list = param_describe(empty);

        ck_assert(json_is_array(list));
        ck_assert_uint_eq(json_array_size(list), 0);
}
END_TEST

START_TEST(test_type_names)
{
        for (int t = 0; t < _PARAM_TYPE_MAX; t++)
                ck_assert_ptr_nonnull(param_type_to_string((ParamType) t));
        ck_assert_ptr_null(param_type_to_string(_PARAM_TYPE_MAX));
        ck_assert_ptr_null(param_type_to_string(_PARAM_TYPE_INVALID));
}
END_TEST

static Suite *param_suite(void)
{
        Suite *s = suite_create("param");
        TCase *tc;

        tc = tcase_create("parse");
        tcase_add_test(tc, test_parse_full);
        tcase_add_test(tc, test_parse_defaults);
        tcase_add_test(tc, test_params_not_object);
        tcase_add_test(tc, test_required_missing);
        tcase_add_test(tc, test_nullable);
        tcase_add_test(tc, test_check_normalises);
        tcase_add_test(tc, test_check_rejects);
        suite_add_tcase(s, tc);

        tc = tcase_create("unknown");
        tcase_add_test(tc, test_unknown_key_a1);
        tcase_add_test(tc, test_unknown_key_first);
        tcase_add_test(tc, test_unknown_key_nonprintable);
        tcase_add_test(tc, test_unknown_key_long);
        tcase_add_test(tc, test_unknown_key_long_utf8);
        tcase_add_test(tc, test_unknown_key_nested);
        suite_add_tcase(s, tc);

        tc = tcase_create("string");
        tcase_add_test(tc, test_string_type);
        tcase_add_test(tc, test_string_length);
        tcase_add_test(tc, test_string_nul);
        tcase_add_test(tc, test_string_controls);
        tcase_add_test(tc, test_string_unicode_ok);
        tcase_add_test(tc, test_multiline);
        tcase_add_test(tc, test_choices);
        tcase_add_test(tc, test_secret_not_in_message);
        suite_add_tcase(s, tc);

        tc = tcase_create("scalar");
        tcase_add_test(tc, test_int_range);
        tcase_add_test(tc, test_int_type);
        tcase_add_test(tc, test_bool_strict);
        suite_add_tcase(s, tc);

        tc = tcase_create("array");
        tcase_add_test(tc, test_strv_items);
        tcase_add_test(tc, test_strv_item_length);
        tcase_add_test(tc, test_strv_duplicates);
        tcase_add_test(tc, test_object_array);
        tcase_add_test(tc, test_object_array_partial_free);
        tcase_add_test(tc, test_object_param);
        suite_add_tcase(s, tc);

        tc = tcase_create("free");
        tcase_add_test(tc, test_free_all);
        tcase_add_test(tc, test_failure_releases);
        suite_add_tcase(s, tc);

        tc = tcase_create("redact");
        tcase_add_test(tc, test_redact);
        tcase_add_test(tc, test_redact_wrong_types);
        tcase_add_test(tc, test_redact_keeps_input);
        suite_add_tcase(s, tc);

        tc = tcase_create("describe");
        tcase_add_test(tc, test_describe);
        tcase_add_test(tc, test_describe_empty);
        tcase_add_test(tc, test_type_names);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(param_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
