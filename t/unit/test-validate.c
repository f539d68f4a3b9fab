/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "macro.h"
#include "validate.h"

typedef int (*StringCheck)(const char *value, char **ret_normalized, const char **ret_reason);

typedef struct Accepted {
        const char *input;
        const char *normalized;
} Accepted;

/* reason NULL: any reason is fine, because several checks catch the input and their order is not part of
 * the contract. */
typedef struct Rejected {
        const char *input;
        const char *reason;
} Rejected;

/* Marks an output that a failing call must leave alone. */
static char untouched_marker[] = "untouched";

#define REASON_CONTROL          "contains a control character"
#define REASON_NOT_LDH          "contains a character other than letters, digits, hyphens and dots"
#define REASON_INVISIBLE        "contains an invisible character (zero-width, soft hyphen or format control)"
#define REASON_SPACE            "contains a space character"
#define REASON_UTF8             "is not valid UTF-8"
#define REASON_TRAILING_DOT     "ends with a dot"
#define REASON_EMPTY_LABEL      "has an empty label"
#define REASON_LONG_LABEL       "has a label longer than 63 bytes"
#define REASON_LONG_NAME        "is longer than 253 bytes"
#define REASON_HYPHEN           "has a label that starts or ends with a hyphen"
#define REASON_RESERVED_HYPHENS "has a label with hyphens in the third and fourth positions"
#define REASON_PUNYCODE         "has an xn-- label that is not valid punycode"
#define REASON_NOT_CANONICAL    "has an xn-- label that is not in canonical IDNA form"
#define REASON_ONE_LABEL        "has fewer than two labels"
#define REASON_NUMERIC_TLD      "has an all-numeric top-level label"
#define REASON_PUBLIC_SUFFIX    "is a public suffix"
#define REASON_IDNA_DISALLOWED  "contains a character that IDNA does not allow"

/* Builds a name of n bytes from labels of at most label_len bytes, ending in ".example". */
static char *make_name(size_t n, size_t label_len)
{
        const char *tld = ".example";
        size_t body = n - strlen(tld), pos = 0;
        char *s = malloc(n + 1);

        ck_assert_ptr_nonnull(s);
        while (pos < body) {
                size_t len = body - pos;

                if (len > label_len)
                        len = label_len;
                if (body - pos - len == 1)
                        len--; /* a final 1-byte remainder would need a dot and no label */
                memset(s + pos, 'a', len);
                pos += len;
                if (pos < body)
                        s[pos++] = '.';
        }
        strcpy(s + pos, tld);
        ck_assert_uint_eq(strlen(s), n);
        return s;
}

static char *repeat_char(char c, size_t n, const char *suffix)
{
        char *s = malloc(n + strlen(suffix) + 1);

        ck_assert_ptr_nonnull(s);
        memset(s, c, n);
        strcpy(s + n, suffix);
        return s;
}

static void check_accepts(StringCheck check, const char *input, const char *expected)
{
        _cleanup_free_ char *normalized = NULL;
        const char *reason = NULL;
        int r;

        r = check(input, &normalized, &reason);
        ck_assert_msg(r == 0, "rejected \"%s\": %s (%d)", input, reason ? reason : "(no reason)", r);
        ck_assert_ptr_nonnull(normalized);
        ck_assert_str_eq(normalized, expected);
}

static void check_rejects(StringCheck check, const char *input, const char *expected_reason)
{
        char *normalized = untouched_marker;
        const char *reason = NULL;
        int r;

        r = check(input, &normalized, &reason);
        ck_assert_msg(r == -EINVAL, "accepted or failed otherwise on \"%s\" (%d)", input, r);
        ck_assert_ptr_eq(normalized, untouched_marker);
        ck_assert_ptr_nonnull(reason);
        if (expected_reason)
                ck_assert_str_eq(reason, expected_reason);
        /* A reason is static text and never quotes the value.  Short inputs are skipped because they could
         * match by chance. */
        if (strlen(input) >= 6)
                ck_assert_ptr_null(strstr(reason, input));
}

/* Domain names. */

