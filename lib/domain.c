/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The domain family: websites on nginx.  domain.create, domain.update and domain.delete live here; the
 * nginx.* actions in nginx-actions.c. */
#include <fcntl.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "action.h"
#include "domain.h"
#include "macro.h"
#include "nginx-site.h"
#include "nginx-vhost.h"
#include "safefile.h"
#include "validate.h"

#define DOMAIN_TIMEOUT_MS     60000
#define DOCUMENT_ROOT_DEFAULT "public_html"
#define DOMAIN_DIR_MODE       0755
#define PLACEHOLDER_MODE      0644

/* `nginx -t` binds every listen address of the configuration to check it, which for ports below 1024
 * takes CAP_NET_BIND_SERVICE; a port nginx already listens on then fails with EADDRINUSE, which the test
 * ignores. */
const int domain_capabilities[] = {
        CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL, CAP_NET_BIND_SERVICE, -1,
};

_Static_assert(NGINX_SITE_DOMAIN_MAX == 237, "the reason below and the constraint of domain.create say 237");

int domain_check_site_domain(const char *value, char **ret_normalized, const char **ret_reason)
{
        _cleanup_free_ char *normalized = NULL;
        int r;

        r = validate_domain(value, &normalized, ret_reason);
        if (r < 0)
                return r;
        if (strlen(normalized) > NGINX_SITE_DOMAIN_MAX) {
                *ret_reason = "is longer than 237 bytes, too long to name the vhost files";
                return -EINVAL;
        }

        if (ret_normalized)
                *ret_normalized = TAKE_PTR(normalized);
        return 0;
}

int domain_check_php_version(const char *value, char **ret_normalized, const char **ret_reason)
{
        if (streq(value, "none") || vhost_php_version_valid(value))
                return 0;
        *ret_reason = "expected a version such as 8.2, or none";
        return -EINVAL;
}

int domain_lookup_account(ActionContext *ctx, const char *user, Account *ret)
{
        int k;

        k = account_lookup_managed(ctx->config, user, ret);
        if (k == -ENOENT)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, json_pack("{s:s}", "param", "user"),
                                   "account %s does not exist; create it with user.create first", user);
        if (k == -EPERM)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, json_pack("{s:s}", "param", "user"),
                                   "account %s is not managed by the agent", user);
        if (k == -EINVAL)
                return action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", "user"),
                                   "invalid account name");
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to look up account %s", user);
        return 0;
}

/* Opens the account's home, mapping a planted link or a wrong owner to the code the caller can act on. */
int domain_open_home(ActionContext *ctx, const Account *a)
{
        int fd = account_open_home(ctx->config, a);

        if (fd == -ELOOP || fd == -ENOTDIR || fd == -EXDEV)
                return action_fail(ctx, AGENT_UNSAFE_PATH, json_pack("{s:s}", "path", a->home),
                                   "home directory %s is a symlink or not a directory", a->home);
        if (fd == -EPERM)
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, json_pack("{s:s}", "path", a->home),
                                   "home directory %s is not owned by %s", a->home, a->name);
        if (fd < 0)
                return action_fail_errno(ctx, fd, "failed to open home directory %s", a->home);
        return fd;
}

static int write_placeholder(int dir_fd, const Account *a, const char *domain)
{
        _cleanup_free_ char *page = NULL;

        if (asprintf(&page,
                     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n"
                     "<body><h1>%s</h1><p>This site has no content yet.</p></body></html>\n",
                     domain, domain) < 0)
                return -ENOMEM;
        return safe_write_atomic(dir_fd, "index.html", page, strlen(page), PLACEHOLDER_MODE, a->uid, a->gid);
}

/*
 * Creates domains/<domain>/<document_root> in the account's home, owned by the account.  Every component is
 * opened beneath the home without following symlinks, so a link planted anywhere on the way is UNSAFE_PATH
 * and nothing outside the home changes.  A document root created here gets a placeholder index.html.
 */
/* Creates the site tree.  *ret_created is true when domains/<domain> itself is new, so a failed change can
 * take it away again without touching files the tenant had there. */
