/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "account.h"
#include "action.h"
#include "nginx-site.h"
#include "nginx-vhost.h"

/*
 * Helpers shared by the actions of the domain family (domain.c and nginx-actions.c).  Each returns 0 or a
 * descriptor on success and ACTION_FAILED after action_fail(), or a negative errno the dispatcher maps.
 */

/* CAP_* values the family keeps, ending with -1: chown and mode changes in homes, reading and writing
 * root's nginx files, signalling nginx's master, and binding the listen ports in `nginx -t`. */
extern const int domain_capabilities[];

/* ParamStringCheck for the domain of a new site: validate_domain(), and at most NGINX_SITE_DOMAIN_MAX
 * bytes once converted to A-labels, so that its vhost files can be named. */
int domain_check_site_domain(const char *value, char **ret_normalized, const char **ret_reason);

/* ParamStringCheck for php_version: "X.Y" or "none". */
int domain_check_php_version(const char *value, char **ret_normalized, const char **ret_reason);

/* Looks up a managed account: FAILED_PRECONDITION when it does not exist or is not managed. */
int domain_lookup_account(ActionContext *ctx, const char *user, Account *ret);

/* Opens the account's home: UNSAFE_PATH for a symlink, FAILED_PRECONDITION for a wrong owner. */
int domain_open_home(ActionContext *ctx, const Account *a);

/* Takes the nginx lock (BUSY when the wait runs out) and opens the sites directories.  Returns the lock
 * descriptor; closing it releases the lock. */
int domain_begin(ActionContext *ctx, NginxSites *ret_sites);

/* Reads the vhost of domain; *ret_exists is false when there is none.  A file the agent does not manage,
 * or whose header is malformed, is CONFLICT. */
int domain_read_site(ActionContext *ctx, const NginxSites *sites, const char *domain, VhostSpec *ret,
                     bool *ret_exists);

/* Renders the vhost of s for account a and applies it with the change protocol. */
int domain_write_site(ActionContext *ctx, const NginxSites *sites, const Account *a, const VhostSpec *s,
                      bool *ret_changed);

int domain_set_aliases(ActionContext *ctx, VhostSpec *s, const ParamStrv *aliases);
int domain_set_php(VhostSpec *s, const char *php_version);

extern const Action action_nginx_reload;
extern const Action action_nginx_cache_purge;
extern const Action action_nginx_ratelimits_apply;
