/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nginx-vhost.h"
#include "template.h"

#define HEADER_BANNER  "# Managed by jabali-agent: edits to this file are overwritten.\n"
#define HEADER_VERSION "1"
#define RATE_MAX       1000000u

static char *strfmt(const char *fmt, ...) _printf_(1, 2);
static char *strfmt(const char *fmt, ...)
{
        va_list ap;
        char *s;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&s, fmt, ap);
        va_end(ap);
        return k < 0 ? NULL : s;
}

void vhost_spec_done(VhostSpec *s)
{
        if (!s)
                return;
        free(s->domain);
        free(s->user);
        strv_free(s->aliases);
        free(s->document_root);
        free(s->php_version);
        *s = (VhostSpec){};
}

static int strv_copy(char *const *v, char ***ret)
{
        char **copy;
        size_t n = 0;

        if (!v) {
                *ret = NULL;
                return 0;
        }
        while (v[n])
                n++;

        copy = calloc(n + 1, sizeof(char *));
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                copy[i] = strdup(v[i]);
                if (!copy[i]) {
                        strv_free(copy);
                        return -ENOMEM;
                }
        }
        *ret = copy;
        return 0;
}

static int strdup_or_null(const char *s, char **ret)
{
        if (!s) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int vhost_spec_copy(const VhostSpec *s, VhostSpec *ret)
{
        VhostSpec c = {
                .redirect_https = s->redirect_https,
                .tls = s->tls,
                .requests_per_second = s->requests_per_second,
                .burst = s->burst,
                .connections = s->connections,
        };

        if (strdup_or_null(s->domain, &c.domain) < 0 || strdup_or_null(s->user, &c.user) < 0 ||
            strdup_or_null(s->document_root, &c.document_root) < 0 ||
            strdup_or_null(s->php_version, &c.php_version) < 0 || strv_copy(s->aliases, &c.aliases) < 0) {
                vhost_spec_done(&c);
                return -ENOMEM;
        }

        *ret = c;
        return 0;
}

static bool streq_null(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return streq(a, b);
}

bool vhost_spec_equal(const VhostSpec *a, const VhostSpec *b)
{
        size_t i = 0;

        if (!streq_null(a->domain, b->domain) || !streq_null(a->user, b->user) ||
            !streq_null(a->document_root, b->document_root) || !streq_null(a->php_version, b->php_version) ||
            a->redirect_https != b->redirect_https || a->tls != b->tls ||
            a->requests_per_second != b->requests_per_second || a->burst != b->burst ||
            a->connections != b->connections)
                return false;

        for (;; i++) {
                const char *x = a->aliases ? a->aliases[i] : NULL, *y = b->aliases ? b->aliases[i] : NULL;
                if (!x || !y)
                        return x == y;
                if (!streq(x, y))
                        return false;
        }
}

bool vhost_php_version_valid(const char *v)
{
        size_t n;

        if (!v)
                return false;
        n = strlen(v);
        if (n < 3 || n > 4)
                return false;
        if (v[0] < '0' || v[0] > '9' || v[1] != '.')
                return false;
        for (size_t i = 2; i < n; i++)
                if (v[i] < '0' || v[i] > '9')
                        return false;
        return true;
}

/* The header parser accepts only LDH names, account names and relative paths of the request grammar, so a
 * hand-edited header cannot carry anything into a path or the rendered file. */
static bool hostname_ldh(const char *s)
{
        size_t label = 0, total = 0;

        if (strempty(s) || strlen(s) > 253)
                return false;
        for (const char *p = s;; p++, total++) {
                if (*p == '.' || *p == '\0') {
                        if (label == 0 || p[-1] == '-')
                                return false;
                        if (*p == '\0')
                                return strchr(s, '.') != NULL;
                        label = 0;
                        continue;
                }
                if (label == 0 && *p == '-')
                        return false;
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
                        return false;
                if (++label > 63)
                        return false;
        }
}

static bool account_name_syntax(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > 16 || s[0] < 'a' || s[0] > 'z')
                return false;
        for (size_t i = 1; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
                        return false;
        return true;
}

static bool relative_path_syntax(const char *s)
{
        const char *component = s;

        if (strempty(s) || strlen(s) > 255)
                return false;
        for (const char *p = s;; p++) {
                if (*p == '/' || *p == '\0') {
                        size_t len = p - component;
                        if (len == 0 || (len == 1 && component[0] == '.') ||
                            (len == 2 && component[0] == '.' && component[1] == '.') || component[0] == '-')
                                return false;
                        if (*p == '\0')
                                return true;
                        component = p + 1;
                        continue;
                }
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("._@+-", *p)))
                        return false;
        }
}

