/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "action.h"
#include "config.h"

#define PEER_GROUPS_MAX 256

/* The caller as the kernel saw it when it connected (SO_PEERCRED, SO_PEERGROUPS). */
typedef struct PeerInfo {
        uid_t uid;
        gid_t gid;
        pid_t pid; /* 0 when the caller is in another pid namespace */
        gid_t groups[PEER_GROUPS_MAX];
        size_t n_groups;
        bool have_groups; /* SO_PEERGROUPS worked; otherwise the user database is asked */
} PeerInfo;

/* Reads the credentials of the socket's peer.  Returns -ENOTSOCK when fd is not a Unix socket. */
int peer_get(int fd, PeerInfo *ret);

/*
 * Decides whether the peer may run the action: denied actions ([policy] denied) for nobody; root-only
 * actions (built-in CALLER_ROOT or [policy] root_only) for uid 0; the rest for uid 0, members of
 * [policy] allowed_groups and [policy] allowed_users.  Returns 0 when allowed, -EPERM with a static reason
 * otherwise.
 */
int policy_check(const AgentConfig *c, const Action *a, const PeerInfo *peer, const char **ret_reason);

/* Decides whether any action at all is open to the peer (the check before the request is even parsed). */
bool policy_peer_known(const AgentConfig *c, const PeerInfo *peer);

/* Returns the effective policy of an action for agent.actions: {"root_only", "denied", "groups", "users"}.
 */
json_t *policy_describe(const Action *a, const AgentConfig *c);
