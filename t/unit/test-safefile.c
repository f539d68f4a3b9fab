/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "safefile-internal.h"
#include "safefile.h"

/*
 * Every case runs in a fresh temporary directory that contains "tree", the directory descriptor handed to
 * the functions, and "canary", a directory outside it with one file.  Hostile setups plant symlinks, hard
 * links, FIFOs and mounts in the tree that point at the canary; afterwards the canary must be unchanged.
 * The cases run as root and hand files to uid and gid 65534 to see that ownership lands where intended.
 */

#define NOBODY         65534
#define CANARY_CONTENT "canary\n"

static char base_path[PATH_MAX];
static char tree_path[PATH_MAX];
static char canary_path[PATH_MAX];
static int tree_fd = -1;
static bool walk_mode;
static struct stat canary_dir_st, canary_file_st;
static char mount_points[4][PATH_MAX];
static size_t n_mount_points;

/* snprintf() that fails the case instead of truncating. */
_printf_(3, 4) static void format_path(char *buf, size_t size, const char *format, ...)
{
        va_list ap;
        int n;

        va_start(ap, format);
        n = vsnprintf(buf, size, format, ap);
        va_end(ap);
        ck_assert_int_ge(n, 0);
        ck_assert_uint_lt((size_t) n, size);
}

static void make_dir(const char *rel, mode_t mode)
{
        ck_assert_int_eq(mkdirat(tree_fd, rel, mode), 0);
        ck_assert_int_eq(fchmodat(tree_fd, rel, mode, 0), 0);
}

static void make_file(const char *rel, const void *data, size_t size, mode_t mode)
{
        _cleanup_close_ int fd = -1;

        fd = openat(tree_fd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, data, size), (ssize_t) size);
        ck_assert_int_eq(fchmod(fd, mode), 0);
}

static void make_link(const char *rel, const char *target)
{
        ck_assert_int_eq(symlinkat(target, tree_fd, rel), 0);
}

static bool exists_at(int dirfd, const char *rel)
{
        struct stat st;

        return fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static struct stat lstat_at(int dirfd, const char *rel)
{
        struct stat st;

        ck_assert_int_eq(fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW), 0);
        return st;
}

/* Reads a file by name with plain syscalls, independent of the code under test. */
static size_t read_at(int dirfd, const char *rel, char *buf, size_t size)
{
        _cleanup_close_ int fd = -1;
        ssize_t n;

        fd = openat(dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        n = read(fd, buf, size - 1);
        ck_assert_int_ge(n, 0);
        buf[n] = '\0';
        return (size_t) n;
}

/* Counts entries whose name starts with ".#", the prefix of safe_write_atomic()'s temporary files. */
static unsigned count_temp_files(int dirfd)
{
        DIR *d;
        struct dirent *de;
        unsigned n = 0;
        int fd;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        d = fdopendir(fd);
        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)))
                if (strncmp(de->d_name, ".#", 2) == 0)
                        n++;
        closedir(d);
        return n;
}