int vhost_header_format(const VhostSpec *s, char **ret)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        assert(s && s->domain && s->user && s->document_root);

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        fputs(HEADER_BANNER, f);
        fputs("# jabali-vhost: " HEADER_VERSION "\n", f);
        fprintf(f, "# jabali-domain: %s\n", s->domain);
        fprintf(f, "# jabali-user: %s\n", s->user);
        if (s->aliases && s->aliases[0]) {
                fputs("# jabali-aliases:", f);
                for (size_t i = 0; s->aliases[i]; i++)
                        fprintf(f, " %s", s->aliases[i]);
                fputc('\n', f);
        }
        fprintf(f, "# jabali-document-root: %s\n", s->document_root);
        fprintf(f, "# jabali-php: %s\n", s->php_version ?: "none");
        fprintf(f, "# jabali-redirect-https: %s\n", s->redirect_https ? "yes" : "no");
        fprintf(f, "# jabali-tls: %s\n", s->tls ? "yes" : "no");
        fprintf(f, "# jabali-rate-limit: %u %u %u\n", s->requests_per_second, s->burst, s->connections);

        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        return 0;
}

static int parse_yes_no(const char *v, bool *ret)
{
        if (streq(v, "yes"))
                *ret = true;
        else if (streq(v, "no"))
                *ret = false;
        else
                return -EBADMSG;
        return 0;
}

static int parse_aliases(const char *v, char ***ret)
{
        _cleanup_strv_free_ char **list = NULL;
        _cleanup_free_ char *copy = strdup(v);
        size_t n = 0;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;

        list = calloc(VHOST_ALIASES_MAX + 1, sizeof(char *));
        if (!list)
                return -ENOMEM;

        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
                if (n >= VHOST_ALIASES_MAX || !hostname_ldh(w))
                        return -EBADMSG;
                /* Sorted and unique, as written. */
                if (n > 0 && strcmp(list[n - 1], w) >= 0)
                        return -EBADMSG;
                list[n] = strdup(w);
                if (!list[n])
                        return -ENOMEM;
                n++;
        }
        if (n == 0)
                return -EBADMSG;

        *ret = TAKE_PTR(list);
        return 0;
}

static int parse_rate_limit(const char *v, VhostSpec *s)
{
        unsigned rps, burst, conn;
        int consumed = 0;

        if (sscanf(v, "%u %u %u%n", &rps, &burst, &conn, &consumed) != 3 || v[consumed] != '\0')
                return -EBADMSG;
        if (rps > RATE_MAX || burst > RATE_MAX || conn > RATE_MAX)
                return -EBADMSG;
        s->requests_per_second = rps;
        s->burst = burst;
        s->connections = conn;
        return 0;
}

static int parse_header_line(VhostSpec *s, const char *key, const char *value)
{
        if (streq(key, "domain")) {
                if (s->domain || !hostname_ldh(value))
                        return -EBADMSG;
                return strdup_or_null(value, &s->domain);
        }
        if (streq(key, "user")) {
                if (s->user || !account_name_syntax(value))
                        return -EBADMSG;
                return strdup_or_null(value, &s->user);
        }
        if (streq(key, "aliases")) {
                if (s->aliases)
                        return -EBADMSG;
                return parse_aliases(value, &s->aliases);
        }
        if (streq(key, "document-root")) {
                if (s->document_root || !relative_path_syntax(value))
                        return -EBADMSG;
                return strdup_or_null(value, &s->document_root);
        }
        if (streq(key, "php")) {
                if (s->php_version)
                        return -EBADMSG;
                if (streq(value, "none"))
                        return 0;
                if (!vhost_php_version_valid(value))
                        return -EBADMSG;
                return strdup_or_null(value, &s->php_version);
        }
        if (streq(key, "redirect-https"))
                return parse_yes_no(value, &s->redirect_https);
        if (streq(key, "tls"))
                return parse_yes_no(value, &s->tls);
        if (streq(key, "rate-limit"))
                return parse_rate_limit(value, s);

        /* A key this version does not know may change the meaning of the others. */
        return -EBADMSG;
}

