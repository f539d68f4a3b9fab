/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "config.h"

/*
 * Service control.  When systemd runs (sd_booted()), through its D-Bus API: ReloadUnit/RestartUnit/...
 * on the configured unit, waiting for the job to finish.  Otherwise through the configured pidfile and a
 * signal, or a configured command (explicit argv, run by the spawn module).  The configuration section
 * [service.NAME] holds unit=, pidfile=, reload_signal=, reload_command=, restart_command= for each
 * service the agent manages (nginx, php-fpm, ...).
 */

typedef enum ServiceOp {
        SERVICE_RELOAD,
        SERVICE_RESTART,
        SERVICE_START,
        SERVICE_STOP,
        _SERVICE_OP_MAX,
} ServiceOp;

/* Runs op on the service named name in the configuration.  Returns 0, or a negative errno with a
 * static-or-allocated message in *ret_error (free it) saying what failed. */
int service_control(const AgentConfig *c, const char *name, ServiceOp op, unsigned timeout_ms, char **ret_error);

/* Runs op on a systemd unit directly over D-Bus (no configuration lookup); -EHOSTDOWN when systemd does
 * not run. */
int service_unit_op(const char *unit, ServiceOp op, unsigned timeout_ms, char **ret_error);

/* Asks systemd to reload its unit files (daemon-reload) over D-Bus; -EHOSTDOWN when systemd does not run. */
int service_daemon_reload(unsigned timeout_ms, char **ret_error);
