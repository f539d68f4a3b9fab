/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "macro.h"
#include "nginx-site.h"
#include "safefile.h"
#include "service.h"
#include "spawn.h"

#define TEMPLATE_MAX (256u * 1024u)
#define SITE_MODE    0644

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

int nginx_sites_open(const AgentConfig *c, NginxSites *ret)
{
        _cleanup_close_ int available = -EBADF, enabled = -EBADF;
        const char *available_path = config_get(c, "nginx", "sites_available");
        const char *enabled_path = config_get(c, "nginx", "sites_enabled");

        assert(ret);

        /* Both directories belong to root, not to a tenant, so following a symlink an operator made there
         * (a common way to relocate /etc/nginx) is fine. */
        available = open(available_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (available < 0)
                return -errno;
        enabled = open(enabled_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (enabled < 0)
                return -errno;

        *ret = (NginxSites){
                .available_fd = TAKE_FD(available),
                .enabled_fd = TAKE_FD(enabled),
                .available_path = available_path,
                .enabled_path = enabled_path,
        };
        return 0;
}

void nginx_sites_done(NginxSites *s)
{
        if (!s)
                return;
        if (s->available_fd >= 0)
                close(s->available_fd);
        if (s->enabled_fd >= 0)
                close(s->enabled_fd);
        s->available_fd = s->enabled_fd = -EBADF;
}

int nginx_lock(const ActionContext *ctx)
{
        unsigned timeout = config_get_uint(ctx->config, "agent", "lock_timeout_ms");
        unsigned remaining = action_remaining_ms(ctx);

        return lock_acquire(config_get(ctx->config, "agent", "lock_dir"), NGINX_LOCK_NAME,
                            timeout < remaining ? timeout : remaining);
}

static int site_file_name(const char *domain, char **ret)
{
        return asprintf(ret, "%s.conf", domain) < 0 ? -ENOMEM : 0;
}

int nginx_site_read(const NginxSites *s, const char *domain, VhostSpec *ret)
{
        _cleanup_free_ char *name = NULL, *text = NULL;
        size_t size;
        int k;

        k = site_file_name(domain, &name);
        if (k < 0)
                return k;

        k = safe_read_beneath(s->available_fd, name, VHOST_FILE_MAX, &text, &size);
        /* A name of 251 to 253 bytes makes "<name>.conf" longer than NAME_MAX (255), and no such file can
         * exist. */
        if (k == -ENAMETOOLONG)
                return -ENOENT;
        if (k == -EFBIG || k == -EINVAL)
                return -ENOMSG;
        if (k < 0)
                return k;

        return vhost_header_parse(text, ret);
}

static bool names_contain(const char *const *names, const char *name)
{
        for (size_t i = 0; names[i]; i++)
                if (streq(names[i], name))
                        return true;
        return false;
}

/* Returns the first of names that spec serves (its domain or an alias), or NULL. */
static const char *spec_serves_any(const VhostSpec *spec, const char *const *names)
{
        if (names_contain(names, spec->domain))
                return spec->domain;
        for (size_t i = 0; spec->aliases && spec->aliases[i]; i++)
                if (names_contain(names, spec->aliases[i]))
                        return spec->aliases[i];
        return NULL;
}

/* Calls visit for the owner record of every vhost the agent manages, in directory order, until it returns
 * non-zero, and returns that value (0 when every call returned 0).  Files without a valid record are
 * skipped.  NOTE: this reads every vhost's header, so a request costs time linear in the number of sites;
 * it has not been measured beyond the few dozen sites of the integration tests. */
static int sites_scan(const NginxSites *s, int (*visit)(const VhostSpec *spec, void *userdata),
                      void *userdata)
{
        _cleanup_(closedirp) DIR *d = NULL;
        int fd;

        fd = openat(s->available_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                int saved = errno;
                close(fd);
                return -saved;
        }

        for (struct dirent *de; (de = readdir(d));) {
                _cleanup_(vhost_spec_done) VhostSpec spec = {};
                _cleanup_free_ char *text = NULL;
                size_t len = strlen(de->d_name), size;
                int r;

                if (de->d_name[0] == '.' || len <= 5 || !streq(de->d_name + len - 5, ".conf"))
                        continue;
                if (safe_read_beneath(s->available_fd, de->d_name, VHOST_FILE_MAX, &text, &size) < 0)
                        continue;
                if (vhost_header_parse(text, &spec) < 0)
                        continue;

                r = visit(&spec, userdata);
                if (r != 0)
                        return r;
        }

        return 0;
}

typedef struct ConflictScan {
        const char *except_domain;
        const char *const *names;
        char **ret_name;
        char **ret_domain;
} ConflictScan;

static int visit_conflict(const VhostSpec *spec, void *userdata)
{
        ConflictScan *c = userdata;
        const char *hit;

        if (c->except_domain && streq(spec->domain, c->except_domain))
                return 0;
        hit = spec_serves_any(spec, c->names);
        if (!hit)
                return 0;

        *c->ret_name = strdup(hit);
        *c->ret_domain = strdup(spec->domain);
        return *c->ret_name && *c->ret_domain ? 1 : -ENOMEM;
}

int nginx_sites_find_conflict(const NginxSites *s, const char *except_domain, const char *const *names,
                              char **ret_name, char **ret_domain)
{
        assert(s);
        assert(names);
        assert(ret_name);
        assert(ret_domain);

        /* A file named after one of the names that the agent does not manage: its server_name is unknown,
         * so the name counts as taken. */
        for (size_t i = 0; names[i]; i++) {
                _cleanup_(vhost_spec_done) VhostSpec spec = {};
                int k;

                if (except_domain && streq(names[i], except_domain))
                        continue;
                k = nginx_site_read(s, names[i], &spec);
                if (k == -ENOENT)
                        continue;
                if (k < 0 && k != -ENOMSG && k != -EBADMSG)
                        return k;

                *ret_name = strdup(names[i]);
                *ret_domain = strdup(names[i]);
                if (!*ret_name || !*ret_domain)
                        return -ENOMEM;
                return 1;
        }

        ConflictScan scan = {
                .except_domain = except_domain,
                .names = names,
                .ret_name = ret_name,
                .ret_domain = ret_domain,
        };
        return sites_scan(s, visit_conflict, &scan);
}

/* Returns true when name lies below parent: "a.b.example" below "b.example", not "ab.example". */
static bool name_below(const char *name, const char *parent)
{
        size_t n = strlen(name), p = strlen(parent);

        return n > p + 1 && name[n - p - 1] == '.' && streq(name + n - p, parent);
}

static const char *spec_parent_of_any(const VhostSpec *spec, const char *const *names)
{
        for (size_t i = 0; names[i]; i++) {
                if (name_below(names[i], spec->domain))
                        return names[i];
                for (size_t k = 0; spec->aliases && spec->aliases[k]; k++)
                        if (name_below(names[i], spec->aliases[k]))
                                return names[i];
        }
        return NULL;
}

typedef struct ParentScan {
        const char *owner;
        const char *const *names;
        char **ret_name;
} ParentScan;

static int visit_foreign_parent(const VhostSpec *spec, void *userdata)
{
        ParentScan *p = userdata;
        const char *hit;

        if (!spec->user || streq(spec->user, p->owner))
                return 0;
        hit = spec_parent_of_any(spec, p->names);
        if (!hit)
                return 0;

        *p->ret_name = strdup(hit);
        return *p->ret_name ? 1 : -ENOMEM;
}

int nginx_sites_find_foreign_parent(const NginxSites *s, const char *owner, const char *const *names,
                                    char **ret_name)
{
        ParentScan scan = { .owner = owner, .names = names, .ret_name = ret_name };

        assert(s);
        assert(owner);
        assert(names);
        assert(ret_name);

        return sites_scan(s, visit_foreign_parent, &scan);
}

typedef struct OwnedScan {
        const char *user;
        char **domains;
        size_t n;
} OwnedScan;

static int visit_owned(const VhostSpec *spec, void *userdata)
{
        OwnedScan *o = userdata;
        char **longer;

        if (!spec->user || !streq(spec->user, o->user))
                return 0;

        longer = reallocarray(o->domains, o->n + 2, sizeof(char *));
        if (!longer)
                return -ENOMEM;
        o->domains = longer;
        o->domains[o->n] = strdup(spec->domain);
        if (!o->domains[o->n])
                return -ENOMEM;
        o->domains[++o->n] = NULL;
        return 0;
}

int nginx_sites_list_owned(const NginxSites *s, const char *user, char ***ret)
{
        OwnedScan scan = { .user = user };
        int r;

        assert(s);
        assert(user);
        assert(ret);

        scan.domains = calloc(1, sizeof(char *));
        if (!scan.domains)
                return -ENOMEM;

        r = sites_scan(s, visit_owned, &scan);
        if (r < 0) {
                strv_free(scan.domains);
                return r;
        }

        *ret = scan.domains;
        return 0;
}

void nginx_vhost_env_done(VhostEnvStorage *s)
{
        if (!s)
                return;
        strv_free(s->listen_http);
        strv_free(s->listen_https);
        *s = (VhostEnvStorage){};
}

int nginx_vhost_env(const AgentConfig *c, const char *home, VhostEnvStorage *ret)
{
        VhostEnvStorage s = {
                .listen_http = config_get_list(c, "nginx", "listen_http"),
                .listen_https = config_get_list(c, "nginx", "listen_https"),
        };

        if (!s.listen_http || !s.listen_https) {
                nginx_vhost_env_done(&s);
                return -ENOMEM;
        }

        s.env = (VhostEnv){
                .home = home,
                .log_dir = config_get(c, "nginx", "log_dir"),
                .acme_root = config_get(c, "nginx", "acme_root"),
                .cache_root = config_get(c, "nginx", "cache_root"),
                .certificate_dir = config_get(c, "nginx", "certificate_dir"),
                .php_socket_pattern = config_get(c, "nginx", "php_fpm_socket"),
                .listen_http = (const char *const *) s.listen_http,
                .listen_https = (const char *const *) s.listen_https,
        };
        *ret = s;
        return 0;
}

int nginx_template_load(const AgentConfig *c, char **ret)
{
        _cleanup_free_ char *text = NULL, *dir = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        const char *path = config_get(c, "nginx", "template"), *slash;
        size_t size;
        int k;

        if (strempty(path)) {
                text = strdup(vhost_default_template);
                if (!text)
                        return -ENOMEM;
                *ret = TAKE_PTR(text);
                return 0;
        }

        /* The template is the operator's file in a root-owned directory, so its directory is opened like any
         * configuration path and only the file itself must not be a link. */
        slash = strrchr(path, '/');
        if (!slash || slash[1] == '\0')
                return -EINVAL;
        dir = strndup(path, slash == path ? 1 : (size_t) (slash - path));
        if (!dir)
                return -ENOMEM;
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return -errno;

        k = safe_read_beneath(dir_fd, slash + 1, TEMPLATE_MAX, &text, &size);
        if (k < 0)
                return k;
        if (strlen(text) != size)
                return -EBADMSG;

        *ret = TAKE_PTR(text);
        return 0;
}

bool nginx_certificate_exists(const AgentConfig *c, const char *domain)
{
        const char *dir = config_get(c, "nginx", "certificate_dir");
        static const char *const files[] = { "fullchain.pem", "privkey.pem" };

        /* certbot's live/ directory contains symlinks into archive/, so these are followed on purpose. */
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (asprintf(&path, "%s/%s/%s", dir, domain, files[i]) < 0)
                        return false;
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        return false;
        }
        return true;
}

int nginx_config_test(ActionContext *ctx)
{
        _cleanup_strv_free_ char **argv = config_get_list(ctx->config, "nginx", "test_command");
        _cleanup_(spawn_result_done) SpawnResult result = {};
        unsigned timeout = config_get_uint(ctx->config, "nginx", "test_timeout_ms");
        unsigned remaining = action_remaining_ms(ctx);
        SpawnOptions opts;
        int k;

        if (!argv)
                return -ENOMEM;
        if (!argv[0] || argv[0][0] != '/')
                return action_fail(ctx, AGENT_FAILED_PRECONDITION, NULL,
                                   "[nginx] test_command must start with an absolute program path");

        opts = (SpawnOptions){
                .argv = (const char *const *) argv,
                .timeout_ms = timeout < remaining ? timeout : remaining,
                .merge_stderr = true,
        };
        k = spawn_run(&opts, &result);
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to run the nginx test command %s", argv[0]);

        if (spawn_succeeded(&result))
                return 0;

        /* The output is raw bytes; JSON needs valid UTF-8, and nginx's messages are ASCII. */
        for (size_t i = 0; result.out && i < result.out_size; i++)
                if ((unsigned char) result.out[i] >= 0x80 || (result.out[i] < 0x20 && result.out[i] != '\n'))
                        result.out[i] = '?';

        return action_fail(ctx, AGENT_CONFIG_INVALID,
                           json_pack("{s:i, s:b, s:s%}", "exit_status", result.exit_status, "timed_out",
                                     result.timed_out, "output", result.out ?: "",
                                     result.out ? result.out_size : 0),
                           "nginx rejected the configuration (%s)",
                           result.timed_out ? "test timed out" : "nginx -t failed");
}

int nginx_reload(ActionContext *ctx)
{
        _cleanup_free_ char *error = NULL;
        unsigned timeout = config_get_uint(ctx->config, "nginx", "reload_timeout_ms");
        unsigned remaining = action_remaining_ms(ctx);
        const char *service = config_get(ctx->config, "nginx", "service");
        int k;

        k = service_control(ctx->config, service, SERVICE_RELOAD, timeout < remaining ? timeout : remaining,
                            &error);
        if (k < 0)
                return action_fail(ctx, AGENT_UNAVAILABLE, json_pack("{s:s}", "service", service),
                                   "failed to reload nginx: %s", error ?: strerror(-k));
        return 0;
}

/* The state of the enabled symlink of a site: absent, or a symlink with this target. */
typedef struct LinkState {
        bool exists;
        char target[PATH_MAX];
} LinkState;

static int link_state_read(int dirfd, const char *name, LinkState *ret)
{
        struct stat st;
        ssize_t n;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno != ENOENT)
                        return -errno;
                *ret = (LinkState){};
                return 0;
        }
        if (!S_ISLNK(st.st_mode))
                return -EEXIST;

        n = readlinkat(dirfd, name, ret->target, sizeof(ret->target) - 1);
        if (n < 0)
                return -errno;
        ret->target[n] = '\0';
        ret->exists = true;
        return 0;
}

