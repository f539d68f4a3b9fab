/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/*
 * Validators for names that reach paths, config files and commands.  Each returns 0 or a negative errno
 * (-EINVAL) and, on failure, a static reason that never quotes the value.  Those with the ParamStringCheck
 * shape (value, ret_normalized, ret_reason) plug straight into param tables.
 */

/* A DNS domain name: lowercased, IDN converted to A-labels (UTS #46, non-transitional), LDH labels of 1-63
 * bytes, total at most 253, at least two labels, no trailing dot, not a public suffix (libpsl). */
int validate_domain(const char *value, char **ret_normalized, const char **ret_reason);

/* The same, but a public suffix is allowed (DNS zones of registries are out of scope; used for hostnames
 * that only need the syntax). */
int validate_hostname(const char *value, char **ret_normalized, const char **ret_reason);

/* An account name: ^[a-z][a-z0-9]{0,15}$. */
int validate_account_name(const char *value, char **ret_normalized, const char **ret_reason);

/* An e-mail address: a dot-atom local part of at most 64 bytes (RFC 5322 atext, no quoted form) and a
 * domain accepted by validate_hostname(); the domain part is normalised. */
int validate_email(const char *value, char **ret_normalized, const char **ret_reason);

/* A relative path: components of [A-Za-z0-9._@+-] that are not "." or "..", no leading "-" in a component,
 * no empty component, no leading or trailing slash, at most 255 bytes. */
int validate_relative_path(const char *value, char **ret_normalized, const char **ret_reason);

/* A URL path for cache purge: starts with '/', printable ASCII without spaces, quotes, backslashes or
 * control bytes, at most 2048 bytes. */
int validate_url_path(const char *value, char **ret_normalized, const char **ret_reason);

/* A TCP/UDP port number 1-65535 given as a decimal string without sign or leading zeros. */
int validate_port(const char *value, uint16_t *ret, const char **ret_reason);

/* A CIDR "a.b.c.d/n" or "x::y/n" (a bare address means /32 or /128).  Host bits must be zero.  The
 * normalised form is the canonical text with the prefix length. */
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
