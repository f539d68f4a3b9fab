/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "macro.h"
#include "pidfile.h"
#include "service.h"
#include "spawn.h"

#define SERVICE_TIMEOUT_DEFAULT_MS 30000u
#define SERVICE_NAME_MAX           64
#define UNIT_NAME_MAX              255

#define SYSTEMD_DESTINATION    "org.freedesktop.systemd1"
#define SYSTEMD_PATH           "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER        "org.freedesktop.systemd1.Manager"
#define SYSTEMD_PRIVATE_SOCKET "unix:path=/run/systemd/private"

static const char *const op_names[_SERVICE_OP_MAX] = {
        [SERVICE_RELOAD] = "reload",
        [SERVICE_RESTART] = "restart",
        [SERVICE_START] = "start",
        [SERVICE_STOP] = "stop",
};

static const char *const unit_methods[_SERVICE_OP_MAX] = {
        [SERVICE_RELOAD] = "ReloadUnit",
        [SERVICE_RESTART] = "RestartUnit",
        [SERVICE_START] = "StartUnit",
        [SERVICE_STOP] = "StopUnit",
};

static const char *const command_keys[_SERVICE_OP_MAX] = {
        [SERVICE_RELOAD] = "reload_command",
        [SERVICE_RESTART] = "restart_command",
        [SERVICE_START] = "start_command",
        [SERVICE_STOP] = "stop_command",
};

/* The values reload_signal= and stop_signal= accept; config-keys.c lists the same names. */
static const struct {
        const char *name;
        int signal;
} signal_table[] = {
        { "HUP", SIGHUP },   { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },   { "QUIT", SIGQUIT },
        { "TERM", SIGTERM }, { "INT", SIGINT },   { "WINCH", SIGWINCH },
};

/* Stores the formatted message in *ret_error (when given) and returns r.  A message that cannot be
 * allocated is left out, because r matters more than its text. */
_printf_(3, 4) static int service_fail(char **ret_error, int r, const char *fmt, ...)
{
        va_list ap;

        assert(r < 0);

        if (!ret_error)
                return r;

        va_start(ap, fmt);
        if (vasprintf(ret_error, fmt, ap) < 0)
                *ret_error = NULL;
        va_end(ap);
        return r;
}

static uint64_t now_usec(void)
{
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts); /* fails only for an invalid clock id */
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* Microseconds from now until deadline, at least 1, because 0 means the library default to sd-bus. */
static uint64_t remaining_usec(uint64_t deadline)
{
        uint64_t now = now_usec();

        return deadline > now ? deadline - now : 1;
}

static unsigned effective_timeout_ms(unsigned timeout_ms)
{
        return timeout_ms > 0 ? timeout_ms : SERVICE_TIMEOUT_DEFAULT_MS;
}

static int signal_from_name(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (streq(signal_table[i].name, name))
                        return signal_table[i].signal;
        return -EINVAL;
}

/* Service names become part of a configuration section name, so they are kept to one plain word. */
static bool service_name_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > SERVICE_NAME_MAX || name[0] == '.' || name[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                      strchr("._-", name[i])))
                        return false;
        return true;
}

/* The characters systemd allows in unit names, and a type suffix after the last dot. */
static bool unit_name_valid(const char *unit)
{
        size_t n = strlen(unit);
        const char *dot;

        if (n == 0 || n > UNIT_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((unit[i] >= 'a' && unit[i] <= 'z') || (unit[i] >= 'A' && unit[i] <= 'Z') ||
                      (unit[i] >= '0' && unit[i] <= '9') || strchr(":-_.\\@", unit[i])))
                        return false;

        dot = strrchr(unit, '.');
        return dot && dot != unit && dot[1] != '\0';
}

static bool section_declared(const char *section)
{
        const ConfigKey *k;

        for (size_t i = 0; (k = config_key_at(i)) && k->section; i++)
                if (streq(k->section, section))
                        return true;
        return false;
}

/* Connects to systemd over its private socket, which only root can open.  The peer must be root too, so a
 * socket planted by someone else is never trusted. */