/* Replaces (or creates) the symlink name in dirfd atomically: a temporary link renamed over it. */
static int link_write(int dirfd, const char *name, const char *target)
{
        _cleanup_free_ char *tmp = NULL;

        if (asprintf(&tmp, ".%s.%d.tmp", name, (int) getpid()) < 0)
                return -ENOMEM;

        (void) unlinkat(dirfd, tmp, 0);
        if (symlinkat(target, dirfd, tmp) < 0)
                return -errno;
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                int saved = errno;
                (void) unlinkat(dirfd, tmp, 0);
                return -saved;
        }
        if (fsync(dirfd) < 0)
                return -errno;
        return 0;
}

static int link_restore(int dirfd, const char *name, const LinkState *old)
{
        if (old->exists)
                return link_write(dirfd, name, old->target);
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                return -errno;
        return fsync(dirfd) < 0 ? -errno : 0;
}

typedef struct SiteBackup {
        FileBackup file;
        LinkState link;
        bool taken;
} SiteBackup;

static void site_backup_done(SiteBackup *b)
{
        if (b->taken)
                file_backup_done(&b->file);
}

/* Puts the vhost and its link back as they were; failures are reported but the other half still runs. */
static int site_restore(const NginxSites *s, const char *name, const SiteBackup *b)
{
        int k, r = 0;

        k = file_backup_restore(s->available_fd, name, &b->file);
        if (k < 0)
                r = k;
        k = link_restore(s->enabled_fd, name, &b->link);
        if (k < 0 && r == 0)
                r = k;
        return r;
}