int vhost_header_parse(const char *text, VhostSpec *ret)
{
        _cleanup_(vhost_spec_done) VhostSpec s = {};
        const char *p = text;
        const char *version_line = "# jabali-vhost: " HEADER_VERSION "\n";
        int k;

        assert(text);
        assert(ret);

        if (strncmp(p, HEADER_BANNER, strlen(HEADER_BANNER)) != 0)
                return -ENOMSG;
        p += strlen(HEADER_BANNER);
        if (strncmp(p, version_line, strlen(version_line)) != 0)
                return -EBADMSG;
        p += strlen(version_line);

        while (strncmp(p, "# jabali-", 9) == 0) {
                const char *eol = strchr(p, '\n'), *colon;
                _cleanup_free_ char *key = NULL, *value = NULL;

                if (!eol)
                        return -EBADMSG;
                colon = memchr(p, ':', eol - p);
                if (!colon || colon[1] != ' ')
                        return -EBADMSG;

                key = strndup(p + 9, colon - (p + 9));
                value = strndup(colon + 2, eol - (colon + 2));
                if (!key || !value)
                        return -ENOMEM;

                k = parse_header_line(&s, key, value);
                if (k < 0)
                        return k;
                p = eol + 1;
        }

        if (!s.domain || !s.user || !s.document_root)
                return -EBADMSG;

        *ret = s;
        s = (VhostSpec){};
        return 0;
}

int vhost_cache_path(const VhostEnv *env, const char *domain, char **ret)
{
        char *p = strfmt("%s/%s", env->cache_root, domain);

        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* Replaces every {version} and {user} in the pattern. */
static int php_socket_path(const char *pattern, const char *version, const char *user, char **ret)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;

        for (const char *p = pattern; *p;) {
                if (strncmp(p, "{version}", 9) == 0) {
                        fputs(version, f);
                        p += 9;
                } else if (strncmp(p, "{user}", 6) == 0) {
                        fputs(user, f);
                        p += 6;
                } else
                        fputc(*p++, f);
        }

        if (fclose(f) != 0)
                return -ENOMEM;
        *ret = TAKE_PTR(buf);
        return 0;
}

typedef struct VhostStrings {
        char *document_root, *access_log, *error_log, *cache_path, *cache_zone, *php_socket;
        char *certificate, *certificate_key, *rate_zone, *rate, *rate_burst, *conn_zone, *conn_max;
        const char **server_names;
} VhostStrings;

static void vhost_strings_done(VhostStrings *v)
{
        free(v->document_root);
        free(v->access_log);
        free(v->error_log);
        free(v->cache_path);
        free(v->cache_zone);
        free(v->php_socket);
        free(v->certificate);
        free(v->certificate_key);
        free(v->rate_zone);
        free(v->rate);
        free(v->rate_burst);
        free(v->conn_zone);
        free(v->conn_max);
        free(v->server_names);
}

