/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "template.h"

#define TEMPLATE_NAME_MAX  64
#define TEMPLATE_DEPTH_MAX 16

typedef struct Renderer {
        const char *template;
        const char *pos;
        const TemplateVar *vars;
        size_t n_vars;
        FILE *out;
        int depth;
        char *error;
} Renderer;

typedef enum TagKind {
        TAG_VARIABLE,
        TAG_SECTION,
        TAG_INVERTED,
        TAG_CLOSE,
        TAG_COMMENT,
        TAG_DOT,
} TagKind;

typedef struct Tag {
        TagKind kind;
        char name[TEMPLATE_NAME_MAX + 1];
        const char *start; /* the first '{' */
        const char *end;   /* just past the closing "}}" */
} Tag;

bool template_value_is_safe(const char *s)
{
        if (strempty(s))
                return false;

        for (const char *p = s; *p; p++) {
                char c = *p;
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          strchr("._:/@+[]-", c);
                if (!ok)
                        return false;
        }
        return true;
}

static unsigned line_of(const Renderer *r, const char *at)
{
        unsigned line = 1;

        for (const char *p = r->template; p < at; p++)
                if (*p == '\n')
                        line++;
        return line;
}

static int fail(Renderer *r, int err, const char *at, const char *fmt, ...) _printf_(4, 5);
static int fail(Renderer *r, int err, const char *at, const char *fmt, ...)
{
        _cleanup_free_ char *text = NULL;
        va_list ap;

        if (r->error)
                return err;

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);

        if (asprintf(&r->error, "template line %u: %s", line_of(r, at), text ?: "error") < 0)
                r->error = NULL;
        return err;
}

static const TemplateVar *lookup(const Renderer *r, const char *name)
{
        for (size_t i = 0; i < r->n_vars; i++)
                if (streq(r->vars[i].name, name))
                        return &r->vars[i];
        return NULL;
}