static const Accepted domain_accepted[] = {
        { "alice.example", "alice.example" },
        { "ALICE.EXAMPLE", "alice.example" },
        { "Alice.Example", "alice.example" },
        { "example.co.uk", "example.co.uk" },
        { "www.alice.example", "www.alice.example" },
        { "a.b.c.d.alice.example", "a.b.c.d.alice.example" },
        { "a-b.example", "a-b.example" },
        { "a--b.example", "a--b.example" },
        { "1alice.example", "1alice.example" },
        { "123.example", "123.example" },
        { "alice.github.io", "alice.github.io" },
        { "city.kawasaki.jp", "city.kawasaki.jp" },
        /* A Cyrillic U+0430 in place of the Latin 'a' gives a distinct A-label. */
        { "\xd0\xb0lice.example", "xn--lice-43d.example" },
        { "xn--lice-43d.example", "xn--lice-43d.example" },
        { "XN--LICE-43D.EXAMPLE", "xn--lice-43d.example" },
        /* Non-transitional processing keeps the sharp s. */
        { "stra\xc3\x9f"
          "e.de",
          "xn--strae-oqa.de" },
        { "m\xc3\xbcnchen.de", "xn--mnchen-3ya.de" },
        { "M\xc3\x9cNCHEN.DE", "xn--mnchen-3ya.de" },
        /* A decomposed u + U+0308 is composed by NFC into the same name. */
        { "mu\xcc\x88nchen.de", "xn--mnchen-3ya.de" },
        { "\xe5\x85\xac\xe5\x8f\xb8.example", "xn--55qx5d.example" },
        /* Hangul conjoining jamo compose into one syllable. */
        { "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8.example", "xn--p39a.example" },
        /* UTS #46 maps the ideographic, fullwidth and halfwidth full stops to '.'. */
        { "alice\xe3\x80\x82"
          "example",
          "alice.example" },
        { "alice\xef\xbc\x8e"
          "example",
          "alice.example" },
        { "alice\xef\xbd\xa1"
          "example",
          "alice.example" },
        /* Fullwidth Latin letters map to ASCII. */
        { "\xef\xbd\x81lice.example", "alice.example" },
};

