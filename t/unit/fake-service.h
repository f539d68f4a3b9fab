/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A private stand-in for a daemon such as nginx, for the pidfile and service tests.  It is a forked child
 * with its own comm that writes its pidfile and reports each signal it receives as one letter on a pipe:
 * H for SIGHUP, 1 for SIGUSR1, 2 for SIGUSR2, and T for SIGTERM, after which it exits.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

typedef struct FakeService {
        pid_t pid;
        int events_fd; /* read end of the child's report pipe */
} FakeService;

static inline void fake_service_write_pidfile(const char *path, pid_t pid)
{
        char tmp[4096], buf[32];
        int fd, n;

        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        n = snprintf(buf, sizeof(buf), "%d\n", (int) pid);
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, (size_t) n) != n || fchmod(fd, 0644) < 0 || close(fd) < 0 ||
            rename(tmp, path) < 0)
                _exit(111);
}

static inline _Noreturn void fake_service_main(const char *pidfile, const char *comm, int report_fd)
{
        sigset_t set;
        int sig;

        sigemptyset(&set);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGUSR1);
        sigaddset(&set, SIGUSR2);
        sigaddset(&set, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 || prctl(PR_SET_NAME, comm) < 0)
                _exit(111);

        if (pidfile)
                fake_service_write_pidfile(pidfile, getpid());
        if (write(report_fd, "R", 1) != 1)
                _exit(111);

        for (;;) {
                char c;

                if (sigwait(&set, &sig) != 0)
                        _exit(111);
                switch (sig) {
                case SIGHUP:
                        c = 'H';
                        break;
                case SIGUSR1:
                        c = '1';
                        break;
                case SIGUSR2:
                        c = '2';
                        break;
                default:
                        c = 'T';
                        break;
                }
                if (write(report_fd, &c, 1) != 1)
                        _exit(111);
                if (sig == SIGTERM)
                        _exit(0);
        }
}

/* Reads one report letter, waiting up to timeout_ms.  Returns the letter, or 0 when none came. */
static inline char fake_service_next_event(const FakeService *f, int timeout_ms)
{
        struct pollfd p = { .fd = f->events_fd, .events = POLLIN };
        char c;

        if (poll(&p, 1, timeout_ms) <= 0)
                return 0;
        if (read(f->events_fd, &c, 1) != 1)
                return 0;
        return c;
}

/* Starts the child and waits until its pidfile is in place.  pidfile may be NULL. */
static inline void fake_service_start(FakeService *f, const char *pidfile, const char *comm)
{
        int p[2];

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        f->pid = fork();
        ck_assert_int_ge(f->pid, 0);
        if (f->pid == 0) {
                close(p[0]);
                fake_service_main(pidfile, comm, p[1]);
        }
        close(p[1]);
        f->events_fd = p[0];
        ck_assert_int_eq(fake_service_next_event(f, 5000), 'R');
}

/* Kills the child if it still runs and reaps it. */
static inline void fake_service_stop(FakeService *f)
{
        if (f->pid > 0) {
                (void) kill(f->pid, SIGKILL);
                (void) waitpid(f->pid, NULL, 0);
                f->pid = 0;
        }
        if (f->events_fd >= 0)
                close(f->events_fd);
        f->events_fd = -1;
}

/* Returns the pid of a process that existed and has been reaped, so nothing runs under it (until the
 * kernel hands the pid out again, which takes a full wrap of the pid space). */
static inline pid_t fake_service_dead_pid(void)
{
        pid_t pid = fork();

        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                _exit(0);
        ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
        return pid;
}
