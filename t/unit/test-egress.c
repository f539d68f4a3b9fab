/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "egress.h"
#include "macro.h"

static EgressRule rule_from(const char *cidr, const char *proto, char *const *ports, size_t n)
{
        EgressRule r;
        const char *reason = NULL;

        ck_assert_int_eq(egress_rule_from_text(cidr, proto, ports, n, &r, &reason), 0);
        return r;
}

static const char *rule_reason(const char *cidr, const char *proto, char *const *ports, size_t n)
{
        EgressRule r;
        const char *reason = NULL;

        ck_assert_int_eq(egress_rule_from_text(cidr, proto, ports, n, &r, &reason), -EINVAL);
        ck_assert_ptr_nonnull(reason);
        return reason;
}

START_TEST(test_port_single_and_range)
{
        EgressPortRange p;
        const char *reason = NULL;

        ck_assert_int_eq(egress_port_range_parse("443", &p, &reason), 0);
        ck_assert_uint_eq(p.first, 443);
        ck_assert_uint_eq(p.last, 443);
        ck_assert_int_eq(egress_port_range_parse("8000-8100", &p, &reason), 0);
        ck_assert_uint_eq(p.first, 8000);
        ck_assert_uint_eq(p.last, 8100);
        ck_assert_int_eq(egress_port_range_parse("1-65535", &p, &reason), 0);
}
END_TEST

START_TEST(test_port_rejects)
{
        static const char *const bad[] = {
                "",    "0",     "65536",     "-1",  "+80", "080",  "80-",
                "-80", "90-80", "80-90-100", "80 ", "1e3", "0x50", "80,81",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const char *reason = NULL;

                ck_assert_msg(egress_port_range_parse(bad[i], NULL, &reason) == -EINVAL, "accepted '%s'",
                              bad[i]);
                ck_assert_ptr_nonnull(reason);
        }
}
END_TEST

START_TEST(test_rule_sorts_ports)
{
        char *ports[] = { "8000-8100", "22", "443" };
        EgressRule r = rule_from("10.0.0.0/8", "tcp", ports, 3);

        ck_assert_uint_eq(r.n_ports, 3);
        ck_assert_uint_eq(r.ports[0].first, 22);
        ck_assert_uint_eq(r.ports[1].first, 443);
        ck_assert_uint_eq(r.ports[2].first, 8000);
        ck_assert_int_eq(r.proto, EGRESS_PROTO_TCP);
}
END_TEST

START_TEST(test_rule_rejects)
{
        char *overlap[] = { "80-90", "85" };
        char *same[] = { "80", "80" };
        char *one[] = { "80" };

        ck_assert_str_eq(rule_reason("10.0.0.0/8", "tcp", overlap, 2), "has overlapping ports");
        ck_assert_str_eq(rule_reason("10.0.0.0/8", "udp", same, 2), "has overlapping ports");
        ck_assert_str_eq(rule_reason("10.0.0.0/8", NULL, one, 1), "ports need protocol tcp or udp");
        ck_assert_str_eq(rule_reason("10.0.0.0/8", "any", one, 1), "ports need protocol tcp or udp");
        ck_assert_str_eq(rule_reason("10.0.0.0/8", "icmp", NULL, 0), "protocol is not tcp, udp or any");
        rule_reason("10.0.0.1/8", "tcp", NULL, 0);
        rule_reason("10.0.0.0/33", "tcp", NULL, 0);
        rule_reason("example.com", "tcp", NULL, 0);
        rule_reason("10.0.0.0/8; flush ruleset", "tcp", NULL, 0);
}
END_TEST

START_TEST(test_rule_port_limit)
{
        char *ports[EGRESS_PORTS_MAX + 1];
        char text[EGRESS_PORTS_MAX + 1][8];

        for (size_t i = 0; i <= EGRESS_PORTS_MAX; i++) {
                snprintf(text[i], sizeof(text[i]), "%zu", 1000 + i);
                ports[i] = text[i];
        }
        rule_from("10.0.0.0/8", "tcp", ports, EGRESS_PORTS_MAX);
        ck_assert_str_eq(rule_reason("10.0.0.0/8", "tcp", ports, EGRESS_PORTS_MAX + 1),
                         "has more than 64 port ranges");
}
END_TEST

