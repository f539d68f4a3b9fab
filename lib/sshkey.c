/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "macro.h"
#include "sshkey.h"

static const char *const type_names[_SSH_KEY_TYPE_MAX] = {
        [SSH_KEY_ED25519] = "ssh-ed25519",
        [SSH_KEY_ECDSA_P256] = "ecdsa-sha2-nistp256",
        [SSH_KEY_ECDSA_P384] = "ecdsa-sha2-nistp384",
        [SSH_KEY_ECDSA_P521] = "ecdsa-sha2-nistp521",
        [SSH_KEY_SK_ED25519] = "sk-ssh-ed25519@openssh.com",
        [SSH_KEY_SK_ECDSA_P256] = "sk-ecdsa-sha2-nistp256@openssh.com",
        [SSH_KEY_RSA] = "ssh-rsa",
};

const char *ssh_key_type_to_string(SshKeyType t)
{
        if (t < 0 || t >= _SSH_KEY_TYPE_MAX)
                return NULL;
        return type_names[t];
}

SshKeyType ssh_key_type_from_string(const char *s)
{
        if (!s)
                return _SSH_KEY_TYPE_INVALID;
        for (int i = 0; i < _SSH_KEY_TYPE_MAX; i++)
                if (streq(type_names[i], s))
                        return (SshKeyType) i;
        return _SSH_KEY_TYPE_INVALID;
}

/* Accepts well-formed UTF-8 without C0 or C1 controls, DEL, the Unicode line and paragraph separators or
 * the bidirectional embedding, override and isolate controls, so a key line stays one line and its
 * comment displays as what it is. */
static int check_printable_utf8(const char *s, const char **ret_reason)
{
        const unsigned char *p = (const unsigned char *) s;

        while (*p) {
                uint32_t cp;
                unsigned len;

                if (*p < 0x80) {
                        if (*p < 0x20 || *p == 0x7f) {
                                *ret_reason = "contains a control character or line break";
                                return -EINVAL;
                        }
                        p++;
                        continue;
                }

                if ((*p & 0xe0) == 0xc0) {
                        cp = *p & 0x1f;
                        len = 2;
                } else if ((*p & 0xf0) == 0xe0) {
                        cp = *p & 0x0f;
                        len = 3;
                } else if ((*p & 0xf8) == 0xf0) {
                        cp = *p & 0x07;
                        len = 4;
                } else {
                        *ret_reason = "is not valid UTF-8";
                        return -EINVAL;
                }

                for (unsigned i = 1; i < len; i++) {
                        if ((p[i] & 0xc0) != 0x80) {
                                *ret_reason = "is not valid UTF-8";
                                return -EINVAL;
                        }
                        cp = cp << 6 | (p[i] & 0x3f);
                }

                /* Overlong forms, surrogates and values past U+10FFFF. */
                if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
                        *ret_reason = "is not valid UTF-8";
                        return -EINVAL;
                }

                if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
                    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
                        *ret_reason = "contains a control character or line break";
                        return -EINVAL;
                }

                p += len;
        }

        return 0;
}

/* A reader over the SSH wire encoding (RFC 4251 section 5). */
typedef struct WireReader {
        const uint8_t *p;
        size_t left;
} WireReader;

static int wire_read_string(WireReader *r, const uint8_t **ret, size_t *ret_size)
{
        uint32_t n;

        if (r->left < 4)
                return -EINVAL;
        n = (uint32_t) r->p[0] << 24 | (uint32_t) r->p[1] << 16 | (uint32_t) r->p[2] << 8 | r->p[3];
        if (n > r->left - 4)
                return -EINVAL;

        *ret = r->p + 4;
        *ret_size = n;
        r->p += 4 + n;
        r->left -= 4 + n;
        return 0;
}

static bool wire_string_equals(const uint8_t *s, size_t size, const char *expected)
{
        return size == strlen(expected) && memcmp(s, expected, size) == 0;
}

