/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "action.h"
#include "config.h"
#include "nginx-vhost.h"

/*
 * The agent's vhost files in nginx's sites-available directory, their enabled symlinks in sites-enabled,
 * and the change protocol every change to them follows: write atomically, run the configured test command
 * (nginx -t) on the whole configuration, reload only when it passes, and otherwise put every byte of the
 * previous state back.  Callers hold the "nginx" lock around reading, deciding and applying, so two
 * requests never test each other's half-written state.
 */

#define NGINX_LOCK_NAME "nginx"

/* Longest domain whose site files fit in a directory entry of NAME_MAX (255) bytes.  The longest name
 * derived from a domain is the temporary enabled link ".<domain>.conf.<pid>.tmp": 18 bytes more than the
 * domain, with a pid of up to 7 digits (pid_max is at most 4194304). */
#define NGINX_SITE_DOMAIN_MAX 237

typedef struct NginxSites {
        int available_fd;
        int enabled_fd;
        const char *available_path; /* owned by the configuration */
        const char *enabled_path;
} NginxSites;

int nginx_sites_open(const AgentConfig *c, NginxSites *ret);

/* Returns the domains of the vhosts whose owner record names user, as a NULL-terminated list. */
int nginx_sites_list_owned(const NginxSites *s, const char *user, char ***ret);
void nginx_sites_done(NginxSites *s);

/* Takes the lock that serialises every change to the nginx configuration.  Returns the descriptor or a
 * negative errno (-EWOULDBLOCK when the configured wait ran out). */
int nginx_lock(const ActionContext *ctx);

/* Reads the vhost of domain.  -ENOENT when there is none, also for a domain too long to name a file;
 * -ENOMSG when a file of that name exists but the agent does not manage it; -EBADMSG when the agent's
 * header in it is malformed. */
int nginx_site_read(const NginxSites *s, const char *domain, VhostSpec *ret);

/*
 * Looks for a vhost other than the one of except_domain that serves one of names (a NULL-terminated list).
 * A file named after a name but not managed by the agent counts as serving it, since its server_name cannot
 * be known.  Returns 1 with the name and the domain of the vhost serving it, 0 when none does.
 */
int nginx_sites_find_conflict(const NginxSites *s, const char *except_domain, const char *const *names,
                              char **ret_name, char **ret_domain);

/* Looks for one of names that lies below a domain or alias served by a vhost of an account other than
 * owner (sub.alice.example while alice.example belongs to alice), so that no tenant can serve names under
 * another tenant's domain.  Returns 1 with that name, 0 when there is none. */
int nginx_sites_find_foreign_parent(const NginxSites *s, const char *owner, const char *const *names,
                                    char **ret_name);

/* Builds a VhostEnv from the [nginx] section.  The strings it points to live as long as the config and
 * the storage, which nginx_vhost_env_done() releases. */
typedef struct VhostEnvStorage {
        VhostEnv env;
        char **listen_http;
        char **listen_https;
} VhostEnvStorage;

int nginx_vhost_env(const AgentConfig *c, const char *home, VhostEnvStorage *ret);
void nginx_vhost_env_done(VhostEnvStorage *s);

/* Loads the template named by [nginx] template=, or the compiled-in one when that is empty. */
int nginx_template_load(const AgentConfig *c, char **ret);

/* True when the certificate and key of domain exist under [nginx] certificate_dir. */
bool nginx_certificate_exists(const AgentConfig *c, const char *domain);

/*
 * Makes the vhost of domain contain exactly content (or removes it and its link when content is NULL),
 * following the change protocol.  When the file and its link already match, nothing is written, tested or
 * reloaded and *ret_changed is false.  Returns 0, or ACTION_FAILED after action_fail(): CONFIG_INVALID
 * with the test command's output in details when the test fails, UNAVAILABLE when the reload fails (the
 * previous state is restored in both cases).
 */
int nginx_site_apply(ActionContext *ctx, const NginxSites *s, const char *domain, const char *content,
                     bool *ret_changed);

/* Runs the test command on the whole configuration.  Returns 0 when it passes, ACTION_FAILED with
 * CONFIG_INVALID otherwise. */
int nginx_config_test(ActionContext *ctx);

/* Reloads nginx through the configured service.  Returns 0 or ACTION_FAILED with UNAVAILABLE. */
int nginx_reload(ActionContext *ctx);