START_TEST(test_table_names)
{
        ck_assert(egress_table_name_valid("jabali_egress"));
        ck_assert(egress_table_name_valid("t"));
        ck_assert(!egress_table_name_valid(""));
        ck_assert(!egress_table_name_valid("_x"));
        ck_assert(!egress_table_name_valid("Jabali"));
        ck_assert(!egress_table_name_valid("jabali egress"));
        ck_assert(!egress_table_name_valid("x;flush ruleset"));
        ck_assert(!egress_table_name_valid("abcdefghijklmnopqrstuvwxyz0123456"));
        ck_assert(!egress_table_name_valid(NULL));
}
END_TEST

START_TEST(test_mode_and_proto_names)
{
        ck_assert_int_eq(egress_mode_from_string("enforce"), EGRESS_ENFORCE);
        ck_assert_int_eq(egress_mode_from_string("learn"), EGRESS_LEARN);
        ck_assert_int_eq(egress_mode_from_string("Learn"), _EGRESS_MODE_INVALID);
        ck_assert_str_eq(egress_proto_to_string(EGRESS_PROTO_UDP), "udp");
        ck_assert_int_eq(egress_proto_from_string(NULL), _EGRESS_PROTO_INVALID);
}
END_TEST

START_TEST(test_render_apply_new_table)
{
        char *ports[] = { "8000-8100", "80" };
        EgressRule rules[] = {
                rule_from("127.0.0.1", "tcp", ports, 2),
                rule_from("2001:DB8::/32", NULL, NULL, 0),
                rule_from("0.0.0.0/0", "udp", NULL, 0),
        };
        EgressState state = {};
        _cleanup_free_ char *out = NULL, *fingerprint = NULL, *expected = NULL;

        ck_assert_int_eq(egress_render_apply("jt_egress", "jtalice", 1001, EGRESS_ENFORCE, rules, 3, &state,
                                             &out, &fingerprint),
                         0);
        ck_assert_uint_eq(strlen(fingerprint), 16);
        ck_assert_int_ge(
                asprintf(
                        &expected,
                        "add table inet jt_egress\n"
                        "add map inet jt_egress users { type uid : verdict; }\n"
                        "add chain inet jt_egress output { type filter hook output priority filter; "
                        "policy accept; }\n"
                        "flush chain inet jt_egress output\n"
                        "add rule inet jt_egress output meta skuid vmap @users comment \"jabali-egress "
                        "dispatch\"\n"
                        "add chain inet jt_egress u_jtalice\n"
                        "flush chain inet jt_egress u_jtalice\n"
                        "add rule inet jt_egress u_jtalice ct state established,related accept comment "
                        "\"jabali-egress %s\"\n"
                        "# uid 1001\n"
                        "add rule inet jt_egress u_jtalice ip daddr 127.0.0.1/32 tcp dport { 80, 8000-8100 "
                        "} "
                        "counter accept\n"
                        "add rule inet jt_egress u_jtalice ip6 daddr 2001:db8::/32 counter accept\n"
                        "add rule inet jt_egress u_jtalice ip daddr 0.0.0.0/0 meta l4proto udp counter "
                        "accept\n"
                        "add rule inet jt_egress u_jtalice limit rate 10/second burst 20 packets log prefix "
                        "\"jabali-egress deny jtalice: \" level info\n"
                        "add rule inet jt_egress u_jtalice meta l4proto tcp counter reject with tcp reset\n"
                        "add rule inet jt_egress u_jtalice counter reject with icmpx admin-prohibited\n"
                        "add element inet jt_egress users { 1001 : jump u_jtalice }\n",
                        fingerprint),
                0);
        ck_assert_str_eq(out, expected);
}
END_TEST

START_TEST(test_render_apply_learn)
{
        EgressState state = { .table_exists = true, .map_exists = true, .dispatch_ok = true };
        _cleanup_free_ char *out = NULL, *fingerprint = NULL;

        ck_assert_int_eq(
                egress_render_apply("t", "jtbob", 1002, EGRESS_LEARN, NULL, 0, &state, &out, &fingerprint),
                0);
        ck_assert_ptr_nonnull(strstr(out, "log prefix \"jabali-egress learn jtbob: \""));
        ck_assert_ptr_null(strstr(out, "reject"));
        ck_assert_ptr_nonnull(strstr(out, "add rule inet t u_jtbob counter\n"));
        /* The dispatch rule is in place, so the output chain is left alone. */
        ck_assert_ptr_null(strstr(out, "flush chain inet t output"));
}
END_TEST

