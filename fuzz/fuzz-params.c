/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: param_parse(), param_redact() and param_free() on a JSON text, against a table with
 * every parameter type (the one the unit tests use).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../t/unit/param-table.h"
#include "macro.h"
#include "param.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_redacted(json_t *v)
{
        return json_is_string(v) && streq(json_string_value(v), "<redacted>");
}

/* A secret that reaches the redacted copy as anything but "<redacted>" is a leak into the audit log. */
static void check_redacted(json_t *params, json_t *redacted)
{
        json_t *items, *shown_items;
        size_t i;
        json_t *item;

        if (!json_is_object(params)) {
                if (!json_is_string(redacted))
                        abort();
                return;
        }
        if (!json_is_object(redacted) || json_object_size(redacted) != json_object_size(params))
                abort();

        for (const char *const *key = (const char *const[]){ "password", "tokens", NULL }; *key; key++)
                if (json_object_get(params, *key) && !is_redacted(json_object_get(redacted, *key)))
                        abort();

        items = json_object_get(params, "items");
        shown_items = json_object_get(redacted, "items");
        if (items && !json_is_array(items)) {
                /* Not an array, so its items cannot be redacted one by one: none of it may be shown. */
                if (!json_is_string(shown_items))
                        abort();
                return;
        }
        json_array_foreach(items, i, item)
        {
                json_t *entry = json_array_get(shown_items, i);

                if (json_is_object(item) && json_object_get(item, "key") &&
                    !is_redacted(json_object_get(entry, "key")))
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_json_ json_t *params = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES, NULL);
        _cleanup_json_ json_t *redacted = NULL;
        TestParams p = {};
        ParamError error = {};
        int r;

        if (!params)
                return 0;

        redacted = param_redact(test_table, params);
        if (!redacted)
                abort();
        check_redacted(params, redacted);

        r = param_parse(test_table, params, &p, &error);
        if (r == 0) {
                if (error.message || !p.name || p.count.v < 1 || p.count.v > 10 || p.aliases.n > 3 ||
                    p.items.n > 2)
                        abort();
        } else if (r == -EINVAL) {
                if (!error.message || !error.param)
                        abort();
                /* The struct comes back released. */
                if (p.name || p.aliases.v || p.items.v || p.settings)
                        abort();
                /* details.param is echoed in the JSON response, which needs valid UTF-8. */
                json_t *echo = json_string(error.param);
                if (!echo)
                        abort();
                json_decref(echo);
        } else if (r != -ENOMEM)
                abort();

        param_free(test_table, &p);
        param_error_done(&error);
        return 0;
}
