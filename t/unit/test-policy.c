/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "macro.h"
#include "policy.h"

/* The group "users" and the user "daemon" come with Debian's base-passwd.  The tests read their ids from
 * the user database rather than assuming them. */
#define TEST_GROUP   "users"
#define TEST_USER    "daemon"
#define UNRELATED_ID 54321

static const Action panel_action = { .name = "domain.create", .policy = CALLER_PANEL };
static const Action root_action = { .name = "systemd.unit.restart", .policy = CALLER_ROOT };
static const Action rotate_action = { .name = "db.root.password.rotate", .policy = CALLER_PANEL };
static const Action backup_action = { .name = "backup.restore", .policy = CALLER_PANEL };

static char config_dir[] = "/tmp/test-policy-XXXXXX";
static char config_path[64];

/* Loads a configuration from text, or the defaults for NULL. */
static AgentConfig *load_config(const char *text)
{
        _cleanup_free_ char *error = NULL;
        AgentConfig *c = NULL;

        strcpy(config_dir, "/tmp/test-policy-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(config_dir));
        snprintf(config_path, sizeof(config_path), "%s/agent.conf", config_dir);
        if (text) {
                FILE *f = fopen(config_path, "we");
                ck_assert_ptr_nonnull(f);
                ck_assert_int_ge(fputs(text, f), 0);
                ck_assert_int_eq(fclose(f), 0);
        }

        ck_assert_msg(config_load(config_path, &c, &error) == 0, "config: %s", error);
        (void) unlink(config_path);
        (void) rmdir(config_dir);
        return c;
}

static gid_t test_gid(void)
{
        struct group *gr = getgrnam(TEST_GROUP);

        ck_assert_msg(gr, "group %s is missing", TEST_GROUP);
        return gr->gr_gid;
}

static PeerInfo peer(uid_t uid, gid_t gid)
{
        return (PeerInfo){ .uid = uid, .gid = gid, .pid = 4242, .have_groups = true };
}

static int check(const AgentConfig *c, const Action *a, const PeerInfo *p, const char **ret_reason)
{
        const char *reason = NULL;
        int r = policy_check(c, a, p, &reason);

        if (r < 0)
                ck_assert_ptr_nonnull(reason);
        if (ret_reason)
                *ret_reason = reason;
        return r;
}

START_TEST(test_root_allowed)
{
        AgentConfig *c = load_config(NULL);
        PeerInfo p = peer(0, 0);

        ck_assert_int_eq(check(c, &panel_action, &p, NULL), 0);
        ck_assert_int_eq(check(c, &root_action, &p, NULL), 0);
        ck_assert(policy_peer_known(c, &p));
        config_free(c);
}
END_TEST

START_TEST(test_group_member)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\n");
        PeerInfo p = peer(UNRELATED_ID, UNRELATED_ID);

        /* A supplementary group as SO_PEERGROUPS reported it. */
        p.groups[0] = 7777;
        p.groups[1] = test_gid();
        p.n_groups = 2;
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), 0);
        ck_assert(policy_peer_known(c, &p));
        config_free(c);
}
END_TEST

START_TEST(test_group_beyond_count)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\n");
        PeerInfo p = peer(UNRELATED_ID, UNRELATED_ID);

        /* Only the first n_groups entries are the peer's. */
        p.groups[0] = 7777;
        p.groups[1] = test_gid();
        p.n_groups = 1;
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), -EPERM);
        config_free(c);
}
END_TEST

START_TEST(test_primary_gid)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\n");
        PeerInfo p = peer(UNRELATED_ID, test_gid());

        ck_assert_int_eq(check(c, &panel_action, &p, NULL), 0);
        config_free(c);
}
END_TEST

START_TEST(test_unrelated_uid)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\n");
        PeerInfo p = peer(UNRELATED_ID, UNRELATED_ID);
        const char *reason = NULL;

        ck_assert_int_eq(check(c, &panel_action, &p, &reason), -EPERM);
        ck_assert_str_eq(reason, "the caller is neither root nor in an allowed group");
        ck_assert(!policy_peer_known(c, &p));
        config_free(c);
}
END_TEST