START_TEST(test_render_apply_moves_uid)
{
        uint32_t jump_uids[] = { 1001, 1005 };
        EgressState state = {
                .table_exists = true,
                .dispatch_ok = true,
                .chain_exists = true,
                .jump_uids = jump_uids,
                .n_jump_uids = 2,
                .element_ok = true,
                .uid_elsewhere = false,
        };
        _cleanup_free_ char *out = NULL, *fingerprint = NULL;

        ck_assert_int_eq(egress_render_apply("t", "jtalice", 1001, EGRESS_ENFORCE, NULL, 0, &state, &out,
                                             &fingerprint),
                         0);
        ck_assert_ptr_nonnull(strstr(out, "delete element inet t users { 1005 }\n"));
        ck_assert_ptr_null(strstr(out, "delete element inet t users { 1001 }\n"));
        ck_assert_ptr_nonnull(strstr(out, "add element inet t users { 1001 : jump u_jtalice }\n"));
}
END_TEST

START_TEST(test_render_apply_takes_uid)
{
        EgressState state = { .table_exists = true, .dispatch_ok = true, .uid_elsewhere = true };
        _cleanup_free_ char *out = NULL, *fingerprint = NULL;
        const char *del, *add;

        ck_assert_int_eq(egress_render_apply("t", "jtalice", 1001, EGRESS_ENFORCE, NULL, 0, &state, &out,
                                             &fingerprint),
                         0);
        del = strstr(out, "delete element inet t users { 1001 }\n");
        add = strstr(out, "add element inet t users { 1001 : jump u_jtalice }\n");
        ck_assert_ptr_nonnull(del);
        ck_assert_ptr_nonnull(add);
        ck_assert(del < add);
}
END_TEST

START_TEST(test_fingerprint_changes)
{
        char *ports[] = { "443" };
        EgressRule rule = rule_from("10.0.0.0/8", "tcp", ports, 1);
        EgressState state = {};
        _cleanup_free_ char *o1 = NULL, *f1 = NULL, *o2 = NULL, *f2 = NULL, *o3 = NULL, *f3 = NULL,
                            *o4 = NULL, *f4 = NULL, *o5 = NULL, *f5 = NULL;

        ck_assert_int_eq(
                egress_render_apply("t", "jtalice", 1001, EGRESS_ENFORCE, &rule, 1, &state, &o1, &f1), 0);
        ck_assert_int_eq(
                egress_render_apply("t", "jtalice", 1001, EGRESS_ENFORCE, &rule, 1, &state, &o2, &f2), 0);
        ck_assert_int_eq(egress_render_apply("t", "jtalice", 1001, EGRESS_LEARN, &rule, 1, &state, &o3, &f3),
                         0);
        ck_assert_int_eq(
                egress_render_apply("t", "jtalice", 1002, EGRESS_ENFORCE, &rule, 1, &state, &o4, &f4), 0);
        ck_assert_int_eq(
                egress_render_apply("t", "jtalice", 1001, EGRESS_ENFORCE, NULL, 0, &state, &o5, &f5), 0);
        ck_assert_str_eq(f1, f2);
        ck_assert_str_ne(f1, f3);
        ck_assert_str_ne(f1, f4);
        ck_assert_str_ne(f1, f5);
}
END_TEST

START_TEST(test_render_rejects_names)
{
        EgressState state = {};
        char *out = NULL, *fingerprint = NULL;

        ck_assert_int_eq(egress_render_apply("bad table", "jtalice", 1001, EGRESS_ENFORCE, NULL, 0, &state,
                                             &out, &fingerprint),
                         -EINVAL);
        ck_assert_int_eq(egress_render_apply("t", "jt-alice", 1001, EGRESS_ENFORCE, NULL, 0, &state, &out,
                                             &fingerprint),
                         -EINVAL);
        ck_assert_int_eq(egress_render_apply("t", "jtalice\n", 1001, EGRESS_ENFORCE, NULL, 0, &state, &out,
                                             &fingerprint),
                         -EINVAL);
        ck_assert_int_eq(egress_render_apply("t", "jtalice", (uid_t) -1, EGRESS_ENFORCE, NULL, 0, &state,
                                             &out, &fingerprint),
                         -EINVAL);
        ck_assert_int_eq(egress_render_clear("t", "../x", &state, &out), -EINVAL);
        ck_assert_ptr_null(out);
        ck_assert_ptr_null(fingerprint);
}
END_TEST

