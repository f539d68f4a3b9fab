/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "errcode.h"

/*
 * Declarative parameter tables.  One table per action validates the request's "params" object into a
 * plain C struct, names the secret fields for audit redaction, and documents the action for
 * agent.actions and the generated reference.  A table ends with an entry whose name is NULL.
 */

typedef enum ParamType {
        PARAM_STRING,       /* char *, NULL when absent */
        PARAM_INT,          /* ParamInt */
        PARAM_BOOL,         /* ParamBool */
        PARAM_STRING_ARRAY, /* ParamStrv */
        PARAM_OBJECT_ARRAY, /* ParamArray of structs parsed with .items */
        PARAM_OBJECT,       /* json_t *, a new reference, checked by .check_json */
        _PARAM_TYPE_MAX,
        _PARAM_TYPE_INVALID = -1,
} ParamType;

enum {
        PARAM_REQUIRED = 1u << 0,
        PARAM_SECRET = 1u << 1,   /* never logged, audited as "<redacted>" */
        PARAM_NULLABLE = 1u << 2, /* JSON null is accepted and treated as absent */
        PARAM_MULTILINE =
                1u << 3, /* strings may carry newlines and tabs; other control bytes stay rejected */
};

typedef struct ParamInt {
        bool set; /* false: absent, and v contains the default */
        int64_t v;
} ParamInt;

typedef struct ParamBool {
        bool set;
        bool v;
} ParamBool;

typedef struct ParamStrv {
        char **v; /* NULL-terminated */
        size_t n;
} ParamStrv;

typedef struct ParamArray {
        void *v; /* n structs of the item table's item_size */
        size_t n;
} ParamArray;

/*
 * Validates one string.  May store a normalised copy in *ret_normalized (which then replaces the value);
 * on failure returns a negative errno and stores a static, value-free reason in *ret_reason.
 */
typedef int (*ParamStringCheck)(const char *value, char **ret_normalized, const char **ret_reason);
typedef int (*ParamJsonCheck)(json_t *value, const char **ret_reason);

typedef struct ParamSpec {
        const char *name;
        ParamType type;
        unsigned flags;
        size_t offset;                 /* of the field in the params struct */
        int64_t min, max;              /* int: value range; string: byte length; arrays: item count */
        int64_t def;                   /* int and bool default when absent */
        const char *const *choices;    /* string: the allowed values, NULL-terminated */
        ParamStringCheck check;        /* string, and each item of a string array */
        ParamJsonCheck check_json;     /* object */
        const struct ParamSpec *items; /* object array: the table for each item */
        size_t item_size;
        const char *constraint; /* what check or check_json enforces, for the reference */
        const char *description;
} ParamSpec;

/* Default limits when a spec leaves max at 0. */
#define PARAM_STRING_MAX_DEFAULT 4096
#define PARAM_ARRAY_MAX_DEFAULT  256

typedef struct ParamError {
        char *message; /* names the param, never its value */
        char *param;   /* dotted path: "aliases[2]", "allow[0].cidr" */
} ParamError;

void param_error_done(ParamError *e);

/*
 * Parses a params object against a table into ret (a zeroed struct of the action's params type).  Unknown
 * keys, wrong types and failed checks are errors.  On failure, ret is released and *ret_error describes
 * the first problem.
 */
int param_parse(const ParamSpec *table, json_t *params, void *ret, ParamError *ret_error);

/* Releases what param_parse() allocated inside the struct (not the struct itself). */
void param_free(const ParamSpec *table, void *p);

/* Returns a copy of params with every secret value replaced by "<redacted>", and unknown keys kept by name
 * only (value "<unknown>"), for the audit record. */
json_t *param_redact(const ParamSpec *table, json_t *params);

/* Returns the documentation of a table as a JSON array (for agent.actions). */
json_t *param_describe(const ParamSpec *table);

const char *param_type_to_string(ParamType t);
