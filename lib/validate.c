/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <idn2.h>
#include <libpsl.h>

#include "macro.h"
#include "validate.h"

/* Maximum length of a raw host name passed to IDNA, which bounds the work spent on hostile input.  NFC
 * can compose a Hangul syllable from 9 bytes of conjoining jamo, so a Unicode name may be about 9 times
 * longer than its A-label form, and this bound leaves room for that. */
#define HOST_INPUT_MAX        4096
#define HOST_NAME_MAX_LEN     253
#define HOST_LABEL_MAX_LEN    63
#define ACCOUNT_NAME_MAX_LEN  16
#define EMAIL_LOCAL_MAX_LEN   64
#define EMAIL_MAX_LEN         254
#define RELATIVE_PATH_MAX_LEN 255
#define URL_PATH_MAX_LEN      2048

/*
 * libidn2 flags for UTS #46 processing.  IDN2_USE_STD3_ASCII_RULES is deliberately left out: libidn2 2.3.3
 * with that flag deletes non-LDH ASCII instead of failing ("a_b.example" becomes "ab.example", a fullwidth
 * semicolon vanishes), which would accept a name other than the one requested.  Without it those
 * characters survive the mapping and the LDH check on the result rejects them.
 */
#define IDNA_FLAGS (IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT)

static const char reason_not_ldh[] = "contains a character other than letters, digits, hyphens and dots";
static const char reason_invisible[] =
        "contains an invisible character (zero-width, soft hyphen or format control)";

static int fail(const char **ret_reason, int r, const char *reason)
{
        assert(r < 0);

        if (ret_reason)
                *ret_reason = reason;
        return r;
}

static int set_normalized(char **ret_normalized, const char *s, const char **ret_reason)
{
        char *copy;

        if (!ret_normalized)
                return 0;

        copy = strdup(s);
        if (!copy)
                return fail(ret_reason, -ENOMEM, "could not be copied: out of memory");

        *ret_normalized = copy;
        return 0;
}

static bool ascii_is_ldh(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

static bool ascii_is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static bool ascii_is_control(unsigned char c)
{
        return c < 0x20 || c == 0x7f;
}

/*
 * Decodes one UTF-8 sequence at s.  Rejects what RFC 3629 forbids: overlong forms, surrogates, code points
 * above U+10FFFF, stray continuation bytes and truncated sequences (a NUL is never a continuation byte).
 */
static int utf8_decode(const char *s, size_t *ret_len, uint32_t *ret_cp)
{
        const unsigned char *p = (const unsigned char *) s;
        unsigned char lo = 0x80, hi = 0xbf;
        uint32_t cp;
        size_t n;

        if (p[0] < 0x80) {
                n = 1;
                cp = p[0];
        } else if (p[0] >= 0xc2 && p[0] <= 0xdf) {
                n = 2;
                cp = p[0] & 0x1f;
        } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
                n = 3;
                cp = p[0] & 0x0f;
                if (p[0] == 0xe0)
                        lo = 0xa0; /* overlong below U+0800 */
                else if (p[0] == 0xed)
                        hi = 0x9f; /* surrogates U+D800..U+DFFF */
        } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
                n = 4;
                cp = p[0] & 0x07;
                if (p[0] == 0xf0)
                        lo = 0x90; /* overlong below U+10000 */
                else if (p[0] == 0xf4)
                        hi = 0x8f; /* above U+10FFFF */
        } else
                return -EILSEQ;

        for (size_t i = 1; i < n; i++) {
                if (p[i] < lo || p[i] > hi)
                        return -EILSEQ;
                cp = (cp << 6) | (p[i] & 0x3f);
                lo = 0x80;
                hi = 0xbf;
        }

        *ret_len = n;
        *ret_cp = cp;
        return 0;
}

typedef enum CharClass {
        CHAR_CONTROL,
        CHAR_SPACE,
        CHAR_INVISIBLE,
} CharClass;

typedef struct CodePointRange {
        uint32_t first, last;
        CharClass class;
} CodePointRange;

