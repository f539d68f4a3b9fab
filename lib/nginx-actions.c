/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The nginx.* actions of the domain family: reload, cache purge and per-domain rate limits. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "macro.h"
#include "nginx-cache.h"
#include "validate.h"

#define NGINX_TIMEOUT_MS 60000
#define RATE_MAX         100000

typedef struct NoParams {
        char unused;
} NoParams;

static const ParamSpec nginx_reload_params[] = {
        {},
};

static int nginx_reload_action(ActionContext *ctx, void *params)
{
        _cleanup_close_ int lock_fd = -EBADF;
        int k;

        lock_fd = nginx_lock(ctx);
        if (lock_fd < 0)
                return action_fail_errno(ctx, lock_fd, "failed to take the nginx lock");

        k = nginx_config_test(ctx);
        if (k < 0)
                return k;
        k = nginx_reload(ctx);
        if (k < 0)
                return k;

        ctx->result = json_pack("{s:b}", "changed", true);
        return ctx->result ? 0 : -ENOMEM;
}

typedef struct CachePurgeParams {
        char *domain;
        ParamStrv paths;
} CachePurgeParams;

/* Opens <cache_root>/<domain> without following a link at the last step; -ENOENT when there is no cache. */
static int open_cache_dir(const AgentConfig *c, const char *domain)
{
        _cleanup_close_ int root_fd = -EBADF;
        int fd;

        root_fd = open(config_get(c, "nginx", "cache_root"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return -errno;
        fd = openat(root_fd, domain, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int nginx_cache_purge_action(ActionContext *ctx, void *params)
{
        CachePurgeParams *p = params;
        _cleanup_(vhost_spec_done) VhostSpec spec = {};
        _cleanup_(nginx_sites_done) NginxSites sites = { .available_fd = -EBADF, .enabled_fd = -EBADF };
        _cleanup_close_ int cache_fd = -EBADF;
        _cleanup_free_ const char **hosts = NULL;
        unsigned removed = 0;
        bool exists;
        size_t n = 0;
        int k;

        k = nginx_sites_open(ctx->config, &sites);
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to open the nginx sites directories");

        k = domain_read_site(ctx, &sites, p->domain, &spec, &exists);
        if (k < 0)
                return k;
        if (!exists)
                return action_fail(ctx, AGENT_NOT_FOUND, json_pack("{s:s}", "param", "domain"),
                                   "domain %s has no vhost", p->domain);
        k = action_set_target_user(ctx, spec.user);
        if (k < 0)
                return k;

        cache_fd = open_cache_dir(ctx->config, spec.domain);
        if (cache_fd == -ENOENT)
                goto done;
        if (cache_fd == -ELOOP || cache_fd == -ENOTDIR)
                return action_fail(ctx, AGENT_UNSAFE_PATH, NULL,
                                   "the cache directory of %s is not a directory", spec.domain);
        if (cache_fd < 0)
                return action_fail_errno(ctx, cache_fd, "failed to open the cache directory of %s",
                                         spec.domain);

        if (!p->paths.v || p->paths.n == 0) {
                k = nginx_cache_purge_all(cache_fd, &removed);
        } else {
                while (spec.aliases && spec.aliases[n])
                        n++;
                hosts = calloc(n + 2, sizeof(char *));
                if (!hosts)
                        return -ENOMEM;
                hosts[0] = spec.domain;
                for (size_t i = 0; i < n; i++)
                        hosts[i + 1] = spec.aliases[i];
                k = nginx_cache_purge_paths(cache_fd, hosts, (const char *const *) p->paths.v, &removed);
        }
        if (k < 0)
                return action_fail_errno(ctx, k, "failed to purge the cache of %s", spec.domain);

done:
        ctx->result = json_pack("{s:b, s:s, s:i}", "changed", removed > 0, "domain", spec.domain, "removed",
                                (int) removed);
        return ctx->result ? 0 : -ENOMEM;
}

typedef struct RateLimitParams {
        char *domain;
        ParamInt requests_per_second;
        ParamInt burst;
        ParamInt connections;
} RateLimitParams;

static int nginx_ratelimits_apply_action(ActionContext *ctx, void *params)
{
        RateLimitParams *p = params;
        _cleanup_(account_done) Account account = {};
        _cleanup_(vhost_spec_done) VhostSpec spec = {};
        _cleanup_(nginx_sites_done) NginxSites sites = { .available_fd = -EBADF, .enabled_fd = -EBADF };
        _cleanup_close_ int lock_fd = -EBADF;
        bool exists, changed;
        int k;

        lock_fd = domain_begin(ctx, &sites);
        if (lock_fd < 0)
                return lock_fd;

        k = domain_read_site(ctx, &sites, p->domain, &spec, &exists);
        if (k < 0)
                return k;
        if (!exists)
                return action_fail(ctx, AGENT_NOT_FOUND, json_pack("{s:s}", "param", "domain"),
                                   "domain %s has no vhost", p->domain);
        k = action_set_target_user(ctx, spec.user);
        if (k < 0)
                return k;

        /* The vhost is rendered again, so its owner must still be an account the agent manages. */
        k = domain_lookup_account(ctx, spec.user, &account);
        if (k < 0)
                return k;

        spec.requests_per_second = (unsigned) p->requests_per_second.v;
        spec.burst = (unsigned) (p->burst.set ? p->burst.v : p->requests_per_second.v);
        spec.connections = (unsigned) p->connections.v;

        k = domain_write_site(ctx, &sites, &account, &spec, &changed);
        if (k < 0)
                return k;

        ctx->result = json_pack("{s:b, s:s, s:i, s:i, s:i}", "changed", changed, "domain", spec.domain,
                                "requests_per_second", (int) spec.requests_per_second, "burst",
                                (int) spec.burst, "connections", (int) spec.connections);
        return ctx->result ? 0 : -ENOMEM;
}

static const ParamSpec nginx_cache_purge_params[] = {
        { .name = "domain",
          .type = PARAM_STRING,
          .flags = PARAM_REQUIRED,
          .max = 253,
          .offset = offsetof(CachePurgeParams, domain),
          .check = validate_domain,
          .constraint = "domain name; lowercased and converted to A-labels",
          .description = "The site's domain." },
        { .name = "paths",
          .type = PARAM_STRING_ARRAY,
          .max = 256,
          .offset = offsetof(CachePurgeParams, paths),
          .check = validate_url_path,
          .constraint = "URL paths starting with '/', query string included",
          .description =
                  "URL paths to purge for every name of the site; absent or [] purges the whole cache "
                  "of the site." },
        {},
};

static const ParamSpec nginx_ratelimits_params[] = {
        { .name = "domain",
          .type = PARAM_STRING,
          .flags = PARAM_REQUIRED,
          .max = 253,
          .offset = offsetof(RateLimitParams, domain),
          .check = validate_domain,
          .constraint = "domain name; lowercased and converted to A-labels",
          .description = "The site's domain." },
        { .name = "requests_per_second",
          .type = PARAM_INT,
          .flags = PARAM_REQUIRED,
          .min = 0,
          .max = RATE_MAX,
          .offset = offsetof(RateLimitParams, requests_per_second),
          .description = "Requests per second allowed from one client address; 0 removes the limit." },
        { .name = "burst",
          .type = PARAM_INT,
          .min = 0,
          .max = RATE_MAX,
          .offset = offsetof(RateLimitParams, burst),
          .description = "Requests above the rate served without delay before excess ones get 503; default "
                         "requests_per_second." },
        { .name = "connections",
          .type = PARAM_INT,
          .min = 0,
          .max = RATE_MAX,
          .offset = offsetof(RateLimitParams, connections),
          .description =
                  "Concurrent connections allowed from one client address; absent or 0 means no limit." },
        {},
};

const Action action_nginx_reload = {
        .name = "nginx.reload",
        .family = FAMILY_DOMAIN,
        .description = "Tests the whole nginx configuration and reloads nginx only when the test passes; "
                       "CONFIG_INVALID leaves the running configuration alone.",
        .params = nginx_reload_params,
        .params_size = sizeof(NoParams),
        .handler = nginx_reload_action,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = NGINX_TIMEOUT_MS,
        .capabilities = domain_capabilities,
        .result_doc = "{changed: true}",
};

const Action action_nginx_cache_purge = {
        .name = "nginx.cache.purge",
        .family = FAMILY_DOMAIN,
        .description =
                "Removes entries from one site's FastCGI cache: all of them, or those of the given URL "
                "paths.  Other sites' caches are in other directories and are never touched.",
        .params = nginx_cache_purge_params,
        .params_size = sizeof(CachePurgeParams),
        .handler = nginx_cache_purge_action,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = NGINX_TIMEOUT_MS,
        .capabilities = domain_capabilities,
        .result_doc = "{changed, domain, removed: number of cache files removed}",
};

const Action action_nginx_ratelimits_apply = {
        .name = "nginx.ratelimits.apply",
        .family = FAMILY_DOMAIN,
        .description =
                "Sets one site's request rate and connection limits per client address (limit_req and "
                "limit_conn in its vhost); tested and rolled back like any vhost change.",
        .params = nginx_ratelimits_params,
        .params_size = sizeof(RateLimitParams),
        .handler = nginx_ratelimits_apply_action,
        .policy = CALLER_PANEL,
        .changing = true,
        .timeout_ms = NGINX_TIMEOUT_MS,
        .capabilities = domain_capabilities,
        .result_doc = "{changed, domain, requests_per_second, burst, connections}",
};
