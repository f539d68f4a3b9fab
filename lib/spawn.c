/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "spawn.h"
#include "timeutil.h"

#define SPAWN_TIMEOUT_DEFAULT_MS 30000u
#define READ_CHUNK               (64u * 1024u)

/* The child's ends of its standard streams, plus the pipe that carries a negative errno back to the parent
 * when setup or execve() fails. */
typedef struct ExecFds {
        int stdin_fd;
        int stdout_fd;
        int stderr_fd; /* the same pipe as stdout_fd when stderr is merged */
        int report_fd; /* O_CLOEXEC, so a successful execve() closes it and the parent reads end of file */
} ExecFds;

/* The parent's side of a running child.  A pid > 0 means the child is not reaped yet. */
typedef struct Child {
        pid_t pid;
        int pidfd;
        int stdin_fd;  /* non-blocking write end, -1 once all data is written or the child closed its end */
        int stdout_fd; /* non-blocking read end, -1 once drained */
        int stderr_fd; /* non-blocking read end, -1 once drained or when stderr is merged */
        int report_fd;
        const char *stdin_data;
        size_t stdin_left;
        bool exited;
        bool timed_out;

        char *out;
        size_t out_size;
        size_t out_alloc;
        size_t out_max;
        bool out_truncated;

        /* Ring of the last SPAWN_STDERR_TAIL bytes of stderr: byte i of the stream is stored at
         * tail[i % SPAWN_STDERR_TAIL], and tail_total counts every byte received. */
        char tail[SPAWN_STDERR_TAIL];
        uint64_t tail_total;
} Child;

static int safe_close(int fd)
{
        if (fd >= 0)
                (void) close(fd);
        return -1;
}

static bool env_name_char(char c, bool first)
{
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
                return true;
        return !first && c >= '0' && c <= '9';
}

/* Returns the length of the name in a "NAME=value" entry, or 0 when the entry is not of that form. */
static size_t env_name_length(const char *entry)
{
        size_t n;

        for (n = 0; entry[n] != '\0' && entry[n] != '='; n++)
                if (!env_name_char(entry[n], n == 0))
                        return 0;
        return entry[n] == '=' ? n : 0;
}

/* Builds the child's environment: the fixed PATH and LANG, then the extra entries.  The array points into
 * the caller's strings, so only the array itself is freed.  An extra entry may not set PATH or LANG, and a
 * name may not repeat, since which of two values a program reads depends on the program. */
static int env_build(const char *const *extra, const char ***ret)
{
        static const char *const fixed[] = { "PATH=" SPAWN_PATH, "LANG=C.UTF-8" };
        const char **envp;
        size_t n_extra;

        for (n_extra = 0; extra && extra[n_extra]; n_extra++) {
                const char *entry = extra[n_extra];
                size_t len = env_name_length(entry);

                if (len == 0)
                        return -EINVAL;
                /* Comparing len + 1 bytes includes the '=' and so compares whole names. */
                for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                        if (strncmp(fixed[i], entry, len + 1) == 0)
                                return -EINVAL;
                for (size_t j = 0; j < n_extra; j++)
                        if (strncmp(extra[j], entry, len + 1) == 0)
                                return -EINVAL;
        }

        envp = calloc(ELEMENTSOF(fixed) + n_extra + 1, sizeof(*envp));
        if (!envp)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(fixed); i++)
                envp[i] = fixed[i];
        for (size_t j = 0; j < n_extra; j++)
                envp[ELEMENTSOF(fixed) + j] = extra[j];

        *ret = envp;
        return 0;
}

static int options_validate(const SpawnOptions *opts)
{
        /* An absolute argv[0] is executed as is: no PATH search can pick up a different program. */
        if (!opts->argv || !opts->argv[0] || opts->argv[0][0] != '/')
                return -EINVAL;
        if (opts->cwd && opts->cwd[0] != '/')
                return -EINVAL;
        if (!opts->stdin_data && opts->stdin_size > 0)
                return -EINVAL;
        /* Keeps out_max + 1 (room for the NUL) from overflowing. */
        if (opts->output_max > SIZE_MAX / 2)
                return -EINVAL;
        return 0;
}

/*
 * Child side.  Everything from fork() to execve() may only make async-signal-safe calls: the parent's heap
 * and locks are in an unknown state in the copy.  Helpers return a negative errno.
 */

