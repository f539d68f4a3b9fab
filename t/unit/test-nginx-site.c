/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "nginx-site.h"

typedef struct SitesDir {
        char path[64];
        NginxSites sites;
} SitesDir;

/* Both sites directories point to one empty temporary directory. */
static void sites_dir_new(SitesDir *d)
{
        strcpy(d->path, "/tmp/jtsite.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(d->path));
        d->sites = (NginxSites){
                .available_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                .enabled_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
                .available_path = d->path,
                .enabled_path = d->path,
        };
        ck_assert_int_ge(d->sites.available_fd, 0);
        ck_assert_int_ge(d->sites.enabled_fd, 0);
}

static void sites_dir_free(SitesDir *d)
{
        nginx_sites_done(&d->sites);
        ck_assert_int_eq(rmdir(d->path), 0);
}

/* A valid domain of 253 bytes, whose file name "<domain>.conf" is longer than NAME_MAX. */
static char *longest_domain(void)
{
        char *s = malloc(254);

        ck_assert_ptr_nonnull(s);
        memset(s, 'a', 253);
        s[63] = s[127] = s[191] = '.';
        memcpy(s + 245, ".example", 9);
        return s;
}

START_TEST(test_read_name_too_long)
{
        _cleanup_(vhost_spec_done) VhostSpec spec = {};
        _cleanup_free_ char *domain = longest_domain();
        SitesDir d;

        ck_assert_uint_eq(strlen(domain), 253);
        sites_dir_new(&d);
        ck_assert_int_eq(nginx_site_read(&d.sites, domain, &spec), -ENOENT);
        sites_dir_free(&d);
}
END_TEST

START_TEST(test_conflict_alias_too_long)
{
        _cleanup_free_ char *alias = longest_domain(), *name = NULL, *owner = NULL;
        const char *names[] = { "site.example", alias, NULL };
        SitesDir d;

        sites_dir_new(&d);
        ck_assert_int_eq(nginx_sites_find_conflict(&d.sites, "site.example", names, &name, &owner), 0);
        ck_assert_ptr_null(name);
        ck_assert_ptr_null(owner);
        sites_dir_free(&d);
}
END_TEST

static Suite *nginx_site_suite(void)
{
        Suite *s = suite_create("nginx-site");
        TCase *tc = tcase_create("read");

        tcase_add_test(tc, test_read_name_too_long);
        tcase_add_test(tc, test_conflict_alias_too_long);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(nginx_site_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
