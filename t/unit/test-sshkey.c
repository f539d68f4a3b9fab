/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "macro.h"
#include "sshkey.h"

/* Public keys made with ssh-keygen 9.2 for these tests; the private halves were discarded. */
static const char key_ked[] =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsHVr4mT6lx9j9b7x4oHnVf4u0KD/EbyAVKjyH+gRD3";
static const char key_kr3072[] =
        "ssh-rsa "
        "AAAAB3NzaC1yc2EAAAADAQABAAABgQC4zyAUjFYlpGnZ0a3XSEbEkSeDxLlnzk2TTP3JN/wb7kS9wWwYrJry4XS0Au/"
        "fVWv9DN9h1Sdhlwic3s4cRyo8wPmwCvYdPfpt2vGil/nFnBAG8H3PG1W3i2bzK9vzx8rpFo84iSu54Tqml/"
        "om8c1PB1wsqyFBd3yZxlyv9K3R19qxE0lflEm/g2gz/1Xh2AVC0CZ9q1xRNYUOUKuK34E0Kw4H6vb01YFEiS9GQ5U/"
        "9f1f+Ej+S6DsFw0MKoIxGQWEWgR/"
        "OIASnbN5qCWOH7cVMyQpnyd0gibbmRXnrVRGljzeYFU3rKubY71ybrxHOYIFBbJMupQyYhCQUESeoDT/"
        "tv1JLhV8MeJpyfCC334c8ogn1MAaRrXf2Qr2d3a0Bjisovk+Mm0VzjLx4C+Kxap4I/edol3/"
        "YibgYwjkdWIM9jzwhPGpKLNsaxHalgUSdEPaymVpEKuSN3iZb5RhJHkQRs0RCS0xlJRdQJZiqQxhAVg5JfbxLzrAZ6dHVepXTf8"
        "=";
static const char key_kr4096[] =
        "ssh-rsa "
        "AAAAB3NzaC1yc2EAAAADAQABAAACAQDnRcJOOUizgUwz+yQe8Q3nl/b7eey4Z39s9/"
        "z40pl+DHd7IQ5d46VmqqfaHgAvDMDTVzs3Vcv0LGW6bGpFTuuLnXDEdPImweqehQquh4wj2+Zycdhrd9iaHN06+"
        "ShrZmnpzbIHTL0HOBitonpgs+"
        "zZd85qg1zSd7HejrfZFoxzmoNOTnmDJsRj6ijhovivgPb4nzx9YzmX3f6omSQUGWB4oxnvjxeNn1YNHszzSizrocsc00HkSViPp"
        "2bB5MotqrFHs18vnToppDoWRDr5kdSuHCo7XCv8Dnf02K13IVhbNkwHanOMvCVDYf1PkXp/e7LxQWG/"
        "a3oSOZoq877XZ9rNzPYigT0I5VDR3ztLePRtqiI4VM15fjx+"
        "jJgrYNXnX5bGfJvky4VbIyPwLkp7qjGb0uUIo1WICFWXbCwhEZLZQeC03/"
        "aihc08CyR7+fbYxZw+hDmwTfIWcG0PU8qkZkfzmk6XfqZxOE/VFOpPkINv2dAMl/"
        "pCBWRvkQXt0ADmz0r9jQGlYCv9BGokApjrOLy9tEqIHdegog72YekERYYRAo2UlAEW11REyHJTEpGKApWb/"
        "Wch4R1ip1ABtKK7xFDV3LVliX3A+yMD2vxYW9+8JPPMfVv9wufH1QhPIh+iwyp1X+"
        "t89jHhgBiXxDoCk9v16mEwbTDbCcas4WVJO0U6RQ==";