static int exec_reset_signals(void)
{
        /* The kernel's struct sigaction for rt_sigaction(2) differs between architectures, but on all of
         * them an all-zero one means SIG_DFL, no flags and an empty mask. */
        static const unsigned long default_action[8] = {};
        sigset_t none;

        /* Dispositions come first.  spawn_run() blocks every signal across fork(), so no handler of the
         * agent can run in the child before it is reset.  Ignored signals matter most, since execve() keeps
         * them ignored.  glibc's sigaction() rejects the two real-time signals glibc reserves for itself,
         * which can still be ignored in the parent, so the system call is made directly. */
        for (int sig = 1; sig < _NSIG; sig++) {
                if (sig == SIGKILL || sig == SIGSTOP)
                        continue;
                if (syscall(SYS_rt_sigaction, sig, default_action, NULL, _NSIG / 8) < 0)
                        return -errno;
        }

        if (sigemptyset(&none) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
                return -errno;
        return 0;
}

/* Moves fd to 4 or above, so that installing descriptors 0-3 with dup2() cannot close one of the others
 * before it is installed.  Descriptors 0-3 are free for pipes when the agent runs with any of them closed.
 */
static int exec_move_above_3(int *fd)
{
        int moved;

        if (*fd > 3)
                return 0;
        moved = fcntl(*fd, F_DUPFD_CLOEXEC, 4);
        if (moved < 0)
                return -errno;
        *fd = moved;
        return 0;
}

static int exec_setup_fds(ExecFds *fds)
{
        int r;

        r = exec_move_above_3(&fds->stdin_fd);
        if (r >= 0)
                r = exec_move_above_3(&fds->stdout_fd);
        if (r >= 0)
                r = exec_move_above_3(&fds->stderr_fd);
        if (r >= 0)
                r = exec_move_above_3(&fds->report_fd);
        if (r < 0)
                return r;

        /* dup2() clears O_CLOEXEC on the new descriptor, so 0-2 survive execve(). */
        if (dup2(fds->stdin_fd, STDIN_FILENO) < 0 || dup2(fds->stdout_fd, STDOUT_FILENO) < 0 ||
            dup2(fds->stderr_fd, STDERR_FILENO) < 0)
                return -errno;
        if (dup3(fds->report_fd, 3, O_CLOEXEC) < 0)
                return -errno;
        fds->report_fd = 3;

        /* Nothing else of the agent reaches the program: no socket, no config file, no lock. */
        if (close_range(4, ~0U, 0) < 0)
                return -errno;
        return 0;
}

static int exec_drop_privileges(uid_t uid, gid_t gid)
{
        uid_t ruid, euid, suid;
        gid_t rgid, egid, sgid, groups[2];
        int n;

        if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                return -errno;

        /* Verify that all three ids and the group list took, so a partial change can never reach execve().
         */
        if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0)
                return -errno;
        n = getgroups(ELEMENTSOF(groups), groups);
        if (n < 0)
                return -errno;
        if (ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid || sgid != gid ||
            n != 1 || groups[0] != gid)
                return -EPERM;

        /* With the ids of another user, getting root back must fail.  It would succeed if capabilities had
         * been kept across the change (SECBIT_NO_SETUID_FIXUP). */
        if (uid != 0 && setresuid(0, 0, 0) >= 0)
                return -EPERM;
        return 0;
}

/* Runs in the child between fork() and execve(), and reports any failure as a negative errno through the
 * report pipe. */
_Noreturn static void exec_child(const SpawnOptions *opts, const char *const *envp, ExecFds fds)
{
        int r;

        r = exec_reset_signals();
        if (r < 0)
                goto fail;

        /* A new session makes the child the leader of its own process group, so killing the group at the
         * timeout reaches every descendant that did not leave it. */
        if (setsid() < 0) {
                r = -errno;
                goto fail;
        }

        r = exec_setup_fds(&fds);
        if (r < 0)
                goto fail;

        if (opts->drop_to_user) {
                r = exec_drop_privileges(opts->uid, opts->gid);
                if (r < 0)
                        goto fail;
        }

        /* After the drop, so that the directory is reached with the permissions of the program's user. */
        if (chdir(opts->cwd ?: "/") < 0) {
                r = -errno;
                goto fail;
        }

        (void) execve(opts->argv[0], (char *const *) opts->argv, (char *const *) envp);
        r = -errno;

fail:
        /* A 4-byte write to a pipe is atomic. */
        (void) !write(fds.report_fd, &r, sizeof(r));
        _exit(127);
}

/*
 * Parent side.
 */

/* Kills the child and its process group.  The group id is the child's pid once it called setsid().  Before
 * that, no such group exists and only the direct kill reaches the child, which has not forked yet.  Both
 * ids stay reserved until the child is reaped, so neither signal can reach an unrelated process. */
static void child_kill(Child *c)
{
        (void) kill(-c->pid, SIGKILL);
        (void) kill(c->pid, SIGKILL);
}