/* Reads a positive mpint in its minimal encoding and returns its size in bits. */
static int wire_read_positive_mpint(WireReader *r, const uint8_t **ret, size_t *ret_size, unsigned *ret_bits)
{
        const uint8_t *v;
        size_t n;
        unsigned bits;

        if (wire_read_string(r, &v, &n) < 0 || n == 0)
                return -EINVAL;

        /* The sign bit set means a negative number. */
        if (v[0] & 0x80)
                return -EINVAL;

        /* A leading zero byte is only allowed (and required) before a byte with its high bit set. */
        if (v[0] == 0) {
                if (n == 1 || !(v[1] & 0x80))
                        return -EINVAL;
                v++;
                n--;
        }

        if (n > SSH_KEY_RSA_MAX_BITS / 8)
                return -EINVAL;

        bits = (unsigned) n * 8 - (unsigned) __builtin_clz(v[0]) + 24;
        *ret = v;
        *ret_size = n;
        *ret_bits = bits;
        return 0;
}

static int parse_ecdsa_point(WireReader *r, const char *curve, size_t coordinate_size)
{
        const uint8_t *s;
        size_t n;

        if (wire_read_string(r, &s, &n) < 0 || !wire_string_equals(s, n, curve))
                return -EINVAL;

        /* Only the uncompressed form (0x04, X, Y) that OpenSSH writes. */
        if (wire_read_string(r, &s, &n) < 0 || n != 1 + 2 * coordinate_size || s[0] != 0x04)
                return -EINVAL;

        return 0;
}

static int parse_sk_application(WireReader *r)
{
        const uint8_t *s;
        size_t n;

        if (wire_read_string(r, &s, &n) < 0 || n == 0 || n > 255)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (s[i] <= 0x20 || s[i] >= 0x7f)
                        return -EINVAL;
        return 0;
}

/* Checks that the blob carries exactly the fields of its type.  Returns the key size in bits. */
static int parse_blob(SshKeyType type, const uint8_t *blob, size_t size, unsigned *ret_bits,
                      const char **ret_reason)
{
        WireReader r = { blob, size };
        const uint8_t *s;
        size_t n;
        unsigned bits = 0;

        if (wire_read_string(&r, &s, &n) < 0 || !wire_string_equals(s, n, ssh_key_type_to_string(type))) {
                *ret_reason = "key data does not match the key type";
                return -EINVAL;
        }

        switch (type) {
        case SSH_KEY_ED25519:
        case SSH_KEY_SK_ED25519:
                if (wire_read_string(&r, &s, &n) < 0 || n != 32)
                        goto malformed;
                if (type == SSH_KEY_SK_ED25519 && parse_sk_application(&r) < 0)
                        goto malformed;
                bits = 256;
                break;

        case SSH_KEY_ECDSA_P256:
        case SSH_KEY_SK_ECDSA_P256:
                if (parse_ecdsa_point(&r, "nistp256", 32) < 0)
                        goto malformed;
                if (type == SSH_KEY_SK_ECDSA_P256 && parse_sk_application(&r) < 0)
                        goto malformed;
                bits = 256;
                break;

        case SSH_KEY_ECDSA_P384:
                if (parse_ecdsa_point(&r, "nistp384", 48) < 0)
                        goto malformed;
                bits = 384;
                break;

        case SSH_KEY_ECDSA_P521:
                if (parse_ecdsa_point(&r, "nistp521", 66) < 0)
                        goto malformed;
                bits = 521;
                break;

        case SSH_KEY_RSA: {
                const uint8_t *e, *modulus;
                size_t e_size, modulus_size;
                unsigned e_bits;

                if (wire_read_positive_mpint(&r, &e, &e_size, &e_bits) < 0 ||
                    wire_read_positive_mpint(&r, &modulus, &modulus_size, &bits) < 0)
                        goto malformed;

                /* The public exponent is odd and at least 3, and the modulus is odd. */
                if (e_bits > 64 || !(e[e_size - 1] & 1) || (e_size == 1 && e[0] < 3) ||
                    !(modulus[modulus_size - 1] & 1))
                        goto malformed;
                break;
        }

        default:
                assert(false);
                goto malformed;
        }

        if (r.left != 0)
                goto malformed;

        *ret_bits = bits;
        return 0;

malformed:
        *ret_reason = "key data is malformed for its key type";
        return -EINVAL;
}