static const char key_kr2048[] = "ssh-rsa "
                                 "AAAAB3NzaC1yc2EAAAADAQABAAABAQCNyg694uSeqeXHKeZdCypJcKne6k2DqPyKglHS4ba6tm"
                                 "dKEQ8/kOIHURmiJG24ODkpsWt5ZSqKi0PR9pkEEcseZ/e/HCI2ZgpdOLN/"
                                 "kuYroVhVnpfZr5xUh4EgIfdYMLc5OoYECl5c4qCGv1VAZlj5QF5zsCy4d8SgWTf2k7D13r4kSW"
                                 "8tPfSdww1NOqw6gAd8YUnpTIX0DO+9fBrRKB4emWI+43q+"
                                 "Vy1qZfxJJlkDtbnVHT4q8yjuvNWfc3YKj4unTURbuBAza2lAEDIXevHZajdsCUnsLZZqCJAnO3"
                                 "L88oEiJlCjj6R+Oc7QdkHRNXDy7kNl4zVFj89d89Ga6XDd";
static const char key_kr1024[] = "ssh-rsa "
                                 "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDviHLGjGMz9o9RdV+"
                                 "oBnCmOxr1LN3jySUCMO4eNnhN6KHatDhz/JO5EwH2HfTk2p2ztAqyGYT/"
                                 "VSsfSA0JMWeao5TkFdAhLEmzMgTV1ENBsGQArfVkgRw7UEckgftDwLpk634NVmXmrgBl8t5u4R"
                                 "CiKzZ5pXnAU/uM5FYSBcxBQw==";
static const char key_kec256[] =
        "ecdsa-sha2-nistp256 "
        "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPTzTaZQ8+iG87HdrxxVyRnGn4M4o91vINjh+"
        "Wv8aGlWUZV5s10yVR9b6GuSSXH0IrpxXX5vqL1B3KjSbO8Ht6E=";
static const char key_kec384[] =
        "ecdsa-sha2-nistp384 "
        "AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBK4+idi5e0e6v1kqccOpqClTtE5hEvggfirkFff+"
        "KNXVp1XtmNX1D1HmvjlBqCCACTGnxQsvTtcdaAmWLCML7rawEcXhNtQRT7XGAnu6/ieTdj6Cmtk7JGgaoJVEkqtLGA==";
static const char key_kec521[] =
        "ecdsa-sha2-nistp521 "
        "AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAD7utsG+9CwrcZRAZdNx6G6TmS4ecv9IRqRgIe+"
        "vwIi6ZWve0S3gZ4eoDrCYkXFmAEFEw30RKo0Ha6u7ovhVwGrMgFarv4/"
        "qdWgspQ6k7cwldLkmDCVuF0qoQjmTcTZLp5Yod7efsuWbhaBBTQfQoEJI7OlfSQOAYvQOOkNTPyf5sw3rA==";
static const char key_kdsa[] =
        "ssh-dss "
        "AAAAB3NzaC1kc3MAAACBAKIOB0wgs2sBRJKoyVrc5H2u5IA7OZHQM8lPZE7SQd2ioxTn8vFDSdZ6ZJrFHbIxQnqHZq3bBR8u+"
        "e5dJRDeqV6LTX8XE/"
        "rNcaGH5gylYGeH5nM8AqGzbhe7OCtQuYQP4yMZvzNKSeBnjW2GB0cbSkccDkDqf+hKvxMaXlO153TxAAAAFQCdK+"
        "BGgAdX8FXiFW1j5TzAu7TBTQAAAIBDuuNJ+aFYQoTyPfP6Fj2nF2oOKgd1cr6q/"
        "dpa6s9Z42OpOpgSoKMHSA5CQdffjAOO40u9I/"
        "z+xdYvPTvyKlKZg3LoKmi0f4Uox1Kn331TGlQSO+"
        "aAY7GUhwQ4Nq1fRLiUg5SFyLzG7ku2bDtR6G9SozSiyiiGCkwi68fWVzbVwgAAAIBoUV6QK2u0+"
        "ZOHpm0KU6wtoE841x1L5wiUV+Kst8yeK4+Rj4jhgS1L3zxkifrMZ9DgfRZQbdXqsh83qNpIXmT7BwRAVFC1SfENA2L/"
        "MMBzBWLRfc9t+SSDyvF5xSDRihDSTUZqfQRt/byXCeHoSJDpPp55K+mQA81YGRkcyspItg==";

/* Builds SSH wire blobs for keys that ssh-keygen cannot make here (security keys) or will not make
 * (malformed ones). */
