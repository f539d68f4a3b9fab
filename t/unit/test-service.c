/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "config.h"
#include "fake-service.h"
#include "macro.h"
#include "service.h"

static char tmpdir[64];
static char pidfile[PATH_MAX];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void setup(void)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-service.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
        snprintf(pidfile, sizeof(pidfile), "%s/fake.pid", tmpdir);
}

static void teardown(void)
{
        (void) nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Loads a configuration whose [service.nginx] points at the private fake service; extra lines are
 * appended to that section. */
_printf_(1, 2) static AgentConfig *load_config(const char *extra_fmt, ...)
{
        char path[PATH_MAX], *error = NULL;
        AgentConfig *c = NULL;
        va_list ap;
        FILE *f;

        snprintf(path, sizeof(path), "%s/agent.conf", tmpdir);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "[service.nginx]\nunit =\npidfile = %s\nprocess_name = fakesvc\n", pidfile);
        ck_assert_int_eq(fclose(f), 0);

        /* The extra lines go to a drop-in, because a key set twice in one file is an error. */
        snprintf(path, sizeof(path), "%s/agent.conf.d", tmpdir);
        ck_assert(mkdir(path, 0755) == 0 || errno == EEXIST);
        snprintf(path, sizeof(path), "%s/agent.conf.d/50-test.conf", tmpdir);
        f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        fputs("[service.nginx]\n", f);
        va_start(ap, extra_fmt);
        vfprintf(f, extra_fmt, ap);
        va_end(ap);
        ck_assert_int_eq(fclose(f), 0);

        snprintf(path, sizeof(path), "%s/agent.conf", tmpdir);

        ck_assert_msg(config_load(path, &c, &error) == 0, "config_load: %s", error ?: "(no message)");
        return c;
}

static int control(const AgentConfig *c, const char *name, ServiceOp op, char **ret_error)
{
        return service_control(c, name, op, 5000, ret_error);
}

START_TEST(reload_sends_sighup)
{
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "");
        _cleanup_free_ char *error = NULL;

        fake_service_start(&f, pidfile, "fakesvc");
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, &error), 0);
        ck_assert_ptr_null(error);
        ck_assert_int_eq(fake_service_next_event(&f, 5000), 'H');
        ck_assert_int_eq(fake_service_next_event(&f, 200), 0);
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(reload_twice_two_signals)
{
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "");

        fake_service_start(&f, pidfile, "fakesvc");
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), 0);
        ck_assert_int_eq(fake_service_next_event(&f, 5000), 'H');
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), 0);
        ck_assert_int_eq(fake_service_next_event(&f, 5000), 'H');
        ck_assert_int_eq(fake_service_next_event(&f, 200), 0);
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(reload_configured_signal)
{
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "reload_signal = USR2\n");

        fake_service_start(&f, pidfile, "fakesvc");
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), 0);
        ck_assert_int_eq(fake_service_next_event(&f, 5000), '2');
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(reload_not_running)
{
        AgentConfig *c = load_config("%s", "");
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, &error), -ESRCH);
        ck_assert_ptr_nonnull(error);
        ck_assert_ptr_nonnull(strstr(error, "not running"));
        config_free(c);
}
END_TEST

START_TEST(reload_stale_pidfile)
{
        AgentConfig *c = load_config("%s", "");
        _cleanup_free_ char *error = NULL;

        fake_service_write_pidfile(pidfile, fake_service_dead_pid());
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, &error), -ESRCH);
        ck_assert_ptr_nonnull(strstr(error, "not running"));
        config_free(c);
}
END_TEST

START_TEST(reload_reused_pid)
{
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "");
        _cleanup_free_ char *error = NULL;

        /* The pidfile names a live process that runs another program, as after pid reuse. */
        fake_service_start(&f, pidfile, "innocent");
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, &error), -ESRCH);
        ck_assert_ptr_nonnull(strstr(error, "runs another program"));
        ck_assert_int_eq(fake_service_next_event(&f, 300), 0);
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(reload_pid_one)
{
        AgentConfig *c = load_config("%s", "process_name =\n");
        _cleanup_free_ char *error = NULL;
        int fd;

        fd = open(pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "1\n", 2), 2);
        ck_assert_int_eq(close(fd), 0);
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, &error), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(error, pidfile));
        config_free(c);
}
END_TEST