/*
 * Non-ASCII code points rejected in host names before IDNA: general category Cc (CHAR_CONTROL), the
 * White_Space property (CHAR_SPACE), and Default_Ignorable_Code_Point plus general category Cf
 * (CHAR_INVISIBLE), from Unicode 14.0 as Perl 5.36 reports them.  UTS #46 maps several invisible
 * ones (U+00AD, U+200B, U+FEFF, variation selectors) to nothing, so a name with one would silently turn
 * into a different name than the one a person reads.  U+200C and U+200D are rejected too, although
 * IDNA2008 allows them in some contexts.
 */
static const CodePointRange rejected_code_points[] = {
        { 0x0080, 0x009F, CHAR_CONTROL },     { 0x00A0, 0x00A0, CHAR_SPACE },
        { 0x00AD, 0x00AD, CHAR_INVISIBLE },   { 0x034F, 0x034F, CHAR_INVISIBLE },
        { 0x0600, 0x0605, CHAR_INVISIBLE },   { 0x061C, 0x061C, CHAR_INVISIBLE },
        { 0x06DD, 0x06DD, CHAR_INVISIBLE },   { 0x070F, 0x070F, CHAR_INVISIBLE },
        { 0x0890, 0x0891, CHAR_INVISIBLE },   { 0x08E2, 0x08E2, CHAR_INVISIBLE },
        { 0x115F, 0x1160, CHAR_INVISIBLE },   { 0x1680, 0x1680, CHAR_SPACE },
        { 0x17B4, 0x17B5, CHAR_INVISIBLE },   { 0x180B, 0x180F, CHAR_INVISIBLE },
        { 0x2000, 0x200A, CHAR_SPACE },       { 0x200B, 0x200F, CHAR_INVISIBLE },
        { 0x2028, 0x2029, CHAR_SPACE },       { 0x202A, 0x202E, CHAR_INVISIBLE },
        { 0x202F, 0x202F, CHAR_SPACE },       { 0x205F, 0x205F, CHAR_SPACE },
        { 0x2060, 0x206F, CHAR_INVISIBLE },   { 0x3000, 0x3000, CHAR_SPACE },
        { 0x3164, 0x3164, CHAR_INVISIBLE },   { 0xFE00, 0xFE0F, CHAR_INVISIBLE },
        { 0xFEFF, 0xFEFF, CHAR_INVISIBLE },   { 0xFFA0, 0xFFA0, CHAR_INVISIBLE },
        { 0xFFF0, 0xFFFB, CHAR_INVISIBLE },   { 0x110BD, 0x110BD, CHAR_INVISIBLE },
        { 0x110CD, 0x110CD, CHAR_INVISIBLE }, { 0x13430, 0x13438, CHAR_INVISIBLE },
        { 0x1BCA0, 0x1BCA3, CHAR_INVISIBLE }, { 0x1D173, 0x1D17A, CHAR_INVISIBLE },
        { 0xE0000, 0xE0FFF, CHAR_INVISIBLE },
};

static const CodePointRange *rejected_code_point_lookup(uint32_t cp)
{
        for (size_t i = 0; i < ELEMENTSOF(rejected_code_points); i++)
                if (cp >= rejected_code_points[i].first && cp <= rejected_code_points[i].last)
                        return &rejected_code_points[i];
        return NULL;
}

/*
 * Checks the characters of a host name as received, before any mapping.  ASCII must be letters, digits,
 * hyphens or dots, so '%', '_', spaces and config-file metacharacters never reach IDNA.  Non-ASCII must be
 * valid UTF-8 outside rejected_code_points; IDNA decides about the rest.
 */
