/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "param.h"

#define PARAM_INT_MIN_DEFAULT 0
#define PARAM_INT_MAX_DEFAULT INT32_MAX
#define PARAM_KEY_ECHO_MAX    64
#define PARAM_KEY_PATH_MAX    256

static const char *const param_type_table[_PARAM_TYPE_MAX] = {
        [PARAM_STRING] = "string",
        [PARAM_INT] = "integer",
        [PARAM_BOOL] = "boolean",
        [PARAM_STRING_ARRAY] = "array of strings",
        [PARAM_OBJECT_ARRAY] = "array of objects",
        [PARAM_OBJECT] = "object",
};

const char *param_type_to_string(ParamType t)
{
        if (t < 0 || t >= _PARAM_TYPE_MAX)
                return NULL;
        return param_type_table[t];
}

void param_error_done(ParamError *e)
{
        if (!e)
                return;
        free(e->message);
        free(e->param);
        *e = (ParamError){};
}

_printf_(3, 4) static int param_fail(ParamError *e, const char *path, const char *fmt, ...)
{
        va_list ap;

        /* Only the first error is kept: nested parsers report upwards without overwriting it. */
        if (e->message)
                return -EINVAL;

        va_start(ap, fmt);
        if (vasprintf(&e->message, fmt, ap) < 0)
                e->message = NULL;
        va_end(ap);
        e->param = strdup(path);
        return -EINVAL;
}

static const ParamSpec *spec_find(const ParamSpec *table, const char *name)
{
        for (const ParamSpec *s = table; s->name; s++)
                if (streq(s->name, name))
                        return s;
        return NULL;
}

/* Returns a printable rendering of a caller-supplied key for messages: at most PARAM_KEY_ECHO_MAX bytes,
 * anything outside [A-Za-z0-9._-] shown as '?'.  The exact key goes to details.param, JSON-escaped. */
static void key_for_message(const char *key, char buf[static PARAM_KEY_ECHO_MAX + 4])
{
        size_t i;

        for (i = 0; key[i] && i < PARAM_KEY_ECHO_MAX; i++) {
                char c = key[i];
                bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                             c == '.' || c == '_' || c == '-';
                buf[i] = plain ? c : '?';
        }
        if (key[i]) {
                memcpy(buf + i, "...", 3);
                i += 3;
        }
        buf[i] = '\0';
}

/* Returns the length of key cut to at most PARAM_KEY_PATH_MAX bytes without splitting a UTF-8 sequence,
 * because the path goes into the JSON response, which takes valid UTF-8 only. */
static int key_path_length(const char *key)
{
        size_t n = strnlen(key, PARAM_KEY_PATH_MAX + 1);

        if (n <= PARAM_KEY_PATH_MAX)
                return (int) n;
        n = PARAM_KEY_PATH_MAX;
        while (n > 0 && ((unsigned char) key[n] & 0xc0) == 0x80)
                n--;
        return (int) n;
}

/* Control characters, C1 controls and the Unicode line separators are rejected in every string, because
 * values land in config files whose grammar is line-based.  PARAM_MULTILINE lets newline and tab through. */
static bool string_clean(const char *s, bool multiline)
{
        const unsigned char *p = (const unsigned char *) s;

        for (; *p; p++) {
                if (*p < 0x20 || *p == 0x7f) {
                        if (multiline && (*p == '\n' || *p == '\t'))
                                continue;
                        return false;
                }
                /* U+0080..U+009F are C2 80..C2 9F; U+2028 and U+2029 are E2 80 A8 and E2 80 A9. */
                if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
                        return false;
                if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
                        return false;
        }

        return true;
}

static int64_t spec_max(const ParamSpec *s)
{
        if (s->max != 0)
                return s->max;
        switch (s->type) {
        case PARAM_STRING:
                return PARAM_STRING_MAX_DEFAULT;
        case PARAM_INT:
                return PARAM_INT_MAX_DEFAULT;
        case PARAM_STRING_ARRAY:
        case PARAM_OBJECT_ARRAY:
                return PARAM_ARRAY_MAX_DEFAULT;
        default:
                return 0;
        }
}

static int64_t spec_min(const ParamSpec *s)
{
        if (s->type == PARAM_INT && s->min == 0 && s->max == 0)
                return PARAM_INT_MIN_DEFAULT;
        if (s->type == PARAM_STRING && s->min == 0)
                return 1;
        return s->min;
}