static unsigned count_entries(const char *path)
{
        DIR *d;
        struct dirent *de;
        unsigned n = 0;

        d = opendir(path);
        ck_assert_ptr_nonnull(d);
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static bool same_time(struct timespec a, struct timespec b)
{
        return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* ctime is not compared: a hard link to the canary file changes it without touching owner, mode or data. */
static void assert_canary_intact(void)
{
        char path[PATH_MAX + 16], buf[64];
        struct stat dir_st, file_st;
        _cleanup_close_ int fd = -1;

        ck_assert_int_eq(lstat(canary_path, &dir_st), 0);
        ck_assert(S_ISDIR(dir_st.st_mode));
        ck_assert_int_eq(dir_st.st_uid, canary_dir_st.st_uid);
        ck_assert_int_eq(dir_st.st_gid, canary_dir_st.st_gid);
        ck_assert_int_eq(dir_st.st_mode, canary_dir_st.st_mode);
        ck_assert(same_time(dir_st.st_mtim, canary_dir_st.st_mtim));
        ck_assert_uint_eq(count_entries(canary_path), 1);

        format_path(path, sizeof(path), "%s/secret", canary_path);
        ck_assert_int_eq(lstat(path, &file_st), 0);
        ck_assert(S_ISREG(file_st.st_mode));
        ck_assert_int_eq(file_st.st_uid, canary_file_st.st_uid);
        ck_assert_int_eq(file_st.st_gid, canary_file_st.st_gid);
        ck_assert_int_eq(file_st.st_mode, canary_file_st.st_mode);
        ck_assert(same_time(file_st.st_mtim, canary_file_st.st_mtim));

        fd = open(canary_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        read_at(fd, "secret", buf, sizeof(buf));
        ck_assert_str_eq(buf, CANARY_CONTENT);
}

static void setup_common(void)
{
        char template[] = "/tmp/test-safefile.XXXXXX";
        char path[PATH_MAX + 16];
        _cleanup_close_ int fd = -1;

        umask(022);
        n_mount_points = 0;

        ck_assert_ptr_nonnull(mkdtemp(template));
        ck_assert_ptr_nonnull(realpath(template, base_path));
        format_path(tree_path, sizeof(tree_path), "%s/tree", base_path);
        format_path(canary_path, sizeof(canary_path), "%s/canary", base_path);
        ck_assert_int_eq(mkdir(tree_path, 0755), 0);
        ck_assert_int_eq(mkdir(canary_path, 0755), 0);

        format_path(path, sizeof(path), "%s/secret", canary_path);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, CANARY_CONTENT, strlen(CANARY_CONTENT)),
                         (ssize_t) strlen(CANARY_CONTENT));
        ck_assert_int_eq(lstat(path, &canary_file_st), 0);
        ck_assert_int_eq(lstat(canary_path, &canary_dir_st), 0);

        tree_fd = open(tree_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(tree_fd, 0);
}

static void setup_openat2(void)
{
        setup_common();
        walk_mode = false;
        safefile_force_walk(false);
}

static void setup_walk(void)
{
        setup_common();
        walk_mode = true;
        safefile_force_walk(true);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path) < 0 ? -1 : 0;
}

static void teardown(void)
{
        while (n_mount_points > 0)
                (void) umount2(mount_points[--n_mount_points], MNT_DETACH);
        if (tree_fd >= 0)
                close(tree_fd);
        tree_fd = -1;
        (void) nftw(base_path, remove_one, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* Moves this test process into its own mount namespace, so mounts made by a case never reach the host and
 * end with the process. */
static void enter_private_mounts(void)
{
        ck_assert_int_eq(unshare(CLONE_NEWNS), 0);
        ck_assert_int_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);

        /* A descriptor opened before unshare() stays in the old namespace, where later mounts are not
         * seen, so the tree is opened again. */
        close(tree_fd);
        tree_fd = open(tree_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(tree_fd, 0);
}

static void mount_at(const char *rel, const char *source, const char *fstype, unsigned long flags)
{
        char *target = mount_points[n_mount_points];

        ck_assert_uint_lt(n_mount_points, ELEMENTSOF(mount_points));
        format_path(target, PATH_MAX, "%s/%s", tree_path, rel);
        ck_assert_int_eq(mount(source, target, fstype, flags, NULL), 0);
        n_mount_points++;
}

/* Runs safe_write_atomic() as uid and gid 65534 in a child and returns the positive errno it failed with,
 * 0 on success, or 255 when the child could not drop its ids. */
static int write_as_nobody(int dirfd, const char *name)
{
        int status;
        pid_t pid;

        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                int r;

                if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
                    setresuid(NOBODY, NOBODY, NOBODY) < 0)
                        _exit(255);
                r = safe_write_atomic(dirfd, name, "x", 1, 0644, (uid_t) -1, (gid_t) -1);
                _exit(r < 0 ? -r : 0);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        return WEXITSTATUS(status);
}

/* Builds levels nested directories named "x" below rel. */
static void make_deep_tree(const char *rel, unsigned levels)
{
        int fd;

        make_dir(rel, 0755);
        fd = openat(tree_fd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        for (unsigned i = 0; i < levels; i++) {
                int next;

                ck_assert_int_eq(mkdirat(fd, "x", 0755), 0);
                next = openat(fd, "x", O_PATH | O_DIRECTORY | O_CLOEXEC);
                ck_assert_int_ge(next, 0);
                close(fd);
                fd = next;
        }
        close(fd);
}

/* safe_open_beneath */

START_TEST(test_open_regular)
{
        _cleanup_close_ int fd = -1;
        char buf[64];

        make_dir("a", 0755);
        make_dir("a/b", 0755);
        make_file("a/b/f", "hello", 5, 0644);

        fd = safe_open_beneath(tree_fd, "a/b/f", O_RDONLY, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);
        ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}
END_TEST

START_TEST(test_open_dot_components)
{
        _cleanup_close_ int fd = -1, dot = -1;
        struct stat st, tree_st;

        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);

        fd = safe_open_beneath(tree_fd, "./a//./f", O_RDONLY, 0);
        ck_assert_int_ge(fd, 0);

        dot = safe_open_beneath(tree_fd, ".", O_RDONLY | O_DIRECTORY, 0);
        ck_assert_int_ge(dot, 0);
        ck_assert_int_eq(fstat(dot, &st), 0);
        ck_assert_int_eq(fstat(tree_fd, &tree_st), 0);
        ck_assert_uint_eq(st.st_ino, tree_st.st_ino);
}
END_TEST

START_TEST(test_open_symlink_last)
{
        static const int flag_sets[] = {
                O_RDONLY, O_RDONLY | O_NOFOLLOW, O_PATH, O_PATH | O_NOFOLLOW, O_RDONLY | O_DIRECTORY,
                O_WRONLY,
        };
        char outside[PATH_MAX + 16];

        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);
        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        make_link("to_inside", "a/f");
        make_link("to_inside_dir", "a");
        make_link("to_outside", outside);
        make_link("to_outside_rel", "../canary/secret");
        make_link("to_canary_dir", canary_path);

        for (size_t i = 0; i < ELEMENTSOF(flag_sets); i++) {
                ck_assert_int_eq(safe_open_beneath(tree_fd, "to_inside", flag_sets[i], 0), -ELOOP);
                ck_assert_int_eq(safe_open_beneath(tree_fd, "to_inside_dir", flag_sets[i], 0), -ELOOP);
                ck_assert_int_eq(safe_open_beneath(tree_fd, "to_outside", flag_sets[i], 0), -ELOOP);
                ck_assert_int_eq(safe_open_beneath(tree_fd, "to_outside_rel", flag_sets[i], 0), -ELOOP);
                ck_assert_int_eq(safe_open_beneath(tree_fd, "to_canary_dir", flag_sets[i], 0), -ELOOP);
        }
        assert_canary_intact();
}
END_TEST

START_TEST(test_open_symlink_middle)
{
        make_dir("a", 0755);
        make_dir("a/b", 0755);
        make_file("a/b/f", "x", 1, 0644);
        make_link("outside", canary_path);
        make_link("inside", "a");
        make_link("a/up", "..");
        make_link("a/self", ".");

        ck_assert_int_eq(safe_open_beneath(tree_fd, "outside/secret", O_RDONLY, 0), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "inside/b/f", O_RDONLY, 0), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "a/up/a/b/f", O_RDONLY, 0), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "a/self/b/f", O_PATH, 0), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "outside/secret", O_WRONLY | O_TRUNC, 0), -ELOOP);
        assert_canary_intact();
}
END_TEST

START_TEST(test_open_create_through_symlink)
{
        char dangling[PATH_MAX + 16];

        format_path(dangling, sizeof(dangling), "%s/created", canary_path);
        make_link("dangling", dangling);
        make_link("outside", canary_path);

        ck_assert_int_eq(safe_open_beneath(tree_fd, "dangling", O_WRONLY | O_CREAT, 0644), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "outside/created", O_WRONLY | O_CREAT, 0644), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
        assert_canary_intact();
}
END_TEST

START_TEST(test_open_dotdot)
{
        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);

        ck_assert_int_eq(safe_open_beneath(tree_fd, "..", O_RDONLY, 0), -EXDEV);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "../canary/secret", O_RDONLY, 0), -EXDEV);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "a/../a/f", O_RDONLY, 0), -EXDEV);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "a/..", O_RDONLY, 0), -EXDEV);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "a/../../canary/secret", O_WRONLY | O_TRUNC, 0), -EXDEV);
        assert_canary_intact();
}
END_TEST

START_TEST(test_open_absolute)
{
        char outside[PATH_MAX + 16];

        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        ck_assert_int_eq(safe_open_beneath(tree_fd, outside, O_RDONLY, 0), -EXDEV);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "/", O_RDONLY, 0), -EXDEV);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "//etc", O_PATH, 0), -EXDEV);
}
END_TEST