typedef struct Blob {
        uint8_t data[4096];
        size_t size;
} Blob;

static void blob_put_bytes(Blob *b, const void *p, size_t n)
{
        ck_assert_uint_le(b->size + 4 + n, sizeof(b->data));
        b->data[b->size++] = (uint8_t) (n >> 24);
        b->data[b->size++] = (uint8_t) (n >> 16);
        b->data[b->size++] = (uint8_t) (n >> 8);
        b->data[b->size++] = (uint8_t) n;
        memcpy(b->data + b->size, p, n);
        b->size += n;
}

static void blob_put_string(Blob *b, const char *s)
{
        blob_put_bytes(b, s, strlen(s));
}

static void blob_put_filled(Blob *b, size_t n, uint8_t first, uint8_t fill)
{
        uint8_t buf[2100];

        ck_assert_uint_le(n, sizeof(buf));
        memset(buf, fill, n);
        if (n > 0)
                buf[0] = first;
        blob_put_bytes(b, buf, n);
}

/* Returns "type base64(blob)[ comment]"; the caller frees it. */
static char *blob_line(const char *type, const Blob *b, const char *comment)
{
        _cleanup_free_ char *text = NULL;
        char *line = NULL;

        ck_assert_int_eq(base64_encode(b->data, b->size, &text), 0);
        ck_assert_int_ge(asprintf(&line, "%s %s%s%s", type, text, comment ? " " : "", comment ?: ""), 0);
        return line;
}

static void assert_rejected(const char *line, const char *expected_reason)
{
        SshKey k = {};
        const char *reason = NULL;

        ck_assert_int_eq(ssh_key_parse(line, 0, &k, &reason), -EINVAL);
        ck_assert_ptr_nonnull(reason);
        ck_assert_str_eq(reason, expected_reason);
        ck_assert_ptr_null(k.line);
}

static char *with_comment(const char *key, const char *comment)
{
        char *line = NULL;

        ck_assert_int_ge(asprintf(&line, "%s%s", key, comment), 0);
        return line;
}