/* Validates one string value and returns an allocated, possibly normalised copy. */
static int parse_string(const ParamSpec *s, json_t *v, const char *path, char **ret, ParamError *e)
{
        const char *value, *reason = NULL;
        char *normalized = NULL;
        /* Items of a string array use min and max for the item count, so their length has fixed bounds. */
        int64_t min_length = s->type == PARAM_STRING ? spec_min(s) : 1;
        int64_t max_length = s->type == PARAM_STRING ? spec_max(s) : PARAM_STRING_MAX_DEFAULT;
        size_t n;
        int r;

        if (!json_is_string(v))
                return param_fail(e, path, "parameter '%s' must be a string", path);

        value = json_string_value(v);
        n = json_string_length(v);
        if (strlen(value) != n)
                return param_fail(e, path, "parameter '%s' contains a NUL character", path);
        if ((int64_t) n < min_length || (int64_t) n > max_length)
                return param_fail(e, path, "parameter '%s' must be %" PRId64 " to %" PRId64 " bytes long",
                                  path, min_length, max_length);
        if (!string_clean(value, s->flags & PARAM_MULTILINE))
                return param_fail(e, path, "parameter '%s' contains control characters", path);

        if (s->choices) {
                bool found = false;
                for (const char *const *c = s->choices; *c; c++)
                        if (streq(*c, value))
                                found = true;
                if (!found)
                        return param_fail(e, path, "parameter '%s' is not one of the allowed values", path);
        }

        if (s->check) {
                r = s->check(value, &normalized, &reason);
                if (r < 0)
                        return param_fail(e, path, "parameter '%s' is invalid: %s", path,
                                          reason ?: "rejected by its check");
        }

        *ret = normalized ?: strdup(value);
        return *ret ? 0 : -ENOMEM;
}

static int parse_object(const ParamSpec *table, json_t *params, void *ret, const char *prefix,
                        ParamError *e);

static int parse_one(const ParamSpec *s, json_t *v, void *base, const char *path, ParamError *e)
{
        uint8_t *field = (uint8_t *) base + s->offset;
        int r;

        switch (s->type) {
        case PARAM_STRING:
                return parse_string(s, v, path, (char **) field, e);

        case PARAM_INT: {
                ParamInt *out = (ParamInt *) field;

                if (!json_is_integer(v))
                        return param_fail(e, path, "parameter '%s' must be an integer", path);
                json_int_t i = json_integer_value(v);
                if (i < spec_min(s) || i > spec_max(s))
                        return param_fail(e, path, "parameter '%s' must be from %" PRId64 " to %" PRId64,
                                          path, spec_min(s), spec_max(s));
                *out = (ParamInt){ .set = true, .v = i };
                return 0;
        }

        case PARAM_BOOL: {
                ParamBool *out = (ParamBool *) field;

                if (!json_is_boolean(v))
                        return param_fail(e, path, "parameter '%s' must be true or false", path);
                *out = (ParamBool){ .set = true, .v = json_is_true(v) };
                return 0;
        }

        case PARAM_STRING_ARRAY: {
                ParamStrv *out = (ParamStrv *) field;
                size_t n;

                if (!json_is_array(v))
                        return param_fail(e, path, "parameter '%s' must be an array of strings", path);
                n = json_array_size(v);
                if ((int64_t) n < s->min || (int64_t) n > spec_max(s))
                        return param_fail(e, path,
                                          "parameter '%s' must have %" PRId64 " to %" PRId64 " items", path,
                                          s->min, spec_max(s));

                out->v = calloc(n + 1, sizeof(char *));
                if (!out->v)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *item_path = NULL;
                        if (asprintf(&item_path, "%s[%zu]", path, i) < 0)
                                return -ENOMEM;
                        r = parse_string(s, json_array_get(v, i), item_path, &out->v[i], e);
                        if (r < 0)
                                return r;
                        out->n = i + 1;

                        /* Items are compared after normalisation, so two spellings of one name collide. */
                        for (size_t k = 0; k < i; k++)
                                if (streq(out->v[k], out->v[i]))
                                        return param_fail(e, item_path, "parameter '%s' repeats item %zu",
                                                          item_path, k);
                }
                return 0;
        }

        case PARAM_OBJECT_ARRAY: {
                ParamArray *out = (ParamArray *) field;
                size_t n;

                assert(s->items);
                assert(s->item_size > 0);

                if (!json_is_array(v))
                        return param_fail(e, path, "parameter '%s' must be an array of objects", path);
                n = json_array_size(v);
                if ((int64_t) n < s->min || (int64_t) n > spec_max(s))
                        return param_fail(e, path,
                                          "parameter '%s' must have %" PRId64 " to %" PRId64 " items", path,
                                          s->min, spec_max(s));

                out->v = calloc(n ? n : 1, s->item_size);
                if (!out->v)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++) {
                        _cleanup_free_ char *item_path = NULL;
                        json_t *item = json_array_get(v, i);

                        if (asprintf(&item_path, "%s[%zu]", path, i) < 0)
                                return -ENOMEM;
                        if (!json_is_object(item))
                                return param_fail(e, item_path, "parameter '%s' must be an object",
                                                  item_path);
                        out->n = i + 1;
                        r = parse_object(s->items, item, (uint8_t *) out->v + i * s->item_size, item_path,
                                         e);
                        if (r < 0)
                                return r;
                }
                return 0;
        }

        case PARAM_OBJECT: {
                const char *reason = NULL;

                if (!json_is_object(v))
                        return param_fail(e, path, "parameter '%s' must be an object", path);
                if (json_object_size(v) > (size_t) spec_max(s) && s->max > 0)
                        return param_fail(e, path, "parameter '%s' has more than %" PRId64 " keys", path,
                                          s->max);
                if (s->check_json) {
                        r = s->check_json(v, &reason);
                        if (r < 0)
                                return param_fail(e, path, "parameter '%s' is invalid: %s", path,
                                                  reason ?: "rejected by its check");
                }
                *(json_t **) field = json_incref(v);
                return 0;
        }

        default:
                assert(false);
                return -EINVAL;
        }
}