/* Words that start an authorized_keys line with options (sshd(8), AUTHORIZED_KEYS FILE FORMAT). */
static bool looks_like_options(const char *word, const char *rest)
{
        if (strpbrk(word, "=\","))
                return true;

        /* "restrict ssh-ed25519 AAAA...": a bare option word followed by a key type. */
        while (*rest == ' ')
                rest++;
        size_t n = strcspn(rest, " ");
        for (int i = 0; i < _SSH_KEY_TYPE_MAX; i++)
                if (n == strlen(type_names[i]) && strncmp(rest, type_names[i], n) == 0)
                        return true;
        return false;
}

int ssh_key_parse(const char *text, unsigned rsa_min_bits, SshKey *ret, const char **ret_reason)
{
        _cleanup_free_ char *type_word = NULL, *blob_text = NULL, *comment = NULL, *line = NULL;
        _cleanup_free_ uint8_t *blob = NULL;
        const char *p, *reason = NULL;
        size_t n, blob_size;
        SshKeyType type;
        unsigned bits;
        int r;

        assert(text);
        assert(ret);
        assert(ret_reason);

        if (rsa_min_bits < SSH_KEY_RSA_MIN_BITS)
                rsa_min_bits = SSH_KEY_RSA_MIN_BITS;

        if (strlen(text) > SSH_KEY_LINE_MAX) {
                *ret_reason = "is longer than 4096 bytes";
                return -EINVAL;
        }

        r = check_printable_utf8(text, &reason);
        if (r < 0) {
                *ret_reason = reason;
                return r;
        }

        p = text + strspn(text, " ");
        n = strcspn(p, " ");
        if (n == 0) {
                *ret_reason = "is empty";
                return -EINVAL;
        }
        type_word = strndup(p, n);
        if (!type_word)
                return -ENOMEM;
        p += n;

        type = ssh_key_type_from_string(type_word);
        if (type < 0) {
                *ret_reason = looks_like_options(type_word, p) ? "key options are not accepted"
                                                               : "key type is not supported";
                return -EINVAL;
        }

        p += strspn(p, " ");
        n = strcspn(p, " ");
        if (n == 0) {
                *ret_reason = "has no key data";
                return -EINVAL;
        }
        blob_text = strndup(p, n);
        if (!blob_text)
                return -ENOMEM;
        p += n;

        r = base64_decode(blob_text, strlen(blob_text), &blob, &blob_size);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                *ret_reason = "key data is not valid base64";
                return -EINVAL;
        }

        r = parse_blob(type, blob, blob_size, &bits, &reason);
        if (r < 0) {
                *ret_reason = reason;
                return r;
        }

        if (type == SSH_KEY_RSA && bits < rsa_min_bits) {
                *ret_reason = "RSA key is shorter than the minimum size";
                return -EINVAL;
        }

        /* The comment is the rest of the line with the surrounding spaces removed. */
        p += strspn(p, " ");
        n = strlen(p);
        while (n > 0 && p[n - 1] == ' ')
                n--;
        if (n > SSH_KEY_COMMENT_MAX) {
                *ret_reason = "comment is longer than 256 bytes";
                return -EINVAL;
        }
        if (n > 0) {
                comment = strndup(p, n);
                if (!comment)
                        return -ENOMEM;
        }

        if (asprintf(&line, "%s %s%s%s", type_word, blob_text, comment ? " " : "", comment ?: "") < 0)
                return -ENOMEM;

        *ret = (SshKey){
                .type = type,
                .bits = bits,
                .blob = TAKE_PTR(blob_text),
                .comment = TAKE_PTR(comment),
                .line = TAKE_PTR(line),
        };
        return 0;
}

void ssh_key_done(SshKey *k)
{
        if (!k)
                return;
        free(k->blob);
        free(k->comment);
        free(k->line);
        *k = (SshKey){};
}

int ssh_key_check(const char *value, char **ret_normalized, const char **ret_reason)
{
        SshKey k = {};
        int r;

        r = ssh_key_parse(value, SSH_KEY_RSA_MIN_BITS, &k, ret_reason);
        if (r < 0)
                return r;

        if (ret_normalized)
                *ret_normalized = TAKE_PTR(k.line);
        ssh_key_done(&k);
        return 0;
}

bool ssh_key_same(const SshKey *a, const SshKey *b)
{
        assert(a);
        assert(b);

        return a->type == b->type && streq(a->blob, b->blob);
}