START_TEST(test_parse_ed25519)
{
        SshKey k = {};
        const char *reason = NULL;
        _cleanup_free_ char *expected = with_comment(key_ked, " jt@test");

        ck_assert_int_eq(ssh_key_parse(expected, 0, &k, &reason), 0);
        ck_assert_int_eq(k.type, SSH_KEY_ED25519);
        ck_assert_uint_eq(k.bits, 256);
        ck_assert_str_eq(k.comment, "jt@test");
        ck_assert_str_eq(k.line, expected);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_parse_without_comment)
{
        SshKey k = {};
        const char *reason = NULL;

        ck_assert_int_eq(ssh_key_parse(key_ked, 0, &k, &reason), 0);
        ck_assert_ptr_null(k.comment);
        ck_assert_str_eq(k.line, key_ked);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_parse_rsa_sizes)
{
        SshKey k = {};
        const char *reason = NULL;

        ck_assert_int_eq(ssh_key_parse(key_kr3072, 0, &k, &reason), 0);
        ck_assert_int_eq(k.type, SSH_KEY_RSA);
        ck_assert_uint_eq(k.bits, 3072);
        ssh_key_done(&k);

        ck_assert_int_eq(ssh_key_parse(key_kr4096, 0, &k, &reason), 0);
        ck_assert_uint_eq(k.bits, 4096);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_parse_ecdsa_curves)
{
        SshKey k = {};
        const char *reason = NULL;

        ck_assert_int_eq(ssh_key_parse(key_kec256, 0, &k, &reason), 0);
        ck_assert_int_eq(k.type, SSH_KEY_ECDSA_P256);
        ck_assert_uint_eq(k.bits, 256);
        ssh_key_done(&k);

        ck_assert_int_eq(ssh_key_parse(key_kec384, 0, &k, &reason), 0);
        ck_assert_int_eq(k.type, SSH_KEY_ECDSA_P384);
        ssh_key_done(&k);

        ck_assert_int_eq(ssh_key_parse(key_kec521, 0, &k, &reason), 0);
        ck_assert_int_eq(k.type, SSH_KEY_ECDSA_P521);
        ck_assert_uint_eq(k.bits, 521);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_parse_security_keys)
{
        Blob b = {};
        SshKey k = {};
        const char *reason = NULL;
        _cleanup_free_ char *ed = NULL, *ec = NULL;

        blob_put_string(&b, "sk-ssh-ed25519@openssh.com");
        blob_put_filled(&b, 32, 0x11, 0x22);
        blob_put_string(&b, "ssh:");
        ed = blob_line("sk-ssh-ed25519@openssh.com", &b, "token");
        ck_assert_int_eq(ssh_key_parse(ed, 0, &k, &reason), 0);
        ck_assert_int_eq(k.type, SSH_KEY_SK_ED25519);
        ssh_key_done(&k);

        b = (Blob){};
        blob_put_string(&b, "sk-ecdsa-sha2-nistp256@openssh.com");
        blob_put_string(&b, "nistp256");
        blob_put_filled(&b, 65, 0x04, 0x33);
        blob_put_string(&b, "ssh:login");
        ec = blob_line("sk-ecdsa-sha2-nistp256@openssh.com", &b, NULL);
        ck_assert_int_eq(ssh_key_parse(ec, 0, &k, &reason), 0);
        ck_assert_int_eq(k.type, SSH_KEY_SK_ECDSA_P256);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_parse_normalises_spaces)
{
        SshKey k = {};
        const char *reason = NULL;
        _cleanup_free_ char *spaced = NULL, *expected = with_comment(key_ked, " my laptop  key");

        ck_assert_int_ge(
                asprintf(&spaced, "  ssh-ed25519   %s   my laptop  key   ", strchr(key_ked, ' ') + 1), 0);
        ck_assert_int_eq(ssh_key_parse(spaced, 0, &k, &reason), 0);
        ck_assert_str_eq(k.line, expected);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_parse_utf8_comment)
{
        SshKey k = {};
        const char *reason = NULL;
        _cleanup_free_ char *line = with_comment(key_ked, " Jürgen's Schlüssel");

        ck_assert_int_eq(ssh_key_parse(line, 0, &k, &reason), 0);
        ck_assert_str_eq(k.comment, "Jürgen's Schlüssel");
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_reject_short_rsa)
{
        assert_rejected(key_kr1024, "RSA key is shorter than the minimum size");
        assert_rejected(key_kr2048, "RSA key is shorter than the minimum size");
}
END_TEST

START_TEST(test_reject_below_configured_minimum)
{
        SshKey k = {};
        const char *reason = NULL;

        ck_assert_int_eq(ssh_key_parse(key_kr3072, 4096, &k, &reason), -EINVAL);
        ck_assert_str_eq(reason, "RSA key is shorter than the minimum size");
        ck_assert_int_eq(ssh_key_parse(key_kr4096, 4096, &k, &reason), 0);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_reject_dsa)
{
        assert_rejected(key_kdsa, "key type is not supported");
}
END_TEST

START_TEST(test_reject_certificate_type)
{
        _cleanup_free_ char *line = NULL;

        ck_assert_int_ge(asprintf(&line, "ssh-ed25519-cert-v01@openssh.com %s", strchr(key_ked, ' ') + 1),
                         0);
        assert_rejected(line, "key type is not supported");
}
END_TEST

START_TEST(test_reject_options)
{
        static const char *const prefixes[] = {
                "command=\"/bin/sh -c id\" ",
                "restrict ",
                "no-pty,command=\"x\" ",
                "environment=\"LD_PRELOAD=/tmp/x.so\" ",
                "from=\"*\" ",
                "cert-authority ",
                "no-pty ",
        };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                _cleanup_free_ char *line = NULL;

                ck_assert_int_ge(asprintf(&line, "%s%s", prefixes[i], key_ked), 0);
                assert_rejected(line, "key options are not accepted");
        }
}
END_TEST