START_TEST(test_open_long_names)
{
        char dir[NAME_MAX + 1], file[NAME_MAX + 1], path[2 * NAME_MAX + 8];
        _cleanup_close_ int fd = -1;

        memset(dir, 'd', NAME_MAX);
        dir[NAME_MAX] = '\0';
        memset(file, 'f', NAME_MAX);
        file[NAME_MAX] = '\0';
        make_dir(dir, 0755);
        format_path(path, sizeof(path), "%s/%s", dir, file);
        make_file(path, "x", 1, 0644);

        fd = safe_open_beneath(tree_fd, path, O_RDONLY, 0);
        ck_assert_int_ge(fd, 0);

        /* One character over NAME_MAX in a component. */
        format_path(path, sizeof(path), "%s/%sf", dir, file);
        ck_assert_int_eq(safe_open_beneath(tree_fd, path, O_RDONLY, 0), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_open_empty)
{
        ck_assert_int_eq(safe_open_beneath(tree_fd, "", O_RDONLY, 0), -EINVAL);
}
END_TEST

START_TEST(test_open_trailing_slash)
{
        _cleanup_close_ int fd = -1;

        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);
        make_link("l", "a");

        ck_assert_int_eq(safe_open_beneath(tree_fd, "a/f/", O_RDONLY, 0), -ENOTDIR);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "a/f/.", O_RDONLY, 0), -ENOTDIR);
        ck_assert_int_eq(safe_open_beneath(tree_fd, "l/", O_RDONLY, 0), -ELOOP);
        fd = safe_open_beneath(tree_fd, "a/", O_RDONLY, 0);
        ck_assert_int_ge(fd, 0);
}
END_TEST

START_TEST(test_open_magic_link)
{
        _cleanup_close_ int proc = -1;

        proc = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(proc, 0);

        ck_assert_int_eq(safe_open_beneath(proc, "root/etc", O_PATH, 0), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(proc, "cwd", O_PATH | O_DIRECTORY, 0), -ELOOP);
        ck_assert_int_eq(safe_open_beneath(proc, "exe", O_RDONLY, 0), -ELOOP);
}
END_TEST

START_TEST(test_open_fifo_nonblock)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        ck_assert_int_eq(mkfifoat(tree_fd, "p", 0644), 0);

        fd = safe_open_beneath(tree_fd, "p", O_RDONLY | O_NONBLOCK, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &st), 0);
        ck_assert(S_ISFIFO(st.st_mode));
}
END_TEST

START_TEST(test_open_create_mode)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        make_dir("a", 0755);
        fd = safe_open_beneath(tree_fd, "a/new", O_WRONLY | O_CREAT | O_EXCL, 0640);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0640);
}
END_TEST

START_TEST(test_open_resolver)
{
        ck_assert_int_eq(safefile_uses_openat2(), !walk_mode);
}
END_TEST

/* The kernel is made to fail openat2() with ENOSYS, as kernels before Linux 5.6 do, through a seccomp
 * filter in this test process only.  The system call number 437 is the same on every architecture, so the
 * filter does not check the architecture. */
START_TEST(test_resolver_enosys)
{
        struct sock_filter filter[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog program = { .len = ELEMENTSOF(filter), .filter = filter };
        _cleanup_close_ int fd = -1;

        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);
        make_link("l", canary_path);
        ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
        ck_assert_int_eq(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program), 0);

        fd = safe_open_beneath(tree_fd, "a/f", O_RDONLY, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert(!safefile_uses_openat2());
        ck_assert_int_eq(safe_open_beneath(tree_fd, "l/secret", O_RDONLY, 0), -ELOOP);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "l/x", 0755, NOBODY, NOBODY, true), -ELOOP);
        assert_canary_intact();
}
END_TEST

/* safe_open_path */

START_TEST(test_path_regular)
{
        _cleanup_close_ int fd = -1;
        char path[PATH_MAX + 16], buf[16];

        make_dir("a", 0755);
        make_file("a/f", "hello", 5, 0644);
        format_path(path, sizeof(path), "%s/a/f", tree_path);

        fd = safe_open_path(path, O_RDONLY, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(read(fd, buf, sizeof(buf)), 5);
        ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}
END_TEST

START_TEST(test_path_root)
{
        _cleanup_close_ int fd = -1;
        struct stat st, root_st;

        fd = safe_open_path("/", O_RDONLY | O_DIRECTORY, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(fstat(fd, &st), 0);
        ck_assert_int_eq(stat("/", &root_st), 0);
        ck_assert_uint_eq(st.st_ino, root_st.st_ino);
        ck_assert_uint_eq(st.st_dev, root_st.st_dev);
}
END_TEST

START_TEST(test_path_symlink)
{
        char path[PATH_MAX + 16], outside[PATH_MAX + 16];

        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        make_link("dir", canary_path);
        make_link("file", outside);

        format_path(path, sizeof(path), "%s/dir/secret", tree_path);
        ck_assert_int_eq(safe_open_path(path, O_RDONLY, 0), -ELOOP);
        format_path(path, sizeof(path), "%s/file", tree_path);
        ck_assert_int_eq(safe_open_path(path, O_WRONLY | O_TRUNC, 0), -ELOOP);
        ck_assert_int_eq(safe_open_path(path, O_PATH | O_NOFOLLOW, 0), -ELOOP);
        format_path(path, sizeof(path), "%s/dir", tree_path);
        ck_assert_int_eq(safe_open_path(path, O_RDONLY | O_DIRECTORY, 0), -ELOOP);
        assert_canary_intact();
}
END_TEST

START_TEST(test_path_invalid)
{
        static const char *const suffixes[] = { "/./a", "/a/.", "/a/../a", "/..", "//a", "/a/", "/a//f" };
        char path[PATH_MAX + 16];

        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                format_path(path, sizeof(path), "%s%s", tree_path, suffixes[i]);
                ck_assert_msg(safe_open_path(path, O_RDONLY, 0) == -EINVAL, "%s was accepted", path);
        }
        ck_assert_int_eq(safe_open_path("tmp", O_RDONLY, 0), -EINVAL);
        ck_assert_int_eq(safe_open_path("", O_RDONLY, 0), -EINVAL);
}
END_TEST

/* safe_mkdir_beneath */

START_TEST(test_mkdir_new)
{
        static const char *const levels[] = { "h", "h/alice", "h/alice/domains" };
        _cleanup_close_ int fd = -1;
        struct stat st, last;

        fd = safe_mkdir_beneath(tree_fd, "h/alice/domains", 0750, NOBODY, NOBODY, false);
        ck_assert_int_ge(fd, 0);

        for (size_t i = 0; i < ELEMENTSOF(levels); i++) {
                st = lstat_at(tree_fd, levels[i]);
                ck_assert(S_ISDIR(st.st_mode));
                ck_assert_int_eq(st.st_mode & 07777, 0750);
                ck_assert_int_eq(st.st_uid, NOBODY);
                ck_assert_int_eq(st.st_gid, NOBODY);
        }
        ck_assert_int_eq(fstat(fd, &st), 0);
        last = lstat_at(tree_fd, "h/alice/domains");
        ck_assert_uint_eq(st.st_ino, last.st_ino);
}
END_TEST

START_TEST(test_mkdir_umask)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        umask(0777);
        fd = safe_mkdir_beneath(tree_fd, "d", 02755, (uid_t) -1, (gid_t) -1, false);
        ck_assert_int_ge(fd, 0);
        st = lstat_at(tree_fd, "d");
        ck_assert_int_eq(st.st_mode & 07777, 02755);
        ck_assert_int_eq(st.st_uid, 0);
}
END_TEST

