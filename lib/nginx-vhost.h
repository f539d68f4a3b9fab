/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * The nginx vhost of one domain: its state (VhostSpec), the header of comment lines that records that state
 * (and so the owner) in the vhost file itself, and the rendering of the whole file from a template.
 *
 * A vhost file is the header followed by the rendered template:
 *
 *   # Managed by jabali-agent: edits to this file are overwritten.
 *   # jabali-vhost: 1
 *   # jabali-domain: a.example
 *   # jabali-user: alice
 *   # jabali-aliases: b.example www.a.example
 *   # jabali-document-root: public_html
 *   # jabali-php: 8.2
 *   # jabali-redirect-https: no
 *   # jabali-tls: no
 *   # jabali-rate-limit: 0 0 0
 *
 * The header is written by the agent, never by the template, so an operator's template cannot lose the
 * owner record.  Every value in it has the same grammar the request validation enforces.
 */

#define VHOST_ALIASES_MAX 100
#define VHOST_FILE_MAX    (256u * 1024u)

typedef struct VhostSpec {
        char *domain;   /* A-label form, lowercase */
        char *user;     /* the owning account */
        char **aliases; /* NULL-terminated, sorted, without duplicates or the domain itself; may be NULL */
        char *document_root; /* relative to the domain directory */
        char *php_version;   /* "8.2", or NULL for no PHP */
        bool redirect_https; /* takes effect only while tls is on */
        bool tls;
        unsigned requests_per_second; /* 0: no request rate limit */
        unsigned burst;
        unsigned connections; /* 0: no connection limit */
} VhostSpec;

/* Paths and settings from the agent's configuration that a rendering needs. */
typedef struct VhostEnv {
        const char *home;               /* the account's home directory */
        const char *log_dir;            /* access and error logs, outside every home */
        const char *acme_root;          /* webroot of ACME http-01 challenges, owned by the agent */
        const char *cache_root;         /* parent of the per-domain FastCGI cache directories */
        const char *certificate_dir;    /* <certificate_dir>/<domain>/fullchain.pem and privkey.pem */
        const char *php_socket_pattern; /* "{version}" and "{user}" are replaced */
        const char *const *listen_http; /* listen addresses of the plain HTTP server, NULL-terminated */
        const char *const *listen_https;
} VhostEnv;

void vhost_spec_done(VhostSpec *s);
int vhost_spec_copy(const VhostSpec *s, VhostSpec *ret);
bool vhost_spec_equal(const VhostSpec *a, const VhostSpec *b);

/* True for a PHP version of the form "8.2" (one digit, a dot, one or two digits). */
bool vhost_php_version_valid(const char *v);

/* Formats the header lines (ending with a newline). */
int vhost_header_format(const VhostSpec *s, char **ret);

/* Parses the header at the start of a vhost file.  -ENOMSG when the text does not start with the agent's
 * header (a vhost the agent does not manage); -EBADMSG when the header is malformed. */
int vhost_header_parse(const char *text, VhostSpec *ret);

/* Returns the path of the domain's FastCGI cache directory; the rendered vhost and the purge use it. */
int vhost_cache_path(const VhostEnv *env, const char *domain, char **ret);

/* Renders the whole vhost file: the header, then template with the spec's values.  On failure *ret_error
 * (may be NULL) says what was wrong with the template or which value was refused. */
int vhost_render(const char *template, const VhostEnv *env, const VhostSpec *s, char **ret,
                 char **ret_error);

/* The template compiled into the agent, used when the configuration names none; it is the same text as
 * data/nginx-vhost.conf.tmpl in the source tree. */
extern const char vhost_default_template[];
