/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "md5.h"
#include "nginx-cache.h"

/* With levels=1:2 a key's file is <last hex digit>/<the two before it>/<MD5 in hex>; the integration test
 * of nginx.cache.purge checks the same layout against a real nginx. */
START_TEST(cache_file_path_layout)
{
        char path[NGINX_CACHE_FILE_PATH_SIZE], hex[MD5_HEX_SIZE];
        const char *key = "httpGETa.example/index.php?x=1";

        md5_hex(key, strlen(key), hex);
        nginx_cache_file_path(key, path);
        ck_assert_int_eq(strlen(path), 2 + 3 + 32);
        ck_assert_int_eq(path[0], hex[31]);
        ck_assert_int_eq(path[1], '/');
        ck_assert_int_eq(path[2], hex[29]);
        ck_assert_int_eq(path[3], hex[30]);
        ck_assert_int_eq(path[4], '/');
        ck_assert_str_eq(path + 5, hex);
}
END_TEST

static char *make_tree(void)
{
        char *dir = strdup("/tmp/test-nginx-cache-XXXXXX");

        ck_assert_ptr_nonnull(dir);
        ck_assert_ptr_nonnull(mkdtemp(dir));
        return dir;
}

static void touch_at(int dirfd, const char *path)
{
        char buf[256];
        int fd;

        snprintf(buf, sizeof(buf), "%s", path);
        for (char *p = buf; (p = strchr(p, '/')); p++) {
                *p = '\0';
                (void) mkdirat(dirfd, buf, 0755);
                *p = '/';
        }
        fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        close(fd);
}

START_TEST(cache_purge_paths_hosts)
{
        _cleanup_free_ char *dir = make_tree();
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        const char *hosts[] = { "a.example", "www.a.example", NULL };
        const char *paths[] = { "/x", NULL };
        const char *keys[] = { "httpGETa.example/x", "httpsHEADwww.a.example/x", "httpGETa.example/y" };
        char file[NGINX_CACHE_FILE_PATH_SIZE];
        unsigned removed = 0;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                nginx_cache_file_path(keys[i], file);
                touch_at(fd, file);
        }

        ck_assert_int_eq(nginx_cache_purge_paths(fd, hosts, paths, &removed), 0);
        ck_assert_uint_eq(removed, 2);
        nginx_cache_file_path("httpGETa.example/y", file);
        ck_assert_int_eq(faccessat(fd, file, F_OK, AT_SYMLINK_NOFOLLOW), 0);

        ck_assert_int_eq(nginx_cache_purge_all(fd, &removed), 0);
        ck_assert_uint_eq(removed, 1);
        ck_assert_int_ne(faccessat(fd, file, F_OK, AT_SYMLINK_NOFOLLOW), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A link planted in the cache is removed as a link; its target survives. */
START_TEST(cache_purge_link)
{
        _cleanup_free_ char *dir = make_tree(), *outside = make_tree(), *target = NULL;
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        unsigned removed = 0;

        ck_assert_int_ge(asprintf(&target, "%s/keep", outside), 0);
        touch_at(AT_FDCWD, target);
        ck_assert_int_eq(symlinkat(outside, fd, "c"), 0);

        ck_assert_int_eq(nginx_cache_purge_all(fd, &removed), 0);
        ck_assert_int_eq(access(target, F_OK), 0);
        ck_assert_int_ne(faccessat(fd, "c", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        ck_assert_int_eq(unlink(target), 0);
        ck_assert_int_eq(rmdir(outside), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static Suite *cache_suite(void)
{
        Suite *s = suite_create("nginx-cache");
        TCase *tc = tcase_create("purge");

        tcase_add_test(tc, cache_file_path_layout);
        tcase_add_test(tc, cache_purge_paths_hosts);
        tcase_add_test(tc, cache_purge_link);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(cache_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
