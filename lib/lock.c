/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "macro.h"
#include "timeutil.h"

#define LOCK_NAME_MAX        128u
#define RETRY_DELAY_MIN_USEC (1 * USEC_PER_MSEC)
#define RETRY_DELAY_MAX_USEC (50 * USEC_PER_MSEC)

static bool lock_name_is_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > LOCK_NAME_MAX || streq(name, ".") || streq(name, ".."))
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];

                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
                        return false;
        }
        return true;
}

/* Opens the lock directory, creating it with mode 0700 when missing (its parent must exist).  The directory
 * must belong to the effective uid and be closed to group and others.  Otherwise someone else could unlink
 * a lock file and create a new one, and two processes would lock the same name on different files. */
static int lock_dir_open(const char *path)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return -errno;

        /* O_PATH with O_NOFOLLOW opens a symlink itself, which is then reported as -ELOOP, not -ENOTDIR. */
        fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return -ELOOP;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (st.st_uid != geteuid() || (st.st_mode & 0022) != 0)
                return -EPERM;

        return TAKE_FD(fd);
}

/* Opens the lock file itself.  O_NOFOLLOW makes a symlink at its place fail with ELOOP instead of creating
 * or locking the file it points to.  Lock files are never removed: removing one while another process
 * waits on it would let a third process lock a new file of the same name at the same time. */
static int lock_file_open(int dir_fd, const char *name)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;

        return TAKE_FD(fd);
}

int lock_acquire(const char *lock_dir, const char *name, unsigned timeout_ms)
{
        _cleanup_close_ int dir_fd = -1, fd = -1;
        uint64_t deadline, delay = RETRY_DELAY_MIN_USEC;

        assert(lock_dir);
        assert(name);

        if (!lock_name_is_valid(name))
                return -EINVAL;

        dir_fd = lock_dir_open(lock_dir);
        if (dir_fd < 0)
                return dir_fd;
        fd = lock_file_open(dir_fd, name);
        if (fd < 0)
                return fd;

        /* Polling with LOCK_NB keeps the wait bounded without a timer signal, whose handler would outlive
         * the call.  The delay between attempts doubles from 1 ms to 50 ms. */
        deadline = now_usec() + (uint64_t) timeout_ms * USEC_PER_MSEC;
        for (;;) {
                struct timespec pause;
                uint64_t now;

                if (flock(fd, LOCK_EX | LOCK_NB) >= 0)
                        return TAKE_FD(fd);
                if (errno == EINTR)
                        continue;
                if (errno != EWOULDBLOCK)
                        return -errno;

                now = now_usec();
                if (now >= deadline)
                        return -EWOULDBLOCK;
                if (delay > deadline - now)
                        delay = deadline - now;

                pause = (struct timespec){ .tv_sec = (time_t) (delay / USEC_PER_SEC),
                                           .tv_nsec = (long) (delay % USEC_PER_SEC) * 1000 };
                /* An interrupted sleep only makes the next attempt come early. */
                (void) clock_nanosleep(CLOCK_MONOTONIC, 0, &pause, NULL);

                delay *= 2;
                if (delay > RETRY_DELAY_MAX_USEC)
                        delay = RETRY_DELAY_MAX_USEC;
        }
}
