/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nginx-vhost.h"

static const char *const listen_http[] = { "127.0.0.1:8080", "[::1]:8080", NULL };
static const char *const listen_https[] = { "127.0.0.1:8443", NULL };

static VhostEnv test_env(void)
{
        return (VhostEnv){
                .home = "/home/jtalice",
                .log_dir = "/var/log/nginx",
                .acme_root = "/var/lib/jabali-agent/acme",
                .cache_root = "/var/cache/nginx/jabali",
                .certificate_dir = "/etc/letsencrypt/live",
                .php_socket_pattern = "/run/php/php{version}-fpm-{user}.sock",
                .listen_http = listen_http,
                .listen_https = listen_https,
        };
}

static char *aliases_two[] = { (char *) "b.example", (char *) "www.a.example", NULL };

static VhostSpec test_spec(void)
{
        return (VhostSpec){
                .domain = (char *) "a.example",
                .user = (char *) "jtalice",
                .aliases = aliases_two,
                .document_root = (char *) "public_html",
                .php_version = (char *) "8.2",
                .requests_per_second = 10,
                .burst = 20,
                .connections = 5,
        };
}

static char *render_default(const VhostEnv *env, const VhostSpec *s, int *ret_k)
{
        char *out = NULL, *error = NULL;
        int k = vhost_render(vhost_default_template, env, s, &out, &error);

        *ret_k = k;
        free(error);
        return k < 0 ? NULL : out;
}

START_TEST(vhost_header_roundtrip)
{
        _cleanup_free_ char *header = NULL;
        _cleanup_(vhost_spec_done) VhostSpec parsed = {};
        VhostSpec s = test_spec();

        s.tls = true;
        s.redirect_https = true;
        ck_assert_int_eq(vhost_header_format(&s, &header), 0);
        ck_assert_int_eq(vhost_header_parse(header, &parsed), 0);
        ck_assert(vhost_spec_equal(&s, &parsed));
}
END_TEST

START_TEST(vhost_header_minimal)
{
        _cleanup_free_ char *header = NULL;
        _cleanup_(vhost_spec_done) VhostSpec parsed = {};
        VhostSpec s = { .domain = (char *) "a.example",
                        .user = (char *) "jtalice",
                        .document_root = (char *) "public_html" };

        ck_assert_int_eq(vhost_header_format(&s, &header), 0);
        ck_assert_ptr_null(strstr(header, "aliases"));
        ck_assert_int_eq(vhost_header_parse(header, &parsed), 0);
        ck_assert_ptr_null(parsed.aliases);
        ck_assert_ptr_null(parsed.php_version);
        ck_assert(vhost_spec_equal(&s, &parsed));
}
END_TEST

START_TEST(vhost_header_unmanaged)
{
        VhostSpec parsed = {};

        ck_assert_int_eq(vhost_header_parse("server { listen 80; }\n", &parsed), -ENOMSG);
        ck_assert_int_eq(vhost_header_parse("", &parsed), -ENOMSG);
        ck_assert_int_eq(vhost_header_parse("# jabali-vhost: 1\n", &parsed), -ENOMSG);
}
END_TEST

#define BANNER "# Managed by jabali-agent: edits to this file are overwritten.\n"

START_TEST(vhost_header_malformed)
{
        static const char *const bad[] = {
                BANNER "# jabali-vhost: 2\n# jabali-domain: a.example\n",
                BANNER "# jabali-vhost: 1\n# jabali-user: jtalice\n# jabali-document-root: public_html\n",
                BANNER
                "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-document-root: public_html\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example;\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: A.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: ../root\n"
                       "# jabali-document-root: public_html\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: ../../etc\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: /etc\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n# jabali-php: 8.2;\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n# jabali-tls: maybe\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n# jabali-rate-limit: 1 2\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n# jabali-aliases: z.example b.example\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n# jabali-aliases: b.example b.example\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html\n# jabali-future: x\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-domain: b.example\n"
                       "# jabali-user: jtalice\n# jabali-document-root: public_html\n",
                BANNER "# jabali-vhost: 1\n# jabali-domain: a.example\n# jabali-user: jtalice\n"
                       "# jabali-document-root: public_html",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                VhostSpec parsed = {};
                ck_assert_msg(vhost_header_parse(bad[i], &parsed) == -EBADMSG, "accepted header #%zu", i);
        }
}
END_TEST