static int parse_object(const ParamSpec *table, json_t *params, void *ret, const char *prefix, ParamError *e)
{
        const char *key;
        json_t *v;
        int r;

        /* Unknown keys first: a crafted key is reported and never looked at further. */
        json_object_foreach(params, key, v)
        {
                if (!spec_find(table, key)) {
                        char shown[PARAM_KEY_ECHO_MAX + 4];
                        _cleanup_free_ char *path = NULL;

                        key_for_message(key, shown);
                        if (asprintf(&path, "%s%s%.*s", prefix, *prefix ? "." : "", key_path_length(key),
                                     key) < 0)
                                return -ENOMEM;
                        return param_fail(e, path, "unknown parameter '%s'", shown);
                }
        }

        for (const ParamSpec *s = table; s->name; s++) {
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s%s%s", prefix, *prefix ? "." : "", s->name) < 0)
                        return -ENOMEM;

                /* Defaults are in place even when the param is absent, so handlers read .v directly. */
                if (s->type == PARAM_INT)
                        ((ParamInt *) ((uint8_t *) ret + s->offset))->v = s->def;
                else if (s->type == PARAM_BOOL)
                        ((ParamBool *) ((uint8_t *) ret + s->offset))->v = s->def != 0;

                v = json_object_get(params, s->name);
                if (!v || (json_is_null(v) && (s->flags & PARAM_NULLABLE))) {
                        if (s->flags & PARAM_REQUIRED)
                                return param_fail(e, path, "missing parameter '%s'", path);
                        continue;
                }

                r = parse_one(s, v, ret, path, e);
                if (r < 0)
                        return r;
        }

        return 0;
}

int param_parse(const ParamSpec *table, json_t *params, void *ret, ParamError *ret_error)
{
        int r;

        assert(table);
        assert(ret);
        assert(ret_error);

        *ret_error = (ParamError){};

        if (!json_is_object(params))
                return param_fail(ret_error, "params", "params must be an object");

        r = parse_object(table, params, ret, "", ret_error);
        if (r < 0) {
                param_free(table, ret);
                if (r == -ENOMEM && !ret_error->message)
                        ret_error->message = strdup("out of memory");
        }
        return r;
}

void param_free(const ParamSpec *table, void *p)
{
        if (!p)
                return;

        for (const ParamSpec *s = table; s->name; s++) {
                uint8_t *field = (uint8_t *) p + s->offset;

                switch (s->type) {
                case PARAM_STRING: {
                        char **str = (char **) field;
                        if (*str && (s->flags & PARAM_SECRET))
                                explicit_bzero(*str, strlen(*str));
                        free(*str);
                        *str = NULL;
                        break;
                }
                case PARAM_STRING_ARRAY: {
                        ParamStrv *v = (ParamStrv *) field;
                        for (size_t i = 0; v->v && i < v->n; i++) {
                                if (s->flags & PARAM_SECRET)
                                        explicit_bzero(v->v[i], strlen(v->v[i]));
                                free(v->v[i]);
                        }
                        free(v->v);
                        *v = (ParamStrv){};
                        break;
                }
                case PARAM_OBJECT_ARRAY: {
                        ParamArray *a = (ParamArray *) field;
                        for (size_t i = 0; a->v && i < a->n; i++)
                                param_free(s->items, (uint8_t *) a->v + i * s->item_size);
                        free(a->v);
                        *a = (ParamArray){};
                        break;
                }
                case PARAM_OBJECT: {
                        json_t **j = (json_t **) field;
                        json_decref(*j);
                        *j = NULL;
                        break;
                }
                default:
                        break;
                }
        }
}