static const Rejected domain_rejected[] = {
        { "", "is empty" },
        { "alice.example.", REASON_TRAILING_DOT },
        { "alice.example\xe3\x80\x82", REASON_TRAILING_DOT },
        { "alice.example\xef\xbc\x8e", REASON_TRAILING_DOT },
        { ".", REASON_TRAILING_DOT },
        { "test..com", REASON_EMPTY_LABEL },
        { "test\xe3\x80\x82\xe3\x80\x82"
          "com",
          REASON_EMPTY_LABEL },
        { ".alice.example", REASON_EMPTY_LABEL },
        { "-lead.example", REASON_HYPHEN },
        { "lead-.example", REASON_HYPHEN },
        { "www.-alice.example", REASON_HYPHEN },
        { "\xef\xbc\x8dlead.example", REASON_HYPHEN }, /* U+FF0D fullwidth hyphen-minus */
        { "ab--c.example", REASON_RESERVED_HYPHENS },
        { "example", REASON_ONE_LABEL },
        { "localhost", REASON_ONE_LABEL },
        { "ALICE", REASON_ONE_LABEL },
        { "\xd0\xb0lice", REASON_ONE_LABEL },
        { "com", REASON_ONE_LABEL },
        { "co.uk", REASON_PUBLIC_SUFFIX },
        { "CO.UK", REASON_PUBLIC_SUFFIX },
        { "github.io", REASON_PUBLIC_SUFFIX },
        { "s3.amazonaws.com", REASON_PUBLIC_SUFFIX },
        { "foo.kawasaki.jp", REASON_PUBLIC_SUFFIX },
        { "xn--55qx5d.cn", REASON_PUBLIC_SUFFIX },
        { "\xe5\x85\xac\xe5\x8f\xb8.cn", REASON_PUBLIC_SUFFIX },
        { "co\xe3\x80\x82uk", REASON_PUBLIC_SUFFIX },
        { "1.2.3.4", REASON_NUMERIC_TLD },
        { "127.0.0.1", REASON_NUMERIC_TLD },
        { "alice.123", REASON_NUMERIC_TLD },
        /* Characters outside letters, digits, hyphens and dots. */
        { "alice.example%", REASON_NOT_LDH },
        { "alice%2eexample", REASON_NOT_LDH },
        { "a_b.example", REASON_NOT_LDH },
        { "_dmarc.alice.example", REASON_NOT_LDH },
        { "a b.example", REASON_NOT_LDH },
        { " alice.example", REASON_NOT_LDH },
        { "*.alice.example", REASON_NOT_LDH },
        { "alice.example:80", REASON_NOT_LDH },
        { "alice.example/", REASON_NOT_LDH },
        { "alice@alice.example", REASON_NOT_LDH },
        { "alice\\.example", REASON_NOT_LDH },
        /* nginx metacharacters. */
        { "x.example;} location / { alias /etc/; } #", REASON_NOT_LDH },
        { "alice.example;", REASON_NOT_LDH },
        { "alice.example{", REASON_NOT_LDH },
        { "alice.example}", REASON_NOT_LDH },
        { "$host.example", REASON_NOT_LDH },
        { "alice\".example", REASON_NOT_LDH },
        { "alice'.example", REASON_NOT_LDH },
        { "alice.example#", REASON_NOT_LDH },
        { "alice.example\n", REASON_CONTROL },
        { "alice.example\nserver_name evil.example", REASON_CONTROL },
        { "alice.example\r", REASON_CONTROL },
        { "alice\t.example", REASON_CONTROL },
        { "alice.example\x7f", REASON_CONTROL },
        { "alice.example\x1b", REASON_CONTROL },
        /* Invisible characters that UTS #46 would drop or keep unseen. */
        { "a\xe2\x80\x8blice.example", REASON_INVISIBLE },     /* U+200B zero-width space */
        { "a\xe2\x80\x8clice.example", REASON_INVISIBLE },     /* U+200C ZWNJ */
        { "a\xe2\x80\x8dlice.example", REASON_INVISIBLE },     /* U+200D ZWJ */
        { "a\xef\xbb\xbflice.example", REASON_INVISIBLE },     /* U+FEFF BOM */
        { "a\xc2\xadlice.example", REASON_INVISIBLE },         /* U+00AD soft hyphen */
        { "a\xe2\x81\xa0lice.example", REASON_INVISIBLE },     /* U+2060 word joiner */
        { "a\xcd\x8flice.example", REASON_INVISIBLE },         /* U+034F combining grapheme joiner */
        { "a\xef\xb8\x8flice.example", REASON_INVISIBLE },     /* U+FE0F variation selector */
        { "a\xe1\xa0\x8elice.example", REASON_INVISIBLE },     /* U+180E Mongolian vowel separator */
        { "a\xe2\x80\xaelice.example", REASON_INVISIBLE },     /* U+202E right-to-left override */
        { "a\xd8\x9clice.example", REASON_INVISIBLE },         /* U+061C Arabic letter mark */
        { "a\xe3\x85\xa4lice.example", REASON_INVISIBLE },     /* U+3164 Hangul filler */
        { "a\xf3\xa0\x81\xa1lice.example", REASON_INVISIBLE }, /* U+E0061 tag small a */
        { "alice.example\xe2\x80\x8b", REASON_INVISIBLE },
        /* Unicode spaces and C1 controls. */
        { "a\xc2\xa0"
          "b.example",
          REASON_SPACE }, /* U+00A0 */
        { "a\xe3\x80\x80"
          "b.example",
          REASON_SPACE }, /* U+3000 */
        { "a\xe2\x80\x83"
          "b.example",
          REASON_SPACE }, /* U+2003 */
        { "a\xe2\x80\xa8"
          "b.example",
          REASON_SPACE }, /* U+2028 line separator */
        { "a\xc2\x85"
          "b.example",
          REASON_CONTROL }, /* U+0085 next line */
        { "a\xc2\x9b"
          "b.example",
          REASON_CONTROL }, /* U+009B CSI */
        /* Invalid and overlong UTF-8. */
        { "\xff.example", REASON_UTF8 },
        { "\xc3.example", REASON_UTF8 },
        { "alice.exampl\xc3", REASON_UTF8 },
        { "\x80lice.example", REASON_UTF8 },
        { "\xc0\xae"
          "example.com",
          REASON_UTF8 }, /* overlong '.' */
        { "alice\xc0\xae"
          "example",
          REASON_UTF8 },                         /* overlong '.' */
        { "\xc1\xa1lice.example", REASON_UTF8 }, /* overlong 'a' */
        { "alice\xe0\x80\xae"
          "example",
          REASON_UTF8 }, /* three-byte overlong '.' */
        { "alice\xf0\x80\x80\xae"
          "example",
          REASON_UTF8 },
        { "alice\xc0\x80.example", REASON_UTF8 },        /* overlong NUL */
        { "\xed\xa0\x80lice.example", REASON_UTF8 },     /* surrogate U+D800 */
        { "\xf4\x90\x80\x80lice.example", REASON_UTF8 }, /* above U+10FFFF */
        { "\xf5\x80\x80\x80lice.example", REASON_UTF8 },
        /* Characters that UTS #46 maps to ASCII outside LDH.  libidn2 with STD3 rules would delete them. */
        { "al\xef\xbc\x9bice.example", REASON_NOT_LDH }, /* U+FF1B fullwidth semicolon */
        { "a\xef\xbc\xbf"
          "b.example",
          REASON_NOT_LDH },                              /* U+FF3F fullwidth low line */
        { "alice.example\xef\xbc\x85", REASON_NOT_LDH }, /* U+FF05 fullwidth percent */
        { "alice\xef\xbc\x8f"
          "example",
          REASON_NOT_LDH },                              /* U+FF0F fullwidth solidus */
        { "alice.example\xef\xbd\x9b", REASON_NOT_LDH }, /* U+FF5B fullwidth left brace */
        /* Characters IDNA disallows. */
        { "\xe2\x92\x88.example", REASON_IDNA_DISALLOWED }, /* U+2488 digit one full stop */
        { "a\xef\xb9\x92"
          "b.example",
          REASON_IDNA_DISALLOWED }, /* U+FE52 small full stop */
        { "a\xe2\x80\xa4"
          "b.example",
          REASON_IDNA_DISALLOWED },                             /* U+2024 one dot leader */
        { "\xf0\x9f\x92\xa9.example", REASON_IDNA_DISALLOWED }, /* U+1F4A9 emoji */
        { "xn--ls8h.example", REASON_IDNA_DISALLOWED },
        /* Right-to-left and left-to-right letters in one label. */
        { "a\xd7\x90.example", "breaks the IDNA bidirectional rule" },
        /* Bad xn-- labels. */
        { "xn--abc-.example", REASON_HYPHEN },
        { "xn--alice-.example", REASON_HYPHEN },
        { "xn--zzzzzz.example", REASON_PUNYCODE },
        { "xn--.example", REASON_HYPHEN },
        { "xn--a.example", REASON_CONTROL },              /* decodes to U+0080 */
        { "xn--ab-g1t.example", REASON_INVISIBLE },       /* encodes a zero-width space */
        { "xn--ab-5da.example", REASON_INVISIBLE },       /* encodes a soft hyphen */
        { "xn--lice-kzd.example", REASON_NOT_CANONICAL }, /* encodes an uppercase Cyrillic A */
};