static int child_reap(Child *c, siginfo_t *ret)
{
        siginfo_t si = {};

        while (waitid(P_PID, c->pid, &si, WEXITED) < 0) {
                if (errno != EINTR) {
                        /* ECHILD: SIGCHLD is ignored, so the kernel reaped the child already. */
                        c->pid = 0;
                        return -errno;
                }
        }

        c->pid = 0;
        if (ret)
                *ret = si;
        return 0;
}

/* Releases everything of c.  A child still unreaped here was left by an error, so it is killed with its
 * group and reaped, and no zombie or orphaned group remains. */
static void child_done(Child *c)
{
        if (c->pid > 0) {
                child_kill(c);
                (void) child_reap(c, NULL);
        }
        c->pidfd = safe_close(c->pidfd);
        c->stdin_fd = safe_close(c->stdin_fd);
        c->stdout_fd = safe_close(c->stdout_fd);
        c->stderr_fd = safe_close(c->stderr_fd);
        c->report_fd = safe_close(c->report_fd);
        free(c->out);
        c->out = NULL;
}

static int capture_stdout(Child *c, const char *buf, size_t n)
{
        size_t room = c->out_max - c->out_size;

        if (n > room) {
                c->out_truncated = true;
                n = room;
        }
        if (n == 0)
                return 0;

        if (c->out_size + n + 1 > c->out_alloc) {
                size_t alloc = c->out_alloc * 2;
                char *p;

                if (alloc < c->out_size + n + 1)
                        alloc = c->out_size + n + 1;
                if (alloc > c->out_max + 1)
                        alloc = c->out_max + 1;
                p = realloc(c->out, alloc);
                if (!p)
                        return -ENOMEM;
                c->out = p;
                c->out_alloc = alloc;
        }

        memcpy(c->out + c->out_size, buf, n);
        c->out_size += n;
        c->out[c->out_size] = '\0';
        return 0;
}

static void capture_stderr(Child *c, const char *buf, size_t n)
{
        /* Only the last SPAWN_STDERR_TAIL bytes of a chunk can survive in the ring. */
        if (n > SPAWN_STDERR_TAIL) {
                c->tail_total += n - SPAWN_STDERR_TAIL;
                buf += n - SPAWN_STDERR_TAIL;
                n = SPAWN_STDERR_TAIL;
        }
        for (size_t i = 0; i < n; i++)
                c->tail[(c->tail_total + i) % SPAWN_STDERR_TAIL] = buf[i];
        c->tail_total += n;
}

static int tail_copy(const Child *c, char **ret)
{
        size_t len = c->tail_total < SPAWN_STDERR_TAIL ? (size_t) c->tail_total : SPAWN_STDERR_TAIL;
        size_t start = (size_t) ((c->tail_total - len) % SPAWN_STDERR_TAIL);
        char *s;

        s = malloc(len + 1);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < len; i++)
                s[i] = c->tail[(start + i) % SPAWN_STDERR_TAIL];
        s[len] = '\0';

        *ret = s;
        return 0;
}

/* Reads at most max bytes from *fd into the capture of the stream.  Closes *fd at end of file.  Returns the
 * number of bytes read, 0 at end of file or when nothing is ready, or a negative errno. */
static ssize_t child_read(Child *c, int *fd, size_t max)
{
        char buf[READ_CHUNK];
        ssize_t n;
        int r;

        n = read(*fd, buf, max < sizeof(buf) ? max : sizeof(buf));
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        if (n == 0) {
                *fd = safe_close(*fd);
                return 0;
        }

        if (fd == &c->stdout_fd) {
                r = capture_stdout(c, buf, (size_t) n);
                if (r < 0)
                        return r;
        } else
                capture_stderr(c, buf, (size_t) n);
        return n;
}

/* Reads the bytes already in the pipe and closes it, without waiting for end of file: a process the child
 * left behind may keep the write end open for as long as it runs. */
static int child_drain(Child *c, int *fd)
{
        int avail;

        if (*fd < 0)
                return 0;
        if (ioctl(*fd, FIONREAD, &avail) < 0)
                return -errno;

        while (avail > 0 && *fd >= 0) {
                ssize_t n = child_read(c, fd, (size_t) avail);

                if (n < 0)
                        return (int) n;
                if (n == 0)
                        break;
                avail -= (int) n;
        }

        *fd = safe_close(*fd);
        return 0;
}