START_TEST(reload_symlinked_pidfile)
{
        FakeService f = { .events_fd = -1 };
        char real[PATH_MAX];
        AgentConfig *c = load_config("%s", "");

        snprintf(real, sizeof(real), "%s/real.pid", tmpdir);
        fake_service_start(&f, real, "fakesvc");
        ck_assert_int_eq(symlink(real, pidfile), 0);
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), -ELOOP);
        ck_assert_int_eq(fake_service_next_event(&f, 300), 0);
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(stop_waits_for_exit)
{
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "");
        int status = 0;

        fake_service_start(&f, pidfile, "fakesvc");
        ck_assert_int_eq(control(c, "nginx", SERVICE_STOP, NULL), 0);
        ck_assert_int_eq(fake_service_next_event(&f, 1000), 'T');
        /* The process has exited by now, so reaping it does not block. */
        ck_assert_int_eq(waitpid(f.pid, &status, WNOHANG), f.pid);
        ck_assert(WIFEXITED(status));
        f.pid = 0;
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(stop_not_running)
{
        AgentConfig *c = load_config("%s", "");

        ck_assert_int_eq(control(c, "nginx", SERVICE_STOP, NULL), 0);
        fake_service_write_pidfile(pidfile, fake_service_dead_pid());
        ck_assert_int_eq(control(c, "nginx", SERVICE_STOP, NULL), 0);
        config_free(c);
}
END_TEST

START_TEST(stop_timeout)
{
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "stop_signal = HUP\n");
        _cleanup_free_ char *error = NULL;

        /* With stop_signal=HUP the fake reports the signal and keeps running, so the wait runs out. */
        fake_service_start(&f, pidfile, "fakesvc");
        ck_assert_int_eq(service_control(c, "nginx", SERVICE_STOP, 300, &error), -ETIMEDOUT);
        ck_assert_ptr_nonnull(strstr(error, "did not exit"));
        ck_assert_int_eq(fake_service_next_event(&f, 1000), 'H');
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(start_needs_command)
{
        AgentConfig *c = load_config("%s", "");
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(control(c, "nginx", SERVICE_START, &error), -EOPNOTSUPP);
        ck_assert_ptr_nonnull(strstr(error, "start_command"));
        config_free(c);
}
END_TEST

START_TEST(restart_needs_command)
{
        AgentConfig *c = load_config("%s", "");

        ck_assert_int_eq(control(c, "nginx", SERVICE_RESTART, NULL), -EOPNOTSUPP);
        config_free(c);
}
END_TEST

START_TEST(command_runs_argv)
{
        char marker[PATH_MAX];
        AgentConfig *c;
        struct stat st;

        /* A marker name with shell syntax must reach touch as one literal word. */
        snprintf(marker, sizeof(marker), "%s/$(reload)", tmpdir);
        c = load_config("reload_command = /usr/bin/touch %s\n", marker);
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), 0);
        ck_assert_int_eq(stat(marker, &st), 0);
        config_free(c);
}
END_TEST

START_TEST(command_wins_over_signal)
{
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "reload_command = /bin/true\n");

        fake_service_start(&f, pidfile, "fakesvc");
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), 0);
        ck_assert_int_eq(fake_service_next_event(&f, 300), 0);
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(command_failure_status)
{
        AgentConfig *c = load_config("%s", "restart_command = /bin/false\n");
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(control(c, "nginx", SERVICE_RESTART, &error), -EIO);
        ck_assert_ptr_nonnull(strstr(error, "status 1"));
        config_free(c);
}
END_TEST

START_TEST(command_stderr_in_error)
{
        AgentConfig *c = load_config("%s", "start_command = /bin/ls /nonexistent-jabali-test\n");
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(control(c, "nginx", SERVICE_START, &error), -EIO);
        ck_assert_ptr_nonnull(strstr(error, "nonexistent-jabali-test"));
        config_free(c);
}
END_TEST

START_TEST(command_relative_path)
{
        AgentConfig *c = load_config("%s", "reload_command = touch x\n");
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "absolute"));
        config_free(c);
}
END_TEST

START_TEST(command_timeout)
{
        AgentConfig *c = load_config("%s", "stop_command = /bin/sleep 30\n");

        ck_assert_int_eq(service_control(c, "nginx", SERVICE_STOP, 300, NULL), -ETIMEDOUT);
        config_free(c);
}
END_TEST