START_TEST(domain_accepts)
{
        check_accepts(validate_domain, domain_accepted[_i].input, domain_accepted[_i].normalized);
}
END_TEST

START_TEST(domain_rejects)
{
        check_rejects(validate_domain, domain_rejected[_i].input, domain_rejected[_i].reason);
}
END_TEST

START_TEST(domain_label_max)
{
        _cleanup_free_ char *ok = repeat_char('a', 63, ".example"),
                            *long_label = repeat_char('a', 64, ".example");

        check_accepts(validate_domain, ok, ok);
        check_rejects(validate_domain, long_label, REASON_LONG_LABEL);
}
END_TEST

START_TEST(domain_length_max)
{
        _cleanup_free_ char *ok = make_name(253, 63), *too_long = make_name(254, 63);

        check_accepts(validate_domain, ok, ok);
        check_rejects(validate_domain, too_long, REASON_LONG_NAME);
}
END_TEST

START_TEST(domain_unicode_too_long)
{
        /* 55 U+00E9 per label: each label is a 61-byte A-label, and five of them do not fit 253 bytes. */
        char name[5 * 111 + 16] = "";

        for (int label = 0; label < 5; label++) {
                for (int i = 0; i < 55; i++)
                        strcat(name, "\xc3\xa9");
                strcat(name, ".");
        }
        strcat(name, "example");
        check_rejects(validate_domain, name, REASON_LONG_NAME);
}
END_TEST

START_TEST(domain_unicode_label_max)
{
        /* 57 U+00E9 are a 63-byte A-label, 58 are a 64-byte one. */
        char ok[58 * 2 + 16] = "", too_long[58 * 2 + 16] = "";

        for (int i = 0; i < 57; i++)
                strcat(ok, "\xc3\xa9");
        strcpy(too_long, ok);
        strcat(too_long, "\xc3\xa9.example");
        strcat(ok, ".example");
        check_rejects(validate_domain, too_long, REASON_LONG_LABEL);
        ck_assert_int_eq(validate_domain(ok, NULL, NULL), 0);
}
END_TEST

START_TEST(domain_input_max)
{
        _cleanup_free_ char *huge = repeat_char('a', 5000, ".example");

        check_rejects(validate_domain, huge, "is longer than 4096 bytes");
}
END_TEST

START_TEST(domain_case_variants)
{
        _cleanup_free_ char *lower = NULL, *upper = NULL, *mixed = NULL;

        ck_assert_int_eq(validate_domain("alice.example", &lower, NULL), 0);
        ck_assert_int_eq(validate_domain("ALICE.EXAMPLE", &upper, NULL), 0);
        ck_assert_int_eq(validate_domain("aLiCe.ExAmPlE", &mixed, NULL), 0);
        ck_assert_str_eq(lower, upper);
        ck_assert_str_eq(lower, mixed);
}
END_TEST

START_TEST(domain_homograph)
{
        _cleanup_free_ char *latin = NULL, *cyrillic = NULL;

        ck_assert_int_eq(validate_domain("alice.example", &latin, NULL), 0);
        ck_assert_int_eq(validate_domain("\xd0\xb0lice.example", &cyrillic, NULL), 0);
        ck_assert_str_ne(latin, cyrillic);
        ck_assert_int_eq(strncmp(cyrillic, "xn--", 4), 0);
}
END_TEST

START_TEST(domain_null_outputs)
{
        ck_assert_int_eq(validate_domain("alice.example", NULL, NULL), 0);
        ck_assert_int_eq(validate_domain("alice.example.", NULL, NULL), -EINVAL);
}
END_TEST

/* Host names: the domain syntax, public suffixes allowed. */

static const Accepted hostname_accepted[] = {
        { "alice.example", "alice.example" },
        { "MAIL.Alice.Example", "mail.alice.example" },
        { "co.uk", "co.uk" },
        { "github.io", "github.io" },
        { "\xd0\xb0lice.example", "xn--lice-43d.example" },
};

