/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "egress.h"
#include "macro.h"

#define EGRESS_DISPATCH_COMMENT   "jabali-egress dispatch"
#define EGRESS_FINGERPRINT_PREFIX "jabali-egress "
/* Kernel log lines for traffic outside the allow list are rate limited so a busy account cannot flood the
 * journal. */
#define EGRESS_LOG_LIMIT "limit rate 10/second burst 20 packets"
#define EGRESS_ERROR_MAX 2048

static const char *const mode_table[_EGRESS_MODE_MAX] = {
        [EGRESS_ENFORCE] = "enforce",
        [EGRESS_LEARN] = "learn",
};

static const char *const proto_table[_EGRESS_PROTO_MAX] = {
        [EGRESS_PROTO_ANY] = "any",
        [EGRESS_PROTO_TCP] = "tcp",
        [EGRESS_PROTO_UDP] = "udp",
};

const char *egress_mode_to_string(EgressMode m)
{
        return m >= 0 && m < _EGRESS_MODE_MAX ? mode_table[m] : NULL;
}

EgressMode egress_mode_from_string(const char *s)
{
        for (int i = 0; s && i < _EGRESS_MODE_MAX; i++)
                if (streq(mode_table[i], s))
                        return (EgressMode) i;
        return _EGRESS_MODE_INVALID;
}

const char *egress_proto_to_string(EgressProto p)
{
        return p >= 0 && p < _EGRESS_PROTO_MAX ? proto_table[p] : NULL;
}

EgressProto egress_proto_from_string(const char *s)
{
        for (int i = 0; s && i < _EGRESS_PROTO_MAX; i++)
                if (streq(proto_table[i], s))
                        return (EgressProto) i;
        return _EGRESS_PROTO_INVALID;
}

int egress_port_range_parse(const char *s, EgressPortRange *ret, const char **ret_reason)
{
        _cleanup_free_ char *first_text = NULL;
        const char *dash, *reason = NULL;
        uint16_t first, last;

        assert(s);

        dash = strchr(s, '-');
        if (!dash) {
                if (validate_port(s, &first, &reason) < 0)
                        goto invalid;
                last = first;
        } else {
                first_text = strndup(s, (size_t) (dash - s));
                if (!first_text)
                        return -ENOMEM;
                if (validate_port(first_text, &first, &reason) < 0 ||
                    validate_port(dash + 1, &last, &reason) < 0)
                        goto invalid;
                if (first > last) {
                        reason = "has a range whose first port is above its last";
                        goto invalid;
                }
        }

        if (ret)
                *ret = (EgressPortRange){ first, last };
        return 0;

invalid:
        if (ret_reason)
                *ret_reason = reason ?: "is not a port or port range";
        return -EINVAL;
}

int egress_port_check(const char *value, char **ret_normalized, const char **ret_reason)
{
        return egress_port_range_parse(value, NULL, ret_reason);
}

static int port_range_compare(const void *a, const void *b)
{
        const EgressPortRange *x = a, *y = b;

        if (x->first < y->first)
                return -1;
        if (x->first > y->first)
                return 1;
        return 0;
}

int egress_rule_from_text(const char *cidr, const char *proto, char *const *ports, size_t n_ports,
                          EgressRule *ret, const char **ret_reason)
{
        EgressRule rule = {};
        const char *reason = NULL;
        int r;

        assert(cidr);
        assert(ret);
        assert(ret_reason);

        r = cidr_parse(cidr, &rule.cidr, &reason);
        if (r < 0) {
                *ret_reason = reason ?: "is not a valid CIDR";
                return -EINVAL;
        }

        rule.proto = proto ? egress_proto_from_string(proto) : EGRESS_PROTO_ANY;
        if (rule.proto < 0) {
                *ret_reason = "protocol is not tcp, udp or any";
                return -EINVAL;
        }

        if (n_ports > EGRESS_PORTS_MAX) {
                *ret_reason = "has more than 64 port ranges";
                return -EINVAL;
        }
        if (n_ports > 0 && rule.proto == EGRESS_PROTO_ANY) {
                *ret_reason = "ports need protocol tcp or udp";
                return -EINVAL;
        }

        for (size_t i = 0; i < n_ports; i++) {
                r = egress_port_range_parse(ports[i], &rule.ports[i], &reason);
                if (r < 0) {
                        *ret_reason = reason;
                        return r;
                }
        }
        rule.n_ports = n_ports;

        /* nftables rejects overlapping intervals in one set.  Catching them here lets the error name the
         * field. */
        qsort(rule.ports, rule.n_ports, sizeof(EgressPortRange), port_range_compare);
        for (size_t i = 1; i < rule.n_ports; i++)
                if (rule.ports[i].first <= rule.ports[i - 1].last) {
                        *ret_reason = "has overlapping ports";
                        return -EINVAL;
                }

        *ret = rule;
        return 0;
}

