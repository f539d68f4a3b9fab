/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"
#include "safefile-internal.h"
#include "safefile.h"

/* ".#" before the name and ".XXXXXX" after it. */
#define TEMP_NAME_EXTRA    9U
#define TEMP_NAME_ATTEMPTS 64U

static bool force_walk;
static bool openat2_missing;

void safefile_force_walk(bool on)
{
        force_walk = on;
}

static void closedirp(DIR **d)
{
        if (*d)
                closedir(*d);
}

static bool is_dot_or_dotdot(const char *name)
{
        return streq(name, ".") || streq(name, "..");
}

/* A single path component that may be created inside a directory: not empty, no '/', not "." or "..". */
static bool filename_is_valid(const char *name)
{
        return !strempty(name) && !strchr(name, '/') && !is_dot_or_dotdot(name) && strlen(name) <= NAME_MAX;
}

/* Rejects what RESOLVE_BENEATH would reject and, so that both resolvers agree, every ".." component. */
static int validate_beneath_path(const char *path)
{
        if (strempty(path))
                return -EINVAL;
        if (path[0] == '/')
                return -EXDEV;
        if (strlen(path) >= PATH_MAX)
                return -ENAMETOOLONG;

        for (const char *p = path; *p;) {
                size_t n;

                p += strspn(p, "/");
                n = strcspn(p, "/");
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return -EXDEV;
                p += n;
        }
        return 0;
}

/* Accepts only "/" and "/a/b" where no component is empty, "." or "..". */
static int validate_absolute_path(const char *path)
{
        const char *p;

        if (path[0] != '/')
                return -EINVAL;
        if (strlen(path) >= PATH_MAX)
                return -ENAMETOOLONG;
        if (streq(path, "/"))
                return 0;

        for (p = path + 1;; p++) {
                size_t n = strcspn(p, "/");

                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return -EINVAL;
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                p += n;
                if (*p == '\0')
                        return 0;
        }
}

/* Copies the next component of *p into name and advances *p past it.  Returns the component's length, 0
 * at the end of the path, or -ENAMETOOLONG. */
static int next_component(const char **p, char name[static NAME_MAX + 1])
{
        const char *s = *p + strspn(*p, "/");
        size_t n = strcspn(s, "/");

        if (n > NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(name, s, n);
        name[n] = '\0';
        *p = s + n;
        return (int) n;
}

static bool is_symlink_at(int dirfd, const char *name)
{
        struct stat st;

        return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISLNK(st.st_mode);
}

/* O_NOFOLLOW is dropped on purpose.  With it, O_PATH opens a trailing symlink itself and O_DIRECTORY
 * reports it as -ENOTDIR, while RESOLVE_NO_SYMLINKS alone makes it -ELOOP in every case. */
static int openat2_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
        bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
        struct open_how how = {
                .flags = (uint64_t) (unsigned) ((flags & ~O_NOFOLLOW) | O_CLOEXEC),
                .mode = creates ? mode : 0,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd < 0)
                return -errno;
        return (int) fd;
}

/* Opens a directory that a walk passes through.  O_PATH with O_NOFOLLOW opens a symlink as itself, so
 * the type check on the descriptor applies to exactly what was opened. */
static int open_walk_directory(int dirfd, const char *name)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode))
                return -ELOOP;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        return TAKE_FD(fd);
}

static int open_walk_last(int dirfd, const char *name, int flags, mode_t mode)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0) {
                r = -errno;
                /* O_DIRECTORY | O_NOFOLLOW reports a symlink as -ENOTDIR, so look it up for the code. */
                if (r == -ENOTDIR && is_symlink_at(dirfd, name))
                        return -ELOOP;
                return r;
        }

        if (flags & O_PATH) {
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode))
                        return -ELOOP;
        }
        return TAKE_FD(fd);
}

/* Resolves path beneath dirfd one component at a time without following any symlink.  With no symlink
 * and no ".." on the way, the result is beneath dirfd by construction. */