START_TEST(test_reject_line_breaks_in_comment)
{
        static const char *const comments[] = {
                " x\ncommand=\"touch /tmp/pwn_sshkey\" ssh-ed25519 AAAA",
                " x\r\nssh-ed25519 AAAA",
                " x\ty",
                " x\x7fy",
                " x\x1b[2Jy",
                " x\xc2\x85y",     /* U+0085 NEXT LINE */
                " x\xe2\x80\xa8y", /* U+2028 LINE SEPARATOR */
                " x\xe2\x80\xaey", /* U+202E RIGHT-TO-LEFT OVERRIDE */
                " x\xe2\x81\xa6y", /* U+2066 LEFT-TO-RIGHT ISOLATE */
        };

        for (size_t i = 0; i < ELEMENTSOF(comments); i++) {
                _cleanup_free_ char *line = with_comment(key_ked, comments[i]);

                assert_rejected(line, "contains a control character or line break");
        }
}
END_TEST

START_TEST(test_reject_invalid_utf8)
{
        static const char *const comments[] = {
                " \xff",
                " \xc0\xaf",         /* overlong "/" */
                " \xed\xa0\x80",     /* a surrogate */
                " \xf4\x90\x80\x80", /* past U+10FFFF */
                " \xe2\x82",         /* truncated */
        };

        for (size_t i = 0; i < ELEMENTSOF(comments); i++) {
                _cleanup_free_ char *line = with_comment(key_ked, comments[i]);

                assert_rejected(line, "is not valid UTF-8");
        }
}
END_TEST

START_TEST(test_reject_type_mismatch)
{
        _cleanup_free_ char *rsa_named_ed = NULL, *ecdsa_other_curve = NULL;

        ck_assert_int_ge(asprintf(&rsa_named_ed, "ssh-rsa %s", strchr(key_ked, ' ') + 1), 0);
        assert_rejected(rsa_named_ed, "key data does not match the key type");

        ck_assert_int_ge(asprintf(&ecdsa_other_curve, "ecdsa-sha2-nistp384 %s", strchr(key_kec256, ' ') + 1),
                         0);
        assert_rejected(ecdsa_other_curve, "key data does not match the key type");
}
END_TEST

START_TEST(test_reject_bad_base64)
{
        assert_rejected("ssh-ed25519 AAAA!AAA", "key data is not valid base64");
        assert_rejected("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsHVr4mT6lx9j9b7x4oHnVf4u0KD/EbyAVKjyH+gRD",
                        "key data is not valid base64");
        /* "QR==" and "QQ==" both decode to "A" in lenient decoders; only the canonical one is valid. */
        assert_rejected("ssh-ed25519 QR==", "key data is not valid base64");
        assert_rejected("ssh-ed25519 AA=A", "key data is not valid base64");
}
END_TEST

START_TEST(test_reject_missing_parts)
{
        assert_rejected("", "is empty");
        assert_rejected("   ", "is empty");
        assert_rejected("ssh-ed25519", "has no key data");
        assert_rejected("ssh-ed25519   ", "has no key data");
}
END_TEST

START_TEST(test_reject_trailing_blob_data)
{
        Blob b = {};
        _cleanup_free_ char *line = NULL;

        blob_put_string(&b, "ssh-ed25519");
        blob_put_filled(&b, 32, 1, 2);
        blob_put_string(&b, "extra");
        line = blob_line("ssh-ed25519", &b, NULL);
        assert_rejected(line, "key data is malformed for its key type");
}
END_TEST

START_TEST(test_reject_malformed_fields)
{
        static const struct {
                const char *type;
                const char *curve;
                size_t point_size;
                uint8_t first;
        } points[] = {
                { "ecdsa-sha2-nistp256", "nistp256", 33, 0x02 }, /* compressed point */
                { "ecdsa-sha2-nistp256", "nistp256", 64, 0x04 }, /* one byte short */
                { "ecdsa-sha2-nistp256", "nistp384", 65, 0x04 }, /* curve differs from the type */
                { "ecdsa-sha2-nistp521", "nistp521", 133, 0x05 },
        };
        Blob b = {};
        _cleanup_free_ char *short_ed = NULL, *no_application = NULL;

        blob_put_string(&b, "ssh-ed25519");
        blob_put_filled(&b, 31, 1, 2);
        short_ed = blob_line("ssh-ed25519", &b, NULL);
        assert_rejected(short_ed, "key data is malformed for its key type");

        b = (Blob){};
        blob_put_string(&b, "sk-ssh-ed25519@openssh.com");
        blob_put_filled(&b, 32, 1, 2);
        no_application = blob_line("sk-ssh-ed25519@openssh.com", &b, NULL);
        assert_rejected(no_application, "key data is malformed for its key type");

        for (size_t i = 0; i < ELEMENTSOF(points); i++) {
                _cleanup_free_ char *line = NULL;

                b = (Blob){};
                blob_put_string(&b, points[i].type);
                blob_put_string(&b, points[i].curve);
                blob_put_filled(&b, points[i].point_size, points[i].first, 7);
                line = blob_line(points[i].type, &b, NULL);
                assert_rejected(line, "key data is malformed for its key type");
        }
}
END_TEST