bool egress_table_name_valid(const char *name)
{
        size_t n;

        if (!name || !(name[0] >= 'a' && name[0] <= 'z'))
                return false;
        n = strlen(name);
        if (n > 32)
                return false;
        for (size_t i = 1; i < n; i++)
                if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
                      name[i] == '_'))
                        return false;
        return true;
}

/* Account names are [a-z][a-z0-9]{0,15}, so the chain name needs no quoting. */
static int chain_name(const char *user, char **ret)
{
        if (validate_account_name(user, NULL, NULL) < 0)
                return -EINVAL;
        return asprintf(ret, "u_%s", user) < 0 ? -ENOMEM : 0;
}

void egress_state_done(EgressState *s)
{
        if (!s)
                return;
        free(s->fingerprint);
        free(s->jump_uids);
        *s = (EgressState){};
}

static const char *object_string(json_t *o, const char *key)
{
        return json_string_value(json_object_get(o, key));
}

static int state_parse_map(json_t *map, const char *chain, uid_t uid, EgressState *s)
{
        size_t i;
        json_t *elem;

        s->map_exists = true;

        /* Each element is [key, {"jump": {"target": chain}}]. */
        json_array_foreach(json_object_get(map, "elem"), i, elem)
        {
                json_t *key = json_array_get(elem, 0);
                const char *target =
                        object_string(json_object_get(json_array_get(elem, 1), "jump"), "target");
                json_int_t k;

                if (!json_is_integer(key) || !target)
                        continue;
                k = json_integer_value(key);
                if (k < 0 || k > UINT32_MAX)
                        continue;

                if (streq(target, chain)) {
                        uint32_t *longer = reallocarray(s->jump_uids, s->n_jump_uids + 1, sizeof(uint32_t));

                        if (!longer)
                                return -ENOMEM;
                        s->jump_uids = longer;
                        s->jump_uids[s->n_jump_uids++] = (uint32_t) k;
                        if (uid != (uid_t) -1 && (uid_t) k == uid)
                                s->element_ok = true;
                } else if (uid != (uid_t) -1 && (uid_t) k == uid)
                        s->uid_elsewhere = true;
        }

        return 0;
}

int egress_state_parse(json_t *listing, const char *user, uid_t uid, EgressState *ret)
{
        _cleanup_free_ char *chain = NULL, *fingerprint = NULL;
        EgressState s = {};
        unsigned output_rules = 0;
        bool dispatch_seen = false, first_rule_seen = false;
        size_t i;
        json_t *item;
        int r;

        assert(user);
        assert(ret);

        r = chain_name(user, &chain);
        if (r < 0)
                return r;

        if (!listing) {
                *ret = s;
                return 0;
        }

        s.table_exists = true;
        json_array_foreach(json_object_get(listing, "nftables"), i, item)
        {
                json_t *o;

                if ((o = json_object_get(item, "map"))) {
                        if (streq(object_string(o, "name") ?: "", "users")) {
                                r = state_parse_map(o, chain, uid, &s);
                                if (r < 0) {
                                        egress_state_done(&s);
                                        return r;
                                }
                        }
                } else if ((o = json_object_get(item, "chain"))) {
                        if (streq(object_string(o, "name") ?: "", chain))
                                s.chain_exists = true;
                } else if ((o = json_object_get(item, "rule"))) {
                        const char *rule_chain = object_string(o, "chain") ?: "";
                        const char *comment = object_string(o, "comment");

                        if (streq(rule_chain, "output")) {
                                output_rules++;
                                if (comment && streq(comment, EGRESS_DISPATCH_COMMENT))
                                        dispatch_seen = true;
                        } else if (streq(rule_chain, chain) && !first_rule_seen) {
                                first_rule_seen = true;
                                if (comment && strncmp(comment, EGRESS_FINGERPRINT_PREFIX,
                                                       strlen(EGRESS_FINGERPRINT_PREFIX)) == 0) {
                                        fingerprint = strdup(comment + strlen(EGRESS_FINGERPRINT_PREFIX));
                                        if (!fingerprint) {
                                                egress_state_done(&s);
                                                return -ENOMEM;
                                        }
                                }
                        }
                }
        }

        s.dispatch_ok = dispatch_seen && output_rules == 1;
        s.fingerprint = TAKE_PTR(fingerprint);
        *ret = s;
        return 0;
}