static const Rejected hostname_rejected[] = {
        { "", "is empty" },
        { "com", REASON_ONE_LABEL },
        { "localhost", REASON_ONE_LABEL },
        { "alice.example.", REASON_TRAILING_DOT },
        { "test..com", REASON_EMPTY_LABEL },
        { "1.2.3.4", REASON_NUMERIC_TLD },
        { "a_b.example", REASON_NOT_LDH },
        { "alice.example;", REASON_NOT_LDH },
        { "a\xe2\x80\x8blice.example", REASON_INVISIBLE },
        { "\xc0\xae"
          "example.com",
          REASON_UTF8 },
        { "-lead.example", REASON_HYPHEN },
};

START_TEST(hostname_accepts)
{
        check_accepts(validate_hostname, hostname_accepted[_i].input, hostname_accepted[_i].normalized);
}
END_TEST

START_TEST(hostname_rejects)
{
        check_rejects(validate_hostname, hostname_rejected[_i].input, hostname_rejected[_i].reason);
}
END_TEST

/* Account names. */

static const char *const account_accepted[] = {
        "alice", "a", "bob2", "z9", "a123456789012345", "root",
};

static const Rejected account_rejected[] = {
        { "", "is empty" },
        { "../../etc", NULL },
        { "alice/../bob", NULL },
        { "..", NULL },
        { ".", NULL },
        { "Alice", NULL },
        { "aLICE", NULL },
        { "a1234567890123456", "is longer than 16 characters" },
        { "-x", NULL },
        { "1alice", NULL },
        { "www-data", NULL },
        { "alice_x", NULL },
        { "alice x", NULL },
        { "alice\n", NULL },
        { "alice.", NULL },
        { "alice\x7f", NULL },
        { "alice\xc0\x80x", NULL },
        { "\xc3\xa4lice", NULL },
        { "\xd0\xb0lice", NULL },
        { "alice;", NULL },
        { "$(id)", NULL },
};

START_TEST(account_accepts)
{
        check_accepts(validate_account_name, account_accepted[_i], account_accepted[_i]);
}
END_TEST

START_TEST(account_rejects)
{
        check_rejects(validate_account_name, account_rejected[_i].input, account_rejected[_i].reason);
}
END_TEST

START_TEST(account_embedded_nul)
{
        /* A name with a NUL inside ends at the NUL in C; "alice\0x" is checked as "alice". */
        static const char with_nul[] = "alice\0x";

        check_accepts(validate_account_name, with_nul, "alice");
}
END_TEST

/* E-mail addresses. */

static const Accepted email_accepted[] = {
        { "alice@alice.example", "alice@alice.example" },
        { "Alice.Smith+tag@ALICE.EXAMPLE", "Alice.Smith+tag@alice.example" },
        { "a_b-c@m\xc3\xbcnchen.de", "a_b-c@xn--mnchen-3ya.de" },
        { "postmaster@co.uk", "postmaster@co.uk" },
        { "a@alice\xe3\x80\x82"
          "example",
          "a@alice.example" },
        { "1@alice.example", "1@alice.example" },
};

static const Rejected email_rejected[] = {
        { "", "is empty" },
        { "alice", "has no '@'" },
        { "@alice.example", "has an empty local part" },
        { "alice@", "has an invalid domain part" },
        { "alice@@alice.example", "has an invalid domain part" },
        { "al@ice@alice.example", "has an invalid domain part" },
        { ".alice@alice.example", "has a local part that starts or ends with a dot" },
        { "alice.@alice.example", "has a local part that starts or ends with a dot" },
        { "al..ice@alice.example", "has two consecutive dots in the local part" },
        { "-oQ/tmp/x@alice.example", "has a local part that starts with a hyphen" },
        { "-x@alice.example", "has a local part that starts with a hyphen" },
        { "alice;id@alice.example", NULL },
        { "\"alice\"@alice.example", NULL },
        { "alice'@alice.example", NULL },
        { "al$ice@alice.example", NULL },
        { "{alice}@alice.example", NULL },
        { "|cmd@alice.example", NULL },
        { "alice/x@alice.example", NULL },
        { "alice%x@alice.example", NULL },
        { "alice x@alice.example", NULL },
        { "alice\n@alice.example", NULL },
        { "alice\\@alice.example", NULL },
        { "\xc3\xa4lice@alice.example", NULL },
        { "alice@alice.example\nBcc: bob@alice.example", "has an invalid domain part" },
        { "alice@localhost", "has an invalid domain part" },
        { "alice@alice.example.", "has an invalid domain part" },
        { "alice@1.2.3.4", "has an invalid domain part" },
        { "alice@[127.0.0.1]", "has an invalid domain part" },
        { "alice@a\xe2\x80\x8b"
          "b.example",
          "has an invalid domain part" },
};

START_TEST(email_accepts)
{
        check_accepts(validate_email, email_accepted[_i].input, email_accepted[_i].normalized);
}
END_TEST

START_TEST(email_rejects)
{
        check_rejects(validate_email, email_rejected[_i].input, email_rejected[_i].reason);
}
END_TEST