static int domain_ensure_tree(ActionContext *ctx, const Account *a, const char *domain,
                              const char *document_root, bool *ret_created)
{
        _cleanup_close_ int home_fd = -EBADF, root_fd = -EBADF, probe = -EBADF, domain_probe = -EBADF;
        _cleanup_free_ char *path = NULL, *domain_path = NULL;
        bool existed;
        int k;

        *ret_created = false;

        home_fd = domain_open_home(ctx, a);
        if (home_fd < 0)
                return home_fd;

        if (asprintf(&domain_path, "domains/%s", domain) < 0)
                return -ENOMEM;
        domain_probe = safe_open_beneath(home_fd, domain_path, O_RDONLY | O_DIRECTORY, 0);

        if (asprintf(&path, "domains/%s/%s", domain, document_root) < 0)
                return -ENOMEM;

        probe = safe_open_beneath(home_fd, path, O_RDONLY | O_DIRECTORY, 0);
        existed = probe >= 0;
        if (probe < 0 && probe != -ENOENT && probe != -ELOOP && probe != -EXDEV && probe != -ENOTDIR)
                return action_fail_errno(ctx, probe, "failed to open %s/%s", a->home, path);

        root_fd = safe_mkdir_beneath(home_fd, path, DOMAIN_DIR_MODE, a->uid, a->gid, false);
        if (root_fd == -ELOOP || root_fd == -EXDEV || root_fd == -ENOTDIR)
                return action_fail(ctx, AGENT_UNSAFE_PATH, json_pack("{s:s}", "path", path),
                                   "%s/%s has a symlink or a non-directory on the way", a->home, path);
        if (root_fd < 0)
                return action_fail_errno(ctx, root_fd, "failed to create %s/%s", a->home, path);
        *ret_created = domain_probe == -ENOENT;

        if (!existed) {
                k = write_placeholder(root_fd, a, domain);
                if (k < 0)
                        return action_fail_errno(ctx, k, "failed to write the placeholder page of %s",
                                                 domain);
        }
        return 0;
}

/* Returns the list of names the spec serves (its domain first, then the aliases); the strings are the
 * spec's. */
static const char **spec_names(const VhostSpec *s)
{
        size_t n = 0;
        const char **names;

        while (s->aliases && s->aliases[n])
                n++;
        names = calloc(n + 2, sizeof(char *));
        if (!names)
                return NULL;
        names[0] = s->domain;
        for (size_t i = 0; i < n; i++)
                names[i + 1] = s->aliases[i];
        return names;
}

static int compare_strings(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Copies the request's aliases into the spec, sorted so the same set in another order is the same state.
 * The param parser already normalised them and rejected repeats. */
int domain_set_aliases(ActionContext *ctx, VhostSpec *s, const ParamStrv *aliases)
{
        char **copy;

        if (aliases->n > VHOST_ALIASES_MAX)
                return action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", "aliases"),
                                   "at most %d aliases are allowed", VHOST_ALIASES_MAX);

        for (size_t i = 0; i < aliases->n; i++)
                if (streq(aliases->v[i], s->domain)) {
                        _cleanup_free_ char *param = NULL;
                        if (asprintf(&param, "aliases[%zu]", i) < 0)
                                return -ENOMEM;
                        return action_fail(ctx, AGENT_INVALID_PARAMS, json_pack("{s:s}", "param", param),
                                           "parameter '%s' is the domain itself", param);
                }

        copy = calloc(aliases->n + 1, sizeof(char *));
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < aliases->n; i++) {
                copy[i] = strdup(aliases->v[i]);
                if (!copy[i]) {
                        strv_free(copy);
                        return -ENOMEM;
                }
        }
        qsort(copy, aliases->n, sizeof(char *), compare_strings);

        strv_free(s->aliases);
        s->aliases = aliases->n > 0 ? copy : NULL;
        if (aliases->n == 0)
                free(copy);
        return 0;
}

