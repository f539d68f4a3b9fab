/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "envelope.h"
#include "macro.h"
#include "timeutil.h"

bool request_id_valid(const char *s)
{
        size_t n;

        if (!s)
                return false;
        n = strlen(s);
        if (n < 1 || n > REQUEST_ID_MAX)
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

bool action_name_valid(const char *s)
{
        bool word_start = true;
        size_t n, dots = 0;

        if (!s)
                return false;
        n = strlen(s);
        if (n < 3 || n > ACTION_NAME_MAX)
                return false;

        for (const char *p = s; *p; p++) {
                if (word_start) {
                        if (*p < 'a' || *p > 'z')
                                return false;
                        word_start = false;
                } else if (*p == '.') {
                        word_start = true;
                        dots++;
                } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
                        return false;
        }

        return !word_start && dots > 0;
}

static bool subject_user_valid(const char *s)
{
        size_t n = strlen(s);

        if (n < 1 || n > SUBJECT_USER_MAX)
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@+:-") == n;
}

char *ulid_new(void)
{
        static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        uint8_t bytes[16];
        uint64_t ms = realtime_usec() / 1000;
        char *s;

        /* 48 bits of time, then 80 random bits. */
        for (int i = 5; i >= 0; i--) {
                bytes[i] = (uint8_t) ms;
                ms >>= 8;
        }
        if (getrandom(bytes + 6, 10, 0) != 10)
                return NULL;

        s = malloc(27);
        if (!s)
                return NULL;

        /* 128 bits as 26 base32 digits: the first digit carries the top 3 bits. */
        unsigned bit = 0;
        for (int i = 0; i < 26; i++) {
                unsigned width = i == 0 ? 3 : 5, v = 0;
                for (unsigned k = 0; k < width; k++, bit++)
                        v = v << 1 | ((bytes[bit / 8] >> (7 - bit % 8)) & 1);
                s[i] = alphabet[v];
        }
        s[26] = '\0';
        return s;
}

unsigned json_text_depth(const char *text, size_t size)
{
        unsigned depth = 0, max = 0;
        bool in_string = false, escaped = false;

        for (size_t i = 0; i < size; i++) {
                char c = text[i];

                if (in_string) {
                        if (escaped)
                                escaped = false;
                        else if (c == '\\')
                                escaped = true;
                        else if (c == '"')
                                in_string = false;
                        continue;
                }

                if (c == '"')
                        in_string = true;
                else if (c == '[' || c == '{') {
                        if (++depth > max)
                                max = depth;
                } else if ((c == ']' || c == '}') && depth > 0)
                        depth--;
        }

        return max;
}

_printf_(4, 5) static int fail(EnvelopeError *e, AgentCode code, const char *field, const char *fmt, ...)
{
        va_list ap;

        e->code = code;
        va_start(ap, fmt);
        if (vasprintf(&e->message, fmt, ap) < 0)
                e->message = NULL;
        va_end(ap);
        if (field) {
                /* An unknown key is echoed back, but no longer than ENVELOPE_FIELD_ECHO_MAX bytes, cut
                 * before a UTF-8 continuation byte so the response stays valid JSON text. */
                size_t n = strnlen(field, ENVELOPE_FIELD_ECHO_MAX + 1);
                if (n > ENVELOPE_FIELD_ECHO_MAX) {
                        n = ENVELOPE_FIELD_ECHO_MAX;
                        while (n > 0 && ((unsigned char) field[n] & 0xc0) == 0x80)
                                n--;
                }
                e->field = strndup(field, n);
        }
        return -EINVAL;
}

/* jansson's own message may quote the input, which can hold a secret, so only its category is used. */
static const char *json_error_reason(const json_error_t *jerr)
{
        switch (json_error_code(jerr)) {
        case json_error_invalid_utf8:
                return "invalid UTF-8";
        case json_error_null_character:
        case json_error_null_byte_in_key:
                return "NUL character";
        case json_error_duplicate_key:
                return "duplicate key";
        case json_error_stack_overflow:
                return "nesting too deep";
        case json_error_premature_end_of_input:
                return "premature end of input";
        case json_error_end_of_input_expected:
                return "trailing data after the object";
        case json_error_invalid_syntax:
                return "invalid syntax";
        case json_error_numeric_overflow:
                return "number out of range";
        default:
                return "parse error";
        }
}

static const char *const envelope_keys[] = { "action", "params", "request_id", "subject_user",
                                             "timeout_ms" };

static bool envelope_key_known(const char *key)
{
        for (size_t i = 0; i < ELEMENTSOF(envelope_keys); i++)
                if (streq(envelope_keys[i], key))
                        return true;
        return false;
}

/* Takes the request id first, so that even a request rejected for another reason echoes the caller's id. */
static int envelope_take_request_id(json_t *root, Envelope *e)
{
        json_t *v = json_is_object(root) ? json_object_get(root, "request_id") : NULL;

        if (v && json_is_string(v) && request_id_valid(json_string_value(v))) {
                e->request_id = strdup(json_string_value(v));
                e->request_id_minted = false;
        } else {
                e->request_id = ulid_new();
                e->request_id_minted = true;
        }

        return e->request_id ? 0 : -ENOMEM;
}

int envelope_parse(const char *body, size_t size, Envelope *ret, EnvelopeError *ret_error)
{
        _cleanup_json_ json_t *root = NULL;
        json_error_t jerr;
        const char *key;
        json_t *value;
        int r;

        assert(body || size == 0);
        assert(ret);
        assert(ret_error);

        *ret = (Envelope){};
        *ret_error = (EnvelopeError){};

        if (json_text_depth(body, size) > ENVELOPE_MAX_DEPTH) {
                r = envelope_take_request_id(NULL, ret);
                if (r < 0)
                        return r;
                return fail(ret_error, AGENT_INVALID_REQUEST, NULL, "request nests deeper than %d levels",
                            ENVELOPE_MAX_DEPTH);
        }

        /* JSON_REJECT_DUPLICATES: a repeated key could show one value to the check and another to the
         * handler.  jansson also rejects invalid UTF-8, NUL bytes and \u0000 escapes here.  JSON_DECODE_ANY
         * lets a scalar text through to the object check, so "1" is reported as not an object rather than
         * as a syntax error. */
        root = json_loadb(body, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);

        r = envelope_take_request_id(root, ret);
        if (r < 0)
                return r;

        if (!root)
                return fail(ret_error, AGENT_INVALID_REQUEST, NULL,
                            "request is not valid JSON: %s at byte %d", json_error_reason(&jerr),
                            jerr.position);
        if (!json_is_object(root))
                return fail(ret_error, AGENT_INVALID_REQUEST, NULL, "request is not a JSON object");

        json_object_foreach(root, key, value)
        {
                if (!envelope_key_known(key))
                        return fail(ret_error, AGENT_INVALID_REQUEST, key, "unknown top-level key");
        }

        value = json_object_get(root, "request_id");
        if (value && (!json_is_string(value) || ret->request_id_minted))
                return fail(ret_error, AGENT_INVALID_REQUEST, "request_id",
                            "request_id must be 1-%d characters of [A-Za-z0-9._:-]", REQUEST_ID_MAX);

        value = json_object_get(root, "action");
        if (!value)
                return fail(ret_error, AGENT_INVALID_REQUEST, "action", "missing action");
        if (!json_is_string(value) || !action_name_valid(json_string_value(value)))
                return fail(ret_error, AGENT_INVALID_REQUEST, "action",
                            "action must be a dotted lowercase name such as agent.ping");
        ret->action = strdup(json_string_value(value));
        if (!ret->action)
                return -ENOMEM;

        value = json_object_get(root, "params");
        if (!value || json_is_null(value))
                ret->params = json_object();
        else if (json_is_object(value))
                ret->params = json_incref(value);
        else
                return fail(ret_error, AGENT_INVALID_REQUEST, "params", "params must be a JSON object");
        if (!ret->params)
                return -ENOMEM;

        value = json_object_get(root, "subject_user");
        if (value) {
                if (!json_is_string(value) || !subject_user_valid(json_string_value(value)))
                        return fail(ret_error, AGENT_INVALID_REQUEST, "subject_user",
                                    "subject_user must be 1-%d characters of [A-Za-z0-9._@+:-]",
                                    SUBJECT_USER_MAX);
                ret->subject_user = strdup(json_string_value(value));
                if (!ret->subject_user)
                        return -ENOMEM;
        }

        value = json_object_get(root, "timeout_ms");
        if (value) {
                if (!json_is_integer(value) || json_integer_value(value) < 1 ||
                    json_integer_value(value) > TIMEOUT_MS_MAX)
                        return fail(ret_error, AGENT_INVALID_REQUEST, "timeout_ms",
                                    "timeout_ms must be an integer from 1 to %u", TIMEOUT_MS_MAX);
                ret->timeout_ms = (unsigned) json_integer_value(value);
        }

        return 0;
}

void envelope_done(Envelope *e)
{
        if (!e)
                return;
        free(e->action);
        json_decref(e->params);
        free(e->request_id);
        free(e->subject_user);
        *e = (Envelope){};
}

void envelope_error_done(EnvelopeError *e)
{
        if (!e)
                return;
        free(e->message);
        free(e->field);
        *e = (EnvelopeError){};
}