static int host_check_characters(const char *s, bool *ret_ascii, const char **ret_reason)
{
        bool ascii = true;

        for (const char *p = s; *p;) {
                const CodePointRange *range;
                uint32_t cp;
                size_t n;

                if (ascii_is_control((unsigned char) *p))
                        return fail(ret_reason, -EINVAL, "contains a control character");
                if ((unsigned char) *p < 0x80) {
                        if (!ascii_is_ldh(*p) && *p != '.')
                                return fail(ret_reason, -EINVAL, reason_not_ldh);
                        p++;
                        continue;
                }

                if (utf8_decode(p, &n, &cp) < 0)
                        return fail(ret_reason, -EINVAL, "is not valid UTF-8");

                range = rejected_code_point_lookup(cp);
                if (range && range->class == CHAR_CONTROL)
                        return fail(ret_reason, -EINVAL, "contains a control character");
                if (range && range->class == CHAR_SPACE)
                        return fail(ret_reason, -EINVAL, "contains a space character");
                if (range)
                        return fail(ret_reason, -EINVAL, reason_invisible);

                ascii = false;
                p += n;
        }

        if (ret_ascii)
                *ret_ascii = ascii;
        return 0;
}

static const char *idn2_error_to_reason(int r)
{
        switch (r) {
        case IDN2_ENCODING_ERROR:
                return "is not valid UTF-8";
        case IDN2_TOO_BIG_DOMAIN:
                return "is longer than 253 bytes";
        case IDN2_TOO_BIG_LABEL:
        case IDN2_PUNYCODE_BIG_OUTPUT: /* libidn2 2.3.3 returns this for a U-label over 63 bytes encoded */
                return "has a label longer than 63 bytes";
        case IDN2_PUNYCODE_BAD_INPUT:
        case IDN2_PUNYCODE_OVERFLOW:
        case IDN2_INVALID_ALABEL:
        case IDN2_UALABEL_MISMATCH:
        case IDN2_ALABEL_ROUNDTRIP_FAILED:
                return "has an xn-- label that is not valid punycode";
        case IDN2_2HYPHEN:
                return "has a label with hyphens in the third and fourth positions";
        case IDN2_HYPHEN_STARTEND:
                return "has a label that starts or ends with a hyphen";
        case IDN2_LEADING_COMBINING:
                return "has a label that starts with a combining mark";
        case IDN2_DISALLOWED:
        case IDN2_UNASSIGNED:
        case IDN2_INVALID_NONTRANSITIONAL:
        case IDN2_INVALID_TRANSITIONAL:
                return "contains a character that IDNA does not allow";
        case IDN2_CONTEXTJ:
        case IDN2_CONTEXTJ_NO_RULE:
        case IDN2_CONTEXTO:
        case IDN2_CONTEXTO_NO_RULE:
                return "breaks the IDNA contextual rules";
        case IDN2_BIDI:
                return "breaks the IDNA bidirectional rule";
        default:
                return "is not a valid internationalized domain name";
        }
}

/*
 * Checks that an xn-- label is the canonical A-label of a U-label this module would accept: it decodes,
 * the decoded text passes host_check_characters(), and encoding it again yields the same bytes.  This
 * rejects punycode of pure ASCII, encoded uppercase, and encoded characters that UTS #46 would drop.
 */
static int host_check_alabel(const char *label, size_t len, const char **ret_reason)
{
        _cleanup_free_ char *alabel = NULL, *ulabel = NULL, *again = NULL;
        const char *reason = "has an xn-- label that is not valid punycode";
        int r;

        alabel = strndup(label, len);
        if (!alabel)
                return fail(ret_reason, -ENOMEM, "could not be checked: out of memory");

        r = idn2_to_unicode_8z8z(alabel, &ulabel, 0);
        if (r == IDN2_MALLOC)
                return fail(ret_reason, -ENOMEM, "could not be checked: out of memory");
        if (r != IDN2_OK || strempty(ulabel))
                return fail(ret_reason, -EINVAL, reason);

        r = host_check_characters(ulabel, NULL, &reason);
        if (r < 0)
                return fail(ret_reason, r, reason);

        r = idn2_to_ascii_8z(ulabel, &again, IDNA_FLAGS);
        if (r == IDN2_MALLOC)
                return fail(ret_reason, -ENOMEM, "could not be checked: out of memory");
        if (r != IDN2_OK)
                return fail(ret_reason, -EINVAL, idn2_error_to_reason(r));
        if (!streq(again, alabel))
                return fail(ret_reason, -EINVAL, "has an xn-- label that is not in canonical IDNA form");

        return 0;
}