START_TEST(vhost_render_full)
{
        _cleanup_free_ char *out = NULL;
        VhostEnv env = test_env();
        VhostSpec s = test_spec();
        int k;

        s.tls = true;
        s.redirect_https = true;
        out = render_default(&env, &s, &k);
        ck_assert_int_eq(k, 0);
        ck_assert_ptr_nonnull(strstr(out, "server_name a.example b.example www.a.example;"));
        ck_assert_ptr_nonnull(strstr(out, "root /home/jtalice/domains/a.example/public_html;"));
        ck_assert_ptr_nonnull(strstr(out, "listen 127.0.0.1:8080;"));
        ck_assert_ptr_nonnull(strstr(out, "listen [::1]:8080;"));
        ck_assert_ptr_nonnull(strstr(out, "listen 127.0.0.1:8443 ssl;"));
        ck_assert_ptr_nonnull(strstr(out, "ssl_certificate /etc/letsencrypt/live/a.example/fullchain.pem;"));
        ck_assert_ptr_nonnull(strstr(out, "fastcgi_pass unix:/run/php/php8.2-fpm-jtalice.sock;"));
        ck_assert_ptr_nonnull(strstr(out, "disable_symlinks if_not_owner;"));
        ck_assert_ptr_nonnull(strstr(out, "root /var/lib/jabali-agent/acme;"));
        ck_assert_ptr_nonnull(strstr(out, "access_log /var/log/nginx/a.example.access.log;"));
        ck_assert_ptr_nonnull(strstr(out, "rate=10r/s;"));
        ck_assert_ptr_nonnull(strstr(out, "limit_req zone=jabali_req_a.example burst=20 nodelay;"));
        ck_assert_ptr_nonnull(strstr(out, "limit_conn jabali_conn_a.example 5;"));
        ck_assert_ptr_nonnull(strstr(out, "return 301 https://$host$request_uri;"));
        ck_assert_ptr_nonnull(strstr(out, "fastcgi_cache_path /var/cache/nginx/jabali/a.example "));
        ck_assert_ptr_null(strstr(out, "{{"));
}
END_TEST

START_TEST(vhost_render_plain)
{
        _cleanup_free_ char *out = NULL;
        VhostEnv env = test_env();
        VhostSpec s = { .domain = (char *) "a.example",
                        .user = (char *) "jtalice",
                        .document_root = (char *) "web/root",
                        .redirect_https = true };
        int k;

        out = render_default(&env, &s, &k);
        ck_assert_int_eq(k, 0);
        ck_assert_ptr_nonnull(strstr(out, "server_name a.example;"));
        ck_assert_ptr_nonnull(strstr(out, "root /home/jtalice/domains/a.example/web/root;"));
        /* No TLS: neither the https listener nor the redirect, even with redirect_https set. */
        ck_assert_ptr_null(strstr(out, "ssl"));
        ck_assert_ptr_null(strstr(out, "return 301"));
        ck_assert_ptr_null(strstr(out, "fastcgi"));
        ck_assert_ptr_null(strstr(out, "limit_req"));
        ck_assert_ptr_null(strstr(out, "limit_conn"));
}
END_TEST

START_TEST(vhost_render_starts_with_header)
{
        _cleanup_free_ char *out = NULL;
        _cleanup_(vhost_spec_done) VhostSpec parsed = {};
        VhostEnv env = test_env();
        VhostSpec s = test_spec();
        int k;

        out = render_default(&env, &s, &k);
        ck_assert_int_eq(k, 0);
        ck_assert_int_eq(vhost_header_parse(out, &parsed), 0);
        ck_assert(vhost_spec_equal(&s, &parsed));
}
END_TEST

/* Values that slipped past validation still cannot reach the file. */
START_TEST(vhost_render_injection)
{
        static const char *const hostile[] = {
                "x.example;} location / { alias /etc/; } #",
                "x.example\nserver { listen 81; }",
                "x.example\"",
                "x.example'",
                "$host",
                "x.example#",
                "x.example{",
                "x.example}",
                "x.example\\",
                "x.example x.example",
                "x.example\r",
                "x.example\x01",
        };
        VhostEnv env = test_env();

        for (size_t i = 0; i < ELEMENTSOF(hostile); i++) {
                _cleanup_free_ char *out = NULL;
                VhostSpec s = test_spec();
                char *aliases[] = { (char *) hostile[i], NULL };
                int k;

                s.aliases = aliases;
                out = render_default(&env, &s, &k);
                ck_assert_msg(k == -EBADMSG, "rendered hostile alias #%zu", i);

                s = test_spec();
                s.document_root = (char *) hostile[i];
                out = render_default(&env, &s, &k);
                ck_assert_msg(k == -EBADMSG, "rendered hostile document root #%zu", i);
        }
}
END_TEST

