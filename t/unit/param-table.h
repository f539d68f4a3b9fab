/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A params table with every ParamType and flag, shared by test-param.c and fuzz/fuzz-params.c so that the
 * fuzzer exercises the same rules the unit tests check.
 */
#pragma once

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "param.h"

typedef struct TestItem {
        char *host;
        char *key; /* secret */
        ParamInt port;
} TestItem;

typedef struct TestParams {
        char *name;        /* required; normalised to lowercase by test_check_name */
        char *title;       /* no check: only the generic string rules */
        char *mode;        /* choices */
        char *password;    /* secret */
        char *body;        /* multiline */
        char *note;        /* nullable, 2 to 8 bytes */
        ParamInt count;    /* 1 to 10, default 5 */
        ParamInt size;     /* the default range, 0 to INT32_MAX */
        ParamInt offset;   /* -100 to 100 */
        ParamBool enabled; /* default true */
        ParamStrv aliases; /* 0 to 3 items, each normalised like name */
        ParamStrv tokens;  /* secret */
        ParamArray items;  /* 0 to 2 TestItem */
        json_t *settings;  /* at most 3 keys, no "user" key */
} TestParams;

/* Accepts letters, digits and dots and returns the name in lowercase. */
static inline int test_check_name(const char *value, char **ret_normalized, const char **ret_reason)
{
        char *copy;

        for (const char *p = value; *p; p++)
                if (!isascii((unsigned char) *p) || !(isalnum((unsigned char) *p) || *p == '.')) {
                        *ret_reason = "must contain only letters, digits and dots";
                        return -EINVAL;
                }

        copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        for (char *p = copy; *p; p++)
                *p = (char) tolower((unsigned char) *p);
        *ret_normalized = copy;
        return 0;
}

static inline int test_check_settings(json_t *value, const char **ret_reason)
{
        if (json_object_get(value, "user")) {
                *ret_reason = "must not set user";
                return -EINVAL;
        }
        return 0;
}

static const char *const test_modes[] = { "fast", "safe", NULL };

static const ParamSpec test_item_table[] = {
        { .name = "host",
          .type = PARAM_STRING,
          .flags = PARAM_REQUIRED,
          .offset = offsetof(TestItem, host),
          .max = 253,
          .check = test_check_name,
          .constraint = "letters, digits and dots",
          .description = "Host name." },
        { .name = "key",
          .type = PARAM_STRING,
          .flags = PARAM_SECRET,
          .offset = offsetof(TestItem, key),
          .description = "Access key." },
        { .name = "port",
          .type = PARAM_INT,
          .offset = offsetof(TestItem, port),
          .min = 1,
          .max = 65535,
          .def = 443,
          .description = "TCP port." },
        {},
};

static const ParamSpec test_table[] = {
        { .name = "name",
          .type = PARAM_STRING,
          .flags = PARAM_REQUIRED,
          .offset = offsetof(TestParams, name),
          .max = 64,
          .check = test_check_name,
          .constraint = "letters, digits and dots",
          .description = "The name." },
        { .name = "title",
          .type = PARAM_STRING,
          .offset = offsetof(TestParams, title),
          .description = "Title." },
        { .name = "mode",
          .type = PARAM_STRING,
          .offset = offsetof(TestParams, mode),
          .choices = test_modes,
          .description = "Mode." },
        { .name = "password",
          .type = PARAM_STRING,
          .flags = PARAM_SECRET,
          .offset = offsetof(TestParams, password),
          .min = 8,
          .max = 128,
          .description = "Password." },
        { .name = "body",
          .type = PARAM_STRING,
          .flags = PARAM_MULTILINE,
          .offset = offsetof(TestParams, body),
          .description = "Multi-line text." },
        { .name = "note",
          .type = PARAM_STRING,
          .flags = PARAM_NULLABLE,
          .offset = offsetof(TestParams, note),
          .min = 2,
          .max = 8,
          .description = "Short note." },
        { .name = "count",
          .type = PARAM_INT,
          .offset = offsetof(TestParams, count),
          .min = 1,
          .max = 10,
          .def = 5,
          .description = "Count." },
        { .name = "size", .type = PARAM_INT, .offset = offsetof(TestParams, size), .description = "Size." },
        { .name = "offset",
          .type = PARAM_INT,
          .offset = offsetof(TestParams, offset),
          .min = -100,
          .max = 100,
          .description = "Offset." },
        { .name = "enabled",
          .type = PARAM_BOOL,
          .offset = offsetof(TestParams, enabled),
          .def = 1,
          .description = "Enabled." },
        { .name = "aliases",
          .type = PARAM_STRING_ARRAY,
          .offset = offsetof(TestParams, aliases),
          .max = 3,
          .check = test_check_name,
          .description = "Aliases." },
        { .name = "tokens",
          .type = PARAM_STRING_ARRAY,
          .flags = PARAM_SECRET,
          .offset = offsetof(TestParams, tokens),
          .description = "Tokens." },
        { .name = "items",
          .type = PARAM_OBJECT_ARRAY,
          .offset = offsetof(TestParams, items),
          .max = 2,
          .items = test_item_table,
          .item_size = sizeof(TestItem),
          .description = "Items." },
        { .name = "settings",
          .type = PARAM_OBJECT,
          .offset = offsetof(TestParams, settings),
          .max = 3,
          .check_json = test_check_settings,
          .constraint = "no user key",
          .description = "Settings." },
        {},
};