START_TEST(test_mkdir_existing_kept)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        make_dir("h", 0700);

        fd = safe_mkdir_beneath(tree_fd, "h/x", 0750, NOBODY, NOBODY, false);
        ck_assert_int_ge(fd, 0);
        st = lstat_at(tree_fd, "h");
        ck_assert_int_eq(st.st_mode & 07777, 0700);
        ck_assert_int_eq(st.st_uid, 0);
        ck_assert_int_eq(st.st_gid, 0);
        st = lstat_at(tree_fd, "h/x");
        ck_assert_int_eq(st.st_mode & 07777, 0750);
        ck_assert_int_eq(st.st_uid, NOBODY);
}
END_TEST

START_TEST(test_mkdir_existing_fixed)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        make_dir("h", 0700);
        make_dir("h/x", 0777);

        fd = safe_mkdir_beneath(tree_fd, "h/x", 0750, NOBODY, NOBODY, true);
        ck_assert_int_ge(fd, 0);
        st = lstat_at(tree_fd, "h");
        ck_assert_int_eq(st.st_mode & 07777, 0750);
        ck_assert_int_eq(st.st_uid, NOBODY);
        ck_assert_int_eq(st.st_gid, NOBODY);
        st = lstat_at(tree_fd, "h/x");
        ck_assert_int_eq(st.st_mode & 07777, 0750);
        ck_assert_int_eq(st.st_uid, NOBODY);
}
END_TEST

START_TEST(test_mkdir_idempotent)
{
        _cleanup_close_ int first = -1, second = -1;
        struct stat before, after;

        first = safe_mkdir_beneath(tree_fd, "h/x", 0750, NOBODY, NOBODY, true);
        ck_assert_int_ge(first, 0);
        before = lstat_at(tree_fd, "h/x");

        second = safe_mkdir_beneath(tree_fd, "h/x", 0750, NOBODY, NOBODY, true);
        ck_assert_int_ge(second, 0);
        after = lstat_at(tree_fd, "h/x");
        ck_assert(same_time(before.st_ctim, after.st_ctim));
        ck_assert_uint_eq(before.st_ino, after.st_ino);
}
END_TEST

START_TEST(test_mkdir_symlink_last)
{
        make_dir("h", 0755);
        make_link("h/alice", canary_path);
        make_link("h/bob", "../../canary");

        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "h/alice", 0750, NOBODY, NOBODY, true), -ELOOP);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "h/alice", 0750, NOBODY, NOBODY, false), -ELOOP);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "h/bob", 0750, NOBODY, NOBODY, true), -ELOOP);
        ck_assert(S_ISLNK(lstat_at(tree_fd, "h/alice").st_mode));
        assert_canary_intact();
}
END_TEST

START_TEST(test_mkdir_symlink_middle)
{
        make_dir("h", 0755);
        make_dir("h/real", 0755);
        make_link("h/alice", canary_path);
        make_link("h/inside", "real");

        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "h/alice/domains/x", 0750, NOBODY, NOBODY, true),
                         -ELOOP);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "h/inside/x", 0750, NOBODY, NOBODY, false), -ELOOP);
        ck_assert(!exists_at(tree_fd, "h/real/x"));
        assert_canary_intact();
}
END_TEST

START_TEST(test_mkdir_dangling_symlink)
{
        char dangling[PATH_MAX + 16];

        format_path(dangling, sizeof(dangling), "%s/created", canary_path);
        make_link("d", dangling);

        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "d", 0755, NOBODY, NOBODY, false), -ELOOP);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "d/x", 0755, NOBODY, NOBODY, false), -ELOOP);
        assert_canary_intact();
}
END_TEST

START_TEST(test_mkdir_not_directory)
{
        make_file("f", "x", 1, 0644);
        ck_assert_int_eq(mkfifoat(tree_fd, "p", 0644), 0);

        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "f", 0755, NOBODY, NOBODY, true), -ENOTDIR);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "f/x", 0755, NOBODY, NOBODY, true), -ENOTDIR);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "p", 0755, NOBODY, NOBODY, true), -ENOTDIR);
        ck_assert_int_eq(lstat_at(tree_fd, "f").st_uid, 0);
}
END_TEST

START_TEST(test_mkdir_invalid)
{
        char absolute[PATH_MAX + 16];

        format_path(absolute, sizeof(absolute), "%s/x", canary_path);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "", 0755, NOBODY, NOBODY, false), -EINVAL);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, ".", 0755, NOBODY, NOBODY, true), -EINVAL);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "../canary/x", 0755, NOBODY, NOBODY, false), -EXDEV);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, "a/../b", 0755, NOBODY, NOBODY, false), -EXDEV);
        ck_assert_int_eq(safe_mkdir_beneath(tree_fd, absolute, 0755, NOBODY, NOBODY, false), -EXDEV);
        ck_assert(!exists_at(tree_fd, "a"));
        ck_assert_int_eq(lstat_at(tree_fd, ".").st_uid, 0);
        assert_canary_intact();
}
END_TEST

/* safe_write_atomic */

START_TEST(test_write_new)
{
        struct stat st;
        char buf[64];

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", "data\n", 5, 0640, NOBODY, NOBODY), 0);

        st = lstat_at(tree_fd, "cfg");
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(st.st_mode & 07777, 0640);
        ck_assert_int_eq(st.st_uid, NOBODY);
        ck_assert_int_eq(st.st_gid, NOBODY);
        ck_assert_uint_eq(read_at(tree_fd, "cfg", buf, sizeof(buf)), 5);
        ck_assert_str_eq(buf, "data\n");
        ck_assert_uint_eq(count_temp_files(tree_fd), 0);
}
END_TEST

START_TEST(test_write_keep_owner)
{
        struct stat st;

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", "x", 1, 0644, (uid_t) -1, (gid_t) -1), 0);
        st = lstat_at(tree_fd, "cfg");
        ck_assert_int_eq(st.st_uid, 0);
        ck_assert_int_eq(st.st_gid, 0);
}
END_TEST

START_TEST(test_write_replace)
{
        struct stat before, after;
        char buf[64];

        make_file("cfg", "old", 3, 0644);
        before = lstat_at(tree_fd, "cfg");

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", "new!", 4, 0600, (uid_t) -1, (gid_t) -1), 0);
        after = lstat_at(tree_fd, "cfg");
        ck_assert_uint_ne(before.st_ino, after.st_ino);
        ck_assert_int_eq(after.st_mode & 07777, 0600);
        read_at(tree_fd, "cfg", buf, sizeof(buf));
        ck_assert_str_eq(buf, "new!");
}
END_TEST

