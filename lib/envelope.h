/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "errcode.h"

/*
 * The request envelope: {"action", "params"?, "request_id"?, "subject_user"?, "timeout_ms"?}.  Any other
 * top-level key, a duplicate key, nesting deeper than ENVELOPE_MAX_DEPTH or a value of the wrong type is
 * INVALID_REQUEST.
 */

#define ENVELOPE_MAX_DEPTH      32
#define REQUEST_ID_MAX          64
#define SUBJECT_USER_MAX        128
#define ACTION_NAME_MAX         64
#define ENVELOPE_FIELD_ECHO_MAX 64
#define TIMEOUT_MS_MAX          (3600u * 1000u)

typedef struct Envelope {
        char *action;
        json_t *params; /* always an object after a successful parse */
        char *request_id;
        bool request_id_minted;
        char *subject_user;  /* NULL when absent */
        unsigned timeout_ms; /* 0 when absent */
} Envelope;

typedef struct EnvelopeError {
        AgentCode code;
        char *message;
        char *field; /* the offending top-level key, when there is one */
} EnvelopeError;

/*
 * Parses body.  Whatever the outcome, ret->request_id is set afterwards: to the caller's id when it was
 * valid, otherwise to a freshly minted ULID, so that every response and audit record carries one.
 * Returns 0, or -EINVAL with *ret_error filled.
 */
int envelope_parse(const char *body, size_t size, Envelope *ret, EnvelopeError *ret_error);
void envelope_done(Envelope *e);
void envelope_error_done(EnvelopeError *e);

/* Checks the request_id syntax: 1-64 characters of [A-Za-z0-9._:-]. */
bool request_id_valid(const char *s);
/* Checks an action name: dotted lowercase words, [a-z][a-z0-9_]* separated by '.', at most 64 bytes. */
bool action_name_valid(const char *s);

/* Returns a new ULID (26 Crockford base32 characters: 48-bit millisecond time, 80 random bits). */
char *ulid_new(void);

/* Returns the maximum nesting depth of a JSON text, counting only brackets outside strings. */
unsigned json_text_depth(const char *text, size_t size);
