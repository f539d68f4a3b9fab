/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Public keys for authorized_keys.  A key is accepted only as "type base64-blob [comment]": no options, a
 * type from the allowlist, a blob in canonical base64 whose SSH wire encoding names the same type and
 * holds exactly the fields of that type, RSA moduli of at least the configured size, and a comment of
 * printable UTF-8.  The canonical line rebuilt from those parts is the only thing ever written, so one key
 * is always exactly one plain line.
 */

typedef enum SshKeyType {
        SSH_KEY_ED25519,
        SSH_KEY_ECDSA_P256,
        SSH_KEY_ECDSA_P384,
        SSH_KEY_ECDSA_P521,
        SSH_KEY_SK_ED25519,
        SSH_KEY_SK_ECDSA_P256,
        SSH_KEY_RSA,
        _SSH_KEY_TYPE_MAX,
        _SSH_KEY_TYPE_INVALID = -EINVAL,
} SshKeyType;

/* The OpenSSH names ("ssh-ed25519", "sk-ssh-ed25519@openssh.com", ...). */
const char *ssh_key_type_to_string(SshKeyType t);
SshKeyType ssh_key_type_from_string(const char *s);

/* RSA keys below this many modulus bits are rejected whatever the configuration says. */
#define SSH_KEY_RSA_MIN_BITS 3072u
/* OpenSSH refuses RSA moduli above 16384 bits (SSH_RSA_MAXIMUM_MODULUS_SIZE in OpenSSH 9.x). */
#define SSH_KEY_RSA_MAX_BITS 16384u
/* Bytes of comment kept after trimming. */
#define SSH_KEY_COMMENT_MAX 256u
/* Bytes of a whole key line, enough for a 16384-bit RSA key with the longest comment. */
#define SSH_KEY_LINE_MAX 4096u

typedef struct SshKey {
        SshKeyType type;
        unsigned bits; /* RSA modulus size, ECDSA curve size, 256 for Ed25519 */
        char *blob;    /* the canonical base64 text */
        char *comment; /* NULL when there is none */
        char *line;    /* "type blob[ comment]" */
} SshKey;

/* Parses one key line.  rsa_min_bits below SSH_KEY_RSA_MIN_BITS counts as SSH_KEY_RSA_MIN_BITS.  Returns
 * 0 and fills ret, -EINVAL with a static reason that never quotes the input, or -ENOMEM. */
int ssh_key_parse(const char *text, unsigned rsa_min_bits, SshKey *ret, const char **ret_reason);
void ssh_key_done(SshKey *k);

/* Checks a key as a ParamStringCheck: ssh_key_parse() with the built-in minimum, whose canonical line is
 * the normalised value. */
int ssh_key_check(const char *value, char **ret_normalized, const char **ret_reason);

/* True when both keys carry the same public key, whatever their comments. */
bool ssh_key_same(const SshKey *a, const SshKey *b);