START_TEST(test_write_symlink_name)
{
        char outside[PATH_MAX + 16], buf[64];
        struct stat st;

        make_file("inner", "inner", 5, 0644);
        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        make_link("cfg", outside);
        make_link("cfg2", "inner");

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", "pwn", 3, 0600, NOBODY, NOBODY), 0);
        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg2", "pwn", 3, 0600, NOBODY, NOBODY), 0);

        st = lstat_at(tree_fd, "cfg");
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(st.st_uid, NOBODY);
        read_at(tree_fd, "cfg", buf, sizeof(buf));
        ck_assert_str_eq(buf, "pwn");
        read_at(tree_fd, "inner", buf, sizeof(buf));
        ck_assert_str_eq(buf, "inner");
        ck_assert_int_eq(lstat_at(tree_fd, "inner").st_uid, 0);
        assert_canary_intact();
}
END_TEST

START_TEST(test_write_hardlink_name)
{
        char outside[PATH_MAX + 16];

        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        ck_assert_int_eq(linkat(AT_FDCWD, outside, tree_fd, "cfg", 0), 0);

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", "pwn", 3, 0666, NOBODY, NOBODY), 0);
        ck_assert_uint_eq(lstat_at(tree_fd, "cfg").st_nlink, 1);
        assert_canary_intact();
}
END_TEST

START_TEST(test_write_invalid_name)
{
        static const char *const names[] = { "", ".", "..", "a/b", "/abs", "a/" };

        make_dir("a", 0755);
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                ck_assert_msg(safe_write_atomic(tree_fd, names[i], "x", 1, 0644, NOBODY, NOBODY) == -EINVAL,
                              "name \"%s\" was accepted", names[i]);
        ck_assert_uint_eq(count_temp_files(tree_fd), 0);
        ck_assert(!exists_at(tree_fd, "a/b"));
}
END_TEST

START_TEST(test_write_long_name)
{
        char name[NAME_MAX + 1];

        memset(name, 'n', NAME_MAX);
        name[NAME_MAX] = '\0';
        ck_assert_int_eq(safe_write_atomic(tree_fd, name, "x", 1, 0644, NOBODY, NOBODY), -ENAMETOOLONG);

        /* The maximum name length that still leaves room for ".#" and ".XXXXXX" in the temporary name. */
        name[NAME_MAX - 9] = '\0';
        ck_assert_int_eq(safe_write_atomic(tree_fd, name, "x", 1, 0644, NOBODY, NOBODY), 0);
        ck_assert(exists_at(tree_fd, name));
}
END_TEST

START_TEST(test_write_readonly_dir)
{
        _cleanup_close_ int fd = -1;

        make_dir("ro", 0555);
        fd = openat(tree_fd, "ro", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);

        ck_assert_int_eq(write_as_nobody(fd, "cfg"), EACCES);
        ck_assert_uint_eq(count_temp_files(fd), 0);
        ck_assert(!exists_at(fd, "cfg"));
}
END_TEST

START_TEST(test_write_readonly_mount)
{
        char source[PATH_MAX + 16], buf[16];
        _cleanup_close_ int fd = -1;

        make_dir("ro", 0755);
        make_file("ro/cfg", "old", 3, 0644);
        format_path(source, sizeof(source), "%s/ro", tree_path);
        enter_private_mounts();
        mount_at("ro", source, NULL, MS_BIND);
        ck_assert_int_eq(mount(NULL, source, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL), 0);

        fd = openat(tree_fd, "ro", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(safe_write_atomic(fd, "cfg", "new", 3, 0644, NOBODY, NOBODY), -EROFS);
        ck_assert_uint_eq(count_temp_files(fd), 0);
        read_at(fd, "cfg", buf, sizeof(buf));
        ck_assert_str_eq(buf, "old");
}
END_TEST

START_TEST(test_write_rename_fails)
{
        make_dir("cfg", 0755);
        make_file("cfg/keep", "x", 1, 0644);

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", "new", 3, 0644, NOBODY, NOBODY), -EISDIR);
        ck_assert_uint_eq(count_temp_files(tree_fd), 0);
        ck_assert(exists_at(tree_fd, "cfg/keep"));
}
END_TEST

START_TEST(test_write_write_fails)
{
        struct rlimit limit = { .rlim_cur = 4, .rlim_max = 4 };
        char data[64], buf[16];

        make_file("cfg", "old", 3, 0644);
        memset(data, 'd', sizeof(data));
        ck_assert(signal(SIGXFSZ, SIG_IGN) != SIG_ERR);
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", data, sizeof(data), 0644, NOBODY, NOBODY),
                         -EFBIG);
        ck_assert_uint_eq(count_temp_files(tree_fd), 0);
        read_at(tree_fd, "cfg", buf, sizeof(buf));
        ck_assert_str_eq(buf, "old");
}
END_TEST

START_TEST(test_write_directory_swapped)
{
        _cleanup_close_ int dir = -1;
        char buf[16];

        make_dir("a", 0755);
        dir = safe_open_beneath(tree_fd, "a", O_PATH | O_DIRECTORY, 0);
        ck_assert_int_ge(dir, 0);

        /* The tenant moves the directory away and plants a symlink to the canary in its place. */
        ck_assert_int_eq(renameat(tree_fd, "a", tree_fd, "a.old"), 0);
        make_link("a", canary_path);

        ck_assert_int_eq(safe_write_atomic(dir, "cfg", "x", 1, 0600, NOBODY, NOBODY), 0);
        read_at(tree_fd, "a.old/cfg", buf, sizeof(buf));
        ck_assert_str_eq(buf, "x");
        assert_canary_intact();
}
END_TEST

START_TEST(test_write_mode_exact)
{
        ck_assert_int_eq(safe_write_atomic(tree_fd, "suid", "x", 1, 04755, NOBODY, NOBODY), 0);
        ck_assert_int_eq(lstat_at(tree_fd, "suid").st_mode & 07777, 04755);

        umask(0777);
        ck_assert_int_eq(safe_write_atomic(tree_fd, "plain", "x", 1, 0644, NOBODY, NOBODY), 0);
        ck_assert_int_eq(lstat_at(tree_fd, "plain").st_mode & 07777, 0644);
}
END_TEST

START_TEST(test_write_empty)
{
        ck_assert_int_eq(safe_write_atomic(tree_fd, "empty", NULL, 0, 0644, NOBODY, NOBODY), 0);
        ck_assert_int_eq(lstat_at(tree_fd, "empty").st_size, 0);
}
END_TEST

/* safe_read_beneath */

