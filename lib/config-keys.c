/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every configuration key the agent reads, with its default.  Add rows here for a new family; the
 * configuration reference in docs/configuration.md is generated from this table. */
#include <stddef.h>

#include "config.h"
#include "macro.h"

static const char *const confine_modes[] = { "require", "auto", "off", NULL };
static const char *const service_signals[] = { "HUP", "USR1", "USR2", "QUIT", "TERM", "INT", "WINCH", NULL };

/*
 * The keys of one service the agent reloads or restarts, in the section [service.NAME].  A family that
 * manages another service adds one line with that service's defaults, for example
 *     SERVICE_KEYS("php8.2-fpm", "php8.2-fpm.service", "/run/php/php8.2-fpm.pid", "php-fpm8.2", "USR2"),
 * Command keys are argv lists split at spaces, so no word of a command can contain a space.
 */
/* clang-format off */
#define SERVICE_KEYS(name, unit, pidfile, process_name, reload_signal)                                      \
        { "service." name, "unit", CONFIG_STRING, unit, NULL,                                               \
          "systemd unit to reload, restart, start or stop over D-Bus when systemd runs.  Empty: use the "   \
          "commands or the pidfile below even under systemd (private test instances)." },                   \
        { "service." name, "pidfile", CONFIG_PATH, pidfile, NULL,                                           \
          "Pidfile of the main process, used without systemd to send reload_signal and stop_signal.  It "   \
          "must be a regular file owned by root (or the agent's user) that only its owner can write." },    \
        { "service." name, "process_name", CONFIG_STRING, process_name, NULL,                               \
          "Program name the pidfile's process must run (its comm, or the file name of /proc/PID/exe), so "  \
          "a stale pidfile whose pid now belongs to another process is never signalled.  Empty: no "        \
          "check." },                                                                                       \
        { "service." name, "reload_signal", CONFIG_ENUM, reload_signal, service_signals,                    \
          "Signal sent to the pidfile's process to reload it without systemd." },                           \
        { "service." name, "stop_signal", CONFIG_ENUM, "TERM", service_signals,                             \
          "Signal sent to the pidfile's process to stop it without systemd; the agent then waits for it "   \
          "to exit." },                                                                                     \
        { "service." name, "reload_command", CONFIG_LIST, "", NULL,                                         \
          "Command that reloads the service without systemd, used instead of reload_signal when set: "      \
          "words separated by spaces, the first an absolute path.  No word can contain a space." },         \
        { "service." name, "restart_command", CONFIG_LIST, "", NULL,                                        \
          "Command that restarts the service without systemd, in the form of reload_command.  Without "     \
          "it, a restart fails when systemd does not run." },                                               \
        { "service." name, "start_command", CONFIG_LIST, "", NULL,                                          \
          "Command that starts the service without systemd, in the form of reload_command.  Without it, "   \
          "a start fails when systemd does not run." },                                                     \
        { "service." name, "stop_command", CONFIG_LIST, "", NULL,                                           \
          "Command that stops the service without systemd, used instead of stop_signal when set, in the "   \
          "form of reload_command." }
/* clang-format on */