int domain_set_php(VhostSpec *s, const char *php_version)
{
        free(s->php_version);
        s->php_version = NULL;
        if (!php_version || streq(php_version, "none"))
                return 0;
        s->php_version = strdup(php_version);
        return s->php_version ? 0 : -ENOMEM;
}

static int fail_site_read(ActionContext *ctx, const NginxSites *sites, const char *domain, int k)
{
        if (k == -ENOMSG)
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "param", "domain"),
                                   "%s/%s.conf exists and is not managed by the agent",
                                   sites->available_path, domain);
        if (k == -EBADMSG)
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "param", "domain"),
                                   "the agent's header in %s/%s.conf is malformed; fix or remove the file",
                                   sites->available_path, domain);
        return action_fail_errno(ctx, k, "failed to read the vhost of %s", domain);
}

int domain_read_site(ActionContext *ctx, const NginxSites *sites, const char *domain, VhostSpec *ret,
                     bool *ret_exists)
{
        int k = nginx_site_read(sites, domain, ret);

        if (k == -ENOENT) {
                *ret_exists = false;
                return 0;
        }
        if (k < 0)
                return fail_site_read(ctx, sites, domain, k);
        *ret_exists = true;
        return 0;
}

static int domain_result(ActionContext *ctx, const VhostSpec *s, bool changed)
{
        json_t *aliases = json_array();

        if (!aliases)
                return -ENOMEM;
        for (size_t i = 0; s->aliases && s->aliases[i]; i++)
                json_array_append_new(aliases, json_string(s->aliases[i]));

        ctx->result =
                json_pack("{s:b, s:s, s:s, s:o, s:s, s:s?, s:b, s:b}", "changed", changed, "domain",
                          s->domain, "user", s->user, "aliases", aliases, "document_root", s->document_root,
                          "php_version", s->php_version, "redirect_https", s->redirect_https, "tls", s->tls);
        return ctx->result ? 0 : -ENOMEM;
}

int domain_write_site(ActionContext *ctx, const NginxSites *sites, const Account *a, const VhostSpec *s,
                      bool *ret_changed)
{
        _cleanup_(nginx_vhost_env_done) VhostEnvStorage env = {};
        _cleanup_free_ char *template = NULL, *content = NULL, *error = NULL;
        int k;

        k = nginx_vhost_env(ctx->config, a->home, &env);
        if (k < 0)
                return k;

        k = nginx_template_load(ctx->config, &template);
        if (k < 0)
                return action_fail(
                        ctx, AGENT_CONFIG_INVALID,
                        json_pack("{s:s}", "template", config_get(ctx->config, "nginx", "template")),
                        "Failed to load the vhost template: %s", strerror(-k));

        k = vhost_render(template, &env.env, s, &content, &error);
        if (k == -EINVAL || k == -EBADMSG || k == -EFBIG)
                return action_fail(ctx, AGENT_CONFIG_INVALID, json_pack("{s:s}", "template", error ?: ""),
                                   "failed to render the vhost of %s: %s", s->domain, error ?: "invalid");
        if (k < 0)
                return k;

        return nginx_site_apply(ctx, sites, s->domain, content, ret_changed);
}

/* Removes domains/<domain> that this request created, after the vhost change failed.  A failure here
 * only leaves the empty site behind, so it is logged and the original error is returned. */
static void remove_new_tree(ActionContext *ctx, const Account *a, const char *domain)
{
        _cleanup_close_ int home_fd = -EBADF;
        _cleanup_free_ char *path = NULL;
        int k;

        home_fd = account_open_home(ctx->config, a);
        if (home_fd < 0 || asprintf(&path, "domains/%s", domain) < 0)
                return;
        k = safe_remove_tree_beneath(home_fd, path);
        if (k < 0 && k != -ENOENT)
                fprintf(stderr, "Failed to remove %s/%s after request %s failed: %s\n", a->home, path,
                        ctx->request_id, strerror(-k));
}