static void render_address(FILE *f, const Cidr *c)
{
        char text[INET6_ADDRSTRLEN];

        inet_ntop(c->family, c->family == AF_INET ? (const void *) &c->addr.in : (const void *) &c->addr.in6,
                  text, sizeof(text));
        fprintf(f, "%s daddr %s/%u", c->family == AF_INET ? "ip" : "ip6", text, c->prefix);
}

static void render_rule(FILE *f, const char *table, const char *chain, const EgressRule *rule)
{
        fprintf(f, "add rule inet %s %s ", table, chain);
        render_address(f, &rule->cidr);

        if (rule->proto != EGRESS_PROTO_ANY) {
                const char *proto = egress_proto_to_string(rule->proto);

                if (rule->n_ports == 0)
                        fprintf(f, " meta l4proto %s", proto);
                else {
                        fprintf(f, " %s dport { ", proto);
                        for (size_t i = 0; i < rule->n_ports; i++) {
                                fprintf(f, "%s%u", i > 0 ? ", " : "", rule->ports[i].first);
                                if (rule->ports[i].last != rule->ports[i].first)
                                        fprintf(f, "-%u", rule->ports[i].last);
                        }
                        fputs(" }", f);
                }
        }

        fputs(" counter accept\n", f);
}

/* Computes FNV-1a with 64 bits.  It only detects whether the rules changed, so a request that collides on
 * purpose can at worst make the agent skip rewriting rules that the same caller sets. */
static uint64_t fingerprint_of(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull;

        for (; *s; s++) {
                h ^= (unsigned char) *s;
                h *= 0x100000001b3ull;
        }
        return h;
}

int egress_render_apply(const char *table, const char *user, uid_t uid, EgressMode mode,
                        const EgressRule *rules, size_t n_rules, const EgressState *state, char **ret,
                        char **ret_fingerprint)
{
        _cleanup_free_ char *chain = NULL, *body = NULL, *out = NULL, *fingerprint = NULL;
        size_t body_size = 0, out_size = 0;
        FILE *f;
        int r;

        assert(table);
        assert(user);
        assert(rules || n_rules == 0);
        assert(state);
        assert(ret);
        assert(ret_fingerprint);

        if (!egress_table_name_valid(table) || mode < 0 || mode >= _EGRESS_MODE_MAX || uid == (uid_t) -1)
                return -EINVAL;
        r = chain_name(user, &chain);
        if (r < 0)
                return r;

        /* The account's rules after the first, whose text the fingerprint covers along with the uid. */
        f = open_memstream(&body, &body_size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "# uid %u\n", (unsigned) uid);
        for (size_t i = 0; i < n_rules; i++)
                render_rule(f, table, chain, &rules[i]);
        fprintf(f,
                "add rule inet %s %s " EGRESS_LOG_LIMIT " log prefix \"jabali-egress %s %s: \" level info\n",
                table, chain, mode == EGRESS_ENFORCE ? "deny" : "learn", user);
        if (mode == EGRESS_ENFORCE) {
                fprintf(f, "add rule inet %s %s meta l4proto tcp counter reject with tcp reset\n", table,
                        chain);
                fprintf(f, "add rule inet %s %s counter reject with icmpx admin-prohibited\n", table, chain);
        } else
                fprintf(f, "add rule inet %s %s counter\n", table, chain);
        if (fclose(f) != 0)
                return -ENOMEM;

        if (asprintf(&fingerprint, "%016" PRIx64, fingerprint_of(body)) < 0)
                return -ENOMEM;

        f = open_memstream(&out, &out_size);
        if (!f)
                return -ENOMEM;

        fprintf(f, "add table inet %s\n", table);
        fprintf(f, "add map inet %s users { type uid : verdict; }\n", table);
        fprintf(f, "add chain inet %s output { type filter hook output priority filter; policy accept; }\n",
                table);
        if (!state->dispatch_ok) {
                fprintf(f, "flush chain inet %s output\n", table);
                fprintf(f,
                        "add rule inet %s output meta skuid vmap @users comment \"" EGRESS_DISPATCH_COMMENT
                        "\"\n",
                        table);
        }

        fprintf(f, "add chain inet %s %s\n", table, chain);
        fprintf(f, "flush chain inet %s %s\n", table, chain);
        /* Replies and related traffic of connections already allowed, such as the account's own SSH
         * session, always pass. */
        fprintf(f,
                "add rule inet %s %s ct state established,related accept comment "
                "\"" EGRESS_FINGERPRINT_PREFIX "%s\"\n",
                table, chain, fingerprint);
        fputs(body, f);

        for (size_t i = 0; i < state->n_jump_uids; i++)
                if (state->jump_uids[i] != (uint32_t) uid)
                        fprintf(f, "delete element inet %s users { %" PRIu32 " }\n", table,
                                state->jump_uids[i]);
        if (state->uid_elsewhere)
                fprintf(f, "delete element inet %s users { %u }\n", table, (unsigned) uid);
        fprintf(f, "add element inet %s users { %u : jump %s }\n", table, (unsigned) uid, chain);

        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(out);
        *ret_fingerprint = TAKE_PTR(fingerprint);
        return 0;
}