START_TEST(name_hostile)
{
        static const char *const names[] = {
                "",
                "../nginx",
                "nginx/..",
                "NGINX",
                "ngi nx",
                "nginx\n",
                ".nginx",
                "-nginx",
                "nginx]",
                "nginx\x01",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        };
        AgentConfig *c = load_config("%s", "");

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *error = NULL;

                ck_assert_msg(control(c, names[i], SERVICE_RELOAD, &error) == -EINVAL, "accepted name %zu",
                              i);
                ck_assert_ptr_nonnull(error);
        }
        config_free(c);
}
END_TEST

START_TEST(name_undeclared)
{
        AgentConfig *c = load_config("%s", "");
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(control(c, "nosuchservice", SERVICE_RELOAD, &error), -ENOENT);
        ck_assert_ptr_nonnull(strstr(error, "service.nosuchservice"));
        ck_assert_int_eq(control(c, "service.nginx", SERVICE_RELOAD, NULL), -ENOENT);
        config_free(c);
}
END_TEST

START_TEST(unit_name_hostile)
{
        static const char *const units[] = {
                "",
                "nginx",
                "nginx.",
                ".service",
                "a/b.service",
                "x y.service",
                "nginx.service\n",
                "ng$x.service",
                "nginx;reboot.service",
                "ü.service",
        };

        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                ck_assert_msg(service_unit_op(units[i], SERVICE_RELOAD, 1000, NULL) == -EINVAL,
                              "accepted unit %zu", i);
}
END_TEST

START_TEST(unit_op_systemd)
{
        _cleanup_free_ char *error = NULL;
        int r = service_unit_op("jabali-test-nonexistent.service", SERVICE_RESTART, 5000, &error);

        /* Under systemd a unit that does not exist is rejected by the manager; without it, nothing is
         * attempted. */
        if (sd_booted() > 0)
                ck_assert_int_eq(r, -ENOENT);
        else
                ck_assert_int_eq(r, -EHOSTDOWN);
        ck_assert_ptr_nonnull(strstr(error, "jabali-test-nonexistent.service"));
}
END_TEST

START_TEST(daemon_reload_systemd)
{
        _cleanup_free_ char *error = NULL;
        int r = service_daemon_reload(30000, &error);

        if (sd_booted() > 0)
                ck_assert_int_eq(r, 0);
        else {
                ck_assert_int_eq(r, -EHOSTDOWN);
                ck_assert_ptr_nonnull(strstr(error, "not running"));
        }
}
END_TEST

/*
 * A stand-in for systemd's manager on its private socket, in a mount namespace of the test whose /run is
 * a fresh tmpfs containing /run/systemd/system (so sd_booted() is true).  The unit name selects how the
 * job ends, and every call is reported as one line "Method unit mode" on a pipe:
 *   ok.service       reply, then JobRemoved "done"
 *   early.service    JobRemoved "done" before the reply
 *   noise.service    JobRemoved "failed" of another job first, then reply and "done"
 *   failing.service  JobRemoved "failed"; timeout.service "timeout"; canceled.service "canceled"
 *   hanging.service  no JobRemoved at all
 *   missing.service  the error org.freedesktop.systemd1.NoSuchUnit
 */
typedef struct FakeManager {
        pid_t pid;
        int calls_fd; /* read end of the call report pipe */
} FakeManager;

static int fake_report_fd = -1;

static int fake_emit_job_removed(sd_bus *bus, uint32_t id, const char *path, const char *unit,
                                 const char *result)
{
        return sd_bus_emit_signal(bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                  "JobRemoved", "uoss", id, path, unit, result);
}

static void fake_report(const char *line)
{
        size_t n = strlen(line);

        if (write(fake_report_fd, line, n) != (ssize_t) n)
                _exit(112);
}