START_TEST(test_read_regular)
{
        _cleanup_free_ char *data = NULL;
        size_t size = 0;

        make_dir("a", 0755);
        make_file("a/f", "a\0b", 3, 0644);

        ck_assert_int_eq(safe_read_beneath(tree_fd, "a/f", 1024, &data, &size), 0);
        ck_assert_uint_eq(size, 3);
        ck_assert_int_eq(memcmp(data, "a\0b", 3), 0);
        ck_assert_int_eq(data[3], '\0');
}
END_TEST

START_TEST(test_read_empty)
{
        _cleanup_free_ char *data = NULL;

        make_file("f", "", 0, 0644);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "f", 1024, &data, NULL), 0);
        ck_assert_str_eq(data, "");
}
END_TEST

START_TEST(test_read_limit)
{
        _cleanup_free_ char *data = NULL;
        char *untouched = (char *) "sentinel";
        size_t size = 77;

        make_file("f", "0123456789", 10, 0644);

        ck_assert_int_eq(safe_read_beneath(tree_fd, "f", 9, &untouched, &size), -EFBIG);
        ck_assert_str_eq(untouched, "sentinel");
        ck_assert_uint_eq(size, 77);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "f", 10, &data, &size), 0);
        ck_assert_uint_eq(size, 10);
}
END_TEST

START_TEST(test_read_large)
{
        _cleanup_free_ char *data = NULL, *expected = NULL;
        size_t size = 0, n = 100000;

        expected = malloc(n);
        ck_assert_ptr_nonnull(expected);
        for (size_t i = 0; i < n; i++)
                expected[i] = (char) (i * 7);
        make_file("big", expected, n, 0644);

        ck_assert_int_eq(safe_read_beneath(tree_fd, "big", n, &data, &size), 0);
        ck_assert_uint_eq(size, n);
        ck_assert_int_eq(memcmp(data, expected, n), 0);
}
END_TEST

START_TEST(test_read_absent)
{
        char *data = NULL;

        ck_assert_int_eq(safe_read_beneath(tree_fd, "missing", 1024, &data, NULL), -ENOENT);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "nodir/missing", 1024, &data, NULL), -ENOENT);
        ck_assert_ptr_null(data);
}
END_TEST

START_TEST(test_read_not_regular)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        _cleanup_close_ int sock = -1;
        char *data = NULL;

        ck_assert_int_eq(mkfifoat(tree_fd, "fifo", 0644), 0);
        make_dir("dir", 0755);
        ck_assert_int_eq(mknodat(tree_fd, "null", S_IFCHR | 0666, makedev(1, 3)), 0);
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(sock, 0);
        ck_assert_uint_lt(strlen(tree_path) + strlen("/sock"), sizeof(addr.sun_path));
        format_path(addr.sun_path, sizeof(addr.sun_path), "%s/sock", tree_path);
        ck_assert_int_eq(bind(sock, (struct sockaddr *) &addr, sizeof(addr)), 0);

        /* A FIFO without a writer must not block, and the case timeout turns a hang into a failure. */
        ck_assert_int_eq(safe_read_beneath(tree_fd, "fifo", 1024, &data, NULL), -EINVAL);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "dir", 1024, &data, NULL), -EINVAL);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "null", 1024, &data, NULL), -EINVAL);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "sock", 1024, &data, NULL), -EINVAL);
        ck_assert_ptr_null(data);
}
END_TEST

START_TEST(test_read_symlink)
{
        char outside[PATH_MAX + 16];
        char *data = NULL;

        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        make_link("l", outside);
        make_link("dir", canary_path);
        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);
        make_link("inside", "a/f");

        ck_assert_int_eq(safe_read_beneath(tree_fd, "l", 1024, &data, NULL), -ELOOP);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "dir/secret", 1024, &data, NULL), -ELOOP);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "inside", 1024, &data, NULL), -ELOOP);
        ck_assert_int_eq(safe_read_beneath(tree_fd, "../canary/secret", 1024, &data, NULL), -EXDEV);
        ck_assert_int_eq(safe_read_beneath(tree_fd, outside, 1024, &data, NULL), -EXDEV);
        ck_assert_ptr_null(data);
}
END_TEST

/* safe_remove_tree_beneath */

START_TEST(test_remove_tree)
{
        char dangling[PATH_MAX + 16];

        format_path(dangling, sizeof(dangling), "%s/nothing", canary_path);
        make_dir("a", 0755);
        make_dir("a/b", 0700);
        make_dir("a/b/c", 0555);
        make_file("a/b/c/f", "x", 1, 0444);
        make_file("a/x", "x", 1, 0644);
        ck_assert_int_eq(mkfifoat(tree_fd, "a/fifo", 0644), 0);
        make_link("a/link", "b");
        make_link("a/dangling", dangling);
        make_file("keep", "x", 1, 0644);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a"), 0);
        ck_assert(!exists_at(tree_fd, "a"));
        ck_assert(exists_at(tree_fd, "keep"));
}
END_TEST

START_TEST(test_remove_file)
{
        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a/f"), 0);
        ck_assert(!exists_at(tree_fd, "a/f"));
        ck_assert(exists_at(tree_fd, "a"));
}
END_TEST

START_TEST(test_remove_symlink_inside)
{
        make_dir("a", 0755);
        make_dir("a/b", 0755);
        make_link("a/abs", canary_path);
        make_link("a/b/rel", "../../../canary");
        make_link("a/file", "../../canary/secret");

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a"), 0);
        ck_assert(!exists_at(tree_fd, "a"));
        assert_canary_intact();
}
END_TEST

START_TEST(test_remove_symlink_path)
{
        make_link("l", canary_path);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "l"), 0);
        ck_assert(!exists_at(tree_fd, "l"));
        assert_canary_intact();
}
END_TEST

START_TEST(test_remove_symlink_middle)
{
        make_link("l", canary_path);
        make_dir("a", 0755);
        make_link("a/up", "..");

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "l/secret"), -ELOOP);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a/up/a"), -ELOOP);
        ck_assert(exists_at(tree_fd, "a"));
        assert_canary_intact();
}
END_TEST

START_TEST(test_remove_absent)
{
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "missing"), -ENOENT);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "nodir/missing"), -ENOENT);
}
END_TEST

START_TEST(test_remove_invalid)
{
        char absolute[PATH_MAX + 16];

        format_path(absolute, sizeof(absolute), "%s/secret", canary_path);
        make_dir("a", 0755);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, ""), -EINVAL);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "."), -EINVAL);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a/."), -EINVAL);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, ".."), -EXDEV);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "../canary"), -EXDEV);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a/../../canary"), -EXDEV);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, absolute), -EXDEV);
        ck_assert(exists_at(tree_fd, "a"));
        assert_canary_intact();
}
END_TEST