START_TEST(test_render_clear)
{
        uint32_t jump_uids[] = { 1001 };
        EgressState state = {
                .table_exists = true, .chain_exists = true, .jump_uids = jump_uids, .n_jump_uids = 1
        };
        EgressState empty = { .table_exists = true };
        _cleanup_free_ char *out = NULL;
        char *nothing = (char *) 1;

        ck_assert_int_eq(egress_render_clear("t", "jtalice", &state, &out), 0);
        ck_assert_str_eq(out, "delete element inet t users { 1001 }\n"
                              "flush chain inet t u_jtalice\n"
                              "delete chain inet t u_jtalice\n");
        ck_assert_int_eq(egress_render_clear("t", "jtalice", &empty, &nothing), 0);
        ck_assert_ptr_null(nothing);
}
END_TEST

/* The JSON listing nftables 1.0.6 prints for a table with two accounts (handles and counters trimmed). */
static const char listing_text[] =
        "{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\"}},"
        "{\"table\": {\"family\": \"inet\", \"name\": \"t\", \"handle\": 1}},"
        "{\"map\": {\"family\": \"inet\", \"name\": \"users\", \"table\": \"t\", \"type\": \"uid\", "
        "\"map\": "
        "\"verdict\", \"elem\": [[1001, {\"jump\": {\"target\": \"u_jtalice\"}}], [1002, {\"jump\": "
        "{\"target\": "
        "\"u_jtbob\"}}], [1007, {\"jump\": {\"target\": \"u_jtalice\"}}]]}},"
        "{\"chain\": {\"family\": \"inet\", \"table\": \"t\", \"name\": \"output\", \"type\": \"filter\", "
        "\"hook\": "
        "\"output\"}},"
        "{\"chain\": {\"family\": \"inet\", \"table\": \"t\", \"name\": \"u_jtalice\"}},"
        "{\"chain\": {\"family\": \"inet\", \"table\": \"t\", \"name\": \"u_jtbob\"}},"
        "{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\": \"output\", \"comment\": "
        "\"jabali-egress "
        "dispatch\", \"expr\": []}},"
        "{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\": \"u_jtalice\", \"comment\": "
        "\"jabali-egress "
        "0123456789abcdef\", \"expr\": []}},"
        "{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\": \"u_jtalice\", \"comment\": "
        "\"jabali-egress "
        "fedcba9876543210\", \"expr\": []}},"
        "{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\": \"u_jtbob\", \"expr\": []}}]}";

static json_t *listing(void)
{
        json_t *j = json_loads(listing_text, 0, NULL);

        ck_assert_ptr_nonnull(j);
        return j;
}

START_TEST(test_state_parse_account)
{
        _cleanup_json_ json_t *j = listing();
        EgressState s;

        ck_assert_int_eq(egress_state_parse(j, "jtalice", 1001, &s), 0);
        ck_assert(s.table_exists);
        ck_assert(s.map_exists);
        ck_assert(s.dispatch_ok);
        ck_assert(s.chain_exists);
        ck_assert_str_eq(s.fingerprint, "0123456789abcdef");
        ck_assert(s.element_ok);
        ck_assert(!s.uid_elsewhere);
        ck_assert_uint_eq(s.n_jump_uids, 2);
        ck_assert_uint_eq(s.jump_uids[0], 1001);
        ck_assert_uint_eq(s.jump_uids[1], 1007);
        egress_state_done(&s);
}
END_TEST

START_TEST(test_state_parse_uid_elsewhere)
{
        _cleanup_json_ json_t *j = listing();
        EgressState s;

        /* jtcarol got uid 1002, which still jumps to the chain of a removed account. */
        ck_assert_int_eq(egress_state_parse(j, "jtcarol", 1002, &s), 0);
        ck_assert(!s.chain_exists);
        ck_assert(!s.element_ok);
        ck_assert(s.uid_elsewhere);
        ck_assert_ptr_null(s.fingerprint);
        ck_assert_uint_eq(s.n_jump_uids, 0);
        egress_state_done(&s);
}
END_TEST