START_TEST(email_length_max)
{
        _cleanup_free_ char *local_ok = repeat_char('a', 64, "@alice.example");
        _cleanup_free_ char *local_long = repeat_char('a', 65, "@alice.example");
        _cleanup_free_ char *domain_ok = make_name(189, 63), *domain_long = make_name(190, 63);
        _cleanup_free_ char *total_ok = NULL, *total_long = NULL;

        check_accepts(validate_email, local_ok, local_ok);
        check_rejects(validate_email, local_long, "has a local part longer than 64 bytes");

        /* 64 + 1 + 189 = 254 bytes is the maximum; one more byte in the domain is too long. */
        ck_assert_int_ge(asprintf(&total_ok, "%.64s@%s", local_ok, domain_ok), 0);
        check_accepts(validate_email, total_ok, total_ok);
        ck_assert_int_ge(asprintf(&total_long, "%.64s@%s", local_ok, domain_long), 0);
        check_rejects(validate_email, total_long, "is longer than 254 bytes");
}
END_TEST

/* Relative paths. */

static const char *const relative_path_accepted[] = {
        "public_html", "a/b/c",      "wp-content/uploads/2024/photo.jpg", ".htaccess", "..a", "a..",
        "a@b+c-d",     "A/B.tar.gz",
};

static const Rejected relative_path_rejected[] = {
        { "", "is empty" },
        { "/etc", "is absolute" },
        { "/", "is absolute" },
        { "a/", "ends with a slash" },
        { "a//b", "has an empty component" },
        { ".", "has a '.' or '..' component" },
        { "..", "has a '.' or '..' component" },
        { "../x", "has a '.' or '..' component" },
        { "a/../b", "has a '.' or '..' component" },
        { "a/./b", "has a '.' or '..' component" },
        { "a/..", "has a '.' or '..' component" },
        { "-x", "has a component that starts with a hyphen" },
        { "a/-rf", "has a component that starts with a hyphen" },
        { "a/--checkpoint=1", NULL },
        { "a b", NULL },
        { "a\nb", NULL },
        { "a;b", NULL },
        { "a$b", NULL },
        { "a\\b", NULL },
        { "a*b", NULL },
        { "~/x", NULL },
        { "%2e%2e/x", NULL },
        { "a/\xc3\xa9", NULL },
        { "a\xc0\xae/b", NULL },
};

START_TEST(relative_path_accepts)
{
        check_accepts(validate_relative_path, relative_path_accepted[_i], relative_path_accepted[_i]);
}
END_TEST

START_TEST(relative_path_rejects)
{
        check_rejects(validate_relative_path, relative_path_rejected[_i].input,
                      relative_path_rejected[_i].reason);
}
END_TEST

START_TEST(relative_path_length_max)
{
        _cleanup_free_ char *ok = repeat_char('a', 255, ""), *too_long = repeat_char('a', 256, "");

        check_accepts(validate_relative_path, ok, ok);
        check_rejects(validate_relative_path, too_long, "is longer than 255 bytes");
}
END_TEST

/* URL paths. */

static const char *const url_path_accepted[] = {
        "/",           "/index.php",     "/a/b?x=1&y=2", "/wp-content/uploads/%20a.jpg",
        "/a;b=c",      "/~alice/",       "/a/..b",       "/a/.b/",
        "/a/b..",      "/search?q=../x", "/a%2Fb",       "/a//b",
        "/(x)*,!+$@:",
};

static const Rejected url_path_rejected[] = {
        { "", "is empty" },
        { "index.php", "does not start with '/'" },
        { "/a b", NULL },
        { "/a\"b", NULL },
        { "/a'b", NULL },
        { "/a\\b", NULL },
        { "/a\nb", NULL },
        { "/a\rb", NULL },
        { "/a\tb", NULL },
        { "/a#b", NULL },
        { "/a<b", NULL },
        { "/a>b", NULL },
        { "/a{b", NULL },
        { "/a}b", NULL },
        { "/a|b", NULL },
        { "/a^b", NULL },
        { "/a`b", NULL },
        { "/\xc3\xa9", NULL },
        { "/\x7f", NULL },
        { "/%", "has a '%' that is not followed by two hex digits" },
        { "/%4", "has a '%' that is not followed by two hex digits" },
        { "/%zz", "has a '%' that is not followed by two hex digits" },
        { "/%0a", "encodes a control byte" },
        { "/%00", "encodes a control byte" },
        { "/%7F", "encodes a control byte" },
        { "/x%0D%0AHost:%20evil", "encodes a control byte" },
        { "/..", "has a '.' or '..' segment" },
        { "/.", "has a '.' or '..' segment" },
        { "/a/../b", "has a '.' or '..' segment" },
        { "/./a", "has a '.' or '..' segment" },
        { "/a/.", "has a '.' or '..' segment" },
        { "/a/..?x", "has a '.' or '..' segment" },
        { "/%2e%2e/etc/passwd", "has a '.' or '..' segment" },
        { "/%2E./x", "has a '.' or '..' segment" },
        { "/a/%2e", "has a '.' or '..' segment" },
};