START_TEST(test_remove_trailing_slash)
{
        make_dir("a", 0755);
        make_file("a/f", "x", 1, 0644);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a//"), 0);
        ck_assert(!exists_at(tree_fd, "a"));
}
END_TEST

START_TEST(test_remove_other_mount)
{
        make_dir("a", 0755);
        make_dir("a/m", 0755);
        make_file("a/f", "x", 1, 0644);
        enter_private_mounts();
        mount_at("a/m", "tmpfs", "tmpfs", 0);
        make_file("a/m/keep", "x", 1, 0644);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a"), -EXDEV);
        ck_assert(exists_at(tree_fd, "a/m/keep"));
}
END_TEST

START_TEST(test_remove_bind_mount)
{
        struct stat st;

        make_dir("a", 0755);
        make_dir("a/m", 0755);
        enter_private_mounts();
        mount_at("a/m", canary_path, NULL, MS_BIND);

        /* A bind mount of the same filesystem has the same st_dev, so only the mount id distinguishes it. */
        ck_assert_int_eq(fstatat(tree_fd, "a/m", &st, 0), 0);
        ck_assert_uint_eq(st.st_dev, lstat_at(tree_fd, "a").st_dev);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a"), -EXDEV);
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "a/m"), -EXDEV);
        assert_canary_intact();
}
END_TEST

START_TEST(test_remove_depth)
{
        make_deep_tree("ok", SAFE_REMOVE_TREE_DEPTH_MAX);
        make_deep_tree("deep", SAFE_REMOVE_TREE_DEPTH_MAX + 1);

        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "ok"), 0);
        ck_assert(!exists_at(tree_fd, "ok"));
        ck_assert_int_eq(safe_remove_tree_beneath(tree_fd, "deep"), -ELOOP);
        ck_assert(exists_at(tree_fd, "deep"));
}
END_TEST

/* FileBackup */

