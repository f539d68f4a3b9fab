/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "macro.h"

extern const ConfigKey config_keys[];

struct AgentConfig {
        size_t n_keys;
        char **values; /* one slot per config_keys row; NULL means the default */
};

typedef struct LoadState {
        AgentConfig *config;
        FILE *f;
        const char *file;
        unsigned line; /* of the line inih is parsing */
        char *error;   /* the first error only */
        bool *seen;    /* keys set by the current file, one slot per config_keys row */
} LoadState;

static size_t config_key_count(void)
{
        size_t n = 0;
        while (config_keys[n].section)
                n++;
        return n;
}

const ConfigKey *config_key_at(size_t i)
{
        return i < config_key_count() ? &config_keys[i] : NULL;
}

static ssize_t config_key_index(const char *section, const char *key)
{
        for (size_t i = 0; config_keys[i].section; i++)
                if (streq(config_keys[i].section, section) && streq(config_keys[i].key, key))
                        return (ssize_t) i;
        return -1;
}

static int parse_bool(const char *v, bool *ret)
{
        static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off",
                                                                                       "0" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (streq(v, yes[i])) {
                        *ret = true;
                        return 0;
                }
                if (streq(v, no[i])) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static int parse_uint(const char *v, uint64_t *ret)
{
        char *end;

        if (!*v || *v == '-' || *v == '+' || (*v == '0' && v[1]))
                return -EINVAL;
        errno = 0;
        unsigned long long u = strtoull(v, &end, 10);
        if (errno != 0 || *end)
                return -EINVAL;
        *ret = u;
        return 0;
}

static bool path_normalized(const char *p)
{
        if (p[0] != '/')
                return false;
        if (streq(p, "/"))
                return true;
        if (p[strlen(p) - 1] == '/' || strstr(p, "//"))
                return false;
        /* No "." or ".." component. */
        for (const char *c = p; (c = strchr(c, '/')); c++) {
                if (c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
                        return false;
                if (c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
                        return false;
        }
        return true;
}

/* Checks a value against its key's type and returns a static reason when it does not match. */
static const char *config_value_invalid(const ConfigKey *k, const char *v)
{
        bool b;
        uint64_t u;

        switch (k->type) {
        case CONFIG_BOOL:
                return parse_bool(v, &b) < 0 ? "expected yes or no" : NULL;
        case CONFIG_UINT:
                return parse_uint(v, &u) < 0 ? "expected a non-negative decimal integer" : NULL;
        case CONFIG_PATH:
                return *v && !path_normalized(v) ? "expected an absolute path without '.', '..' or '//'"
                                                 : NULL;
        case CONFIG_ENUM:
                for (const char *const *c = k->choices; c && *c; c++)
                        if (streq(*c, v))
                                return NULL;
                return "not one of the allowed values";
        case CONFIG_STRING:
        case CONFIG_LIST:
                for (const char *p = v; *p; p++)
                        if ((unsigned char) *p < 0x20 || *p == 0x7f)
                                return "contains control characters";
                return NULL;
        }
        return "unknown type";
}

/* Feeds inih one line at a time, so that the handler has the line number and the parse stops after the
 * first error.  config_check_line_length() has made sure that every line fits inih's buffer. */
static char *config_read_line(char *buf, int size, void *stream)
{
        LoadState *st = stream;
        size_t n;

        if (st->error || !fgets(buf, size, st->f))
                return NULL;
        st->line++;

        /* A line that fills the buffer exactly leaves its newline behind, which must not count as a line
         * of its own. */
        n = strlen(buf);
        if (n + 1 == (size_t) size && buf[n - 1] != '\n') {
                int c = getc(st->f);
                if (c != '\n' && c != EOF)
                        ungetc(c, st->f);
        }
        return buf;
}

static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
        LoadState *st = user;
        ssize_t i;
        const char *reason;

        if (!name) /* a section header on its own (inih with INI_CALL_HANDLER_ON_NEW_SECTION) */
                return 1;
        if (st->error)
                return 0;

        i = config_key_index(section, name);
        if (i < 0) {
                if (asprintf(&st->error, "%s:%u: unknown key '%s' in section [%s]", st->file, st->line, name,
                             section) < 0)
                        st->error = NULL;
                return 0;
        }

        /* inih hands an indented continuation line over as a second value of the same key, which would
         * silently replace the first.  A key set twice in one file is therefore an error either way. */
        if (st->seen[i]) {
                if (asprintf(&st->error,
                             "%s:%u: [%s] %s is set twice in this file (continuation lines are not "
                             "supported)",
                             st->file, st->line, section, name) < 0)
                        st->error = NULL;
                return 0;
        }
        st->seen[i] = true;

        reason = config_value_invalid(&config_keys[i], value);
        if (reason) {
                if (asprintf(&st->error, "%s:%u: [%s] %s: %s", st->file, st->line, section, name, reason) <
                    0)
                        st->error = NULL;
                return 0;
        }

        free(st->config->values[i]);
        st->config->values[i] = strdup(value);
        return st->config->values[i] ? 1 : 0;
}

/* Debian builds libinih with INI_MAX_LINE 200 and without INI_ALLOW_REALLOC, so it splits a longer line
 * and reports a syntax error somewhere after it.  Finding the line first gives the operator its number. */
#define CONFIG_LINE_MAX 199

static int config_check_line_length(LoadState *st, FILE *f, const char *path)
{
        unsigned line = 1;
        size_t length = 0;
        int c;

        while ((c = getc(f)) != EOF) {
                if (c == '\n') {
                        line++;
                        length = 0;
                        continue;
                }
                if (++length > CONFIG_LINE_MAX) {
                        if (asprintf(&st->error, "%s:%u: line longer than %d bytes", path, line,
                                     CONFIG_LINE_MAX) < 0)
                                st->error = NULL;
                        return -E2BIG;
                }
        }
        rewind(f);
        return 0;
}

static int config_load_file(LoadState *st, const char *path, bool optional)
{
        FILE *f = fopen(path, "re");
        int r;

        if (!f) {
                if (errno == ENOENT && optional)
                        return 0;
                r = -errno;
                if (asprintf(&st->error, "%s: cannot open: %s", path, strerror(errno)) < 0)
                        st->error = NULL;
                return r;
        }

        r = config_check_line_length(st, f, path);
        if (r < 0) {
                fclose(f);
                return r;
        }

        st->f = f;
        st->file = path;
        st->line = 0;
        st->seen = calloc(st->config->n_keys + 1, sizeof(bool));
        if (!st->seen) {
                fclose(f);
                return -ENOMEM;
        }
        r = ini_parse_stream(config_read_line, st, config_ini_handler, st);
        st->seen = mfree(st->seen);
        fclose(f);
        st->f = NULL;
        if (r < 0)
                return -ENOMEM;

        /* inih returns the line of its first error, syntax or handler.  The parse stopped at the line of
         * st->error, so an earlier line in r is a syntax error that came first. */
        if (r > 0 && (!st->error || (unsigned) r < st->line)) {
                free(st->error);
                if (asprintf(&st->error, "%s:%d: syntax error", path, r) < 0)
                        st->error = NULL;
        }
        return r > 0 || st->error ? -EINVAL : 0;
}

static int conf_d_filter(const struct dirent *d)
{
        return d->d_name[0] != '.' && fnmatch("*.conf", d->d_name, 0) == 0;
}

int config_load(const char *path, AgentConfig **ret, char **ret_error)
{
        AgentConfig *c;
        LoadState st = {};
        _cleanup_free_ char *dir = NULL;
        struct dirent **entries = NULL;
        int n, r;

        assert(path);
        assert(ret);

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->n_keys = config_key_count();
        c->values = calloc(c->n_keys + 1, sizeof(char *));
        if (!c->values) {
                free(c);
                return -ENOMEM;
        }
        st.config = c;

        r = config_load_file(&st, path, true);
        if (r < 0)
                goto fail;

        /* Drop-ins in lexical order, so a later file overrides an earlier one key by key. */
        if (asprintf(&dir, "%s.d", path) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        n = scandir(dir, &entries, conf_d_filter, alphasort);
        if (n < 0 && errno != ENOENT) {
                r = -errno;
                if (asprintf(&st.error, "%s: cannot read: %s", dir, strerror(errno)) < 0)
                        st.error = NULL;
                goto fail;
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *file = NULL;

                if (r == 0 && asprintf(&file, "%s/%s", dir, entries[i]->d_name) < 0)
                        r = -ENOMEM;
                if (r == 0)
                        r = config_load_file(&st, file, false);
                free(entries[i]);
        }
        free(entries);
        if (r < 0)
                goto fail;

        *ret = c;
        return 0;

fail:
        if (ret_error)
                *ret_error = TAKE_PTR(st.error);
        free(st.error);
        config_free(c);
        return r;
}

AgentConfig *config_free(AgentConfig *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_keys; i++)
                free(c->values[i]);
        free(c->values);
        free(c);
        return NULL;
}

static const char *config_lookup(const AgentConfig *c, const char *section, const char *key,
                                 ConfigType *ret_type)
{
        ssize_t i = config_key_index(section, key);

        if (i < 0) {
                fprintf(stderr, "BUG: configuration key [%s] %s is not declared\n", section, key);
                abort();
        }
        if (ret_type)
                *ret_type = config_keys[i].type;
        if (c && c->values[i])
                return c->values[i];
        return config_keys[i].def;
}

const char *config_get(const AgentConfig *c, const char *section, const char *key)
{
        return config_lookup(c, section, key, NULL);
}

bool config_get_bool(const AgentConfig *c, const char *section, const char *key)
{
        bool b = false;

        (void) parse_bool(config_lookup(c, section, key, NULL), &b);
        return b;
}

uint64_t config_get_uint(const AgentConfig *c, const char *section, const char *key)
{
        uint64_t u = 0;

        (void) parse_uint(config_lookup(c, section, key, NULL), &u);
        return u;
}

char **config_get_list(const AgentConfig *c, const char *section, const char *key)
{
        const char *v = config_lookup(c, section, key, NULL);
        size_t n = 0, cap = 4;
        char **list = calloc(cap + 1, sizeof(char *));

        if (!list)
                return NULL;

        for (const char *p = v; *p;) {
                size_t len;

                p += strspn(p, " \t");
                len = strcspn(p, " \t");
                if (len == 0)
                        break;
                if (n == cap) {
                        char **bigger = reallocarray(list, cap * 2 + 1, sizeof(char *));
                        if (!bigger) {
                                strv_free(list);
                                return NULL;
                        }
                        list = bigger;
                        cap *= 2;
                }
                list[n] = strndup(p, len);
                if (!list[n]) {
                        strv_free(list);
                        return NULL;
                }
                list[++n] = NULL;
                p += len;
        }

        return list;
}
