/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/*
 * Validators for names that reach paths, config files and commands.  Each returns 0 or a negative errno:
 * -EINVAL for a rejected value, -ENOMEM, or -ENODATA when the public suffix list cannot be loaded.  On
 * failure *ret_reason is set to a static reason that never quotes the value.  A reason is a lowercase
 * clause that completes a sentence about the value, such as "ends with a dot".  On success
 * *ret_normalized is set to a newly allocated normalised copy (the same text when nothing changes) for the
 * caller to free.  Both ret_normalized and ret_reason may be NULL.  Those with the ParamStringCheck shape
 * (value, ret_normalized, ret_reason) plug straight into param tables.
 */

/*
 * A DNS domain name.  ASCII input must be letters, digits, hyphens and dots, so '%', '_', spaces and
 * config-file metacharacters are rejected.  Non-ASCII input must be valid UTF-8 without control, space or
 * invisible characters (zero-width space, ZWNJ, ZWJ, BOM, soft hyphen, bidi and other format controls).
 * These are rejected because UTS #46 would drop several of them and yield a name other than the one a
 * person reads.
 *
 * The name is then lowercased and converted to A-labels by UTS #46, non-transitional, with NFC.  A
 * Cyrillic letter thus gives an xn-- label that never equals a Latin name, and U+3002, U+FF0E and U+FF61
 * map to '.' as UTS #46 defines.
 *
 * The result must have LDH labels of 1-63 bytes without a leading or trailing hyphen and at least two
 * labels, at most 253 bytes, no empty label and no trailing dot.  "--" in the third and fourth positions
 * is allowed only in an xn-- label that round-trips through IDNA unchanged.  The top-level label must not
 * be all digits, and the name must not be a public suffix by libpsl's ICANN and private sections: "com",
 * "co.uk" and "github.io" are rejected, "example.co.uk" is accepted.
 */
int validate_domain(const char *value, char **ret_normalized, const char **ret_reason);

/* The same, but a public suffix is allowed, for hostnames that only need the syntax.  At least two labels
 * are still required. */
int validate_hostname(const char *value, char **ret_normalized, const char **ret_reason);

/* An account name: ^[a-z][a-z0-9]{0,15}$.  Syntax only: whether the name belongs to a system account is
 * for the caller to check against the host. */
int validate_account_name(const char *value, char **ret_normalized, const char **ret_reason);

/*
 * An e-mail address: a dot-atom local part of at most 64 bytes and a domain accepted by
 * validate_hostname(), at most 254 bytes in all.  The local part allows only letters, digits and
 * "._+-" (a subset of RFC 5322 atext without quote, '$', '{', '}', '|', '/', '%' and the like, which
 * are metacharacters in config files, mail aliases and shells), must not start with '-' so it cannot be
 * read as an option, and keeps its case.  The domain part is normalised.
 */
int validate_email(const char *value, char **ret_normalized, const char **ret_reason);

/* A relative path: components of [A-Za-z0-9._@+-] that are not "." or "..", no leading "-" in a component,
 * no empty component, no leading or trailing slash, at most 255 bytes. */
int validate_relative_path(const char *value, char **ret_normalized, const char **ret_reason);

/*
 * A URL path for cache purge, with an optional query: starts with '/', at most 2048 bytes, made of RFC 3986
 * unreserved and sub-delimiter characters, ':', '@', '/', '?' and "%HH" escapes.  Rejected: spaces,
 * quotes (the single quote although RFC 3986 allows it), backslashes, '#', '<', '>', '{', '}', '|', '^',
 * '`', control bytes written plainly or as an escape, and "." or ".." path segments, also as %2e.
 */
int validate_url_path(const char *value, char **ret_normalized, const char **ret_reason);

/* A TCP/UDP port number 1-65535 given as a decimal string without sign or leading zeros. */
int validate_port(const char *value, uint16_t *ret, const char **ret_reason);

/*
 * A CIDR "a.b.c.d/n" or "x::y/n", where a bare address means /32 or /128.  The address is what
 * inet_pton() accepts, so IPv4 octets have no leading zeros and IPv6 has no zone index.  The prefix length
 * is decimal without sign, spaces or leading zeros and at most 32 or 128.  Host bits must be zero.  The
 * normalised form is the inet_ntop() text with the prefix length, such as "2001:db8::/32" for
 * "2001:0DB8::/32".  The check is syntax only, so "0.0.0.0/0" is accepted.  cidr_parse() and
 * validate_port() store into *ret only on success, and ret may be NULL.
 */
typedef struct Cidr {
        int family; /* AF_INET or AF_INET6 */
        union {
                struct in_addr in;
                struct in6_addr in6;
        } addr;
        unsigned prefix;
} Cidr;

int cidr_parse(const char *value, Cidr *ret, const char **ret_reason);
int validate_cidr(const char *value, char **ret_normalized, const char **ret_reason);
