/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "account.h"
#include "macro.h"
#include "safefile.h"
#include "validate.h"

/* The uid the kernel maps unknown ids to (overflowuid) and that "nobody" has. */
#define UID_OVERFLOW 65534

/* Names of system and service accounts, and names that would read as one, that the agent never creates
 * whatever the host has.  Names with '-' or '_' (www-data, systemd-network, _apt) fail the syntax first. */
static const char *const builtin_reserved[] = {
        "root",       "daemon",     "bin",        "sys",       "sync",     "games",   "man",
        "lp",         "mail",       "news",       "uucp",      "proxy",    "backup",  "list",
        "irc",        "gnats",      "nobody",     "nogroup",   "operator", "halt",    "shutdown",
        "adm",        "wheel",      "staff",      "sudo",      "users",    "tty",     "disk",
        "kmem",       "shadow",     "utmp",       "video",     "audio",    "plugdev", "netdev",
        "messagebus", "sshd",       "polkitd",    "tss",       "uuidd",    "dnsmasq", "avahi",
        "ntp",        "chrony",     "tcpdump",    "systemd",   "docker",   "lxd",     "www",
        "wwwrun",     "http",       "httpd",      "nginx",     "apache",   "php",     "phpfpm",
        "mysql",      "mariadb",    "postgres",   "redis",     "memcache", "postfix", "dovecot",
        "exim",       "stalwart",   "vmail",      "spamd",     "clamav",   "amavis",  "opendkim",
        "pdns",       "named",      "bind",       "unbound",   "crowdsec", "aide",    "restic",
        "certbot",    "acme",       "ftp",        "sftp",      "git",      "admin",   "jabali",
        "localhost",  "hostmaster", "postmaster", "webmaster",
};

bool account_name_reserved(const AgentConfig *c, const char *name)
{
        _cleanup_strv_free_ char **extra = NULL;

        assert(name);

        for (size_t i = 0; i < ELEMENTSOF(builtin_reserved); i++)
                if (streq(builtin_reserved[i], name))
                        return true;

        if (!c)
                return false;

        extra = config_get_list(c, "accounts", "reserved_names");
        for (char **n = extra; n && *n; n++)
                if (streq(*n, name))
                        return true;

        return false;
}

/* Returns whether the user is in the group, as primary group or listed member.  -ENOENT when the group
 * does not exist. */
static int account_in_group(const struct passwd *pw, const char *group)
{
        _cleanup_free_ char *buf = NULL;
        struct group gr, *found = NULL;
        size_t size = 16384;
        int r;

        for (;;) {
                buf = malloc(size);
                if (!buf)
                        return -ENOMEM;
                r = getgrnam_r(group, &gr, buf, size, &found);
                if (r != ERANGE)
                        break;
                free(TAKE_PTR(buf));
                if (size > 1024 * 1024)
                        return -ERANGE;
                size *= 2;
        }
        if (r != 0)
                return -r;
        if (!found)
                return -ENOENT;

        if (gr.gr_gid == pw->pw_gid)
                return 1;
        for (char **m = gr.gr_mem; m && *m; m++)
                if (streq(*m, pw->pw_name))
                        return 1;
        return 0;
}

static int passwd_lookup(const char *name, struct passwd *ret, char **ret_buf)
{
        _cleanup_free_ char *buf = NULL;
        struct passwd *found = NULL;
        size_t size = 4096;
        int r;

        for (;;) {
                buf = malloc(size);
                if (!buf)
                        return -ENOMEM;
                r = getpwnam_r(name, ret, buf, size, &found);
                if (r != ERANGE)
                        break;
                free(TAKE_PTR(buf));
                if (size > 1024 * 1024)
                        return -ERANGE;
                size *= 2;
        }
        if (r != 0)
                return -r;
        if (!found)
                return -ENOENT;

        *ret_buf = TAKE_PTR(buf);
        return 0;
}

int account_lookup_managed(const AgentConfig *c, const char *name, Account *ret)
{
        _cleanup_free_ char *buf = NULL, *home = NULL, *copy = NULL, *shell = NULL;
        const char *home_root, *group;
        struct passwd pw;
        int r;

        assert(c);
        assert(name);
        assert(ret);

        if (validate_account_name(name, NULL, NULL) < 0)
                return -EINVAL;
        if (account_name_reserved(c, name))
                return -EPERM;

        r = passwd_lookup(name, &pw, &buf);
        if (r < 0)
                return r;

        if (pw.pw_uid < config_get_uint(c, "accounts", "min_uid") || pw.pw_uid == UID_OVERFLOW ||
            pw.pw_uid == (uid_t) -1)
                return -EPERM;

        group = config_get(c, "accounts", "managed_group");
        r = account_in_group(&pw, group);
        if (r == -ENOENT || r == 0)
                return -EPERM;
        if (r < 0)
                return r;

        home_root = config_get(c, "accounts", "home_root");
        if (asprintf(&home, "%s%s%s", home_root, streq(home_root, "/") ? "" : "/", name) < 0)
                return -ENOMEM;
        if (!streq(pw.pw_dir, home))
                return -EPERM;

        copy = strdup(name);
        shell = strdup(pw.pw_shell ?: "");
        if (!copy || !shell)
                return -ENOMEM;

        *ret = (Account){
                .name = TAKE_PTR(copy),
                .uid = pw.pw_uid,
                .gid = pw.pw_gid,
                .home = TAKE_PTR(home),
                .shell = TAKE_PTR(shell),
        };
        return 0;
}

void account_done(Account *a)
{
        if (!a)
                return;
        free(a->name);
        free(a->home);
        free(a->shell);
        *a = (Account){};
}

int account_open_home(const AgentConfig *c, const Account *a)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        assert(a);
        assert(a->home);

        fd = safe_open_path(a->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
                return fd;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid != a->uid)
                return -EPERM;

        return TAKE_FD(fd);
}

int account_count_domains(const AgentConfig *c, const Account *a, unsigned *ret)
{
        _cleanup_close_ int home_fd = -1, domains_fd = -1;
        DIR *d;
        struct dirent *de;
        unsigned n = 0;

        assert(a);
        assert(ret);

        home_fd = account_open_home(c, a);
        if (home_fd == -ENOENT) {
                *ret = 0;
                return 0;
        }
        if (home_fd < 0)
                return home_fd;

        domains_fd = safe_open_beneath(home_fd, "domains", O_RDONLY | O_DIRECTORY, 0);
        if (domains_fd == -ENOENT) {
                *ret = 0;
                return 0;
        }
        if (domains_fd < 0)
                return domains_fd;

        d = fdopendir(domains_fd);
        if (!d)
                return -errno;
        /* The stream owns the descriptor from here on. */
        domains_fd = -1;

        while ((errno = 0, de = readdir(d))) {
                struct stat st;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                /* The domain family creates a real directory per domain, so links and files are not
                 * domains. */
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        n++;
        }
        if (errno != 0) {
                int r = -errno;
                closedir(d);
                return r;
        }
        closedir(d);

        *ret = n;
        return 0;
}