START_TEST(test_default_group_only)
{
        AgentConfig *c = load_config(NULL);
        PeerInfo p = peer(UNRELATED_ID, test_gid());

        /* The default allows the group "jabali" only, so membership of another group is not enough. */
        p.groups[0] = test_gid();
        p.n_groups = 1;
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), -EPERM);
        config_free(c);
}
END_TEST

START_TEST(test_unknown_group_name)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = no-such-group-xyz " TEST_GROUP "\n");
        PeerInfo p = peer(UNRELATED_ID, UNRELATED_ID);

        /* A listed group missing from the database matches nobody and does not stop the others. */
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), -EPERM);
        p.gid = test_gid();
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), 0);
        config_free(c);
}
END_TEST

START_TEST(test_groups_not_read)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\n");
        PeerInfo p = peer(UNRELATED_ID, UNRELATED_ID);

        /* Without SO_PEERGROUPS the array is not the peer's and the user database decides; uid 54321 has
         * no passwd entry there. */
        p.groups[0] = test_gid();
        p.n_groups = 1;
        p.have_groups = false;
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), -EPERM);
        config_free(c);
}
END_TEST

START_TEST(test_allowed_user)
{
        AgentConfig *c =
                load_config("[policy]\nallowed_groups =\nallowed_users = nobody-xyz " TEST_USER "\n");
        struct passwd *pw = getpwnam(TEST_USER);
        PeerInfo p;

        ck_assert_ptr_nonnull(pw);
        p = peer(pw->pw_uid, UNRELATED_ID);
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), 0);
        p = peer(UNRELATED_ID, UNRELATED_ID);
        ck_assert_int_eq(check(c, &panel_action, &p, NULL), -EPERM);
        config_free(c);
}
END_TEST

START_TEST(test_root_only_builtin)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\n");
        PeerInfo p = peer(UNRELATED_ID, test_gid());
        const char *reason = NULL;

        ck_assert_int_eq(check(c, &root_action, &p, &reason), -EPERM);
        ck_assert_str_eq(reason, "the action is for root only");
        p = peer(0, 0);
        ck_assert_int_eq(check(c, &root_action, &p, NULL), 0);
        config_free(c);
}
END_TEST

START_TEST(test_root_only_configured)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP
                                     "\nroot_only = db.root.* backup.restore\n");
        PeerInfo member = peer(UNRELATED_ID, test_gid()), root = peer(0, 0);

        ck_assert_int_eq(check(c, &rotate_action, &member, NULL), -EPERM);
        ck_assert_int_eq(check(c, &backup_action, &member, NULL), -EPERM);
        ck_assert_int_eq(check(c, &panel_action, &member, NULL), 0);
        ck_assert_int_eq(check(c, &rotate_action, &root, NULL), 0);
        ck_assert_int_eq(check(c, &backup_action, &root, NULL), 0);
        config_free(c);
}
END_TEST

START_TEST(test_pattern_exact)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\nroot_only = db.root\n");
        PeerInfo member = peer(UNRELATED_ID, test_gid());

        /* A name without wildcards matches that name only, not its prefix. */
        ck_assert_int_eq(check(c, &rotate_action, &member, NULL), 0);
        config_free(c);
}
END_TEST

START_TEST(test_denied_root)
{
        AgentConfig *c = load_config("[policy]\ndenied = systemd.* db.root.password.rotate\n");
        PeerInfo root = peer(0, 0);
        const char *reason = NULL;

        ck_assert_int_eq(check(c, &root_action, &root, &reason), -EPERM);
        ck_assert_str_eq(reason, "the action is disabled on this host");
        ck_assert_int_eq(check(c, &rotate_action, &root, NULL), -EPERM);
        ck_assert_int_eq(check(c, &panel_action, &root, NULL), 0);
        config_free(c);
}
END_TEST

START_TEST(test_denied_member)
{
        AgentConfig *c = load_config("[policy]\nallowed_groups = " TEST_GROUP "\ndenied = domain.*\n");
        PeerInfo member = peer(UNRELATED_ID, test_gid());

        ck_assert_int_eq(check(c, &panel_action, &member, NULL), -EPERM);
        config_free(c);
}
END_TEST