static int walk_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
        _cleanup_close_ int cur = -1;
        char name[NAME_MAX + 1] = "";
        char next[NAME_MAX + 1];
        bool have_name = false, directory_suffix = false;
        const char *p = path;
        int r;

        /* Each component is opened only once the next one is known, so that the last one gets flags. */
        for (;;) {
                r = next_component(&p, next);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (streq(next, ".")) {
                        directory_suffix = have_name;
                        continue;
                }

                if (have_name) {
                        r = open_walk_directory(cur >= 0 ? cur : dirfd, name);
                        if (r < 0)
                                return r;
                        closep(&cur);
                        cur = r;
                }
                strcpy(name, next);
                have_name = true;
                directory_suffix = false;
        }

        if (!have_name) {
                r = openat(cur >= 0 ? cur : dirfd, ".", flags | O_CLOEXEC, mode);
                return r < 0 ? -errno : r;
        }

        /* "a/" and "a/." name a directory, as they do for openat2(). */
        if (directory_suffix || path[strlen(path) - 1] == '/')
                flags |= O_DIRECTORY;
        return open_walk_last(cur >= 0 ? cur : dirfd, name, flags, mode);
}

/* Uses openat2() until the kernel reports ENOSYS once, and the component walk from then on. */
static int resolve_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
        if (!force_walk && !openat2_missing) {
                int fd = openat2_beneath(dirfd, path, flags, mode);

                if (fd != -ENOSYS)
                        return fd;
                openat2_missing = true;
        }
        return walk_beneath(dirfd, path, flags, mode);
}

bool safefile_uses_openat2(void)
{
        if (force_walk)
                return false;
        if (!openat2_missing) {
                _cleanup_close_ int fd = openat2_beneath(AT_FDCWD, ".", O_PATH | O_DIRECTORY, 0);

                if (fd == -ENOSYS)
                        openat2_missing = true;
        }
        return !openat2_missing;
}

int safe_open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
        int r;

        assert(dirfd >= 0 || dirfd == AT_FDCWD);
        assert(path);

        r = validate_beneath_path(path);
        if (r < 0)
                return r;
        return resolve_beneath(dirfd, path, flags, mode);
}

int safe_open_path(const char *path, int flags, mode_t mode)
{
        _cleanup_close_ int root = -1;
        int r;

        assert(path);

        r = validate_absolute_path(path);
        if (r < 0)
                return r;

        root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return -errno;

        /* "/" itself leaves an empty rest, which the walk opens as the directory it starts from. */
        return walk_beneath(root, path + 1, flags, mode);
}

/* Sets owner and mode on an open descriptor, skipping calls that would change nothing so that repeated
 * runs leave ctime alone.  uid or gid of -1 is not changed. */
static int set_owner_mode(int fd, mode_t mode, uid_t uid, gid_t gid)
{
        struct stat st;
        bool chown_needed;

        if (fstat(fd, &st) < 0)
                return -errno;

        chown_needed = (uid != (uid_t) -1 && st.st_uid != uid) || (gid != (gid_t) -1 && st.st_gid != gid);
        if (chown_needed && fchown(fd, uid, gid) < 0)
                return -errno;

        /* fchown() clears setuid and setgid on regular files, so the mode goes on after it. */
        if ((chown_needed || (st.st_mode & 07777) != mode) && fchmod(fd, mode) < 0)
                return -errno;
        return 0;
}

static int mkdir_one(int dirfd, const char *name, mode_t mode, uid_t uid, gid_t gid, bool fix_existing)
{
        _cleanup_close_ int fd = -1;
        bool created;
        int r;

        /* 0700 until owner and mode are set, so no other user can enter the directory in between. */
        created = mkdirat(dirfd, name, 0700) >= 0;
        if (!created && errno != EEXIST)
                return -errno;

        /* Whatever is there now is opened without following it.  A symlink, planted before or after
         * mkdirat(), is -ELOOP and a file is -ENOTDIR. */
        fd = resolve_beneath(dirfd, name, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0)
                return fd;

        if (created || fix_existing) {
                r = set_owner_mode(fd, mode, uid, gid);
                if (r < 0)
                        return r;
        }
        return TAKE_FD(fd);
}