/* Checks that no other vhost serves any name of s, then writes the tree and the vhost. */
static int domain_apply(ActionContext *ctx, const NginxSites *sites, const Account *a, const VhostSpec *s)
{
        _cleanup_free_ const char **names = NULL;
        _cleanup_free_ char *name = NULL, *owner_domain = NULL, *below = NULL;
        bool changed, created = false;
        int k;

        names = spec_names(s);
        if (!names)
                return -ENOMEM;

        k = nginx_sites_find_conflict(sites, s->domain, names, &name, &owner_domain);
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to read the vhosts in %s", sites->available_path);
        if (k > 0)
                /* The other site's owner is not named: a tenant must not learn who hosts a name. */
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "name", name),
                                   "%s is already served by another site", name);

        k = nginx_sites_find_foreign_parent(sites, a->name, names, &below);
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to read the vhosts in %s", sites->available_path);
        if (k > 0)
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "name", below),
                                   "%s lies below a domain that another account serves", below);

        k = domain_ensure_tree(ctx, a, s->domain, s->document_root, &created);
        if (k < 0)
                return k;

        k = domain_write_site(ctx, sites, a, s, &changed);
        if (k < 0) {
                if (created)
                        remove_new_tree(ctx, a, s->domain);
                return k;
        }

        return domain_result(ctx, s, changed);
}

typedef struct DomainParams {
        char *domain;
        char *user;
        ParamStrv aliases;
        char *php_version;
        char *document_root;
        ParamBool redirect_https;
        ParamBool tls;
} DomainParams;

typedef struct DomainDeleteParams {
        char *domain;
        char *user;
        ParamBool remove_files;
} DomainDeleteParams;

/* Takes the nginx lock and opens the sites directories; common to every changing action of the family. */
int domain_begin(ActionContext *ctx, NginxSites *ret_sites)
{
        int lock_fd, k;

        lock_fd = nginx_lock(ctx);
        if (lock_fd < 0)
                return action_fail_errno(ctx, lock_fd, "failed to take the nginx lock");

        k = nginx_sites_open(ctx->config, ret_sites);
        if (k < 0) {
                close(lock_fd);
                return action_fail_errno(ctx, k, "failed to open the nginx sites directories");
        }
        return lock_fd;
}

static int domain_create(ActionContext *ctx, void *params)
{
        DomainParams *p = params;
        _cleanup_(account_done) Account account = {};
        _cleanup_(vhost_spec_done) VhostSpec existing = {}, spec = {};
        _cleanup_(nginx_sites_done) NginxSites sites = { .available_fd = -EBADF, .enabled_fd = -EBADF };
        _cleanup_close_ int lock_fd = -EBADF;
        bool exists;
        int k;

        k = domain_lookup_account(ctx, p->user, &account);
        if (k < 0)
                return k;
        k = action_set_target_user(ctx, account.name);
        if (k < 0)
                return k;

        spec.domain = strdup(p->domain);
        spec.user = strdup(account.name);
        spec.document_root = strdup(p->document_root ?: DOCUMENT_ROOT_DEFAULT);
        if (!spec.domain || !spec.user || !spec.document_root)
                return -ENOMEM;
        spec.redirect_https = p->redirect_https.v;
        k = domain_set_aliases(ctx, &spec, &p->aliases);
        if (k < 0)
                return k;
        k = domain_set_php(&spec, p->php_version);
        if (k < 0)
                return k;

        lock_fd = domain_begin(ctx, &sites);
        if (lock_fd < 0)
                return lock_fd;

        k = domain_read_site(ctx, &sites, spec.domain, &existing, &exists);
        if (k < 0)
                return k;
        if (exists) {
                if (!streq(existing.user, account.name))
                        return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "param", "domain"),
                                           "%s belongs to another account", spec.domain);
                /* Creating an existing domain again sets the requested fields; the certificate state and the
                 * rate limits come from their own actions and are kept. */
                spec.tls = existing.tls;
                spec.requests_per_second = existing.requests_per_second;
                spec.burst = existing.burst;
                spec.connections = existing.connections;
        }

        return domain_apply(ctx, &sites, &account, &spec);
}

/* Looks up the account, takes the nginx lock and reads the domain's vhost: the common start of
 * domain.update and domain.delete.  Returns the lock descriptor. */
