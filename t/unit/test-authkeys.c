/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "authkeys.h"
#include "home.h"
#include "macro.h"

#define KEY_A "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsHVr4mT6lx9j9b7x4oHnVf4u0KD/EbyAVKjyH+gRD3 a"
#define KEY_B "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsHVr4mT6lx9j9b7x4oHnVf4u0KD/EbyAVKjyH+gRD3 b"

typedef struct Dir {
        char *path;
        int fd;
} Dir;

static Dir dir_new(void)
{
        Dir d = { .path = strdup("/tmp/jtacc-authkeys.XXXXXX") };

        ck_assert_ptr_nonnull(d.path);
        ck_assert_ptr_nonnull(mkdtemp(d.path));
        d.fd = open(d.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_ge(d.fd, 0);
        return d;
}

static void dir_free(Dir *d)
{
        _cleanup_free_ char *command = NULL;

        close(d->fd);
        ck_assert_int_ge(asprintf(&command, "rm -rf -- '%s'", d->path), 0);
        ck_assert_int_eq(system(command), 0);
        free(d->path);
}

static char *read_file(const Dir *d, const char *name)
{
        char *data = NULL;
        size_t size = 0;
        FILE *f;
        int fd = openat(d->fd, name, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return NULL;
        f = fdopen(fd, "r");
        ck_assert_ptr_nonnull(f);
        if (getdelim(&data, &size, 0, f) < 0) {
                free(data);
                data = strdup("");
        }
        fclose(f);
        return data;
}

static void write_file(const Dir *d, const char *name, const char *text, mode_t mode)
{
        int fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        ck_assert_int_eq(fchmod(fd, mode), 0);
        close(fd);
}

START_TEST(test_update_creates_file)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_A };
        _cleanup_free_ char *text = NULL;
        const char *reason = NULL;
        bool changed = false;
        struct stat st;

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason), 0);
        ck_assert(changed);
        text = read_file(&d, "authorized_keys");
        ck_assert_str_eq(text, AUTHORIZED_KEYS_BEGIN "\n" KEY_A "\n" AUTHORIZED_KEYS_END "\n");
        ck_assert_int_eq(fstatat(d.fd, "authorized_keys", &st, AT_SYMLINK_NOFOLLOW), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0600);
        dir_free(&d);
}
END_TEST

START_TEST(test_update_nothing_to_write)
{
        Dir d = dir_new();
        const char *reason = NULL;
        bool changed = true;

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), NULL, 0, &changed, &reason), 0);
        ck_assert(!changed);
        ck_assert_int_eq(faccessat(d.fd, "authorized_keys", F_OK, 0), -1);
        dir_free(&d);
}
END_TEST

START_TEST(test_update_keeps_operator_lines)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_B };
        _cleanup_free_ char *text = NULL;
        const char *reason = NULL;
        bool changed = false;

        write_file(&d, "authorized_keys", "# operator\n" KEY_A "\n", 0644);
        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason), 0);
        ck_assert(changed);
        text = read_file(&d, "authorized_keys");
        ck_assert_str_eq(text, "# operator\n" KEY_A "\n" AUTHORIZED_KEYS_BEGIN "\n" KEY_B
                               "\n" AUTHORIZED_KEYS_END "\n");
        dir_free(&d);
}
END_TEST

START_TEST(test_update_same_fixes_mode)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_A };
        const char *reason = NULL;
        bool changed = false;
        struct stat before, after;

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason), 0);
        ck_assert_int_eq(fchmodat(d.fd, "authorized_keys", 0644, 0), 0);
        ck_assert_int_eq(fstatat(d.fd, "authorized_keys", &before, 0), 0);

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason), 0);
        ck_assert(changed);
        ck_assert_int_eq(fstatat(d.fd, "authorized_keys", &after, 0), 0);
        ck_assert_uint_eq(after.st_mode & 07777, 0600);
        ck_assert_uint_eq(after.st_ino, before.st_ino);

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason), 0);
        ck_assert(!changed);
        dir_free(&d);
}
END_TEST

START_TEST(test_update_rejects_symlink)
{
        Dir d = dir_new(), victim = dir_new();
        char *lines[] = { (char *) KEY_A };
        _cleanup_free_ char *target = NULL, *text = NULL;
        const char *reason = NULL;
        bool changed = false;

        write_file(&victim, "keys", "victim\n", 0600);
        ck_assert_int_ge(asprintf(&target, "%s/keys", victim.path), 0);
        ck_assert_int_eq(symlinkat(target, d.fd, "authorized_keys"), 0);

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason),
                         -ELOOP);
        ck_assert_str_eq(reason, "is a symbolic link");
        text = read_file(&victim, "keys");
        ck_assert_str_eq(text, "victim\n");
        dir_free(&d);
        dir_free(&victim);
}
END_TEST

START_TEST(test_update_rejects_hard_link)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_A };
        _cleanup_free_ char *text = NULL;
        const char *reason = NULL;
        bool changed = false;

        write_file(&d, "victim", "victim\n", 0600);
        ck_assert_int_eq(linkat(d.fd, "victim", d.fd, "authorized_keys", 0), 0);

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason),
                         -ELOOP);
        ck_assert_str_eq(reason, "has more than one hard link");
        text = read_file(&d, "victim");
        ck_assert_str_eq(text, "victim\n");
        dir_free(&d);
}
END_TEST