int safe_mkdir_beneath(int dirfd, const char *path, mode_t mode, uid_t uid, gid_t gid, bool fix_existing)
{
        _cleanup_close_ int cur = -1;
        char name[NAME_MAX + 1];
        const char *p = path;
        int r;

        assert(dirfd >= 0 || dirfd == AT_FDCWD);
        assert(path);
        assert((mode & ~07777) == 0);

        r = validate_beneath_path(path);
        if (r < 0)
                return r;

        for (;;) {
                r = next_component(&p, name);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                if (streq(name, "."))
                        continue;

                r = mkdir_one(cur >= 0 ? cur : dirfd, name, mode, uid, gid, fix_existing);
                if (r < 0)
                        return r;
                closep(&cur);
                cur = r;
        }

        /* A path of "." components only names dirfd itself, which this function does not create. */
        if (cur < 0)
                return -EINVAL;
        return TAKE_FD(cur);
}

/* A temporary file that is unlinked when the variable goes out of scope, unless disarmed. */
typedef struct TempFile {
        int dirfd;
        bool armed;
        char name[NAME_MAX + 1];
} TempFile;

static void temp_file_unlinkp(TempFile *t)
{
        if (t->armed) {
                int saved = errno;

                (void) unlinkat(t->dirfd, t->name, 0);
                errno = saved;
        }
}

/* The suffix only has to make collisions unlikely, because O_EXCL is what keeps the create safe. */
static int random_suffix(char out[static 7])
{
        static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        uint8_t bytes[6];
        ssize_t n;

        do
                n = getrandom(bytes, sizeof(bytes), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t) n != sizeof(bytes))
                return -EIO;

        for (size_t i = 0; i < sizeof(bytes); i++)
                out[i] = alphabet[bytes[i] % (sizeof(alphabet) - 1)];
        out[6] = '\0';
        return 0;
}

static int create_temp(int dirfd, const char *name, TempFile *t)
{
        for (unsigned attempt = 0; attempt < TEMP_NAME_ATTEMPTS; attempt++) {
                char suffix[7];
                int fd, r;

                r = random_suffix(suffix);
                if (r < 0)
                        return r;
                r = snprintf(t->name, sizeof(t->name), ".#%s.%s", name, suffix);
                if (r < 0 || (size_t) r >= sizeof(t->name))
                        return -ENAMETOOLONG;

                fd = openat(dirfd, t->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd >= 0) {
                        t->dirfd = dirfd;
                        t->armed = true;
                        return fd;
                }
                if (errno != EEXIST)
                        return -errno;
        }
        return -EEXIST;
}

