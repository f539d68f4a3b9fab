/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "pidfile.h"

/* The kernel keeps TASK_COMM_LEN - 1 = 15 bytes of a program name in comm. */
#define COMM_MAX 15

int pidfile_parse(const char *data, size_t size, pid_t *ret_pid)
{
        uint64_t value = 0;

        assert(data || size == 0);
        assert(ret_pid);

        if (size > 0 && data[size - 1] == '\n')
                size--;

        /* Ten digits are more than PIDFILE_PID_MAX has, so the loop below cannot overflow. */
        if (size == 0 || size > 10 || data[0] == '0')
                return -EBADMSG;

        for (size_t i = 0; i < size; i++) {
                if (data[i] < '0' || data[i] > '9')
                        return -EBADMSG;
                value = value * 10 + (uint64_t) (data[i] - '0');
        }

        if (value < 2 || value > PIDFILE_PID_MAX)
                return -EBADMSG;

        *ret_pid = (pid_t) value;
        return 0;
}

int pidfile_read(const char *path, pid_t *ret_pid)
{
        _cleanup_close_ int fd = -1;
        char buf[PIDFILE_SIZE_MAX + 1];
        size_t size = 0;
        struct stat st;
        pid_t pid;
        int r;

        assert(path);
        assert(ret_pid);

        /* O_NONBLOCK keeps a FIFO planted in place of the pidfile from blocking the open. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & (S_IWGRP | S_IWOTH)))
                return -EPERM;

        /* Read one byte past the limit to tell a full-size file from a longer one. */
        for (;;) {
                ssize_t n = read(fd, buf + size, sizeof(buf) - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size == sizeof(buf))
                        return -EFBIG;
        }

        r = pidfile_parse(buf, size, &pid);
        if (r < 0)
                return r;

        *ret_pid = pid;
        return 0;
}

static int read_comm(pid_t pid, char *buf, size_t size)
{
        _cleanup_close_ int fd = -1;
        char path[64];
        ssize_t n;

        assert(size > 1);

        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        n = read(fd, buf, size - 1);
        if (n < 0)
                return errno == ESRCH ? -ESRCH : -errno;

        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

static bool exe_is(pid_t pid, const char *name)
{
        static const char deleted[] = " (deleted)";
        char path[64], target[PATH_MAX];
        const char *base;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/%d/exe", (int) pid);
        n = readlink(path, target, sizeof(target) - 1);
        if (n <= 0)
                return false; /* kernel threads have no exe; other users' processes may be unreadable */
        target[n] = '\0';

        /* A binary replaced by a package upgrade still runs under its old name with this suffix. */
        size_t len = (size_t) n, dlen = sizeof(deleted) - 1;
        if (len > dlen && streq(target + len - dlen, deleted))
                target[len - dlen] = '\0';

        base = strrchr(target, '/');
        base = base ? base + 1 : target;
        return streq(base, name);
}

int process_runs_program(pid_t pid, const char *name)
{
        char comm[COMM_MAX + 2];
        int r;

        assert(pid > 0);
        assert(!strempty(name));

        r = read_comm(pid, comm, sizeof(comm));
        if (r < 0)
                return r;

        if (strlen(comm) == strnlen(name, COMM_MAX) && strncmp(comm, name, COMM_MAX) == 0)
                return 1;

        return exe_is(pid, name);
}

int pidfile_open_process(const char *path, const char *name, pid_t *ret_pid, int *ret_pidfd)
{
        _cleanup_close_ int pidfd = -1;
        pid_t pid;
        int r;

        assert(path);
        assert(ret_pid);
        assert(ret_pidfd);

        r = pidfile_read(path, &pid);
        if (r < 0)
                return r;

        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0)
                return -errno;

        if (!strempty(name)) {
                r = process_runs_program(pid, name);
                if (r < 0)
                        return r;
                if (r == 0)
                        return -ESRCH;

                /* The name was read through /proc/PID.  The pid cannot be reused while the process of the
                 * pidfd still exists (even as a zombie), so if it exists now, the name read was its own. */
                if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
                        return -errno;
        }

        *ret_pid = pid;
        *ret_pidfd = TAKE_FD(pidfd);
        return 0;
}