static bool site_matches(const NginxSites *s, const char *name, const char *target, const SiteBackup *b,
                         const char *content)
{
        if (!content)
                return !b->file.existed && !b->link.exists;

        return b->file.existed && b->file.size == strlen(content) &&
               memcmp(b->file.data, content, b->file.size) == 0 && b->file.mode == SITE_MODE &&
               b->file.uid == 0 && b->link.exists && streq(b->link.target, target);
}

int nginx_site_apply(ActionContext *ctx, const NginxSites *s, const char *domain, const char *content,
                     bool *ret_changed)
{
        _cleanup_(site_backup_done) SiteBackup backup = {};
        _cleanup_free_ char *name = NULL, *target = NULL;
        int k;

        assert(ctx);
        assert(s);
        assert(domain);
        assert(ret_changed);

        k = site_file_name(domain, &name);
        if (k < 0)
                return k;
        if (asprintf(&target, "%s/%s", s->available_path, name) < 0)
                return -ENOMEM;

        k = file_backup_take(s->available_fd, name, &backup.file);
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to read the vhost %s/%s", s->available_path, name);
        backup.taken = true;

        k = link_state_read(s->enabled_fd, name, &backup.link);
        if (k == -EEXIST)
                return action_fail(ctx, AGENT_CONFLICT, json_pack("{s:s}", "path", s->enabled_path),
                                   "%s/%s is not a symlink, so the agent does not manage it",
                                   s->enabled_path, name);
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to read the link %s/%s", s->enabled_path, name);

        if (site_matches(s, name, target, &backup, content)) {
                *ret_changed = false;
                return 0;
        }

        /* From here on every failure puts the previous state back. */
        if (content) {
                k = safe_write_atomic(s->available_fd, name, content, strlen(content), SITE_MODE, 0, 0);
                if (k >= 0)
                        k = link_write(s->enabled_fd, name, target);
        } else {
                k = 0;
                if (unlinkat(s->enabled_fd, name, 0) < 0 && errno != ENOENT)
                        k = -errno;
                if (k >= 0 && unlinkat(s->available_fd, name, 0) < 0 && errno != ENOENT)
                        k = -errno;
                if (k >= 0 && (fsync(s->enabled_fd) < 0 || fsync(s->available_fd) < 0))
                        k = -errno;
        }
        if (k < 0) {
                (void) site_restore(s, name, &backup);
                return action_fail_errno(ctx, k, "failed to write the vhost of %s", domain);
        }

        k = nginx_config_test(ctx);
        if (k >= 0)
                k = nginx_reload(ctx);
        if (k < 0) {
                int r = site_restore(s, name, &backup);
                if (r < 0)
                        /* The response already carries the first error; the journal gets this one. */
                        fprintf(stderr, "Failed to restore the vhost of %s after a failed change: %s\n",
                                domain, strerror(-r));
                return k;
        }

        *ret_changed = true;
        return 0;
}