static int write_all(int fd, const void *data, size_t size)
{
        const uint8_t *p = data;

        while (size > 0) {
                ssize_t n = write(fd, p, size);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

/* dirfd may be an O_PATH descriptor, on which fsync() fails, so the directory is opened again. */
static int fsync_directory(int dirfd)
{
        _cleanup_close_ int fd = -1;

        fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fsync(fd) < 0)
                return -errno;
        return 0;
}

int safe_write_atomic(int dirfd, const char *name, const void *data, size_t size, mode_t mode, uid_t uid,
                      gid_t gid)
{
        _cleanup_(temp_file_unlinkp) TempFile tmp = { .dirfd = -1 };
        _cleanup_close_ int fd = -1;
        int r;

        assert(dirfd >= 0 || dirfd == AT_FDCWD);
        assert(name);
        assert(data || size == 0);
        assert((mode & ~07777) == 0);

        if (!filename_is_valid(name))
                return -EINVAL;
        if (strlen(name) > NAME_MAX - TEMP_NAME_EXTRA)
                return -ENAMETOOLONG;

        fd = create_temp(dirfd, name, &tmp);
        if (fd < 0)
                return fd;

        /* Owner and mode are set before the first byte is written, so the content is never visible under
         * other permissions than the requested ones. */
        r = set_owner_mode(fd, mode, uid, gid);
        if (r < 0)
                return r;
        r = write_all(fd, data, size);
        if (r < 0)
                return r;
        if (fsync(fd) < 0)
                return -errno;

        /* renameat() replaces the directory entry, so a symlink or hard link at name is never written
         * through. */
        if (renameat(dirfd, tmp.name, dirfd, name) < 0)
                return -errno;
        tmp.armed = false;

        return fsync_directory(dirfd);
}

/* O_NONBLOCK keeps a FIFO from blocking the open, and the type is checked on the descriptor before
 * reading.  A socket fails the open with ENXIO, which is reported like any other non-regular file. */
static int open_for_read(int dirfd, const char *path)
{
        int fd = resolve_beneath(dirfd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);

        return fd == -ENXIO ? -EINVAL : fd;
}

/* Reads a regular file to its end, at most max bytes.  The size from fstat() is only a first guess, so a
 * file that grows while being read is still held to max. */
static int read_regular_fd(int fd, size_t max, struct stat *ret_stat, char **ret, size_t *ret_size)
{
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t capacity, size = 0;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (max > (size_t) SSIZE_MAX - 1)
                max = (size_t) SSIZE_MAX - 1;
        if ((uintmax_t) st.st_size > max)
                return -EFBIG;

        capacity = (size_t) st.st_size;
        buf = malloc(capacity + 1);
        if (!buf)
                return -ENOMEM;

        for (;;) {
                ssize_t n;

                if (size == capacity) {
                        char probe, *grown;

                        if (capacity >= max) {
                                do
                                        n = read(fd, &probe, 1);
                                while (n < 0 && errno == EINTR);
                                if (n < 0)
                                        return -errno;
                                if (n > 0)
                                        return -EFBIG;
                                break;
                        }

                        capacity = capacity < 2048 ? 4096 : capacity * 2;
                        if (capacity > max)
                                capacity = max;
                        grown = realloc(buf, capacity + 1);
                        if (!grown)
                                return -ENOMEM;
                        buf = grown;
                }

                n = read(fd, buf + size, capacity - size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        buf[size] = '\0';

        if (ret_stat)
                *ret_stat = st;
        if (ret_size)
                *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

int safe_read_beneath(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = -1;
        int r;

        assert(dirfd >= 0 || dirfd == AT_FDCWD);
        assert(path);
        assert(ret);

        r = validate_beneath_path(path);
        if (r < 0)
                return r;

        fd = open_for_read(dirfd, path);
        if (fd < 0)
                return fd;
        return read_regular_fd(fd, max, NULL, ret, ret_size);
}

/* Identifies the mount a descriptor is on.  NOTE: before Linux 5.8 statx() has no mount id and only the
 * device is compared, which does not tell a bind mount of the same filesystem apart. */
typedef struct MountKey {
        dev_t dev;
        uint64_t mnt_id;
        bool has_mnt_id;
} MountKey;

static int mount_key_of(int fd, MountKey *ret)
{
        struct statx sx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
                return -errno;

        *ret = (MountKey){
                .dev = makedev(sx.stx_dev_major, sx.stx_dev_minor),
                .mnt_id = sx.stx_mnt_id,
                .has_mnt_id = sx.stx_mask & STATX_MNT_ID,
        };
        return 0;
}

static bool mount_key_equal(const MountKey *a, const MountKey *b)
{
        if (a->dev != b->dev)
                return false;
        return !(a->has_mnt_id && b->has_mnt_id) || a->mnt_id == b->mnt_id;
}

static int remove_entry(int dirfd, const char *name, unsigned char d_type, const MountKey *mount,
                        unsigned depth);

/* Takes ownership of fd.  Entries that vanish while the directory is read count as removed. */
static int remove_contents(int fd, const MountKey *mount, unsigned depth)
{
        _cleanup_(closedirp) DIR *d = NULL;
        int r;

        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }

        for (;;) {
                struct dirent *de;

                errno = 0;
                de = readdir(d);
                if (!de)
                        return errno > 0 ? -errno : 0;
                if (is_dot_or_dotdot(de->d_name))
                        continue;

                r = remove_entry(dirfd(d), de->d_name, de->d_type, mount, depth + 1);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
}

/* Removes name inside dirfd.  mount identifies the mount of dirfd, which name must be on too.  A type of
 * DT_UNKNOWN is looked up.  A directory that turns into a symlink between the type check and the open is
 * -ELOOP, and a file that turns into a directory makes unlinkat() fail, so a swap never redirects the
 * removal. */
static int remove_entry(int dirfd, const char *name, unsigned char d_type, const MountKey *mount,
                        unsigned depth)
{
        _cleanup_close_ int fd = -1;
        MountKey child;
        int r;

        if (d_type == DT_UNKNOWN) {
                struct stat st;

                if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                d_type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
        }

        if (d_type != DT_DIR) {
                if (unlinkat(dirfd, name, 0) < 0)
                        return -errno;
                return 0;
        }

        if (depth > SAFE_REMOVE_TREE_DEPTH_MAX)
                return -ELOOP;

        fd = resolve_beneath(dirfd, name, O_RDONLY | O_DIRECTORY | O_NONBLOCK, 0);
        if (fd < 0)
                return fd;

        r = mount_key_of(fd, &child);
        if (r < 0)
                return r;
        if (!mount_key_equal(mount, &child))
                return -EXDEV;

        r = remove_contents(TAKE_FD(fd), mount, depth);
        if (r < 0)
                return r;

        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
                return -errno;
        return 0;
}

int safe_remove_tree_beneath(int dirfd, const char *path)
{
        _cleanup_free_ char *parent = NULL;
        _cleanup_close_ int parent_fd = -1;
        const char *name;
        char *slash;
        MountKey mount;
        size_t n;
        int r;

        assert(dirfd >= 0 || dirfd == AT_FDCWD);
        assert(path);

        r = validate_beneath_path(path);
        if (r < 0)
                return r;

        parent = strdup(path);
        if (!parent)
                return -ENOMEM;

        /* The path is not absolute, so stripping trailing slashes leaves at least one character. */
        n = strlen(parent);
        while (parent[n - 1] == '/')
                parent[--n] = '\0';

        slash = strrchr(parent, '/');
        if (slash) {
                *slash = '\0';
                name = slash + 1;
                parent_fd = resolve_beneath(dirfd, parent, O_PATH | O_DIRECTORY, 0);
                if (parent_fd < 0)
                        return parent_fd;
        } else
                name = parent;

        /* "." would be dirfd or the parent itself, which the caller did not name for removal. */
        if (streq(name, "."))
                return -EINVAL;

        r = mount_key_of(parent_fd >= 0 ? parent_fd : dirfd, &mount);
        if (r < 0)
                return r;

        return remove_entry(parent_fd >= 0 ? parent_fd : dirfd, name, DT_UNKNOWN, &mount, 0);
}

int file_backup_take(int dirfd, const char *name, FileBackup *ret)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t size;
        int r;

        assert(dirfd >= 0 || dirfd == AT_FDCWD);
        assert(name);
        assert(ret);

        if (!filename_is_valid(name))
                return -EINVAL;

        fd = open_for_read(dirfd, name);
        if (fd == -ENOENT) {
                *ret = (FileBackup){ .existed = false };
                return 0;
        }
        if (fd < 0)
                return fd;

        r = read_regular_fd(fd, FILE_BACKUP_SIZE_MAX, &st, &data, &size);
        if (r < 0)
                return r;

        *ret = (FileBackup){
                .existed = true,
                .data = TAKE_PTR(data),
                .size = size,
                .mode = st.st_mode & 07777,
                .uid = st.st_uid,
                .gid = st.st_gid,
        };
        return 0;
}

int file_backup_restore(int dirfd, const char *name, const FileBackup *b)
{
        assert(dirfd >= 0 || dirfd == AT_FDCWD);
        assert(name);
        assert(b);

        if (!filename_is_valid(name))
                return -EINVAL;

        if (b->existed)
                return safe_write_atomic(dirfd, name, b->data, b->size, b->mode, b->uid, b->gid);

        if (unlinkat(dirfd, name, 0) < 0)
                return errno == ENOENT ? 0 : -errno;
        return fsync_directory(dirfd);
}

void file_backup_done(FileBackup *b)
{
        if (!b)
                return;
        free(b->data);
        *b = (FileBackup){};
}