/*
 * Checks the syntax of an ASCII host name: LDH labels of 1-63 bytes without a leading or trailing hyphen,
 * at least two labels, at most 253 bytes, no empty label and no trailing dot.  Hyphens in the third and
 * fourth positions are allowed only as "xn--" with a canonical A-label.  The top-level label must not be
 * all digits, so an IPv4 address is not a host name.
 */
static int host_check_ldh(const char *name, const char **ret_reason)
{
        size_t total = strlen(name), labels = 0;
        const char *label = name;
        bool numeric = true;

        if (total == 0)
                return fail(ret_reason, -EINVAL, "is empty");
        if (total > HOST_NAME_MAX_LEN)
                return fail(ret_reason, -EINVAL, "is longer than 253 bytes");
        if (name[total - 1] == '.')
                return fail(ret_reason, -EINVAL, "ends with a dot");

        for (;;) {
                size_t len = strcspn(label, ".");
                int r;

                if (len == 0)
                        return fail(ret_reason, -EINVAL, "has an empty label");
                if (len > HOST_LABEL_MAX_LEN)
                        return fail(ret_reason, -EINVAL, "has a label longer than 63 bytes");

                numeric = true;
                for (size_t i = 0; i < len; i++) {
                        if (!ascii_is_ldh(label[i]))
                                return fail(ret_reason, -EINVAL, reason_not_ldh);
                        if (!ascii_is_digit(label[i]))
                                numeric = false;
                }

                if (label[0] == '-' || label[len - 1] == '-')
                        return fail(ret_reason, -EINVAL, "has a label that starts or ends with a hyphen");

                if (len >= 4 && label[2] == '-' && label[3] == '-') {
                        if (strncmp(label, "xn--", 4) != 0)
                                return fail(ret_reason, -EINVAL,
                                            "has a label with hyphens in the third and fourth positions");
                        r = host_check_alabel(label, len, ret_reason);
                        if (r < 0)
                                return r;
                }

                labels++;
                if (label[len] == '\0')
                        break;
                label += len + 1;
        }

        if (labels < 2)
                return fail(ret_reason, -EINVAL, "has fewer than two labels");
        if (numeric)
                return fail(ret_reason, -EINVAL, "has an all-numeric top-level label");

        return 0;
}

/* Loads the public suffix list once per process with psl_latest(), which picks the newest of the system's
 * list file and libpsl's built-in copy, and falls back to the built-in copy alone. */
static const psl_ctx_t *public_suffix_list(void)
{
        static const psl_ctx_t *cached = NULL;

        if (!cached)
                cached = psl_latest(NULL);
        if (!cached)
                cached = psl_builtin();
        return cached;
}

static int host_normalize(const char *value, bool allow_public_suffix, char **ret_normalized,
                          const char **ret_reason)
{
        _cleanup_free_ char *lowered = NULL, *ace = NULL;
        const psl_ctx_t *psl;
        bool ascii;
        int r;

        assert(value);

        if (!*value)
                return fail(ret_reason, -EINVAL, "is empty");
        if (strlen(value) > HOST_INPUT_MAX)
                return fail(ret_reason, -EINVAL, "is longer than 4096 bytes");

        r = host_check_characters(value, &ascii, ret_reason);
        if (r < 0)
                return r;

        lowered = strdup(value);
        if (!lowered)
                return fail(ret_reason, -ENOMEM, "could not be copied: out of memory");
        for (char *p = lowered; *p; p++)
                if (*p >= 'A' && *p <= 'Z')
                        *p = (char) (*p - 'A' + 'a');

        /* An ASCII name gets the exact syntax reason before IDNA reports its coarser one. */
        if (ascii) {
                r = host_check_ldh(lowered, ret_reason);
                if (r < 0)
                        return r;
        }

        r = idn2_to_ascii_8z(lowered, &ace, IDNA_FLAGS);
        if (r == IDN2_MALLOC)
                return fail(ret_reason, -ENOMEM, "could not be converted: out of memory");
        if (r != IDN2_OK)
                return fail(ret_reason, -EINVAL, idn2_error_to_reason(r));

        /* The mapping may have produced dots (U+3002, U+FF0E, U+FF61) or other ASCII, so check again. */
        r = host_check_ldh(ace, ret_reason);
        if (r < 0)
                return r;

        if (!allow_public_suffix) {
                psl = public_suffix_list();
                if (!psl)
                        return fail(ret_reason, -ENODATA, "could not be checked: no public suffix list");
                if (psl_is_public_suffix2(psl, ace, PSL_TYPE_ANY))
                        return fail(ret_reason, -EINVAL, "is a public suffix");
        }

        if (ret_normalized)
                *ret_normalized = TAKE_PTR(ace);
        return 0;
}