static int bus_open_private(sd_bus **ret)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        int r;

        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, SYSTEMD_PRIVATE_SOCKET);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return r;

        if (getsockopt(sd_bus_get_fd(bus), SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (cred.uid != 0)
                return -EPERM;

        *ret = TAKE_PTR(bus);
        return 0;
}

/* As root, prefers systemd's private socket, as systemctl does: it works without a D-Bus broker, and
 * systemd sends job signals to every client on it.  On the system bus, systemd sends JobRemoved to the
 * client that queued the job even without Subscribe(), because it tracks that client on the job. */
static int bus_open_systemd(sd_bus **ret)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = -EPERM;

        if (geteuid() == 0)
                r = bus_open_private(&bus);
        if (r < 0) {
                r = sd_bus_open_system(&bus);
                if (r < 0)
                        return r;
        }

        *ret = TAKE_PTR(bus);
        return 0;
}

typedef struct JobWait {
        char *job_path; /* NULL until the method reply arrived; earlier signals stay queued until then */
        char *result;
        int error;
        bool done;
} JobWait;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        JobWait *w = userdata;
        const char *path, *unit, *result;
        uint32_t id;

        if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
                return 0; /* malformed, so not a JobRemoved signal from systemd */
        if (!w->job_path || !streq(path, w->job_path))
                return 0;

        w->result = strdup(result);
        if (!w->result)
                w->error = -ENOMEM;
        w->done = true;
        return 0;
}

static int job_result_errno(const char *result)
{
        if (streq(result, "done"))
                return 0;
        if (streq(result, "timeout"))
                return -ETIMEDOUT;
        if (streq(result, "canceled"))
                return -ECANCELED;
        return -EIO;
}

int service_unit_op(const char *unit, ServiceOp op, unsigned timeout_ms, char **ret_error)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *job_path = NULL, *result = NULL;
        JobWait w = {};
        const char *path;
        uint64_t deadline;
        int r;

        assert(unit);
        assert(op >= 0);
        assert(op < _SERVICE_OP_MAX);

        if (!unit_name_valid(unit))
                return service_fail(ret_error, -EINVAL, "invalid systemd unit name");
        if (sd_booted() <= 0)
                return service_fail(ret_error, -EHOSTDOWN, "cannot %s %s: systemd is not running",
                                    op_names[op], unit);

        deadline = now_usec() + (uint64_t) effective_timeout_ms(timeout_ms) * 1000u;

        r = bus_open_systemd(&bus);
        if (r < 0)
                return service_fail(ret_error, r, "cannot %s %s: failed to connect to systemd: %s",
                                    op_names[op], unit, strerror(-r));

        /* The match goes in before the call, so a job that ends at once cannot finish unseen.  On a direct
         * connection to systemd, messages carry no sender to match. */
        r = sd_bus_match_signal(bus, &slot, sd_bus_is_bus_client(bus) > 0 ? SYSTEMD_DESTINATION : NULL,
                                SYSTEMD_PATH, SYSTEMD_MANAGER, "JobRemoved", on_job_removed, &w);
        if (r < 0)
                return service_fail(ret_error, r, "cannot %s %s: failed to watch systemd jobs: %s",
                                    op_names[op], unit, strerror(-r));

        r = sd_bus_message_new_method_call(bus, &call, SYSTEMD_DESTINATION, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           unit_methods[op]);
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", unit, "replace");
        if (r < 0)
                return service_fail(ret_error, r, "cannot %s %s: %s", op_names[op], unit, strerror(-r));

        r = sd_bus_call(bus, call, remaining_usec(deadline), &error, &reply);
        if (r < 0)
                return service_fail(ret_error, r, "systemd refused to %s %s: %s", op_names[op], unit,
                                    error.message ?: error.name ?: strerror(-r));

        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return service_fail(ret_error, r, "cannot %s %s: unexpected reply from systemd: %s",
                                    op_names[op], unit, strerror(-r));
        job_path = strdup(path);
        if (!job_path)
                return service_fail(ret_error, -ENOMEM, "cannot %s %s: out of memory", op_names[op], unit);
        w.job_path = job_path;

        while (!w.done) {
                uint64_t now;

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return service_fail(ret_error, r,
                                            "lost the connection to systemd while waiting to %s %s: %s",
                                            op_names[op], unit, strerror(-r));
                if (r > 0)
                        continue;

                now = now_usec();
                if (now >= deadline)
                        return service_fail(ret_error, -ETIMEDOUT,
                                            "timed out after %u ms waiting for systemd to %s %s; the job %s "
                                            "goes on",
                                            effective_timeout_ms(timeout_ms), op_names[op], unit, job_path);

                r = sd_bus_wait(bus, deadline - now);
                if (r < 0)
                        return service_fail(ret_error, r,
                                            "lost the connection to systemd while waiting to %s %s: %s",
                                            op_names[op], unit, strerror(-r));
        }

        result = TAKE_PTR(w.result);
        if (w.error < 0)
                return service_fail(ret_error, w.error, "cannot %s %s: out of memory", op_names[op], unit);

        r = job_result_errno(result);
        if (r < 0)
                return service_fail(
                        ret_error, r,
                        "systemd could not %s %s: the job ended with result '%s'; see journalctl -u %s",
                        op_names[op], unit, result, unit);
        return 0;
}

