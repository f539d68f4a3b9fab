/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "validate.h"

/*
 * Outbound traffic rules per account in one nftables table of family inet that the agent owns:
 *
 *   map users { type uid : verdict }            uid -> jump u_<user>
 *   chain output  (hook output, policy accept)  meta skuid vmap @users
 *   chain u_<user>                              established traffic, the allow rules, then log and
 *                                               reject (enforce) or log only (learn)
 *
 * Each change is one nftables transaction, so the kernel applies all of it or none of it.  Other tables,
 * the host's own rules included, are never named in a command.
 */

typedef enum EgressMode {
        EGRESS_ENFORCE,
        EGRESS_LEARN,
        _EGRESS_MODE_MAX,
        _EGRESS_MODE_INVALID = -EINVAL,
} EgressMode;

typedef enum EgressProto {
        EGRESS_PROTO_ANY,
        EGRESS_PROTO_TCP,
        EGRESS_PROTO_UDP,
        _EGRESS_PROTO_MAX,
        _EGRESS_PROTO_INVALID = -EINVAL,
} EgressProto;

const char *egress_mode_to_string(EgressMode m);
EgressMode egress_mode_from_string(const char *s);
const char *egress_proto_to_string(EgressProto p);
EgressProto egress_proto_from_string(const char *s);

#define EGRESS_PORTS_MAX 64

typedef struct EgressPortRange {
        uint16_t first, last;
} EgressPortRange;

typedef struct EgressRule {
        Cidr cidr;
        EgressProto proto;
        EgressPortRange ports[EGRESS_PORTS_MAX]; /* sorted, without overlaps, none for every port */
        size_t n_ports;
} EgressRule;

/* Parses "443" or "8000-8100" (first <= last, decimal without sign or leading zeros).  The
 * ParamStringCheck form is egress_port_check(). */
int egress_port_range_parse(const char *s, EgressPortRange *ret, const char **ret_reason);
int egress_port_check(const char *value, char **ret_normalized, const char **ret_reason);

/* Builds a rule from its request fields: a CIDR, a protocol name (NULL means any) and port ranges, which
 * need tcp or udp and must not overlap.  -EINVAL with a static reason. */
int egress_rule_from_text(const char *cidr, const char *proto, char *const *ports, size_t n_ports,
                          EgressRule *ret, const char **ret_reason);

/* The table name: [a-z][a-z0-9_]{0,31}. */
bool egress_table_name_valid(const char *name);

/* What the table holds for one account. */
typedef struct EgressState {
        bool table_exists;
        bool map_exists;
        bool dispatch_ok;    /* the output chain contains exactly the dispatch rule */
        bool chain_exists;   /* u_<user> */
        char *fingerprint;   /* comment of the chain's first rule, NULL when absent */
        uint32_t *jump_uids; /* every uid that jumps to u_<user>, more than one after a uid change */
        size_t n_jump_uids;
        bool element_ok;    /* uid -> jump u_<user> is in the map */
        bool uid_elsewhere; /* uid jumps to another chain */
} EgressState;

void egress_state_done(EgressState *s);

/* Fills ret from the JSON listing of the table (the output of "list table" with JSON output, or NULL when
 * the table does not exist).  uid (uid_t) -1 means the account no longer exists. */
int egress_state_parse(json_t *listing, const char *user, uid_t uid, EgressState *ret);

/* Returns in *ret the nftables commands that make the account's chain hold exactly the rules, and in
 * *ret_fingerprint the fingerprint they carry.  The fingerprint covers everything the commands set for the
 * account, so a state with the same fingerprint needs no change. */
int egress_render_apply(const char *table, const char *user, uid_t uid, EgressMode mode,
                        const EgressRule *rules, size_t n_rules, const EgressState *state, char **ret,
                        char **ret_fingerprint);

/* Returns in *ret the commands that remove the account's chain and map elements, or NULL when the state
 * contains nothing of the account. */
int egress_render_clear(const char *table, const char *user, const EgressState *state, char **ret);

/* Reads the table through libnftables into ret.  A missing table gives an empty state. */
int egress_state_read(const char *table, const char *user, uid_t uid, EgressState *ret, char **ret_error);

/* Runs commands as one nftables transaction through libnftables.  On failure nothing of it is applied, and
 * *ret_error contains nftables' message, which may quote the commands.  The commands contain no secret. */
int egress_run(const char *commands, char **ret_error);