int validate_domain(const char *value, char **ret_normalized, const char **ret_reason)
{
        return host_normalize(value, false, ret_normalized, ret_reason);
}

int validate_hostname(const char *value, char **ret_normalized, const char **ret_reason)
{
        return host_normalize(value, true, ret_normalized, ret_reason);
}

int validate_account_name(const char *value, char **ret_normalized, const char **ret_reason)
{
        size_t len;

        assert(value);

        len = strlen(value);
        if (len == 0)
                return fail(ret_reason, -EINVAL, "is empty");
        if (len > ACCOUNT_NAME_MAX_LEN)
                return fail(ret_reason, -EINVAL, "is longer than 16 characters");
        if (!(value[0] >= 'a' && value[0] <= 'z'))
                return fail(ret_reason, -EINVAL, "does not start with a lowercase letter");
        for (size_t i = 1; i < len; i++)
                if (!((value[i] >= 'a' && value[i] <= 'z') || ascii_is_digit(value[i])))
                        return fail(ret_reason, -EINVAL, "contains a character other than a-z and 0-9");

        return set_normalized(ret_normalized, value, ret_reason);
}

static bool email_is_local_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ascii_is_digit(c) || c == '_' ||
               c == '+' || c == '-';
}

int validate_email(const char *value, char **ret_normalized, const char **ret_reason)
{
        _cleanup_free_ char *domain = NULL, *joined = NULL;
        const char *at, *reason = NULL;
        size_t local_len;
        int r;

        assert(value);

        if (!*value)
                return fail(ret_reason, -EINVAL, "is empty");

        at = strchr(value, '@');
        if (!at)
                return fail(ret_reason, -EINVAL, "has no '@'");

        local_len = (size_t) (at - value);
        if (local_len == 0)
                return fail(ret_reason, -EINVAL, "has an empty local part");
        if (local_len > EMAIL_LOCAL_MAX_LEN)
                return fail(ret_reason, -EINVAL, "has a local part longer than 64 bytes");
        if (value[0] == '-')
                return fail(ret_reason, -EINVAL, "has a local part that starts with a hyphen");
        if (value[0] == '.' || value[local_len - 1] == '.')
                return fail(ret_reason, -EINVAL, "has a local part that starts or ends with a dot");

        for (size_t i = 0; i < local_len; i++) {
                if (value[i] == '.' && value[i + 1] == '.')
                        return fail(ret_reason, -EINVAL, "has two consecutive dots in the local part");
                if (value[i] != '.' && !email_is_local_char(value[i]))
                        return fail(
                                ret_reason, -EINVAL,
                                "has a local part with a character other than letters, digits and . _ + -");
        }

        r = validate_hostname(at + 1, &domain, &reason);
        if (r == -EINVAL)
                return fail(ret_reason, r, "has an invalid domain part");
        if (r < 0)
                return fail(ret_reason, r, reason);

        if (asprintf(&joined, "%.*s@%s", (int) local_len, value, domain) < 0) {
                joined = NULL;
                return fail(ret_reason, -ENOMEM, "could not be copied: out of memory");
        }
        if (strlen(joined) > EMAIL_MAX_LEN)
                return fail(ret_reason, -EINVAL, "is longer than 254 bytes");

        if (ret_normalized)
                *ret_normalized = TAKE_PTR(joined);
        return 0;
}