static json_t *redact_object(const ParamSpec *table, json_t *params)
{
        json_t *copy = json_object(), *v;
        const char *key;

        if (!copy)
                return NULL;

        json_object_foreach(params, key, v)
        {
                const ParamSpec *s = spec_find(table, key);
                json_t *shown;

                if (!s)
                        shown = json_string("<unknown>");
                else if (s->flags & PARAM_SECRET)
                        shown = json_string("<redacted>");
                else if (s->type == PARAM_OBJECT_ARRAY && json_is_array(v)) {
                        size_t i;
                        json_t *item;

                        shown = json_array();
                        json_array_foreach(v, i, item) json_array_append_new(
                                shown, json_is_object(item) ? redact_object(s->items, item)
                                                            : json_string("<invalid>"));
                } else if (s->type == PARAM_OBJECT_ARRAY)
                        /* Not an array, so no item's secrets can be found: none of the value is shown. */
                        shown = json_string("<invalid>");
                else
                        shown = json_deep_copy(v);

                json_object_set_new(copy, key, shown ?: json_null());
        }

        return copy;
}

json_t *param_redact(const ParamSpec *table, json_t *params)
{
        if (!json_is_object(params))
                return json_string("<not an object>");
        return redact_object(table, params);
}

json_t *param_describe(const ParamSpec *table)
{
        json_t *list = json_array();

        for (const ParamSpec *s = table; list && s->name; s++) {
                json_t *d = json_pack("{s:s, s:s, s:b, s:b}", "name", s->name, "type",
                                      param_type_to_string(s->type), "required",
                                      (s->flags & PARAM_REQUIRED) != 0, "secret",
                                      (s->flags & PARAM_SECRET) != 0);
                if (!d)
                        continue;

                if (s->flags & PARAM_NULLABLE)
                        json_object_set_new(d, "nullable", json_true());
                if (s->flags & PARAM_MULTILINE)
                        json_object_set_new(d, "multiline", json_true());

                switch (s->type) {
                case PARAM_STRING:
                case PARAM_STRING_ARRAY:
                        if (s->type == PARAM_STRING_ARRAY) {
                                json_object_set_new(d, "min_items", json_integer(s->min));
                                json_object_set_new(d, "max_items", json_integer(spec_max(s)));
                                json_object_set_new(d, "max_length", json_integer(PARAM_STRING_MAX_DEFAULT));
                        } else {
                                json_object_set_new(d, "min_length", json_integer(spec_min(s)));
                                json_object_set_new(d, "max_length", json_integer(spec_max(s)));
                        }
                        if (s->choices) {
                                json_t *c = json_array();
                                for (const char *const *p = s->choices; *p; p++)
                                        json_array_append_new(c, json_string(*p));
                                json_object_set_new(d, "choices", c);
                        }
                        break;
                case PARAM_INT:
                        json_object_set_new(d, "min", json_integer(spec_min(s)));
                        json_object_set_new(d, "max", json_integer(spec_max(s)));
                        if (!(s->flags & PARAM_REQUIRED))
                                json_object_set_new(d, "default", json_integer(s->def));
                        break;
                case PARAM_BOOL:
                        if (!(s->flags & PARAM_REQUIRED))
                                json_object_set_new(d, "default", json_boolean(s->def));
                        break;
                case PARAM_OBJECT_ARRAY:
                        json_object_set_new(d, "min_items", json_integer(s->min));
                        json_object_set_new(d, "max_items", json_integer(spec_max(s)));
                        json_object_set_new(d, "items", param_describe(s->items));
                        break;
                case PARAM_OBJECT:
                        if (s->max > 0)
                                json_object_set_new(d, "max_keys", json_integer(s->max));
                        break;
                default:
                        break;
                }

                if (s->constraint)
                        json_object_set_new(d, "constraint", json_string(s->constraint));
                json_object_set_new(d, "description", json_string(s->description ?: ""));
                json_array_append_new(list, d);
        }

        return list;
}
