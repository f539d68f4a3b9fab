/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "md5.h"
#include "nginx-cache.h"
#include "safefile.h"

void nginx_cache_file_path(const char *key, char ret[NGINX_CACHE_FILE_PATH_SIZE])
{
        char hex[MD5_HEX_SIZE];

        md5_hex(key, strlen(key), hex);
        snprintf(ret, NGINX_CACHE_FILE_PATH_SIZE, "%c/%c%c/%s", hex[31], hex[29], hex[30], hex);
}

/* Counts the files below name (not following links), for the purge's result. */
static unsigned count_files(int parent_fd, const char *name)
{
        _cleanup_close_ int fd = -EBADF;
        unsigned n = 0;
        DIR *d;

        fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return 1; /* a file, or a link that is removed as one */

        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                n += count_files(dirfd(d), de->d_name);
        }
        closedir(d);
        return n;
}

int nginx_cache_purge_all(int cache_fd, unsigned *ret_removed)
{
        _cleanup_close_ int fd = -EBADF;
        unsigned removed = 0;
        DIR *d;
        int k = 0;

        assert(ret_removed);

        fd = openat(cache_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(TAKE_FD(fd));
        if (!d)
                return -errno;

        for (struct dirent *de; (de = readdir(d));) {
                int r;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                removed += count_files(cache_fd, de->d_name);
                r = safe_remove_tree_beneath(cache_fd, de->d_name);
                if (r < 0 && r != -ENOENT && k == 0)
                        k = r;
        }
        closedir(d);

        if (k < 0)
                return k;
        *ret_removed = removed;
        return 0;
}

int nginx_cache_purge_paths(int cache_fd, const char *const *hosts, const char *const *paths,
                            unsigned *ret_removed)
{
        static const char *const schemes[] = { "http", "https" };
        static const char *const methods[] = { "GET", "HEAD" };
        unsigned removed = 0;
        int k;

        assert(hosts && paths && ret_removed);

        for (size_t p = 0; paths[p]; p++)
                for (size_t h = 0; hosts[h]; h++)
                        for (size_t s = 0; s < ELEMENTSOF(schemes); s++)
                                for (size_t m = 0; m < ELEMENTSOF(methods); m++) {
                                        _cleanup_free_ char *key = NULL;
                                        char file[NGINX_CACHE_FILE_PATH_SIZE];

                                        if (asprintf(&key, "%s%s%s%s", schemes[s], methods[m], hosts[h],
                                                     paths[p]) < 0)
                                                return -ENOMEM;
                                        nginx_cache_file_path(key, file);

                                        /* The cache directories belong to nginx's worker user, so
                                         * the path is resolved without following links. */
                                        k = safe_remove_tree_beneath(cache_fd, file);
                                        if (k == -ENOENT || k == -ENOTDIR)
                                                continue;
                                        if (k < 0)
                                                return k;
                                        removed++;
                                }

        *ret_removed = removed;
        return 0;
}