static bool path_is_component_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ascii_is_digit(c) || c == '.' ||
               c == '_' || c == '@' || c == '+' || c == '-';
}

int validate_relative_path(const char *value, char **ret_normalized, const char **ret_reason)
{
        size_t len;

        assert(value);

        len = strlen(value);
        if (len == 0)
                return fail(ret_reason, -EINVAL, "is empty");
        if (len > RELATIVE_PATH_MAX_LEN)
                return fail(ret_reason, -EINVAL, "is longer than 255 bytes");
        if (value[0] == '/')
                return fail(ret_reason, -EINVAL, "is absolute");
        if (value[len - 1] == '/')
                return fail(ret_reason, -EINVAL, "ends with a slash");

        for (const char *c = value;;) {
                size_t n = strcspn(c, "/");

                if (n == 0)
                        return fail(ret_reason, -EINVAL, "has an empty component");
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return fail(ret_reason, -EINVAL, "has a '.' or '..' component");
                if (c[0] == '-')
                        return fail(ret_reason, -EINVAL, "has a component that starts with a hyphen");
                for (size_t i = 0; i < n; i++)
                        if (!path_is_component_char(c[i]))
                                return fail(ret_reason, -EINVAL,
                                            "has a character other than letters, digits and . _ @ + -");

                if (c[n] == '\0')
                        break;
                c += n + 1;
        }

        return set_normalized(ret_normalized, value, ret_reason);
}

static int hex_value(char c)
{
        if (ascii_is_digit(c))
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* RFC 3986 pchar without percent-encoding, plus '/' and '?', minus the single quote. */
static bool url_is_plain_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ascii_is_digit(c) ||
               strchr("-._~!$&()*+,;=:@/?", c);
}

/* Returns the byte a URL character stands for: itself, or the decoded value of a "%HH" escape. */
static int url_decode_at(const char *p, size_t *ret_len)
{
        int hi, lo;

        if (*p != '%') {
                *ret_len = 1;
                return (unsigned char) *p;
        }

        hi = hex_value(p[1]);
        lo = hi < 0 ? -1 : hex_value(p[2]);
        if (lo < 0)
                return -EINVAL;

        *ret_len = 3;
        return hi * 16 + lo;
}

static bool url_segment_is_dot_segment(const char *segment, size_t len)
{
        size_t dots = 0, n;

        for (const char *p = segment; p < segment + len; p += n) {
                if (url_decode_at(p, &n) != '.')
                        return false;
                dots++;
        }
        return dots == 1 || dots == 2;
}

int validate_url_path(const char *value, char **ret_normalized, const char **ret_reason)
{
        size_t len, path_len;

        assert(value);

        len = strlen(value);
        if (len == 0)
                return fail(ret_reason, -EINVAL, "is empty");
        if (len > URL_PATH_MAX_LEN)
                return fail(ret_reason, -EINVAL, "is longer than 2048 bytes");
        if (value[0] != '/')
                return fail(ret_reason, -EINVAL, "does not start with '/'");

        for (const char *p = value; *p;) {
                size_t n;
                int b;

                if (*p != '%' && !url_is_plain_char(*p))
                        return fail(ret_reason, -EINVAL,
                                    "contains a character that is not allowed unencoded in a URL path");

                b = url_decode_at(p, &n);
                if (b < 0)
                        return fail(ret_reason, -EINVAL, "has a '%' that is not followed by two hex digits");
                if (ascii_is_control((unsigned char) b))
                        return fail(ret_reason, -EINVAL, "encodes a control byte");
                p += n;
        }

        /* Dot segments, written plainly or as %2e, would name a different path once normalised.  The
         * query string is not a path, so it is not checked for them. */
        path_len = strcspn(value, "?");
        for (const char *segment = value + 1; segment <= value + path_len;) {
                size_t seg_len = strcspn(segment, "/?");

                if (url_segment_is_dot_segment(segment, seg_len))
                        return fail(ret_reason, -EINVAL, "has a '.' or '..' segment");
                segment += seg_len + 1;
        }

        return set_normalized(ret_normalized, value, ret_reason);
}