START_TEST(test_reject_bad_rsa_numbers)
{
        static const struct {
                size_t e_size;
                uint8_t e_first, e_fill;
                size_t n_size;
                uint8_t n_first, n_fill;
        } cases[] = {
                { 3, 0x01, 0x01, 384, 0xc1, 0x02 },  /* even modulus */
                { 3, 0x01, 0x01, 384, 0x81, 0x01 },  /* negative modulus */
                { 3, 0x01, 0x01, 385, 0x00, 0x01 },  /* leading zero the sign does not need */
                { 3, 0x01, 0x00, 384, 0x41, 0x01 },  /* even exponent */
                { 1, 0x01, 0x01, 384, 0x41, 0x01 },  /* exponent 1 */
                { 0, 0x00, 0x00, 384, 0x41, 0x01 },  /* exponent 0 (empty mpint) */
                { 3, 0x01, 0x01, 2050, 0x41, 0x01 }, /* modulus past 16384 bits */
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Blob b = {};
                _cleanup_free_ char *line = NULL;

                blob_put_string(&b, "ssh-rsa");
                blob_put_filled(&b, cases[i].e_size, cases[i].e_first, cases[i].e_fill);
                blob_put_filled(&b, cases[i].n_size, cases[i].n_first, cases[i].n_fill);
                line = blob_line("ssh-rsa", &b, NULL);
                assert_rejected(line, "key data is malformed for its key type");
        }
}
END_TEST

START_TEST(test_accept_synthetic_rsa)
{
        Blob b = {};
        SshKey k = {};
        const char *reason = NULL;
        _cleanup_free_ char *line = NULL;

        /* e = 65537 and an odd 3072-bit modulus whose top bit needs the sign byte. */
        blob_put_string(&b, "ssh-rsa");
        blob_put_bytes(&b, "\x01\x00\x01", 3);
        {
                uint8_t n[385];

                memset(n, 0x55, sizeof(n));
                n[0] = 0x00;
                n[1] = 0x80;
                n[384] = 0x01;
                blob_put_bytes(&b, n, sizeof(n));
        }
        line = blob_line("ssh-rsa", &b, NULL);
        ck_assert_int_eq(ssh_key_parse(line, 0, &k, &reason), 0);
        ck_assert_uint_eq(k.bits, 3072);
        ssh_key_done(&k);
}
END_TEST

START_TEST(test_reject_long_comment)
{
        char comment[SSH_KEY_COMMENT_MAX + 3];
        _cleanup_free_ char *ok = NULL, *too_long = NULL;
        SshKey k = {};
        const char *reason = NULL;

        comment[0] = ' ';
        memset(comment + 1, 'c', SSH_KEY_COMMENT_MAX);
        comment[SSH_KEY_COMMENT_MAX + 1] = 0;
        ok = with_comment(key_ked, comment);
        ck_assert_int_eq(ssh_key_parse(ok, 0, &k, &reason), 0);
        ssh_key_done(&k);

        comment[SSH_KEY_COMMENT_MAX + 1] = 'c';
        comment[SSH_KEY_COMMENT_MAX + 2] = 0;
        too_long = with_comment(key_ked, comment);
        assert_rejected(too_long, "comment is longer than 256 bytes");
}
END_TEST