START_TEST(vhost_render_empty_alias)
{
        _cleanup_free_ char *out = NULL;
        VhostEnv env = test_env();
        VhostSpec s = test_spec();
        char *aliases[] = { (char *) "", NULL };
        int k;

        s.aliases = aliases;
        out = render_default(&env, &s, &k);
        ck_assert_int_eq(k, -EBADMSG);
}
END_TEST

START_TEST(vhost_render_hostile_config)
{
        _cleanup_free_ char *out = NULL;
        VhostEnv env = test_env();
        VhostSpec s = test_spec();
        int k;

        env.log_dir = "/var/log/nginx; include /etc/shadow";
        out = render_default(&env, &s, &k);
        ck_assert_int_eq(k, -EBADMSG);

        env = test_env();
        env.php_socket_pattern = "/run/php/{user} {version}.sock";
        out = render_default(&env, &s, &k);
        ck_assert_int_eq(k, -EBADMSG);
}
END_TEST

START_TEST(vhost_render_bad_template)
{
        _cleanup_free_ char *out = NULL, *error = NULL;
        VhostEnv env = test_env();
        VhostSpec s = test_spec();

        ck_assert_int_eq(vhost_render("server { {{nope}} }", &env, &s, &out, &error), -EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_ptr_nonnull(strstr(error, "nope"));
}
END_TEST

START_TEST(vhost_php_version)
{
        ck_assert(vhost_php_version_valid("8.2"));
        ck_assert(vhost_php_version_valid("7.4"));
        ck_assert(vhost_php_version_valid("8.10"));
        ck_assert(!vhost_php_version_valid("8"));
        ck_assert(!vhost_php_version_valid("82"));
        ck_assert(!vhost_php_version_valid("8.2.1"));
        ck_assert(!vhost_php_version_valid("8.2;"));
        ck_assert(!vhost_php_version_valid("../8"));
        ck_assert(!vhost_php_version_valid("x.2"));
        ck_assert(!vhost_php_version_valid(""));
        ck_assert(!vhost_php_version_valid(NULL));
}
END_TEST

START_TEST(vhost_spec_copy_equal)
{
        _cleanup_(vhost_spec_done) VhostSpec c = {};
        VhostSpec s = test_spec();

        ck_assert_int_eq(vhost_spec_copy(&s, &c), 0);
        ck_assert(vhost_spec_equal(&s, &c));
        free(c.php_version);
        c.php_version = NULL;
        ck_assert(!vhost_spec_equal(&s, &c));
}
END_TEST

/* The compiled-in template must be the one shipped for operators to copy. */
START_TEST(vhost_default_template_shipped)
{
        _cleanup_free_ char *buf = NULL;
        FILE *f = fopen("data/nginx-vhost.conf.tmpl", "re");
        size_t n;

        ck_assert_msg(f != NULL, "data/nginx-vhost.conf.tmpl not found: run the test from the source tree");
        buf = calloc(1, 1 << 20);
        ck_assert_ptr_nonnull(buf);
        n = fread(buf, 1, (1 << 20) - 1, f);
        fclose(f);
        ck_assert_int_gt(n, 0);
        ck_assert_msg(streq(buf, vhost_default_template),
                      "lib/nginx-vhost-template.c is stale: run data/embed-template");
}
END_TEST

static Suite *vhost_suite(void)
{
        Suite *s = suite_create("nginx-vhost");
        TCase *header = tcase_create("header");
        TCase *render = tcase_create("render");

        tcase_add_test(header, vhost_header_roundtrip);
        tcase_add_test(header, vhost_header_minimal);
        tcase_add_test(header, vhost_header_unmanaged);
        tcase_add_test(header, vhost_header_malformed);
        tcase_add_test(header, vhost_spec_copy_equal);
        tcase_add_test(header, vhost_php_version);
        suite_add_tcase(s, header);

        tcase_add_test(render, vhost_render_full);
        tcase_add_test(render, vhost_render_plain);
        tcase_add_test(render, vhost_render_starts_with_header);
        tcase_add_test(render, vhost_render_injection);
        tcase_add_test(render, vhost_render_empty_alias);
        tcase_add_test(render, vhost_render_hostile_config);
        tcase_add_test(render, vhost_render_bad_template);
        tcase_add_test(render, vhost_default_template_shipped);
        suite_add_tcase(s, render);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(vhost_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