START_TEST(url_path_accepts)
{
        check_accepts(validate_url_path, url_path_accepted[_i], url_path_accepted[_i]);
}
END_TEST

START_TEST(url_path_rejects)
{
        check_rejects(validate_url_path, url_path_rejected[_i].input, url_path_rejected[_i].reason);
}
END_TEST

START_TEST(url_path_length_max)
{
        _cleanup_free_ char *body_ok = repeat_char('a', 2047, ""), *body_long = repeat_char('a', 2048, "");
        _cleanup_free_ char *ok = NULL, *too_long = NULL;

        ck_assert_int_ge(asprintf(&ok, "/%s", body_ok), 0);
        ck_assert_int_ge(asprintf(&too_long, "/%s", body_long), 0);
        check_accepts(validate_url_path, ok, ok);
        check_rejects(validate_url_path, too_long, "is longer than 2048 bytes");
}
END_TEST

/* Ports. */

static const struct {
        const char *input;
        uint16_t port;
} port_accepted[] = {
        { "1", 1 }, { "80", 80 }, { "443", 443 }, { "8080", 8080 }, { "65535", 65535 },
};

static const char *const port_rejected[] = {
        "",
        "0",
        "00",
        "080",
        "65536",
        "99999",
        "100000",
        "-1",
        "+80",
        " 80",
        "80 ",
        "0x50",
        "8o",
        "1e3",
        "80\n",
        "4294967376",
        "18446744073709551696",
};

START_TEST(port_accepts)
{
        const char *reason = NULL;
        uint16_t port = 0;

        ck_assert_int_eq(validate_port(port_accepted[_i].input, &port, &reason), 0);
        ck_assert_uint_eq(port, port_accepted[_i].port);
}
END_TEST

START_TEST(port_rejects)
{
        const char *reason = NULL;
        uint16_t port = 4242;

        ck_assert_int_eq(validate_port(port_rejected[_i], &port, &reason), -EINVAL);
        ck_assert_uint_eq(port, 4242);
        ck_assert_ptr_nonnull(reason);
}
END_TEST

/* CIDR. */

static const Accepted cidr_accepted[] = {
        { "10.0.0.0/8", "10.0.0.0/8" },
        { "192.168.1.0/24", "192.168.1.0/24" },
        { "192.168.1.1", "192.168.1.1/32" },
        { "192.168.1.1/32", "192.168.1.1/32" },
        { "10.128.0.0/9", "10.128.0.0/9" },
        { "10.0.0.0/7", "10.0.0.0/7" },
        { "0.0.0.0/0", "0.0.0.0/0" },
        { "2001:db8::/32", "2001:db8::/32" },
        { "2001:0DB8::/32", "2001:db8::/32" },
        { "2001:db8:0:0:0:0:0:1", "2001:db8::1/128" },
        { "::1", "::1/128" },
        { "::/0", "::/0" },
        { "fe80::/10", "fe80::/10" },
        { "::ffff:1.2.3.4/128", "::ffff:1.2.3.4/128" },
};

static const Rejected cidr_rejected[] = {
        { "", "has no address" },
        { "/8", "has no address" },
        { "10.0.0.0/", NULL },
        { "10.0.0.1/8", "has host bits set beyond the prefix length" },
        { "10.128.0.0/8", "has host bits set beyond the prefix length" },
        { "11.0.0.0/7", "has host bits set beyond the prefix length" },
        { "2001:db8::1/64", "has host bits set beyond the prefix length" },
        { "10.0.0.0/33", "has a prefix length that is too long for the address family" },
        { "2001:db8::/129", "has a prefix length that is too long for the address family" },
        { "10.0.0.0/08", NULL },
        { "10.0.0.0/00", NULL },
        { "10.0.0.0/-1", NULL },
        { "10.0.0.0/+8", NULL },
        { "10.0.0.0/ 8", NULL },
        { "10.0.0.0/8 ", NULL },
        { " 10.0.0.0/8", NULL },
        { "10.0.0.0 /8", NULL },
        { "10.0.0.0/8/8", NULL },
        { "10.0.0.0/8\n", NULL },
        { "10.0.0.0/1000", NULL },
        { "10.0.0.0/4294967304", NULL },
        { "010.0.0.0/8", NULL },
        { "10.0.0/24", NULL },
        { "10.0.0.0.0/24", NULL },
        { "256.0.0.0/8", NULL },
        { "0x0a.0.0.0/8", NULL },
        { "fe80::1%eth0/128", NULL },
        { "::ffff:01.2.3.4/128", NULL },
        { "1::2::3/128", NULL },
        { "alice.example/24", NULL },
        { "10.0.0.0;/8", NULL },
        { "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/128", "has an address that is too long" },
};