START_TEST(test_reject_long_line)
{
        _cleanup_free_ char *line = malloc(SSH_KEY_LINE_MAX + 2);

        ck_assert_ptr_nonnull(line);
        memset(line, 'A', SSH_KEY_LINE_MAX + 1);
        line[SSH_KEY_LINE_MAX + 1] = 0;
        assert_rejected(line, "is longer than 4096 bytes");
}
END_TEST

START_TEST(test_check_normalises)
{
        _cleanup_free_ char *normalized = NULL, *spaced = NULL;
        const char *reason = NULL;

        ck_assert_int_ge(asprintf(&spaced, " %s  laptop ", key_ked), 0);
        ck_assert_int_eq(ssh_key_check(spaced, &normalized, &reason), 0);
        ck_assert_ptr_nonnull(normalized);
        ck_assert_str_eq(strchr(normalized, ' ') + 1 + strlen(strchr(key_ked, ' ') + 1), " laptop");
}
END_TEST

START_TEST(test_same_ignores_comment)
{
        SshKey a = {}, b = {}, c = {};
        const char *reason = NULL;
        _cleanup_free_ char *commented = with_comment(key_ked, " other");

        ck_assert_int_eq(ssh_key_parse(key_ked, 0, &a, &reason), 0);
        ck_assert_int_eq(ssh_key_parse(commented, 0, &b, &reason), 0);
        ck_assert_int_eq(ssh_key_parse(key_kec256, 0, &c, &reason), 0);
        ck_assert(ssh_key_same(&a, &b));
        ck_assert(!ssh_key_same(&a, &c));
        ssh_key_done(&a);
        ssh_key_done(&b);
        ssh_key_done(&c);
}
END_TEST

START_TEST(test_type_names)
{
        for (int i = 0; i < _SSH_KEY_TYPE_MAX; i++)
                ck_assert_int_eq(ssh_key_type_from_string(ssh_key_type_to_string(i)), i);
        ck_assert_int_eq(ssh_key_type_from_string("ssh-dss"), _SSH_KEY_TYPE_INVALID);
        ck_assert_int_eq(ssh_key_type_from_string(NULL), _SSH_KEY_TYPE_INVALID);
        ck_assert_ptr_null(ssh_key_type_to_string(_SSH_KEY_TYPE_MAX));
}
END_TEST

static Suite *sshkey_suite(void)
{
        Suite *s = suite_create("sshkey");
        TCase *tc = tcase_create("parse");

        tcase_add_test(tc, test_parse_ed25519);
        tcase_add_test(tc, test_parse_without_comment);
        tcase_add_test(tc, test_parse_rsa_sizes);
        tcase_add_test(tc, test_parse_ecdsa_curves);
        tcase_add_test(tc, test_parse_security_keys);
        tcase_add_test(tc, test_parse_normalises_spaces);
        tcase_add_test(tc, test_parse_utf8_comment);
        tcase_add_test(tc, test_accept_synthetic_rsa);
        tcase_add_test(tc, test_check_normalises);
        tcase_add_test(tc, test_same_ignores_comment);
        tcase_add_test(tc, test_type_names);
        suite_add_tcase(s, tc);

        tc = tcase_create("reject");
        tcase_add_test(tc, test_reject_short_rsa);
        tcase_add_test(tc, test_reject_below_configured_minimum);
        tcase_add_test(tc, test_reject_dsa);
        tcase_add_test(tc, test_reject_certificate_type);
        tcase_add_test(tc, test_reject_options);
        tcase_add_test(tc, test_reject_line_breaks_in_comment);
        tcase_add_test(tc, test_reject_invalid_utf8);
        tcase_add_test(tc, test_reject_type_mismatch);
        tcase_add_test(tc, test_reject_bad_base64);
        tcase_add_test(tc, test_reject_missing_parts);
        tcase_add_test(tc, test_reject_trailing_blob_data);
        tcase_add_test(tc, test_reject_malformed_fields);
        tcase_add_test(tc, test_reject_bad_rsa_numbers);
        tcase_add_test(tc, test_reject_long_comment);
        tcase_add_test(tc, test_reject_long_line);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(sshkey_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