START_TEST(test_update_rejects_fifo)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_A };
        const char *reason = NULL;
        bool changed = false;

        ck_assert_int_eq(mkfifoat(d.fd, "authorized_keys", 0600), 0);
        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason),
                         -ELOOP);
        ck_assert_str_eq(reason, "is not a regular file");
        dir_free(&d);
}
END_TEST

START_TEST(test_update_rejects_socket)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_A };
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *reason = NULL;
        bool changed = false;
        int sock;

        ck_assert_int_lt(snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/authorized_keys", d.path),
                         (int) sizeof(sa.sun_path));
        sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(sock, 0);
        ck_assert_int_eq(bind(sock, (struct sockaddr *) &sa, sizeof(sa)), 0);

        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason),
                         -ELOOP);
        ck_assert_str_eq(reason, "is not a regular file");
        ck_assert(!changed);
        close(sock);
        dir_free(&d);
}
END_TEST

START_TEST(test_update_rejects_foreign_owner)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_A };
        const char *reason = NULL;
        bool changed = false;
        uid_t account = getuid() + 4242;

        write_file(&d, "authorized_keys", KEY_A "\n", 0600);
        /* Root gives the file to a third uid.  Anyone else owns it already, and is neither root nor the
         * account. */
        if (geteuid() == 0)
                ck_assert_int_eq(fchownat(d.fd, "authorized_keys", account + 1, getgid(), 0), 0);
        ck_assert_int_eq(authorized_keys_update(d.fd, account, getgid(), lines, 1, &changed, &reason),
                         -ELOOP);
        ck_assert_str_eq(reason, "belongs to another user");
        dir_free(&d);
}
END_TEST

START_TEST(test_update_rejects_nul_and_unbalanced)
{
        Dir d = dir_new();
        char *lines[] = { (char *) KEY_A };
        const char *reason = NULL;
        bool changed = false;
        int fd;

        fd = openat(d.fd, "authorized_keys", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "a\0b\n", 4), 4);
        close(fd);
        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason),
                         -EBADMSG);
        ck_assert_str_eq(reason, "contains a NUL byte");

        write_file(&d, "authorized_keys", AUTHORIZED_KEYS_BEGIN "\n" KEY_B "\n", 0600);
        ck_assert_int_eq(authorized_keys_update(d.fd, getuid(), getgid(), lines, 1, &changed, &reason),
                         -EBADMSG);
        dir_free(&d);
}
END_TEST

START_TEST(test_dir_ensure_creates_and_fixes)
{
        Dir d = dir_new();
        bool changed = false;
        struct stat st;
        int fd;

        fd = home_dir_ensure(d.fd, "sub", 0750, getuid(), getgid(), true, &changed);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert(changed);
        ck_assert_int_eq(fstatat(d.fd, "sub", &st, 0), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0750);

        changed = false;
        fd = home_dir_ensure(d.fd, "sub", 0750, getuid(), getgid(), true, &changed);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert(!changed);

        ck_assert_int_eq(fchmodat(d.fd, "sub", 0777, 0), 0);
        fd = home_dir_ensure(d.fd, "sub", 0750, getuid(), getgid(), false, &changed);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert(changed);
        ck_assert_int_eq(fstatat(d.fd, "sub", &st, 0), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0750);
        dir_free(&d);
}
END_TEST

START_TEST(test_dir_ensure_rejects_links_and_files)
{
        Dir d = dir_new();
        bool changed = false;
        int r;

        ck_assert_int_eq(symlinkat("/etc", d.fd, "link"), 0);
        write_file(&d, "file", "x", 0600);
        r = home_dir_ensure(d.fd, "link", 0700, getuid(), getgid(), true, &changed);
        /* openat() with O_DIRECTORY | O_NOFOLLOW reports a symlink as ENOTDIR. */
        ck_assert(r == -ELOOP || r == -ENOTDIR);
        ck_assert_int_eq(home_dir_ensure(d.fd, "file", 0700, getuid(), getgid(), true, &changed), -ENOTDIR);
        ck_assert_int_eq(home_dir_ensure(d.fd, "missing", 0700, getuid(), getgid(), false, &changed),
                         -ENOENT);
        ck_assert(!changed);
        dir_free(&d);
}
END_TEST

static Suite *authkeys_suite(void)
{
        Suite *s = suite_create("authkeys");
        TCase *tc = tcase_create("update");

        tcase_add_test(tc, test_update_creates_file);
        tcase_add_test(tc, test_update_nothing_to_write);
        tcase_add_test(tc, test_update_keeps_operator_lines);
        tcase_add_test(tc, test_update_same_fixes_mode);
        tcase_add_test(tc, test_update_rejects_symlink);
        tcase_add_test(tc, test_update_rejects_hard_link);
        tcase_add_test(tc, test_update_rejects_fifo);
        tcase_add_test(tc, test_update_rejects_socket);
        tcase_add_test(tc, test_update_rejects_foreign_owner);
        tcase_add_test(tc, test_update_rejects_nul_and_unbalanced);
        suite_add_tcase(s, tc);

        tc = tcase_create("home");
        tcase_add_test(tc, test_dir_ensure_creates_and_fixes);
        tcase_add_test(tc, test_dir_ensure_rejects_links_and_files);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(authkeys_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
