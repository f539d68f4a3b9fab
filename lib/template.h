/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * A logic-less template language for generated config files, a subset of Mustache:
 *
 *   {{name}}              the value of a string variable; a list gives its items separated by one space
 *   {{#name}}...{{/name}} the body when a bool is true or a string is non-empty; once per item of a list,
 *                         with {{.}} standing for the item
 *   {{^name}}...{{/name}} the body when a bool is false, a string is empty or a list has no items
 *   {{! comment}}         nothing
 *
 * The "{{" delimiter cannot be confused with nginx's "$variable" syntax, and a template cannot contain a
 * literal "{{".  A section tag alone on its line removes that whole line from the output.  Every
 * substituted value must pass template_value_is_safe(), so a value can never end a directive, open a
 * block, start a comment or name an nginx variable, whatever validation came before.
 */

typedef enum TemplateType {
        TEMPLATE_STRING,
        TEMPLATE_BOOL,
        TEMPLATE_LIST,
} TemplateType;

typedef struct TemplateVar {
        const char *name;
        TemplateType type;
        const char *string;      /* TEMPLATE_STRING; NULL is the empty string */
        bool boolean;            /* TEMPLATE_BOOL */
        const char *const *list; /* TEMPLATE_LIST, NULL-terminated; NULL is the empty list */
} TemplateVar;

/* True when s is a non-empty run of [A-Za-z0-9._:/@+[]-]: the only bytes a substituted value may contain. */
bool template_value_is_safe(const char *s);

/*
 * Renders template with the n variables in vars.  Returns 0 and the output in *ret; -EINVAL for a syntax
 * error, an unknown variable or a variable used against its type; -EBADMSG when a value fails
 * template_value_is_safe().  On failure *ret_error (when not NULL) is an allocated message that names the
 * line and the variable, never the value.
 */
int template_render(const char *template, const TemplateVar *vars, size_t n, char **ret, char **ret_error);