START_TEST(test_backup_roundtrip)
{
        _cleanup_(file_backup_done) FileBackup b = {};
        unsigned char bytes[256], buf[512];
        _cleanup_close_ int fd = -1;
        struct stat st;

        for (size_t i = 0; i < sizeof(bytes); i++)
                bytes[i] = (unsigned char) i;
        make_file("cfg", bytes, sizeof(bytes), 0640);
        ck_assert_int_eq(fchownat(tree_fd, "cfg", NOBODY, NOBODY, AT_SYMLINK_NOFOLLOW), 0);

        ck_assert_int_eq(file_backup_take(tree_fd, "cfg", &b), 0);
        ck_assert(b.existed);
        ck_assert_uint_eq(b.size, sizeof(bytes));
        ck_assert_int_eq(b.mode, 0640);
        ck_assert_int_eq(b.uid, NOBODY);
        ck_assert_int_eq(b.gid, NOBODY);

        ck_assert_int_eq(safe_write_atomic(tree_fd, "cfg", "broken", 6, 0600, 0, 0), 0);
        ck_assert_int_eq(file_backup_restore(tree_fd, "cfg", &b), 0);

        st = lstat_at(tree_fd, "cfg");
        ck_assert(S_ISREG(st.st_mode));
        ck_assert_int_eq(st.st_mode & 07777, 0640);
        ck_assert_int_eq(st.st_uid, NOBODY);
        ck_assert_int_eq(st.st_gid, NOBODY);
        fd = openat(tree_fd, "cfg", O_RDONLY | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(read(fd, buf, sizeof(buf)), (ssize_t) sizeof(bytes));
        ck_assert_int_eq(memcmp(buf, bytes, sizeof(bytes)), 0);
        ck_assert_uint_eq(count_temp_files(tree_fd), 0);
}
END_TEST

START_TEST(test_backup_special_bits)
{
        _cleanup_(file_backup_done) FileBackup b = {};

        make_file("tool", "#!", 2, 0644);
        ck_assert_int_eq(fchownat(tree_fd, "tool", NOBODY, NOBODY, 0), 0);
        ck_assert_int_eq(fchmodat(tree_fd, "tool", 06750, 0), 0);

        ck_assert_int_eq(file_backup_take(tree_fd, "tool", &b), 0);
        ck_assert_int_eq(safe_write_atomic(tree_fd, "tool", "x", 1, 0600, 0, 0), 0);
        ck_assert_int_eq(file_backup_restore(tree_fd, "tool", &b), 0);
        ck_assert_int_eq(lstat_at(tree_fd, "tool").st_mode & 07777, 06750);
}
END_TEST

START_TEST(test_backup_absent)
{
        _cleanup_(file_backup_done) FileBackup b = {};

        ck_assert_int_eq(file_backup_take(tree_fd, "new", &b), 0);
        ck_assert(!b.existed);

        ck_assert_int_eq(safe_write_atomic(tree_fd, "new", "x", 1, 0644, NOBODY, NOBODY), 0);
        ck_assert_int_eq(file_backup_restore(tree_fd, "new", &b), 0);
        ck_assert(!exists_at(tree_fd, "new"));
        ck_assert_int_eq(file_backup_restore(tree_fd, "new", &b), 0);
        ck_assert(!exists_at(tree_fd, "new"));
}
END_TEST

START_TEST(test_backup_restore_over_symlink)
{
        _cleanup_(file_backup_done) FileBackup b = {};
        char outside[PATH_MAX + 16], buf[16];

        make_file("cfg", "old", 3, 0644);
        ck_assert_int_eq(file_backup_take(tree_fd, "cfg", &b), 0);

        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        ck_assert_int_eq(unlinkat(tree_fd, "cfg", 0), 0);
        make_link("cfg", outside);

        ck_assert_int_eq(file_backup_restore(tree_fd, "cfg", &b), 0);
        ck_assert(S_ISREG(lstat_at(tree_fd, "cfg").st_mode));
        read_at(tree_fd, "cfg", buf, sizeof(buf));
        ck_assert_str_eq(buf, "old");
        assert_canary_intact();
}
END_TEST

START_TEST(test_backup_rejected)
{
        FileBackup b = { .existed = true, .size = 99 };
        char outside[PATH_MAX + 16];

        format_path(outside, sizeof(outside), "%s/secret", canary_path);
        make_link("link", outside);
        ck_assert_int_eq(mkfifoat(tree_fd, "fifo", 0644), 0);
        make_dir("dir", 0755);

        ck_assert_int_eq(file_backup_take(tree_fd, "link", &b), -ELOOP);
        ck_assert_int_eq(file_backup_take(tree_fd, "fifo", &b), -EINVAL);
        ck_assert_int_eq(file_backup_take(tree_fd, "dir", &b), -EINVAL);
        ck_assert_int_eq(file_backup_take(tree_fd, "dir/x", &b), -EINVAL);
        ck_assert_int_eq(file_backup_take(tree_fd, "..", &b), -EINVAL);
        ck_assert_uint_eq(b.size, 99);
        ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(test_backup_done_twice)
{
        FileBackup b = {};

        make_file("cfg", "old", 3, 0644);
        ck_assert_int_eq(file_backup_take(tree_fd, "cfg", &b), 0);
        ck_assert_ptr_nonnull(b.data);

        file_backup_done(&b);
        ck_assert_ptr_null(b.data);
        ck_assert(!b.existed);
        file_backup_done(&b);
        ck_assert_ptr_null(b.data);
}
END_TEST

static void add_open_tests(TCase *tc)
{
        tcase_add_test(tc, test_open_regular);
        tcase_add_test(tc, test_open_dot_components);
        tcase_add_test(tc, test_open_symlink_last);
        tcase_add_test(tc, test_open_symlink_middle);
        tcase_add_test(tc, test_open_create_through_symlink);
        tcase_add_test(tc, test_open_dotdot);
        tcase_add_test(tc, test_open_absolute);
        tcase_add_test(tc, test_open_empty);
        tcase_add_test(tc, test_open_long_names);
        tcase_add_test(tc, test_open_trailing_slash);
        tcase_add_test(tc, test_open_magic_link);
        tcase_add_test(tc, test_open_fifo_nonblock);
        tcase_add_test(tc, test_open_create_mode);
        tcase_add_test(tc, test_open_resolver);
}

static void add_path_tests(TCase *tc)
{
        tcase_add_test(tc, test_path_regular);
        tcase_add_test(tc, test_path_root);
        tcase_add_test(tc, test_path_symlink);
        tcase_add_test(tc, test_path_invalid);
}

static void add_mkdir_tests(TCase *tc)
{
        tcase_add_test(tc, test_mkdir_new);
        tcase_add_test(tc, test_mkdir_umask);
        tcase_add_test(tc, test_mkdir_existing_kept);
        tcase_add_test(tc, test_mkdir_existing_fixed);
        tcase_add_test(tc, test_mkdir_idempotent);
        tcase_add_test(tc, test_mkdir_symlink_last);
        tcase_add_test(tc, test_mkdir_symlink_middle);
        tcase_add_test(tc, test_mkdir_dangling_symlink);
        tcase_add_test(tc, test_mkdir_not_directory);
        tcase_add_test(tc, test_mkdir_invalid);
}

static void add_write_tests(TCase *tc)
{
        tcase_add_test(tc, test_write_new);
        tcase_add_test(tc, test_write_keep_owner);
        tcase_add_test(tc, test_write_replace);
        tcase_add_test(tc, test_write_symlink_name);
        tcase_add_test(tc, test_write_hardlink_name);
        tcase_add_test(tc, test_write_invalid_name);
        tcase_add_test(tc, test_write_long_name);
        tcase_add_test(tc, test_write_readonly_dir);
        tcase_add_test(tc, test_write_readonly_mount);
        tcase_add_test(tc, test_write_rename_fails);
        tcase_add_test(tc, test_write_write_fails);
        tcase_add_test(tc, test_write_directory_swapped);
        tcase_add_test(tc, test_write_mode_exact);
        tcase_add_test(tc, test_write_empty);
}

static void add_read_tests(TCase *tc)
{
        tcase_add_test(tc, test_read_regular);
        tcase_add_test(tc, test_read_empty);
        tcase_add_test(tc, test_read_limit);
        tcase_add_test(tc, test_read_large);
        tcase_add_test(tc, test_read_absent);
        tcase_add_test(tc, test_read_not_regular);
        tcase_add_test(tc, test_read_symlink);
}

static void add_remove_tests(TCase *tc)
{
        tcase_add_test(tc, test_remove_tree);
        tcase_add_test(tc, test_remove_file);
        tcase_add_test(tc, test_remove_symlink_inside);
        tcase_add_test(tc, test_remove_symlink_path);
        tcase_add_test(tc, test_remove_symlink_middle);
        tcase_add_test(tc, test_remove_absent);
        tcase_add_test(tc, test_remove_invalid);
        tcase_add_test(tc, test_remove_trailing_slash);
        tcase_add_test(tc, test_remove_other_mount);
        tcase_add_test(tc, test_remove_bind_mount);
        tcase_add_test(tc, test_remove_depth);
}

static void add_backup_tests(TCase *tc)
{
        tcase_add_test(tc, test_backup_roundtrip);
        tcase_add_test(tc, test_backup_special_bits);
        tcase_add_test(tc, test_backup_absent);
        tcase_add_test(tc, test_backup_restore_over_symlink);
        tcase_add_test(tc, test_backup_rejected);
        tcase_add_test(tc, test_backup_done_twice);
}

/* Adds the cases twice: once resolving with openat2() and once with the component walk that replaces it on
 * kernels without it. */
static void add_both_resolvers(Suite *s, const char *name, const char *walk_name, void (*add)(TCase *))
{
        TCase *tc;

        tc = tcase_create(name);
        tcase_add_checked_fixture(tc, setup_openat2, teardown);
        add(tc);
        suite_add_tcase(s, tc);

        tc = tcase_create(walk_name);
        tcase_add_checked_fixture(tc, setup_walk, teardown);
        add(tc);
        suite_add_tcase(s, tc);
}

static Suite *safefile_suite(void)
{
        Suite *s = suite_create("safefile");
        TCase *tc;

        add_both_resolvers(s, "open", "open_walk", add_open_tests);
        add_both_resolvers(s, "mkdir", "mkdir_walk", add_mkdir_tests);
        add_both_resolvers(s, "write", "write_walk", add_write_tests);
        add_both_resolvers(s, "read", "read_walk", add_read_tests);
        add_both_resolvers(s, "remove", "remove_walk", add_remove_tests);
        add_both_resolvers(s, "backup", "backup_walk", add_backup_tests);

        tc = tcase_create("resolver");
        tcase_add_checked_fixture(tc, setup_openat2, teardown);
        tcase_add_test(tc, test_resolver_enosys);
        suite_add_tcase(s, tc);

        /* safe_open_path() always walks, so one run covers it. */
        tc = tcase_create("path");
        tcase_add_checked_fixture(tc, setup_openat2, teardown);
        add_path_tests(tc);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr;
        int failed;

        /* Ownership, device node and mount cases need root, and would fail one by one without it. */
        if (geteuid() != 0) {
                fprintf(stderr, "test-safefile: must run as root (uid 0), running as uid %u\n",
                        (unsigned) geteuid());
                return EXIT_FAILURE;
        }

        sr = srunner_create(safefile_suite());
        /* Cases change umask, rlimits and mount namespaces, so each must run in its own process. */
        srunner_set_fork_status(sr, CK_FORK);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