static int fake_unit_method(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        static uint32_t next_id = 100;
        sd_bus *bus = sd_bus_message_get_bus(m);
        const char *unit, *mode, *result = "done";
        char path[64], line[512];
        uint32_t id = next_id++;
        int r;

        r = sd_bus_message_read(m, "ss", &unit, &mode);
        if (r < 0)
                return r;
        snprintf(line, sizeof(line), "%s %s %s\n", sd_bus_message_get_member(m), unit, mode);
        fake_report(line);

        if (streq(unit, "missing.service"))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not found.",
                                         unit);

        snprintf(path, sizeof(path), "/org/freedesktop/systemd1/job/%u", id);
        if (streq(unit, "early.service")) {
                r = fake_emit_job_removed(bus, id, path, unit, "done");
                if (r < 0)
                        return r;
        }
        if (streq(unit, "noise.service")) {
                r = fake_emit_job_removed(bus, 9999, "/org/freedesktop/systemd1/job/9999", unit, "failed");
                if (r < 0)
                        return r;
        }

        r = sd_bus_reply_method_return(m, "o", path);
        if (r < 0)
                return r;
        if (streq(unit, "early.service") || streq(unit, "hanging.service"))
                return 1;

        if (streq(unit, "failing.service"))
                result = "failed";
        else if (streq(unit, "timeout.service"))
                result = "timeout";
        else if (streq(unit, "canceled.service"))
                result = "canceled";
        r = fake_emit_job_removed(bus, id, path, unit, result);
        return r < 0 ? r : 1;
}

static int fake_reload(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        fake_report("Reload\n");
        return sd_bus_reply_method_return(m, "");
}

static const sd_bus_vtable fake_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("ReloadUnit", "ss", "o", fake_unit_method, 0),
        SD_BUS_METHOD("RestartUnit", "ss", "o", fake_unit_method, 0),
        SD_BUS_METHOD("StartUnit", "ss", "o", fake_unit_method, 0),
        SD_BUS_METHOD("StopUnit", "ss", "o", fake_unit_method, 0),
        SD_BUS_METHOD("Reload", "", "", fake_reload, 0),
        SD_BUS_SIGNAL("JobRemoved", "uoss", 0),
        SD_BUS_VTABLE_END,
};

/* Serves one connection after another, as systemd serves its private socket. */
static _Noreturn void fake_manager_serve(int listen_fd)
{
        for (;;) {
                sd_bus *bus = NULL;
                sd_id128_t id;
                int fd, r;

                fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
                if (fd < 0)
                        _exit(112);
                if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 || sd_id128_randomize(&id) < 0 ||
                    sd_bus_set_server(bus, 1, id) < 0 ||
                    sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", fake_manager_vtable,
                                             NULL) < 0 ||
                    sd_bus_start(bus) < 0)
                        _exit(112);

                for (;;) {
                        r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                break;
                        if (r > 0)
                                continue;
                        if (sd_bus_wait(bus, UINT64_MAX) < 0)
                                break;
                }
                sd_bus_flush_close_unref(bus);
        }
}

/* Gives this test process a private /run with a fake systemd in it.  The listening socket is created by
 * root, but listen() runs as listen_uid, whose credentials clients then see through SO_PEERCRED. */