static int domain_open_site(ActionContext *ctx, const char *user, const char *domain, Account *ret_account,
                            NginxSites *ret_sites, VhostSpec *ret_spec, bool *ret_exists)
{
        _cleanup_close_ int lock_fd = -EBADF;
        int k;

        k = domain_lookup_account(ctx, user, ret_account);
        if (k < 0)
                return k;
        k = action_set_target_user(ctx, ret_account->name);
        if (k < 0)
                return k;

        lock_fd = domain_begin(ctx, ret_sites);
        if (lock_fd < 0)
                return lock_fd;

        k = domain_read_site(ctx, ret_sites, domain, ret_spec, ret_exists);
        if (k < 0)
                return k;
        return TAKE_FD(lock_fd);
}

static int domain_update(ActionContext *ctx, void *params)
{
        DomainParams *p = params;
        _cleanup_(account_done) Account account = {};
        _cleanup_(vhost_spec_done) VhostSpec spec = {};
        _cleanup_(nginx_sites_done) NginxSites sites = { .available_fd = -EBADF, .enabled_fd = -EBADF };
        _cleanup_close_ int lock_fd = -EBADF;
        bool exists;
        int k;

        lock_fd = domain_open_site(ctx, p->user, p->domain, &account, &sites, &spec, &exists);
        if (lock_fd < 0)
                return lock_fd;
        if (!exists)
                return action_fail(ctx, AGENT_NOT_FOUND, json_pack("{s:s}", "param", "domain"),
                                   "domain %s has no vhost", p->domain);
        if (!streq(spec.user, account.name))
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "param", "domain"),
                                   "%s belongs to another account", p->domain);

        /* Fields absent from the request keep their current value. */
        if (p->aliases.v) {
                k = domain_set_aliases(ctx, &spec, &p->aliases);
                if (k < 0)
                        return k;
        }
        if (p->php_version) {
                k = domain_set_php(&spec, p->php_version);
                if (k < 0)
                        return k;
        }
        if (p->document_root) {
                free(spec.document_root);
                spec.document_root = strdup(p->document_root);
                if (!spec.document_root)
                        return -ENOMEM;
        }
        if (p->redirect_https.set)
                spec.redirect_https = p->redirect_https.v;
        if (p->tls.set) {
                if (p->tls.v && !nginx_certificate_exists(ctx->config, spec.domain))
                        return action_fail(
                                ctx, AGENT_FAILED_PRECONDITION, json_pack("{s:s}", "param", "tls"),
                                "domain %s has no certificate in %s/%s yet; issue one first", spec.domain,
                                config_get(ctx->config, "nginx", "certificate_dir"), spec.domain);
                spec.tls = p->tls.v;
        }

        return domain_apply(ctx, &sites, &account, &spec);
}

