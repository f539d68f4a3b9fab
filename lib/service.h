/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "config.h"

/*
 * Service control.  When systemd runs (sd_booted()) and the service's unit= is set, through systemd's D-Bus
 * API: ReloadUnit/RestartUnit/... on the unit, waiting for the job to finish.  Otherwise through a
 * configured command (explicit argv, run by the spawn module) or, for reload and stop, the pidfile and a
 * signal.  The configuration section [service.NAME] contains unit=, pidfile=, process_name=, reload_signal=,
 * stop_signal= and reload_/restart_/start_/stop_command= for each service the agent manages (nginx,
 * php-fpm, ...); config-keys.c declares them with SERVICE_KEYS().
 *
 * A timeout_ms of 0 means 30 s.  Errors: -EINVAL for an invalid name or setting, -ENOENT for an
 * undeclared service or a unit systemd does not know, -ESRCH when the service does not run (for reload),
 * -EOPNOTSUPP when no way to perform op is configured, -ETIMEDOUT, -EIO when a command or systemd job
 * failed, and the pidfile module's errors for an unusable pidfile.
 */

typedef enum ServiceOp {
        SERVICE_RELOAD,
        SERVICE_RESTART,
        SERVICE_START,
        SERVICE_STOP,
        _SERVICE_OP_MAX,
} ServiceOp;

/* Runs op on the service named name in the configuration.  Returns 0, or a negative errno and, when
 * ret_error is not NULL, an allocated message in *ret_error saying what failed (NULL when out of memory;
 * free it).  *ret_error is only set on failure.  Stopping a service that does not run succeeds. */
int service_control(const AgentConfig *c, const char *name, ServiceOp op, unsigned timeout_ms,
                    char **ret_error);

/* Runs op on a systemd unit directly over D-Bus (no configuration lookup); -EHOSTDOWN when systemd does
 * not run. */
int service_unit_op(const char *unit, ServiceOp op, unsigned timeout_ms, char **ret_error);

/* Asks systemd to reload its unit files (daemon-reload) over D-Bus; -EHOSTDOWN when systemd does not run. */
int service_daemon_reload(unsigned timeout_ms, char **ret_error);