static void fake_manager_start(FakeManager *fm, uid_t listen_uid)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int calls[2], ready[2], fd;
        char c;

        ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
        ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
        ck_assert_int_eq(mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"), 0);
        ck_assert_int_eq(mkdir("/run/systemd", 0755), 0);
        ck_assert_int_eq(mkdir("/run/systemd/system", 0755), 0);
        ck_assert_int_gt(sd_booted(), 0);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        strcpy(sa.sun_path, "/run/systemd/private");
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(pipe2(calls, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);

        fm->pid = fork();
        ck_assert_int_ge(fm->pid, 0);
        if (fm->pid == 0) {
                close(calls[0]);
                close(ready[0]);
                fake_report_fd = calls[1];
                if (listen_uid != 0 && (setresgid(listen_uid, listen_uid, listen_uid) < 0 ||
                                        setresuid(listen_uid, listen_uid, listen_uid) < 0))
                        _exit(112);
                if (listen(fd, 16) < 0 || write(ready[1], "R", 1) != 1)
                        _exit(112);
                fake_manager_serve(fd);
        }
        close(fd);
        close(calls[1]);
        close(ready[1]);
        ck_assert_int_eq(read(ready[0], &c, 1), 1);
        close(ready[0]);
        fm->calls_fd = calls[0];
}

/* Reads the next reported call into buf, waiting up to timeout_ms; an empty string when none came. */
static void fake_manager_next_call(const FakeManager *fm, char *buf, size_t size, int timeout_ms)
{
        size_t n = 0;

        buf[0] = '\0';
        while (n + 1 < size) {
                struct pollfd p = { .fd = fm->calls_fd, .events = POLLIN };
                char c;

                if (poll(&p, 1, timeout_ms) <= 0 || read(fm->calls_fd, &c, 1) != 1 || c == '\n')
                        break;
                buf[n++] = c;
                buf[n] = '\0';
        }
}

static void fake_manager_stop(FakeManager *fm)
{
        (void) kill(fm->pid, SIGKILL);
        (void) waitpid(fm->pid, NULL, 0);
        close(fm->calls_fd);
}

static int unit_op_on_fake(const char *unit, ServiceOp op, unsigned timeout_ms, char *call, size_t call_size,
                           char **ret_error)
{
        FakeManager fm;
        int r;

        fake_manager_start(&fm, 0);
        r = service_unit_op(unit, op, timeout_ms, ret_error);
        fake_manager_next_call(&fm, call, call_size, 1000);
        fake_manager_stop(&fm);
        return r;
}

START_TEST(dbus_reload_done)
{
        char call[256];

        ck_assert_int_eq(unit_op_on_fake("ok.service", SERVICE_RELOAD, 5000, call, sizeof(call), NULL), 0);
        ck_assert_str_eq(call, "ReloadUnit ok.service replace");
}
END_TEST

START_TEST(dbus_op_methods)
{
        static const struct {
                ServiceOp op;
                const char *call;
        } cases[] = {
                { SERVICE_RELOAD, "ReloadUnit ok.service replace" },
                { SERVICE_RESTART, "RestartUnit ok.service replace" },
                { SERVICE_START, "StartUnit ok.service replace" },
                { SERVICE_STOP, "StopUnit ok.service replace" },
        };
        FakeManager fm;
        char call[256];

        fake_manager_start(&fm, 0);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ck_assert_int_eq(service_unit_op("ok.service", cases[i].op, 5000, NULL), 0);
                fake_manager_next_call(&fm, call, sizeof(call), 1000);
                ck_assert_str_eq(call, cases[i].call);
        }
        fake_manager_stop(&fm);
}
END_TEST

START_TEST(dbus_signal_before_reply)
{
        char call[256];

        /* A JobRemoved that overtakes the method reply waits in the queue until the job path is known. */
        ck_assert_int_eq(unit_op_on_fake("early.service", SERVICE_RESTART, 2000, call, sizeof(call), NULL),
                         0);
}
END_TEST

START_TEST(dbus_other_job_ignored)
{
        char call[256];

        ck_assert_int_eq(unit_op_on_fake("noise.service", SERVICE_RESTART, 2000, call, sizeof(call), NULL),
                         0);
}
END_TEST

START_TEST(dbus_job_failed)
{
        _cleanup_free_ char *error = NULL;
        char call[256];

        ck_assert_int_eq(
                unit_op_on_fake("failing.service", SERVICE_RESTART, 2000, call, sizeof(call), &error), -EIO);
        ck_assert_ptr_nonnull(strstr(error, "'failed'"));
        ck_assert_ptr_nonnull(strstr(error, "failing.service"));
}
END_TEST

START_TEST(dbus_job_results)
{
        char call[256];

        ck_assert_int_eq(unit_op_on_fake("timeout.service", SERVICE_START, 2000, call, sizeof(call), NULL),
                         -ETIMEDOUT);
        ck_assert_int_eq(unit_op_on_fake("canceled.service", SERVICE_START, 2000, call, sizeof(call), NULL),
                         -ECANCELED);
}
END_TEST

START_TEST(dbus_job_never_ends)
{
        _cleanup_free_ char *error = NULL;
        char call[256];

        ck_assert_int_eq(unit_op_on_fake("hanging.service", SERVICE_STOP, 300, call, sizeof(call), &error),
                         -ETIMEDOUT);
        ck_assert_ptr_nonnull(strstr(error, "timed out"));
        ck_assert_str_eq(call, "StopUnit hanging.service replace");
}
END_TEST

START_TEST(dbus_no_such_unit)
{
        _cleanup_free_ char *error = NULL;
        char call[256];

        ck_assert_int_eq(
                unit_op_on_fake("missing.service", SERVICE_RELOAD, 2000, call, sizeof(call), &error),
                -ENOENT);
        ck_assert_ptr_nonnull(strstr(error, "not found"));
}
END_TEST