START_TEST(cidr_accepts)
{
        check_accepts(validate_cidr, cidr_accepted[_i].input, cidr_accepted[_i].normalized);
}
END_TEST

START_TEST(cidr_rejects)
{
        check_rejects(validate_cidr, cidr_rejected[_i].input, cidr_rejected[_i].reason);
}
END_TEST

START_TEST(cidr_parse_ipv4)
{
        Cidr c;

        ck_assert_int_eq(cidr_parse("192.168.4.0/22", &c, NULL), 0);
        ck_assert_int_eq(c.family, AF_INET);
        ck_assert_uint_eq(c.prefix, 22);
        ck_assert_uint_eq(ntohl(c.addr.in.s_addr), 0xc0a80400u);
}
END_TEST

START_TEST(cidr_parse_ipv6)
{
        struct in6_addr expected;
        Cidr c;

        ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:a::", &expected), 1);
        ck_assert_int_eq(cidr_parse("2001:db8:a::/48", &c, NULL), 0);
        ck_assert_int_eq(c.family, AF_INET6);
        ck_assert_uint_eq(c.prefix, 48);
        ck_assert_mem_eq(&c.addr.in6, &expected, sizeof(expected));
}
END_TEST

START_TEST(cidr_parse_untouched)
{
        Cidr c = { .family = -1, .prefix = 99 };
        const char *reason = NULL;

        ck_assert_int_eq(cidr_parse("10.0.0.1/8", &c, &reason), -EINVAL);
        ck_assert_int_eq(c.family, -1);
        ck_assert_uint_eq(c.prefix, 99);
        ck_assert_ptr_nonnull(reason);
}
END_TEST

static Suite *validate_suite(void)
{
        Suite *s = suite_create("validate");
        TCase *tc;

        tc = tcase_create("domain");
        tcase_add_loop_test(tc, domain_accepts, 0, ELEMENTSOF(domain_accepted));
        tcase_add_loop_test(tc, domain_rejects, 0, ELEMENTSOF(domain_rejected));
        tcase_add_test(tc, domain_label_max);
        tcase_add_test(tc, domain_length_max);
        tcase_add_test(tc, domain_unicode_too_long);
        tcase_add_test(tc, domain_unicode_label_max);
        tcase_add_test(tc, domain_input_max);
        tcase_add_test(tc, domain_case_variants);
        tcase_add_test(tc, domain_homograph);
        tcase_add_test(tc, domain_null_outputs);
        suite_add_tcase(s, tc);

        tc = tcase_create("hostname");
        tcase_add_loop_test(tc, hostname_accepts, 0, ELEMENTSOF(hostname_accepted));
        tcase_add_loop_test(tc, hostname_rejects, 0, ELEMENTSOF(hostname_rejected));
        suite_add_tcase(s, tc);

        tc = tcase_create("account");
        tcase_add_loop_test(tc, account_accepts, 0, ELEMENTSOF(account_accepted));
        tcase_add_loop_test(tc, account_rejects, 0, ELEMENTSOF(account_rejected));
        tcase_add_test(tc, account_embedded_nul);
        suite_add_tcase(s, tc);

        tc = tcase_create("email");
        tcase_add_loop_test(tc, email_accepts, 0, ELEMENTSOF(email_accepted));
        tcase_add_loop_test(tc, email_rejects, 0, ELEMENTSOF(email_rejected));
        tcase_add_test(tc, email_length_max);
        suite_add_tcase(s, tc);

        tc = tcase_create("relative_path");
        tcase_add_loop_test(tc, relative_path_accepts, 0, ELEMENTSOF(relative_path_accepted));
        tcase_add_loop_test(tc, relative_path_rejects, 0, ELEMENTSOF(relative_path_rejected));
        tcase_add_test(tc, relative_path_length_max);
        suite_add_tcase(s, tc);

        tc = tcase_create("url_path");
        tcase_add_loop_test(tc, url_path_accepts, 0, ELEMENTSOF(url_path_accepted));
        tcase_add_loop_test(tc, url_path_rejects, 0, ELEMENTSOF(url_path_rejected));
        tcase_add_test(tc, url_path_length_max);
        suite_add_tcase(s, tc);

        tc = tcase_create("port");
        tcase_add_loop_test(tc, port_accepts, 0, ELEMENTSOF(port_accepted));
        tcase_add_loop_test(tc, port_rejects, 0, ELEMENTSOF(port_rejected));
        suite_add_tcase(s, tc);

        tc = tcase_create("cidr");
        tcase_add_loop_test(tc, cidr_accepts, 0, ELEMENTSOF(cidr_accepted));
        tcase_add_loop_test(tc, cidr_rejects, 0, ELEMENTSOF(cidr_rejected));
        tcase_add_test(tc, cidr_parse_ipv4);
        tcase_add_test(tc, cidr_parse_ipv6);
        tcase_add_test(tc, cidr_parse_untouched);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(validate_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