int egress_render_clear(const char *table, const char *user, const EgressState *state, char **ret)
{
        _cleanup_free_ char *chain = NULL, *out = NULL;
        size_t out_size = 0;
        FILE *f;
        int r;

        assert(table);
        assert(user);
        assert(state);
        assert(ret);

        if (!egress_table_name_valid(table))
                return -EINVAL;
        r = chain_name(user, &chain);
        if (r < 0)
                return r;

        if (!state->chain_exists && state->n_jump_uids == 0) {
                *ret = NULL;
                return 0;
        }

        f = open_memstream(&out, &out_size);
        if (!f)
                return -ENOMEM;

        /* The map elements go first: the kernel refuses to delete a chain that a verdict still jumps to. */
        for (size_t i = 0; i < state->n_jump_uids; i++)
                fprintf(f, "delete element inet %s users { %" PRIu32 " }\n", table, state->jump_uids[i]);
        if (state->chain_exists) {
                fprintf(f, "flush chain inet %s %s\n", table, chain);
                fprintf(f, "delete chain inet %s %s\n", table, chain);
        }

        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(out);
        return 0;
}

/* Runs commands through a fresh libnftables context.  ret_output receives the standard output (the JSON
 * listing when json is set). */
static int nft_run(const char *commands, bool json, char **ret_output, char **ret_error)
{
        struct nft_ctx *nft;
        const char *error;
        int r;

        nft = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!nft)
                return -ENOMEM;

        if (nft_ctx_buffer_output(nft) < 0 || nft_ctx_buffer_error(nft) < 0) {
                nft_ctx_free(nft);
                return -ENOMEM;
        }
        if (json)
                nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON);

        r = nft_run_cmd_from_buffer(nft, commands);
        error = nft_ctx_get_error_buffer(nft);

        if (r != 0) {
                if (ret_error) {
                        size_t n = error ? strlen(error) : 0;

                        /* The end of the message names the command that failed. */
                        *ret_error = strdup(n > EGRESS_ERROR_MAX ? error + n - EGRESS_ERROR_MAX : error ?: "");
                }
                nft_ctx_free(nft);
                return -EIO;
        }

        if (ret_output) {
                *ret_output = strdup(nft_ctx_get_output_buffer(nft) ?: "");
                if (!*ret_output) {
                        nft_ctx_free(nft);
                        return -ENOMEM;
                }
        }

        nft_ctx_free(nft);
        return 0;
}

int egress_run(const char *commands, char **ret_error)
{
        assert(commands);

        return nft_run(commands, false, NULL, ret_error);
}

static bool listing_has_table(json_t *tables, const char *table)
{
        size_t i;
        json_t *item;

        json_array_foreach(json_object_get(tables, "nftables"), i, item)
        {
                json_t *t = json_object_get(item, "table");

                if (t && streq(object_string(t, "family") ?: "", "inet") &&
                    streq(object_string(t, "name") ?: "", table))
                        return true;
        }
        return false;
}

int egress_state_read(const char *table, const char *user, uid_t uid, EgressState *ret, char **ret_error)
{
        _cleanup_free_ char *tables_text = NULL, *table_text = NULL, *command = NULL;
        _cleanup_json_ json_t *tables = NULL, *listing = NULL;
        int r;

        assert(table);
        assert(user);
        assert(ret);

        if (!egress_table_name_valid(table))
                return -EINVAL;

        r = nft_run("list tables", true, &tables_text, ret_error);
        if (r < 0)
                return r;
        tables = json_loads(tables_text, 0, NULL);
        if (!tables)
                return -EBADMSG;

        if (listing_has_table(tables, table)) {
                if (asprintf(&command, "list table inet %s", table) < 0)
                        return -ENOMEM;
                r = nft_run(command, true, &table_text, ret_error);
                if (r < 0)
                        return r;
                listing = json_loads(table_text, 0, NULL);
                if (!listing)
                        return -EBADMSG;
        }

        return egress_state_parse(listing, user, uid, ret);
}