static int remove_cache_dir(const AgentConfig *c, const char *domain)
{
        _cleanup_close_ int fd = -EBADF;
        int k;

        fd = open(config_get(c, "nginx", "cache_root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd == -1 && errno == ENOENT)
                return 0;
        if (fd < 0)
                return -errno;
        k = safe_remove_tree_beneath(fd, domain);
        return k == -ENOENT ? 0 : k;
}

static int domain_delete(ActionContext *ctx, void *params)
{
        DomainDeleteParams *p = params;
        _cleanup_(account_done) Account account = {};
        _cleanup_(vhost_spec_done) VhostSpec spec = {};
        _cleanup_(nginx_sites_done) NginxSites sites = { .available_fd = -EBADF, .enabled_fd = -EBADF };
        _cleanup_close_ int lock_fd = -EBADF;
        bool exists, changed = false, files_removed = false;
        int k;

        lock_fd = domain_open_site(ctx, p->user, p->domain, &account, &sites, &spec, &exists);
        if (lock_fd < 0)
                return lock_fd;
        if (exists && !streq(spec.user, account.name))
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "param", "domain"),
                                   "%s belongs to another account", p->domain);

        if (exists) {
                k = nginx_site_apply(ctx, &sites, p->domain, NULL, &changed);
                if (k < 0)
                        return k;
                k = remove_cache_dir(ctx->config, p->domain);
                if (k < 0)
                        fprintf(stderr, "Failed to remove the cache directory of %s: %s\n", p->domain,
                                strerror(-k));
        }

        if (p->remove_files.v) {
                _cleanup_close_ int home_fd = -EBADF;
                _cleanup_free_ char *path = NULL;

                home_fd = domain_open_home(ctx, &account);
                if (home_fd < 0)
                        return home_fd;
                if (asprintf(&path, "domains/%s", p->domain) < 0)
                        return -ENOMEM;

                /* Links inside the tree are removed as links; a link on the way to it is UNSAFE_PATH. */
                k = safe_remove_tree_beneath(home_fd, path);
                if (k == -ELOOP || k == -EXDEV || k == -ENOTDIR)
                        return action_fail(ctx, AGENT_UNSAFE_PATH,
                                           json_pack("{s:s, s:b}", "path", path, "vhost_removed", changed),
                                           "%s/%s has a symlink on the way or crosses a mount point, so its "
                                           "files were left in place%s",
                                           account.home, path, changed ? " (the vhost was removed)" : "");
                if (k < 0 && k != -ENOENT)
                        return action_fail_errno(ctx, k, "failed to remove %s/%s", account.home, path);
                files_removed = k >= 0;
        }

        ctx->result = json_pack("{s:b, s:s, s:b, s:b}", "changed", changed || files_removed, "domain",
                                p->domain, "vhost_removed", changed, "files_removed", files_removed);
        return ctx->result ? 0 : -ENOMEM;
}

#define DOMAIN_PARAM(name_, field_, ...)                                                                    \
        {                                                                                                   \
                .name = name_, .offset = offsetof(DomainParams, field_), __VA_ARGS__                        \
        }

static const ParamSpec domain_create_params[] = {
        DOMAIN_PARAM("domain", domain, .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max = 253,
                     .check = domain_check_site_domain,
                     .constraint =
                             "domain name; lowercased and converted to A-labels, then at most 237 bytes; "
                             "not a public suffix",
                     .description = "The site's domain."),
        DOMAIN_PARAM("user", user, .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max = 16,
                     .check = validate_account_name, .constraint = "^[a-z][a-z0-9]{0,15}$",
                     .description = "The account that owns the site; it must be managed by the agent."),
        DOMAIN_PARAM("aliases", aliases, .type = PARAM_STRING_ARRAY, .max = VHOST_ALIASES_MAX,
                     .check = validate_domain, .constraint = "domain names, as for domain",
                     .description = "Other names the site serves."),
        DOMAIN_PARAM("php_version", php_version, .type = PARAM_STRING, .max = 8,
                     .check = domain_check_php_version, .constraint = "X.Y or none",
                     .description =
                             "PHP version whose FPM pool of the account runs the site's PHP; absent or "
                             "none serves static files only."),
        DOMAIN_PARAM("document_root", document_root, .type = PARAM_STRING, .max = 255,
                     .check = validate_relative_path, .constraint = "relative path without '..'",
                     .description = "Document root relative to the domain directory (default public_html)."),
        DOMAIN_PARAM("redirect_https", redirect_https, .type = PARAM_BOOL,
                     .description = "Redirect plain HTTP to HTTPS while the site has TLS."),
        {},
};