START_TEST(test_state_parse_without_fingerprint)
{
        _cleanup_json_ json_t *j = listing();
        EgressState s;

        ck_assert_int_eq(egress_state_parse(j, "jtbob", (uid_t) -1, &s), 0);
        ck_assert(s.chain_exists);
        ck_assert_ptr_null(s.fingerprint);
        ck_assert(!s.element_ok);
        ck_assert_uint_eq(s.n_jump_uids, 1);
        egress_state_done(&s);
}
END_TEST

START_TEST(test_state_parse_foreign_output_rule)
{
        _cleanup_json_ json_t *j = listing();
        json_t *extra = json_pack("{s:{s:s, s:s, s:s, s:[]}}", "rule", "family", "inet", "table", "t",
                                  "chain", "output", "expr");
        EgressState s;

        /* A rule someone else added to the output chain makes the dispatch chain need rewriting. */
        ck_assert_ptr_nonnull(extra);
        ck_assert_int_eq(json_array_append_new(json_object_get(j, "nftables"), extra), 0);
        ck_assert_int_eq(egress_state_parse(j, "jtalice", 1001, &s), 0);
        ck_assert(!s.dispatch_ok);
        egress_state_done(&s);
}
END_TEST

START_TEST(test_state_parse_no_table)
{
        EgressState s;

        ck_assert_int_eq(egress_state_parse(NULL, "jtalice", 1001, &s), 0);
        ck_assert(!s.table_exists);
        ck_assert(!s.chain_exists);
        ck_assert_uint_eq(s.n_jump_uids, 0);
        egress_state_done(&s);
}
END_TEST

START_TEST(test_state_parse_hostile_listing)
{
        static const char *const texts[] = {
                "{}",
                "{\"nftables\": 5}",
                "{\"nftables\": [{\"map\": {\"name\": \"users\", \"elem\": [[-1, {\"jump\": {\"target\": "
                "\"u_jtalice\"}}], [4294967296, {\"jump\": {\"target\": \"u_jtalice\"}}], [\"x\", 1], "
                "7]}}]}",
                "{\"nftables\": [{\"rule\": {\"chain\": 3, \"comment\": []}}, {\"chain\": null}]}",
        };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                _cleanup_json_ json_t *j = json_loads(texts[i], 0, NULL);
                EgressState s;

                ck_assert_ptr_nonnull(j);
                ck_assert_int_eq(egress_state_parse(j, "jtalice", 1001, &s), 0);
                ck_assert_uint_eq(s.n_jump_uids, 0);
                ck_assert(!s.element_ok);
                egress_state_done(&s);
        }
}
END_TEST

static Suite *egress_suite(void)
{
        Suite *s = suite_create("egress");
        TCase *tc = tcase_create("rules");

        tcase_add_test(tc, test_port_single_and_range);
        tcase_add_test(tc, test_port_rejects);
        tcase_add_test(tc, test_rule_sorts_ports);
        tcase_add_test(tc, test_rule_rejects);
        tcase_add_test(tc, test_rule_port_limit);
        tcase_add_test(tc, test_table_names);
        tcase_add_test(tc, test_mode_and_proto_names);
        suite_add_tcase(s, tc);

        tc = tcase_create("render");
        tcase_add_test(tc, test_render_apply_new_table);
        tcase_add_test(tc, test_render_apply_learn);
        tcase_add_test(tc, test_render_apply_moves_uid);
        tcase_add_test(tc, test_render_apply_takes_uid);
        tcase_add_test(tc, test_fingerprint_changes);
        tcase_add_test(tc, test_render_rejects_names);
        tcase_add_test(tc, test_render_clear);
        suite_add_tcase(s, tc);

        tc = tcase_create("state");
        tcase_add_test(tc, test_state_parse_account);
        tcase_add_test(tc, test_state_parse_uid_elsewhere);
        tcase_add_test(tc, test_state_parse_without_fingerprint);
        tcase_add_test(tc, test_state_parse_foreign_output_rule);
        tcase_add_test(tc, test_state_parse_no_table);
        tcase_add_test(tc, test_state_parse_hostile_listing);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(egress_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