/* Parses the tag that starts at p (which points at "{{"). */
static int parse_tag(Renderer *r, const char *p, Tag *ret)
{
        const char *q = p + 2, *close;
        Tag tag = { .start = p };
        size_t len;

        close = strstr(q, "}}");
        if (!close)
                return fail(r, -EINVAL, p, "unterminated tag");

        switch (*q) {
        case '!':
                tag.kind = TAG_COMMENT;
                tag.end = close + 2;
                *ret = tag;
                return 0;
        case '#':
                tag.kind = TAG_SECTION;
                q++;
                break;
        case '^':
                tag.kind = TAG_INVERTED;
                q++;
                break;
        case '/':
                tag.kind = TAG_CLOSE;
                q++;
                break;
        default:
                tag.kind = TAG_VARIABLE;
        }

        len = close - q;
        if (tag.kind == TAG_VARIABLE && len == 1 && *q == '.') {
                tag.kind = TAG_DOT;
                tag.end = close + 2;
                *ret = tag;
                return 0;
        }

        if (len == 0 || len > TEMPLATE_NAME_MAX)
                return fail(r, -EINVAL, p, "invalid tag name length");
        for (size_t i = 0; i < len; i++) {
                char c = q[i];
                if (!((c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
                        return fail(r, -EINVAL, p,
                                    "invalid character in tag name (expected [a-z_][a-z0-9_]*)");
        }

        memcpy(tag.name, q, len);
        tag.name[len] = '\0';
        tag.end = close + 2;
        *ret = tag;
        return 0;
}

/* A section, close or comment tag that is the only thing on its line swallows the line, so templates can
 * keep one tag per line without leaving blank lines in the output.  Returns where the text before the tag
 * ends (the start of the line) and moves *tag_end past the newline. */
static bool standalone(const Renderer *r, const Tag *tag, const char **ret_text_end, const char **tag_end)
{
        const char *line_start = tag->start, *after = tag->end;

        if (tag->kind == TAG_VARIABLE || tag->kind == TAG_DOT)
                return false;

        while (line_start > r->template && (line_start[-1] == ' ' || line_start[-1] == '\t'))
                line_start--;
        if (line_start > r->template && line_start[-1] != '\n')
                return false;

        while (*after == ' ' || *after == '\t')
                after++;
        if (*after == '\n')
                after++;
        else if (*after != '\0')
                return false;

        *ret_text_end = line_start;
        *tag_end = after;
        return true;
}

static void emit(Renderer *r, bool on, const char *s, size_t n)
{
        if (on && n > 0)
                fwrite(s, 1, n, r->out);
}

static int emit_value(Renderer *r, bool on, const Tag *tag, const char *value)
{
        if (!on)
                return 0;
        if (!template_value_is_safe(value))
                return fail(r, -EBADMSG, tag->start,
                            "value of \"%s\" is empty or contains a character not "
                            "allowed in generated config",
                            tag->name);
        fputs(value, r->out);
        return 0;
}

static int render_block(Renderer *r, const char *section, bool on, const char *dot);

static int render_variable(Renderer *r, const Tag *tag, bool on, const char *dot)
{
        const TemplateVar *v;
        int k;

        if (tag->kind == TAG_DOT) {
                if (!dot)
                        return fail(r, -EINVAL, tag->start, "{{.}} outside a list section");
                return emit_value(r, on, tag, dot);
        }

        v = lookup(r, tag->name);
        if (!v)
                return fail(r, -EINVAL, tag->start, "unknown variable \"%s\"", tag->name);

        switch (v->type) {
        case TEMPLATE_STRING:
                return emit_value(r, on, tag, v->string);
        case TEMPLATE_LIST:
                if (!v->list || !v->list[0])
                        return fail(r, -EBADMSG, tag->start, "list \"%s\" is empty", tag->name);
                for (size_t i = 0; v->list[i]; i++) {
                        if (i > 0)
                                emit(r, on, " ", 1);
                        k = emit_value(r, on, tag, v->list[i]);
                        if (k < 0)
                                return k;
                }
                return 0;
        case TEMPLATE_BOOL:
                return fail(r, -EINVAL, tag->start, "bool \"%s\" can only open a section", tag->name);
        }
        return fail(r, -EINVAL, tag->start, "variable \"%s\" has an invalid type", tag->name);
}

static int render_section(Renderer *r, const Tag *tag, bool on)
{
        const TemplateVar *v;
        const char *body;
        bool inverted = tag->kind == TAG_INVERTED;
        bool truth;
        int k;

        v = lookup(r, tag->name);
        if (!v)
                return fail(r, -EINVAL, tag->start, "unknown variable \"%s\"", tag->name);
        if (r->depth >= TEMPLATE_DEPTH_MAX)
                return fail(r, -EINVAL, tag->start, "sections nested deeper than %d", TEMPLATE_DEPTH_MAX);

        r->depth++;
        body = r->pos;

        if (v->type == TEMPLATE_LIST && !inverted && v->list && v->list[0]) {
                /* Render the body once per item, rewinding to its start each time. */
                for (size_t i = 0; v->list[i]; i++) {
                        r->pos = body;
                        k = render_block(r, tag->name, on, v->list[i]);
                        if (k < 0)
                                return k;
                }
                r->depth--;
                return 0;
        }

        switch (v->type) {
        case TEMPLATE_BOOL:
                truth = v->boolean;
                break;
        case TEMPLATE_STRING:
                truth = !strempty(v->string);
                break;
        case TEMPLATE_LIST:
        default:
                truth = v->list && v->list[0];
                break;
        }

        /* A skipped body is still parsed, so a template error cannot hide behind a false condition.  The
         * body of an empty list section may use {{.}}, which then stands for nothing. */
        k = render_block(r, tag->name, on && (truth != inverted),
                         v->type == TEMPLATE_LIST && !inverted ? "" : NULL);
        if (k < 0)
                return k;
        r->depth--;
        return 0;
}

/* Renders from r->pos until the close tag of section (or the end of the template when section is NULL),
 * leaving r->pos just past that tag.  Output is written only when on is true. */
static int render_block(Renderer *r, const char *section, bool on, const char *dot)
{
        for (;;) {
                const char *open = strstr(r->pos, "{{"), *text_end, *next;
                Tag tag;
                int k;

                if (!open) {
                        if (section)
                                return fail(r, -EINVAL, r->pos, "section \"%s\" is not closed", section);
                        emit(r, on, r->pos, strlen(r->pos));
                        r->pos += strlen(r->pos);
                        return 0;
                }

                k = parse_tag(r, open, &tag);
                if (k < 0)
                        return k;

                text_end = open;
                next = tag.end;
                (void) standalone(r, &tag, &text_end, &next);
                if (text_end < r->pos)
                        text_end = r->pos;
                emit(r, on, r->pos, text_end - r->pos);
                r->pos = next;

                switch (tag.kind) {
                case TAG_COMMENT:
                        break;
                case TAG_VARIABLE:
                case TAG_DOT:
                        k = render_variable(r, &tag, on, dot);
                        if (k < 0)
                                return k;
                        break;
                case TAG_SECTION:
                case TAG_INVERTED:
                        k = render_section(r, &tag, on);
                        if (k < 0)
                                return k;
                        break;
                case TAG_CLOSE:
                        if (!section || !streq(section, tag.name))
                                return fail(r, -EINVAL, tag.start, "close tag \"%s\" does not match %s%s%s",
                                            tag.name, section ? "\"" : "", section ?: "any open section",
                                            section ? "\"" : "");
                        return 0;
                }
        }
}

int template_render(const char *template, const TemplateVar *vars, size_t n, char **ret, char **ret_error)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        Renderer r = {
                .template = template,
                .pos = template,
                .vars = vars,
                .n_vars = n,
        };
        int k;

        assert(template);
        assert(vars || n == 0);
        assert(ret);

        r.out = open_memstream(&buf, &size);
        if (!r.out)
                return -ENOMEM;

        k = render_block(&r, NULL, true, NULL);
        if (fclose(r.out) != 0 && k >= 0)
                k = -ENOMEM;

        if (k < 0) {
                if (ret_error)
                        *ret_error = r.error ? r.error : strdup("template error");
                else
                        free(r.error);
                return k;
        }

        *ret = TAKE_PTR(buf);
        return 0;
}
