/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>

/*
 * Purging one domain's FastCGI cache.  Each PHP vhost has its own cache directory, <cache_root>/<domain>,
 * declared with levels=1:2 and the key $scheme$request_method$host$request_uri, so a purge is confined to
 * that directory by construction and never matches another domain's entries by substring.
 */

/* Writes the path, relative to the cache directory, of the file nginx stores key in: with levels=1:2 the
 * MD5 of the key in hex, under a directory named after its last character and one named after the two
 * characters before that ("c/29/b7f5...029c"). */
#define NGINX_CACHE_FILE_PATH_SIZE (2 + 3 + 33)
void nginx_cache_file_path(const char *key, char ret[NGINX_CACHE_FILE_PATH_SIZE]);

/* Removes every entry of the cache directory cache_fd, keeping the directory itself (nginx's cache
 * manager holds it).  Stores the number of files removed. */
int nginx_cache_purge_all(int cache_fd, unsigned *ret_removed);

/* Removes the cache files of the URL paths (each starting with '/', query string included) for every
 * scheme, method and host (the domain and its aliases, NULL-terminated) that can have cached them. */
int nginx_cache_purge_paths(int cache_fd, const char *const *hosts, const char *const *paths,
                            unsigned *ret_removed);