static int child_write_stdin(Child *c)
{
        ssize_t n;

        n = write(c->stdin_fd, c->stdin_data, c->stdin_left);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                if (errno != EPIPE)
                        return -errno;
                /* The child closed stdin without reading all of it: its choice, not an error here. */
                n = (ssize_t) c->stdin_left;
        }

        c->stdin_data += n;
        c->stdin_left -= (size_t) n;
        if (c->stdin_left == 0)
                c->stdin_fd = safe_close(c->stdin_fd);
        return 0;
}

static int poll_timeout_ms(uint64_t now, uint64_t deadline)
{
        uint64_t ms = (deadline - now + USEC_PER_MSEC - 1) / USEC_PER_MSEC;

        return ms > INT_MAX ? INT_MAX : (int) ms;
}

/* Feeds stdin and collects stdout and stderr in one poll loop until the child exits or the deadline passes.
 * Writes are non-blocking, so a child that never reads stdin cannot stall the reads, and a child that does
 * not read while its output pipes are full cannot stall the writes. */
static int child_pump(Child *c, uint64_t deadline)
{
        while (!c->exited) {
                uint64_t now = now_usec();
                ssize_t n;
                int r;

                if (now >= deadline) {
                        child_kill(c);
                        c->timed_out = true;
                        return 0;
                }

                /* poll() skips entries with a negative fd, so closed streams keep their slot. */
                struct pollfd pfd[] = {
                        { .fd = c->pidfd, .events = POLLIN },
                        { .fd = c->stdin_fd, .events = POLLOUT },
                        { .fd = c->stdout_fd, .events = POLLIN },
                        { .fd = c->stderr_fd, .events = POLLIN },
                };

                if (poll(pfd, ELEMENTSOF(pfd), poll_timeout_ms(now, deadline)) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }

                /* What the child wrote before exiting is in the pipes now, and child_drain() reads it. */
                if (pfd[0].revents != 0) {
                        c->exited = true;
                        return 0;
                }
                if (pfd[1].revents != 0) {
                        r = child_write_stdin(c);
                        if (r < 0)
                                return r;
                }
                if (pfd[2].revents != 0) {
                        n = child_read(c, &c->stdout_fd, SIZE_MAX);
                        if (n < 0)
                                return (int) n;
                }
                if (pfd[3].revents != 0) {
                        n = child_read(c, &c->stderr_fd, SIZE_MAX);
                        if (n < 0)
                                return (int) n;
                }
        }
        return 0;
}

/* Ignoring SIGPIPE turns a write to a stdin pipe the child closed into EPIPE instead of the death of the
 * agent.  The disposition is changed for the duration of the poll loop only. */
static void sigpipe_ignore(struct sigaction *ret_saved)
{
        struct sigaction ignore = { .sa_handler = SIG_IGN };

        (void) sigaction(SIGPIPE, &ignore, ret_saved);
}

static void sigpipe_restore(const struct sigaction *saved)
{
        struct sigaction ignore = { .sa_handler = SIG_IGN };

        /* A SIGPIPE raised while the caller blocks it stays pending even though it is ignored.  Setting
         * SIG_IGN again discards it, so restoring SIG_DFL cannot deliver it later. */
        (void) sigaction(SIGPIPE, &ignore, NULL);
        (void) sigaction(SIGPIPE, saved, NULL);
}

/* Reads the child's setup report: 0 when execve() succeeded (end of file) or a negative errno. */
static int child_read_report(Child *c)
{
        int err;
        ssize_t n;

        do
                n = read(c->report_fd, &err, sizeof(err));
        while (n < 0 && errno == EINTR);

        if (n < 0)
                return -errno;
        if (n == 0)
                return 0;
        if (n != sizeof(err) || err >= 0)
                return -EIO;
        return err;
}

/* Runs the parent's part once the child exists: supervises it, reaps it and fills ret. */
static int child_finish(Child *c, uint64_t deadline, SpawnResult *ret)
{
        struct sigaction saved;
        _cleanup_free_ char *tail = NULL;
        siginfo_t si;
        int r;

        sigpipe_ignore(&saved);
        r = child_pump(c, deadline);
        sigpipe_restore(&saved);
        if (r < 0)
                return r;

        r = child_drain(c, &c->stdout_fd);
        if (r >= 0)
                r = child_drain(c, &c->stderr_fd);
        if (r < 0)
                return r;

        r = child_reap(c, &si);
        if (r < 0)
                return r;

        r = child_read_report(c);
        if (r < 0)
                return r;

        if (!c->out) {
                c->out = strdup("");
                if (!c->out)
                        return -ENOMEM;
        }
        r = tail_copy(c, &tail);
        if (r < 0)
                return r;

        *ret = (SpawnResult){
                .exit_status = si.si_code == CLD_EXITED ? si.si_status : -1,
                .term_signal = si.si_code == CLD_EXITED ? 0 : si.si_status,
                .timed_out = c->timed_out,
                .out = TAKE_PTR(c->out),
                .out_size = c->out_size,
                .out_truncated = c->out_truncated,
                .err_tail = TAKE_PTR(tail),
        };
        return 0;
}