int service_daemon_reload(unsigned timeout_ms, char **ret_error)
{
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        if (sd_booted() <= 0)
                return service_fail(ret_error, -EHOSTDOWN,
                                    "cannot reload the systemd configuration: systemd is "
                                    "not running");

        r = bus_open_systemd(&bus);
        if (r < 0)
                return service_fail(ret_error, r,
                                    "cannot reload the systemd configuration: failed to connect "
                                    "to systemd: %s",
                                    strerror(-r));

        r = sd_bus_message_new_method_call(bus, &call, SYSTEMD_DESTINATION, SYSTEMD_PATH, SYSTEMD_MANAGER,
                                           "Reload");
        if (r < 0)
                return service_fail(ret_error, r, "cannot reload the systemd configuration: %s",
                                    strerror(-r));

        /* systemd sends the reply only once the reload has finished. */
        r = sd_bus_call(bus, call, (uint64_t) effective_timeout_ms(timeout_ms) * 1000u, &error, &reply);
        if (r < 0)
                return service_fail(ret_error, r, "systemd failed to reload its configuration: %s",
                                    error.message ?: error.name ?: strerror(-r));
        return 0;
}

static int run_command(const char *name, ServiceOp op, char **argv, unsigned timeout_ms, char **ret_error)
{
        _cleanup_(spawn_result_done) SpawnResult res = {};
        const char *key = command_keys[op];
        int r;

        assert(argv);
        assert(argv[0]);

        if (argv[0][0] != '/')
                return service_fail(ret_error, -EINVAL,
                                    "%s: %s must start with an absolute program path, not '%s'", name, key,
                                    argv[0]);

        SpawnOptions opts = {
                .argv = (const char *const *) argv,
                .timeout_ms = effective_timeout_ms(timeout_ms),
        };
        r = spawn_run(&opts, &res);
        if (r < 0)
                return service_fail(ret_error, r, "%s: failed to run %s %s: %s", name, key, argv[0],
                                    strerror(-r));

        if (res.timed_out)
                return service_fail(ret_error, -ETIMEDOUT, "%s: %s %s timed out after %u ms and was killed",
                                    name, key, argv[0], effective_timeout_ms(timeout_ms));
        if (res.term_signal > 0)
                return service_fail(ret_error, -EIO, "%s: %s %s was killed by signal %s", name, key, argv[0],
                                    sigabbrev_np(res.term_signal) ?: "unknown");
        if (!spawn_succeeded(&res)) {
                const char *tail = res.err_tail ?: "";
                size_t n = strlen(tail);

                while (n > 0 && strchr(" \t\r\n", tail[n - 1]))
                        n--;
                return service_fail(ret_error, -EIO, "%s: %s %s exited with status %d%s%.*s", name, key,
                                    argv[0], res.exit_status, n > 0 ? ": " : "", (int) n, tail);
        }
        return 0;
}

/* Waits until the process of pidfd has exited; the pidfd becomes readable then. */
static int wait_exit(int pidfd, uint64_t deadline)
{
        for (;;) {
                struct pollfd p = { .fd = pidfd, .events = POLLIN };
                uint64_t now = now_usec();
                int n;

                if (now >= deadline)
                        return -ETIMEDOUT;

                /* Rounds up, so the loop does not spin on the last partial millisecond. */
                uint64_t ms = (deadline - now + 999) / 1000;
                n = poll(&p, 1, ms > INT32_MAX ? INT32_MAX : (int) ms);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n > 0)
                        return 0;
        }
}