/* Parses a decimal without sign, spaces or leading zeros and at most max_digits long. */
static int parse_decimal(const char *s, size_t max_digits, unsigned long *ret)
{
        unsigned long v = 0;
        size_t len = strlen(s);

        if (len == 0 || len > max_digits)
                return -EINVAL;
        if (s[0] == '0' && len > 1)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (!ascii_is_digit(s[i]))
                        return -EINVAL;
                v = v * 10 + (unsigned long) (s[i] - '0');
        }

        *ret = v;
        return 0;
}

int validate_port(const char *value, uint16_t *ret, const char **ret_reason)
{
        unsigned long v;

        assert(value);

        if (parse_decimal(value, 5, &v) < 0)
                return fail(ret_reason, -EINVAL, "is not a decimal number without sign or leading zeros");
        if (v < 1 || v > 65535)
                return fail(ret_reason, -EINVAL, "is not between 1 and 65535");

        if (ret)
                *ret = (uint16_t) v;
        return 0;
}

static bool cidr_host_bits_zero(const unsigned char *addr, size_t addr_len, unsigned prefix)
{
        for (size_t i = 0; i < addr_len; i++) {
                unsigned first_bit = 8 * (unsigned) i, network_bits = 0;
                unsigned char host_mask;

                if (prefix >= first_bit + 8)
                        network_bits = 8;
                else if (prefix > first_bit)
                        network_bits = prefix - first_bit;
                host_mask = (unsigned char) (0xffu >> network_bits);

                if (addr[i] & host_mask)
                        return false;
        }
        return true;
}

int cidr_parse(const char *value, Cidr *ret, const char **ret_reason)
{
        char address[INET6_ADDRSTRLEN];
        const char *slash;
        unsigned long prefix;
        size_t address_len, addr_bytes;
        Cidr c = {};

        assert(value);

        slash = strchr(value, '/');
        address_len = slash ? (size_t) (slash - value) : strlen(value);
        if (address_len == 0)
                return fail(ret_reason, -EINVAL, "has no address");
        if (address_len >= sizeof(address))
                return fail(ret_reason, -EINVAL, "has an address that is too long");
        memcpy(address, value, address_len);
        address[address_len] = '\0';

        c.family = strchr(address, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(c.family, address, &c.addr) != 1)
                return fail(ret_reason, -EINVAL, "has an address that is not a valid IPv4 or IPv6 address");

        addr_bytes = c.family == AF_INET ? sizeof(c.addr.in) : sizeof(c.addr.in6);
        if (!slash)
                prefix = 8 * addr_bytes;
        else if (parse_decimal(slash + 1, 3, &prefix) < 0)
                return fail(
                        ret_reason, -EINVAL,
                        "has a prefix length that is not a decimal number without sign or leading zeros");
        if (prefix > 8 * addr_bytes)
                return fail(ret_reason, -EINVAL,
                            "has a prefix length that is too long for the address family");
        c.prefix = (unsigned) prefix;

        if (!cidr_host_bits_zero((const unsigned char *) &c.addr, addr_bytes, c.prefix))
                return fail(ret_reason, -EINVAL, "has host bits set beyond the prefix length");

        if (ret)
                *ret = c;
        return 0;
}

int validate_cidr(const char *value, char **ret_normalized, const char **ret_reason)
{
        char address[INET6_ADDRSTRLEN];
        char *text;
        Cidr c;
        int r;

        r = cidr_parse(value, &c, ret_reason);
        if (r < 0)
                return r;
        if (!ret_normalized)
                return 0;

        if (!inet_ntop(c.family, &c.addr, address, sizeof(address)))
                return fail(ret_reason, -errno, "could not be formatted");
        if (asprintf(&text, "%s/%u", address, c.prefix) < 0)
                return fail(ret_reason, -ENOMEM, "could not be formatted: out of memory");

        *ret_normalized = text;
        return 0;
}