static int vhost_strings_build(const VhostEnv *env, const VhostSpec *s, VhostStrings *v)
{
        size_t n = 0;

        while (s->aliases && s->aliases[n])
                n++;
        v->server_names = calloc(n + 2, sizeof(char *));
        if (!v->server_names)
                return -ENOMEM;
        v->server_names[0] = s->domain;
        for (size_t i = 0; i < n; i++)
                v->server_names[i + 1] = s->aliases[i];

        v->document_root = strfmt("%s/domains/%s/%s", env->home, s->domain, s->document_root);
        v->access_log = strfmt("%s/%s.access.log", env->log_dir, s->domain);
        v->error_log = strfmt("%s/%s.error.log", env->log_dir, s->domain);
        v->cache_path = strfmt("%s/%s", env->cache_root, s->domain);
        v->cache_zone = strfmt("jabali_cache_%s", s->domain);
        v->certificate = strfmt("%s/%s/fullchain.pem", env->certificate_dir, s->domain);
        v->certificate_key = strfmt("%s/%s/privkey.pem", env->certificate_dir, s->domain);
        v->rate_zone = strfmt("jabali_req_%s", s->domain);
        v->rate = strfmt("%ur/s", s->requests_per_second);
        /* nginx rejects burst=0, so a zero burst leaves the parameter out. */
        v->rate_burst = s->burst > 0 ? strfmt("%u", s->burst) : strdup("");
        v->conn_zone = strfmt("jabali_conn_%s", s->domain);
        v->conn_max = strfmt("%u", s->connections);
        if (!v->document_root || !v->access_log || !v->error_log || !v->cache_path || !v->cache_zone ||
            !v->certificate || !v->certificate_key || !v->rate_zone || !v->rate || !v->rate_burst ||
            !v->conn_zone || !v->conn_max)
                return -ENOMEM;

        if (s->php_version)
                return php_socket_path(env->php_socket_pattern, s->php_version, s->user, &v->php_socket);
        return 0;
}

int vhost_render(const char *template, const VhostEnv *env, const VhostSpec *s, char **ret, char **ret_error)
{
        _cleanup_(vhost_strings_done) VhostStrings v = {};
        _cleanup_free_ char *header = NULL, *body = NULL, *file = NULL;
        int k;

        assert(template && env && s && ret);

        k = vhost_strings_build(env, s, &v);
        if (k < 0)
                return k;

        const TemplateVar vars[] = {
                { "domain", TEMPLATE_STRING, .string = s->domain },
                { "user", TEMPLATE_STRING, .string = s->user },
                { "server_names", TEMPLATE_LIST, .list = v.server_names },
                { "aliases", TEMPLATE_LIST, .list = (const char *const *) s->aliases },
                { "document_root", TEMPLATE_STRING, .string = v.document_root },
                { "access_log", TEMPLATE_STRING, .string = v.access_log },
                { "error_log", TEMPLATE_STRING, .string = v.error_log },
                { "acme_root", TEMPLATE_STRING, .string = env->acme_root },
                { "listen_http", TEMPLATE_LIST, .list = env->listen_http },
                { "listen_https", TEMPLATE_LIST, .list = env->listen_https },
                { "tls", TEMPLATE_BOOL, .boolean = s->tls },
                { "certificate", TEMPLATE_STRING, .string = s->tls ? v.certificate : NULL },
                { "certificate_key", TEMPLATE_STRING, .string = s->tls ? v.certificate_key : NULL },
                { "redirect_https", TEMPLATE_BOOL, .boolean = s->tls && s->redirect_https },
                { "php", TEMPLATE_BOOL, .boolean = s->php_version != NULL },
                { "php_version", TEMPLATE_STRING, .string = s->php_version },
                { "php_socket", TEMPLATE_STRING, .string = v.php_socket },
                { "cache_path", TEMPLATE_STRING, .string = v.cache_path },
                { "cache_zone", TEMPLATE_STRING, .string = v.cache_zone },
                { "rate_limit", TEMPLATE_BOOL, .boolean = s->requests_per_second > 0 },
                { "rate_zone", TEMPLATE_STRING, .string = v.rate_zone },
                { "rate", TEMPLATE_STRING, .string = v.rate },
                { "rate_burst", TEMPLATE_STRING, .string = v.rate_burst },
                { "conn_limit", TEMPLATE_BOOL, .boolean = s->connections > 0 },
                { "conn_zone", TEMPLATE_STRING, .string = v.conn_zone },
                { "conn_max", TEMPLATE_STRING, .string = v.conn_max },
        };

        k = vhost_header_format(s, &header);
        if (k < 0)
                return k;

        k = template_render(template, vars, ELEMENTSOF(vars), &body, ret_error);
        if (k < 0)
                return k;

        file = strfmt("%s%s", header, body);
        if (!file)
                return -ENOMEM;
        if (strlen(file) > VHOST_FILE_MAX) {
                if (ret_error)
                        *ret_error = strdup("rendered vhost is larger than the maximum vhost size");
                return -EFBIG;
        }

        *ret = TAKE_PTR(file);
        return 0;
}