static int signal_service(const AgentConfig *c, const char *section, const char *name, ServiceOp op,
                          unsigned timeout_ms, char **ret_error)
{
        _cleanup_close_ int pidfd = -1;
        const char *pidfile, *program, *signal_key, *signal_name;
        uint64_t deadline = now_usec() + (uint64_t) effective_timeout_ms(timeout_ms) * 1000u;
        pid_t pid;
        int sig, r;

        assert(op == SERVICE_RELOAD || op == SERVICE_STOP);

        pidfile = config_get(c, section, "pidfile");
        program = config_get(c, section, "process_name");
        signal_key = op == SERVICE_STOP ? "stop_signal" : "reload_signal";
        signal_name = config_get(c, section, signal_key);

        if (strempty(pidfile))
                return service_fail(
                        ret_error, -EOPNOTSUPP,
                        "cannot %s %s: systemd is not running or unit= is empty, and neither %s nor "
                        "pidfile is configured in [%s]",
                        op_names[op], name, command_keys[op], section);

        sig = signal_from_name(strempty(signal_name) ? "" : signal_name);
        if (sig < 0)
                return service_fail(ret_error, -EINVAL, "cannot %s %s: invalid %s '%s' in [%s]",
                                    op_names[op], name, signal_key, strempty(signal_name) ? "" : signal_name,
                                    section);

        r = pidfile_open_process(pidfile, program, &pid, &pidfd);
        if (r == -ENOENT || r == -ESRCH) {
                /* Stopping a service that does not run has nothing left to do. */
                if (op == SERVICE_STOP)
                        return 0;
                return service_fail(ret_error, -ESRCH,
                                    r == -ENOENT
                                            ? "cannot %s %s: it is not running (pidfile %s not found)"
                                            : "cannot %s %s: it is not running (the process in %s is gone "
                                              "or runs another program)",
                                    op_names[op], name, pidfile);
        }
        if (r < 0)
                return service_fail(ret_error, r, "cannot %s %s: invalid pidfile %s: %s", op_names[op], name,
                                    pidfile, strerror(-r));

        if (pidfd_send_signal(pidfd, sig, NULL, 0) < 0) {
                r = -errno;
                if (r == -ESRCH && op == SERVICE_STOP)
                        return 0;
                return service_fail(ret_error, r, "cannot %s %s: failed to send SIG%s to pid %d: %s",
                                    op_names[op], name, signal_name, (int) pid, strerror(-r));
        }

        /* A reload signal is asynchronous: the service gives no reply, so success means the signal was
         * delivered.  A stop waits for the process to exit. */
        if (op != SERVICE_STOP)
                return 0;

        r = wait_exit(pidfd, deadline);
        if (r < 0)
                return service_fail(ret_error, r,
                                    "cannot stop %s: pid %d did not exit within %u ms after SIG%s", name,
                                    (int) pid, effective_timeout_ms(timeout_ms), signal_name);
        return 0;
}

int service_control(const AgentConfig *c, const char *name, ServiceOp op, unsigned timeout_ms,
                    char **ret_error)
{
        _cleanup_free_ char *section = NULL;
        _cleanup_strv_free_ char **command = NULL;
        const char *unit;

        assert(c);
        assert(name);
        assert(op >= 0);
        assert(op < _SERVICE_OP_MAX);

        if (!service_name_valid(name))
                return service_fail(ret_error, -EINVAL, "invalid service name");
        if (asprintf(&section, "service.%s", name) < 0)
                return service_fail(ret_error, -ENOMEM, "cannot %s %s: out of memory", op_names[op], name);
        if (!section_declared(section))
                return service_fail(ret_error, -ENOENT, "cannot %s %s: no [%s] section is declared",
                                    op_names[op], name, section);

        unit = config_get(c, section, "unit");
        if (!strempty(unit) && sd_booted() > 0)
                return service_unit_op(unit, op, timeout_ms, ret_error);

        command = config_get_list(c, section, command_keys[op]);
        if (!command)
                return service_fail(ret_error, -ENOMEM, "cannot %s %s: out of memory", op_names[op], name);
        if (command[0])
                return run_command(name, op, command, timeout_ms, ret_error);

        if (op == SERVICE_RELOAD || op == SERVICE_STOP)
                return signal_service(c, section, name, op, timeout_ms, ret_error);

        return service_fail(
                ret_error, -EOPNOTSUPP,
                "cannot %s %s: systemd is not running or unit= is empty, and no %s is configured in "
                "[%s]",
                op_names[op], name, command_keys[op], section);
}
