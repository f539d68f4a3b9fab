/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "write-set.h"

/* clang-format off */
#define FIXED(p)            { .path = (p) }
#define FROM_CONFIG(sec, k) { .section = (sec), .key = (k) }
#define AGENT_DIR(sec, k)   { .section = (sec), .key = (k), .create = true }
/* clang-format on */

/* Introspection changes nothing. */
static const WritePath agent_paths[] = {
        {},
};

/* Vhosts and their symlinks, site trees in homes, the nginx lock, and what `nginx -t` writes.  It opens
 * every log file for appending and creates the missing temporary and cache directories (Debian's default
 * temporary directories are under /var/lib/nginx).  It also opens the pid file for reading and writing,
 * without writing to it: nginx 1.22 does so in test mode too.  That is /run/nginx.pid in Debian's
 * nginx.conf, or the configured pidfile of a private nginx.  The rule covers a pid file only while it
 * exists, so while nginx is stopped `nginx -t` fails to create it.  A reload goes over D-Bus or is a
 * signal. */
static const WritePath domain_paths[] = {
        FROM_CONFIG("nginx", "sites_available"),
        FROM_CONFIG("nginx", "sites_enabled"),
        FROM_CONFIG("nginx", "log_dir"),
        FROM_CONFIG("nginx", "cache_root"),
        FROM_CONFIG("nginx", "acme_root"),
        FROM_CONFIG("accounts", "home_root"),
        AGENT_DIR("agent", "lock_dir"),
        FROM_CONFIG("service.nginx", "pidfile"),
        FIXED("/run/nginx.pid"),
        FIXED("/var/lib/nginx"),
        {},
};

/* useradd, userdel and chpasswd write a lock file and a new copy next to /etc/passwd, /etc/shadow,
 * /etc/group, /etc/gshadow, /etc/subuid and /etc/subgid and rename it into place, so all of /etc stays
 * writable.  useradd resets the new uid's records in lastlog and faillog, and creates the mail spool that
 * userdel removes.  Slice drop-ins go to limits.unit_dir; quotas and nftables rules are no file writes. */
static const WritePath user_paths[] = {
        FIXED("/etc"),
        FROM_CONFIG("accounts", "home_root"),
        FROM_CONFIG("limits", "unit_dir"),
        AGENT_DIR("agent", "lock_dir"),
        FIXED("/var/mail"),
        FIXED("/var/log/lastlog"),
        FIXED("/var/log/faillog"),
        {},
};

/* NOTE: the families without actions yet get the trees the unit allowed before Landlock, plus /tmp,
 * because their programs (certbot, restic, mysqldump, ...) have not been run under the ruleset.  Narrow
 * each one to its configuration keys when the family lands, as for domain and user above. */
static const WritePath broad_paths[] = {
        FIXED("/etc"), FIXED("/home"), FIXED("/run/jabali-agent"), FIXED("/tmp"), FIXED("/var"), {},
};

static const WritePath *const family_paths[_FAMILY_MAX] = {
        [FAMILY_AGENT] = agent_paths, [FAMILY_DOMAIN] = domain_paths,  [FAMILY_SSL] = broad_paths,
        [FAMILY_DNS] = broad_paths,   [FAMILY_MAIL] = broad_paths,     [FAMILY_DB] = broad_paths,
        [FAMILY_USER] = user_paths,   [FAMILY_PHP] = broad_paths,      [FAMILY_BACKUP] = broad_paths,
        [FAMILY_APP] = broad_paths,   [FAMILY_SECURITY] = broad_paths, [FAMILY_SYSTEM] = broad_paths,
};

const WritePath *write_set_of_family(ActionFamily f)
{
        assert(f >= 0);
        assert(f < _FAMILY_MAX);
        return family_paths[f];
}

const WritePath *write_set_of_action(const Action *a)
{
        assert(a);
        return a->write_paths ?: write_set_of_family(a->family);
}

static bool strv_contains(char *const *v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

/* Appends a copy of s to the NULL-terminated list *v of *n entries, unless it is already there. */
static int strv_add_unique(char ***v, size_t *n, const char *s)
{
        char **longer;

        if (*v && strv_contains(*v, *n, s))
                return 0;

        longer = reallocarray(*v, *n + 2, sizeof(char *));
        if (!longer)
                return -ENOMEM;
        *v = longer;
        longer[*n] = strdup(s);
        if (!longer[*n])
                return -ENOMEM;
        longer[++*n] = NULL;
        return 0;
}

int write_set_resolve(const AgentConfig *c, const Action *a, char ***ret_paths, char ***ret_missing)
{
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        size_t n_paths = 0, n_missing = 0;
        int r;

        assert(a);
        assert(ret_paths);
        assert(ret_missing);

        /* Programs open /dev/null for writing to discard output; that changes nothing. */
        r = strv_add_unique(&paths, &n_paths, "/dev/null");
        if (r < 0)
                return r;

        for (const WritePath *w = write_set_of_action(a); w->path || w->section; w++) {
                const char *path = w->section ? config_get(c, w->section, w->key) : w->path;

                /* An empty key (a feature turned off) names nothing to write. */
                if (strempty(path))
                        continue;

                /* The same mode as lock_acquire() creates the lock directory with. */
                if (w->create && mkdir(path, 0700) < 0 && errno != EEXIST)
                        return -errno;

                if (access(path, F_OK) < 0)
                        r = strv_add_unique(&missing, &n_missing, path);
                else
                        r = strv_add_unique(&paths, &n_paths, path);
                if (r < 0)
                        return r;
        }

        if (!missing) {
                missing = calloc(1, sizeof(char *));
                if (!missing)
                        return -ENOMEM;
        }

        *ret_paths = TAKE_PTR(paths);
        *ret_missing = TAKE_PTR(missing);
        return 0;
}