const ConfigKey config_keys[] = {
        /* The request reader. */
        { "agent", "max_request_bytes", CONFIG_UINT, "1048576", NULL,
          "Largest request frame accepted, in bytes; a larger length prefix is REQUEST_TOO_LARGE." },
        { "agent", "read_timeout_ms", CONFIG_UINT, "10000", NULL,
          "Time the whole request frame must arrive within, in milliseconds." },
        { "agent", "write_timeout_ms", CONFIG_UINT, "10000", NULL,
          "Time allowed for writing the response, in milliseconds." },
        { "agent", "lock_dir", CONFIG_PATH, "/run/jabali-agent/locks", NULL,
          "Directory of the advisory lock files that serialise changes to shared state." },
        { "agent", "lock_timeout_ms", CONFIG_UINT, "15000", NULL,
          "Longest wait for a lock before the request is answered with BUSY, in milliseconds." },
        { "agent", "apparmor", CONFIG_ENUM, "auto", confine_modes,
          "require: refuse to run actions when the family subprofile cannot be entered; auto: enter it when "
          "AppArmor is enabled and note its absence in the audit record otherwise; off: never." },
        { "agent", "landlock", CONFIG_ENUM, "auto", confine_modes,
          "require: refuse to run actions when Landlock cannot restrict writes to the action's write set "
          "and "
          "close /root to reads; auto: restrict them when the kernel offers Landlock and note its absence "
          "in the audit record otherwise; off: never." },
        { "agent", "drop_capabilities", CONFIG_BOOL, "yes", NULL,
          "Drop every capability the action does not declare before its handler runs." },

        /* The audit trail. */
        { "audit", "fail_closed", CONFIG_BOOL, "yes", NULL,
          "Refuse changing actions with AUDIT_UNAVAILABLE when the accepted-record cannot be written.  Turn "
          "off only on development machines without a journal." },

        /* The caller policy. */
        { "policy", "allowed_groups", CONFIG_LIST, "jabali", NULL,
          "Groups whose members may call panel actions besides root." },
        { "policy", "allowed_users", CONFIG_LIST, "", NULL,
          "User names that may call panel actions besides root." },
        { "policy", "root_only", CONFIG_LIST, "", NULL,
          "Action names or shell patterns (fnmatch) restricted to root in addition to the built-in "
          "root-only "
          "actions." },
        { "policy", "denied", CONFIG_LIST, "", NULL,
          "Action names or shell patterns (fnmatch) that no caller, root included, may run on this host." },

        /* The domain family: nginx vhosts. */
        { "nginx", "sites_available", CONFIG_PATH, "/etc/nginx/sites-available", NULL,
          "Directory of the vhost files; the agent writes <domain>.conf there and manages only the files "
          "that start with its header." },
        { "nginx", "sites_enabled", CONFIG_PATH, "/etc/nginx/sites-enabled", NULL,
          "Directory nginx includes; each vhost gets a symlink <domain>.conf there." },
        { "nginx", "template", CONFIG_PATH, "", NULL,
          "Vhost template file; empty means the compiled-in default (data/nginx-vhost.conf.tmpl)." },
        { "nginx", "test_command", CONFIG_LIST, "/usr/sbin/nginx -t", NULL,
          "Command that tests the whole nginx configuration before a change goes live (explicit argv, "
          "no shell, absolute program path)." },
        { "nginx", "test_timeout_ms", CONFIG_UINT, "30000", NULL,
          "Time the test command may run, in milliseconds." },
        { "nginx", "service", CONFIG_STRING, "nginx", NULL,
          "Name of the [service.NAME] section used to reload nginx." },
        { "nginx", "reload_timeout_ms", CONFIG_UINT, "30000", NULL,
          "Time a reload may take, in milliseconds." },
        { "nginx", "log_dir", CONFIG_PATH, "/var/log/nginx", NULL,
          "Directory of the per-domain access and error logs.  It must not be inside a home, because "
          "the nginx master opens the logs as root." },
        { "nginx", "acme_root", CONFIG_PATH, "/var/lib/jabali-agent/acme", NULL,
          "Webroot of ACME http-01 challenges, served at /.well-known/acme-challenge/ for every "
          "domain; owned by root, never inside a site." },
        { "nginx", "cache_root", CONFIG_PATH, "/var/cache/nginx/jabali", NULL,
          "Parent of the per-domain FastCGI cache directories." },
        { "nginx", "certificate_dir", CONFIG_PATH, "/etc/letsencrypt/live", NULL,
          "Directory of certificates: <dir>/<domain>/fullchain.pem and privkey.pem." },
        { "nginx", "php_fpm_socket", CONFIG_STRING, "/run/php/php{version}-fpm-{user}.sock", NULL,
          "Socket of an account's PHP-FPM pool; {version} and {user} are replaced." },
        { "nginx", "listen_http", CONFIG_LIST, "80 [::]:80", NULL,
          "Listen addresses of the plain HTTP server of each vhost." },
        { "nginx", "listen_https", CONFIG_LIST, "443 [::]:443", NULL,
          "Listen addresses of the TLS server of each vhost with a certificate." },

        /* Services the agent controls.  Without systemd, reload sends reload_signal and stop sends
         * stop_signal and waits, unless a command is configured.  Start and restart need a command. */
        SERVICE_KEYS("nginx", "nginx.service", "/run/nginx.pid", "nginx", "HUP"),

        /* Accounts: the managed-account rule and the tools that change /etc/passwd. */
        { "accounts", "managed_group", CONFIG_STRING, "jabali-users", NULL,
          "Group whose members are the accounts the agent manages.  user.create adds every new account to "
          "it; "
          "an account outside it is never changed." },
        { "accounts", "min_uid", CONFIG_UINT, "1000", NULL,
          "Lowest uid of a managed account.  Accounts below it are system accounts and are never changed; "
          "user.create passes it to useradd as UID_MIN." },
        { "accounts", "home_root", CONFIG_PATH, "/home", NULL,
          "Directory of the account homes, <home_root>/<user>.  Give the real path: a symlink on the way "
          "makes "
          "every action on a home fail with UNSAFE_PATH." },
        { "accounts", "home_group", CONFIG_STRING, "www-data", NULL,
          "Group of each home and of its domains/ directory, so the web server can reach the sites "
          "inside." },
        { "accounts", "reserved_names", CONFIG_LIST, "", NULL,
          "Account names the agent never creates or changes, in addition to its built-in list of system and "
          "service names." },
        { "accounts", "shells", CONFIG_LIST, "/bin/bash /bin/sh /usr/bin/bash /usr/bin/sh /usr/sbin/nologin",
          NULL, "Login shells user.create accepts." },
        { "accounts", "default_shell", CONFIG_PATH, "/bin/bash", NULL,
          "Login shell of a new account when the request names none; it must be in shells." },
        { "accounts", "useradd", CONFIG_PATH, "/usr/sbin/useradd", NULL, "The useradd program." },
        { "accounts", "userdel", CONFIG_PATH, "/usr/sbin/userdel", NULL, "The userdel program." },
        { "accounts", "chpasswd", CONFIG_PATH, "/usr/sbin/chpasswd", NULL,
          "The chpasswd program; it reads the password on standard input." },

        /* SSH keys written to authorized_keys. */
        { "ssh", "key_types", CONFIG_LIST,
          "ssh-ed25519 sk-ssh-ed25519@openssh.com ecdsa-sha2-nistp256 ecdsa-sha2-nistp384 "
          "ecdsa-sha2-nistp521 "
          "sk-ecdsa-sha2-nistp256@openssh.com ssh-rsa",
          NULL,
          "Public key types sshkey.write and user.create accept; ssh-dss and certificates are never "
          "accepted." },
        { "ssh", "rsa_min_bits", CONFIG_UINT, "3072", NULL,
          "Smallest RSA modulus accepted, in bits.  Values below 3072 count as 3072." },

        /* Disk quotas. */
        { "quota", "path", CONFIG_PATH, "/home", NULL,
          "A directory on the filesystem whose user quotas quota.set changes, normally "
          "accounts.home_root.  The filesystem must be mounted with user quotas enabled.  Empty: the host "
          "has no disk quotas, quota.set fails with FAILED_PRECONDITION and user.delete skips them." },

        /* Resource limits through systemd slices. */
        { "limits", "unit_dir", CONFIG_PATH, "/etc/systemd/system", NULL,
          "Directory that receives the jabali-user-<user>.slice.d/ drop-in directories." },
        { "limits", "memory_high_percent", CONFIG_UINT, "90", NULL,
          "MemoryHigh= as a percentage of MemoryMax= (50 to 99): above it the kernel throttles and reclaims "
          "before the hard limit is reached." },
        { "limits", "io_path", CONFIG_PATH, "/home", NULL,
          "A path on the block device whose bandwidth IOReadBandwidthMax= and IOWriteBandwidthMax= limit; "
          "systemd resolves it to the device." },

        /* Outbound traffic rules through nftables. */
        { "egress", "table", CONFIG_STRING, "jabali_egress", NULL,
          "nftables table (family inet) of the per-account egress chains.  The agent changes no other "
          "table." },

        {},
};