START_TEST(test_describe)
{
        AgentConfig *c =
                load_config("[policy]\nallowed_groups = " TEST_GROUP " ops\nallowed_users = " TEST_USER
                            "\nroot_only = backup.*\ndenied = db.*\n");
        _cleanup_json_ json_t *panel = policy_describe(&panel_action, c);
        _cleanup_json_ json_t *backup = policy_describe(&backup_action, c);
        _cleanup_json_ json_t *rotate = policy_describe(&rotate_action, c);

        ck_assert(json_is_false(json_object_get(panel, "root_only")));
        ck_assert(json_is_false(json_object_get(panel, "denied")));
        ck_assert_uint_eq(json_array_size(json_object_get(panel, "groups")), 2);
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(panel, "groups"), 1)), "ops");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(panel, "users"), 0)), TEST_USER);

        /* A root-only action lists no groups or users: nobody else may call it. */
        ck_assert(json_is_true(json_object_get(backup, "root_only")));
        ck_assert_uint_eq(json_array_size(json_object_get(backup, "groups")), 0);
        ck_assert_uint_eq(json_array_size(json_object_get(backup, "users")), 0);

        ck_assert(json_is_true(json_object_get(rotate, "denied")));
        config_free(c);
}
END_TEST

START_TEST(test_peer_socketpair)
{
        _cleanup_close_ int a = -1, b = -1;
        int sv[2];
        PeerInfo p;
        gid_t groups[PEER_GROUPS_MAX];
        int n;

        ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        a = sv[0];
        b = sv[1];
        ck_assert_int_eq(peer_get(a, &p), 0);
        ck_assert_uint_eq(p.uid, getuid());
        ck_assert_uint_eq(p.gid, getgid());
        ck_assert_int_eq(p.pid, getpid());
        ck_assert(p.have_groups);

        n = getgroups(PEER_GROUPS_MAX, groups);
        ck_assert_int_ge(n, 0);
        ck_assert_uint_eq(p.n_groups, (size_t) n);
        for (int i = 0; i < n; i++)
                ck_assert_uint_eq(p.groups[i], groups[i]);
}
END_TEST

START_TEST(test_peer_not_socket)
{
        _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        int p[2];
        PeerInfo info;

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(peer_get(fd, &info), -ENOTSOCK);

        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        ck_assert_int_eq(peer_get(p[0], &info), -ENOTSOCK);
        close(p[0]);
        close(p[1]);
}
END_TEST

START_TEST(test_peer_unconnected)
{
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        PeerInfo info = {};

        /* An unconnected socket has no peer: Linux reports the invalid ids, never root. */
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(peer_get(fd, &info), 0);
        ck_assert_uint_eq(info.uid, (uid_t) -1);
        ck_assert_uint_eq(info.gid, (gid_t) -1);
        ck_assert_int_eq(info.pid, 0);
}
END_TEST

static Suite *policy_suite(void)
{
        Suite *s = suite_create("policy");
        TCase *tc;

        tc = tcase_create("check");
        tcase_add_test(tc, test_root_allowed);
        tcase_add_test(tc, test_group_member);
        tcase_add_test(tc, test_group_beyond_count);
        tcase_add_test(tc, test_primary_gid);
        tcase_add_test(tc, test_unrelated_uid);
        tcase_add_test(tc, test_default_group_only);
        tcase_add_test(tc, test_unknown_group_name);
        tcase_add_test(tc, test_groups_not_read);
        tcase_add_test(tc, test_allowed_user);
        tcase_add_test(tc, test_root_only_builtin);
        tcase_add_test(tc, test_root_only_configured);
        tcase_add_test(tc, test_pattern_exact);
        tcase_add_test(tc, test_denied_root);
        tcase_add_test(tc, test_denied_member);
        tcase_add_test(tc, test_describe);
        suite_add_tcase(s, tc);

        tc = tcase_create("peer");
        tcase_add_test(tc, test_peer_socketpair);
        tcase_add_test(tc, test_peer_not_socket);
        tcase_add_test(tc, test_peer_unconnected);
        suite_add_tcase(s, tc);

        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(policy_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
