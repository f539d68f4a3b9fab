/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every configuration key the agent reads, with its default.  Add rows here for a new family; the
 * configuration reference in docs/configuration.md is generated from this table. */
#include <stddef.h>

#include "config.h"
#include "macro.h"

static const char *const apparmor_modes[] = { "require", "auto", "off", NULL };
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
        { "agent", "apparmor", CONFIG_ENUM, "auto", apparmor_modes,
          "require: refuse to run actions when the family subprofile cannot be entered; auto: enter it when "
          "AppArmor is enabled and note its absence in the audit record otherwise; off: never." },
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

        {},
};