static const ParamSpec domain_update_params[] = {
        DOMAIN_PARAM("domain", domain, .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max = 253,
                     .check = validate_domain,
                     .constraint = "domain name; lowercased and converted to A-labels; not a public suffix",
                     .description = "The site's domain."),
        DOMAIN_PARAM("user", user, .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max = 16,
                     .check = validate_account_name, .constraint = "^[a-z][a-z0-9]{0,15}$",
                     .description = "The account that owns the site, as recorded in its vhost."),
        DOMAIN_PARAM("aliases", aliases, .type = PARAM_STRING_ARRAY, .max = VHOST_ALIASES_MAX,
                     .check = validate_domain, .constraint = "domain names, as for domain",
                     .description = "Replaces the aliases; absent keeps them, [] removes them."),
        DOMAIN_PARAM("php_version", php_version, .type = PARAM_STRING, .max = 8,
                     .check = domain_check_php_version, .constraint = "X.Y or none",
                     .description = "PHP version, or none to turn PHP off; absent keeps the current one."),
        DOMAIN_PARAM("document_root", document_root, .type = PARAM_STRING, .max = 255,
                     .check = validate_relative_path, .constraint = "relative path without '..'",
                     .description = "Document root relative to the domain directory; absent keeps it."),
        DOMAIN_PARAM("redirect_https", redirect_https, .type = PARAM_BOOL,
                     .description = "Redirect plain HTTP to HTTPS while the site has TLS; absent keeps it."),
        DOMAIN_PARAM("tls", tls, .type = PARAM_BOOL,
                     .description =
                             "Serve HTTPS with the domain's certificate, which must exist; absent keeps "
                             "the current state."),
        {},
};

#define DELETE_PARAM(name_, field_, ...)                                                                    \
        {                                                                                                   \
                .name = name_, .offset = offsetof(DomainDeleteParams, field_), __VA_ARGS__                  \
        }

static const ParamSpec domain_delete_params[] = {
        DELETE_PARAM("domain", domain, .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max = 253,
                     .check = validate_domain,
                     .constraint = "domain name; lowercased and converted to A-labels; not a public suffix",
                     .description = "The site's domain."),
        DELETE_PARAM("user", user, .type = PARAM_STRING, .flags = PARAM_REQUIRED, .max = 16,
                     .check = validate_account_name, .constraint = "^[a-z][a-z0-9]{0,15}$",
                     .description = "The account that owns the site, as recorded in its vhost."),
        DELETE_PARAM("remove_files", remove_files, .type = PARAM_BOOL,
                     .description =
                             "Also remove the domain directory in the home, without following links."),
        {},
};

static const Action action_domain_create = {
        .name = "domain.create",
        .family = FAMILY_DOMAIN,
        .description =
                "Creates a site: the domain directory owned by the account, the nginx vhost and its "
                "enabled link; tests the nginx configuration and reloads.  Sent again for an existing "
                "site of the same account, it sets the given fields and changes nothing when they "
                "already match.",
        .params = domain_create_params,
        .params_size = sizeof(DomainParams),
        .handler = domain_create,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = DOMAIN_TIMEOUT_MS,
        .capabilities = domain_capabilities,
        .result_doc = "{changed, domain, user, aliases, document_root, php_version?, redirect_https, tls}",
};

static const Action action_domain_update = {
        .name = "domain.update",
        .family = FAMILY_DOMAIN,
        .description = "Changes a site's aliases, PHP version, document root, HTTPS redirect or TLS; the "
                       "vhost is rewritten, tested and reloaded only when it changes.",
        .params = domain_update_params,
        .params_size = sizeof(DomainParams),
        .handler = domain_update,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = DOMAIN_TIMEOUT_MS,
        .capabilities = domain_capabilities,
        .result_doc = "{changed, domain, user, aliases, document_root, php_version?, redirect_https, tls}",
};

static const Action action_domain_delete = {
        .name = "domain.delete",
        .family = FAMILY_DOMAIN,
        .description =
                "Removes a site's vhost, its enabled link and its cache, then tests and reloads; with "
                "remove_files also the domain directory.  Deleting a site that does not exist changes "
                "nothing.",
        .params = domain_delete_params,
        .params_size = sizeof(DomainDeleteParams),
        .handler = domain_delete,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = DOMAIN_TIMEOUT_MS,
        .capabilities = domain_capabilities,
        .result_doc = "{changed, domain, vhost_removed, files_removed}",
};

const Action *const domain_family_actions[] = {
        &action_domain_create,
        &action_domain_update,
        &action_domain_delete,
        &action_nginx_reload,
        &action_nginx_cache_purge,
        &action_nginx_ratelimits_apply,
        NULL,
};