static int pipe_cloexec(int *ret_read, int *ret_write)
{
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        *ret_read = p[0];
        *ret_write = p[1];
        return 0;
}

static int fd_set_nonblock(int fd)
{
        int flags;

        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

int spawn_run(const SpawnOptions *opts, SpawnResult *ret)
{
        _cleanup_free_ const char **envp = NULL;
        _cleanup_close_ int stdin_r = -1, stdin_w = -1, out_r = -1, out_w = -1, err_r = -1, err_w = -1,
                            report_r = -1, report_w = -1;
        _cleanup_(child_done) Child c = {
                .pidfd = -1,
                .stdin_fd = -1,
                .stdout_fd = -1,
                .stderr_fd = -1,
                .report_fd = -1,
        };
        uint64_t deadline;
        sigset_t all, saved;
        int r;

        assert(opts);
        assert(ret);

        r = options_validate(opts);
        if (r < 0)
                return r;
        r = env_build(opts->env, &envp);
        if (r < 0)
                return r;

        if (opts->stdin_data)
                r = pipe_cloexec(&stdin_r, &stdin_w);
        else {
                stdin_r = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
                r = stdin_r < 0 ? -errno : 0;
        }
        if (r >= 0)
                r = pipe_cloexec(&out_r, &out_w);
        if (r >= 0 && !opts->merge_stderr)
                r = pipe_cloexec(&err_r, &err_w);
        if (r >= 0)
                r = pipe_cloexec(&report_r, &report_w);
        if (r < 0)
                return r;

        /* Only the parent's ends are non-blocking: O_NONBLOCK belongs to the open file description, and the
         * program expects blocking standard streams. */
        r = stdin_w >= 0 ? fd_set_nonblock(stdin_w) : 0;
        if (r >= 0)
                r = fd_set_nonblock(out_r);
        if (r >= 0 && err_r >= 0)
                r = fd_set_nonblock(err_r);
        if (r < 0)
                return r;

        /* Every signal stays blocked across fork(), so no handler of the agent runs in the child before
         * exec_reset_signals() has replaced it. */
        if (sigfillset(&all) < 0 || sigprocmask(SIG_SETMASK, &all, &saved) < 0)
                return -errno;
        c.pid = fork();
        if (c.pid == 0)
                exec_child(opts, envp,
                           (ExecFds){ .stdin_fd = stdin_r,
                                      .stdout_fd = out_w,
                                      .stderr_fd = opts->merge_stderr ? out_w : err_w,
                                      .report_fd = report_w });
        r = c.pid < 0 ? -errno : 0;
        (void) sigprocmask(SIG_SETMASK, &saved, NULL);
        if (r < 0) {
                c.pid = 0;
                return r;
        }

        /* The child has its own copies now.  Ours must go, or end of file would never arrive. */
        stdin_r = safe_close(stdin_r);
        out_w = safe_close(out_w);
        err_w = safe_close(err_w);
        report_w = safe_close(report_w);

        c.stdin_fd = TAKE_FD(stdin_w);
        c.stdout_fd = TAKE_FD(out_r);
        c.stderr_fd = TAKE_FD(err_r);
        c.report_fd = TAKE_FD(report_r);
        c.stdin_data = opts->stdin_data;
        c.stdin_left = opts->stdin_size;
        c.out_max = opts->output_max ?: SPAWN_OUTPUT_MAX_DEFAULT;
        if (c.stdin_fd >= 0 && c.stdin_left == 0)
                c.stdin_fd = safe_close(c.stdin_fd);

        /* The pid is ours until reaped, so the pidfd cannot refer to another process. */
        c.pidfd = pidfd_open(c.pid, 0);
        if (c.pidfd < 0)
                return -errno;

        deadline = now_usec() + (uint64_t) (opts->timeout_ms ?: SPAWN_TIMEOUT_DEFAULT_MS) * USEC_PER_MSEC;
        return child_finish(&c, deadline, ret);
}

void spawn_result_done(SpawnResult *r)
{
        assert(r);

        free(r->out);
        r->out = NULL;
        free(r->err_tail);
        r->err_tail = NULL;
}

bool spawn_succeeded(const SpawnResult *r)
{
        assert(r);

        return !r->timed_out && r->term_signal == 0 && r->exit_status == 0;
}