START_TEST(dbus_peer_not_root)
{
        FakeManager fm;
        char call[256];

        /* A private socket served by another user is never trusted, and no system bus exists here. */
        fake_manager_start(&fm, 65534);
        ck_assert_int_lt(service_unit_op("ok.service", SERVICE_RELOAD, 2000, NULL), 0);
        fake_manager_next_call(&fm, call, sizeof(call), 300);
        ck_assert_str_eq(call, "");
        fake_manager_stop(&fm);
}
END_TEST

START_TEST(dbus_daemon_reload)
{
        FakeManager fm;
        char call[256];

        fake_manager_start(&fm, 0);
        ck_assert_int_eq(service_daemon_reload(5000, NULL), 0);
        fake_manager_next_call(&fm, call, sizeof(call), 1000);
        ck_assert_str_eq(call, "Reload");
        fake_manager_stop(&fm);
}
END_TEST

START_TEST(dbus_control_uses_unit)
{
        FakeManager fm;
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "unit = ok.service\n");
        char call[256];

        /* With systemd running and unit= set, the pidfile is not used. */
        fake_service_start(&f, pidfile, "fakesvc");
        fake_manager_start(&fm, 0);
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), 0);
        fake_manager_next_call(&fm, call, sizeof(call), 1000);
        ck_assert_str_eq(call, "ReloadUnit ok.service replace");
        ck_assert_int_eq(fake_service_next_event(&f, 200), 0);
        fake_manager_stop(&fm);
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

START_TEST(dbus_control_empty_unit)
{
        FakeManager fm;
        FakeService f = { .events_fd = -1 };
        AgentConfig *c = load_config("%s", "");
        char call[256];

        /* An empty unit= keeps a private instance on its pidfile even when systemd runs. */
        fake_service_start(&f, pidfile, "fakesvc");
        fake_manager_start(&fm, 0);
        ck_assert_int_eq(control(c, "nginx", SERVICE_RELOAD, NULL), 0);
        ck_assert_int_eq(fake_service_next_event(&f, 5000), 'H');
        fake_manager_next_call(&fm, call, sizeof(call), 200);
        ck_assert_str_eq(call, "");
        fake_manager_stop(&fm);
        fake_service_stop(&f);
        config_free(c);
}
END_TEST

static Suite *service_suite(void)
{
        Suite *s = suite_create("service");
        TCase *tc;

        tc = tcase_create("signal");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, reload_sends_sighup);
        tcase_add_test(tc, reload_twice_two_signals);
        tcase_add_test(tc, reload_configured_signal);
        tcase_add_test(tc, reload_not_running);
        tcase_add_test(tc, reload_stale_pidfile);
        tcase_add_test(tc, reload_reused_pid);
        tcase_add_test(tc, reload_pid_one);
        tcase_add_test(tc, reload_symlinked_pidfile);
        tcase_add_test(tc, stop_waits_for_exit);
        tcase_add_test(tc, stop_not_running);
        tcase_add_test(tc, stop_timeout);
        tcase_add_test(tc, start_needs_command);
        tcase_add_test(tc, restart_needs_command);
        suite_add_tcase(s, tc);

        tc = tcase_create("command");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, command_runs_argv);
        tcase_add_test(tc, command_wins_over_signal);
        tcase_add_test(tc, command_failure_status);
        tcase_add_test(tc, command_stderr_in_error);
        tcase_add_test(tc, command_relative_path);
        tcase_add_test(tc, command_timeout);
        suite_add_tcase(s, tc);

        tc = tcase_create("names");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, name_hostile);
        tcase_add_test(tc, name_undeclared);
        tcase_add_test(tc, unit_name_hostile);
        suite_add_tcase(s, tc);

        tc = tcase_create("dbus");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, dbus_reload_done);
        tcase_add_test(tc, dbus_op_methods);
        tcase_add_test(tc, dbus_signal_before_reply);
        tcase_add_test(tc, dbus_other_job_ignored);
        tcase_add_test(tc, dbus_job_failed);
        tcase_add_test(tc, dbus_job_results);
        tcase_add_test(tc, dbus_job_never_ends);
        tcase_add_test(tc, dbus_no_such_unit);
        tcase_add_test(tc, dbus_peer_not_root);
        tcase_add_test(tc, dbus_daemon_reload);
        tcase_add_test(tc, dbus_control_uses_unit);
        tcase_add_test(tc, dbus_control_empty_unit);
        suite_add_tcase(s, tc);

        tc = tcase_create("systemd");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, unit_op_systemd);
        tcase_add_test(tc, daemon_reload_systemd);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(service_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
