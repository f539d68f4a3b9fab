/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/socket.h>

#include "macro.h"
#include "policy.h"

int peer_get(int fd, PeerInfo *ret)
{
        struct ucred cred;
        socklen_t len = sizeof(cred);
        PeerInfo p = {};

        assert(ret);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return -errno;
        if (len != sizeof(cred))
                return -EIO;

        p.uid = cred.uid;
        p.gid = cred.gid;
        p.pid = cred.pid;

        /* The supplementary groups as the kernel recorded them for the caller, not as the group database
         * lists them now: a panel process started before a group change keeps the groups it started with. */
        len = sizeof(p.groups);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, p.groups, &len) == 0) {
                p.n_groups = len / sizeof(gid_t);
                p.have_groups = true;
        }

        *ret = p;
        return 0;
}

static bool list_matches(char **patterns, const char *name)
{
        for (char **p = patterns; p && *p; p++)
                if (fnmatch(*p, name, 0) == 0)
                        return true;
        return false;
}

static bool peer_in_group(const PeerInfo *peer, const char *group)
{
        struct group *gr = getgrnam(group);
        struct passwd *pw;

        if (!gr)
                return false;
        if (peer->gid == gr->gr_gid)
                return true;

        if (peer->have_groups) {
                for (size_t i = 0; i < peer->n_groups; i++)
                        if (peer->groups[i] == gr->gr_gid)
                                return true;
                return false;
        }

        pw = getpwuid(peer->uid);
        if (!pw)
                return false;
        for (char **m = gr->gr_mem; m && *m; m++)
                if (streq(*m, pw->pw_name))
                        return true;
        return false;
}

static bool peer_is_listed_user(const PeerInfo *peer, char **users)
{
        for (char **u = users; u && *u; u++) {
                struct passwd *pw = getpwnam(*u);
                if (pw && pw->pw_uid == peer->uid)
                        return true;
        }
        return false;
}

bool policy_peer_known(const AgentConfig *c, const PeerInfo *peer)
{
        _cleanup_strv_free_ char **groups = config_get_list(c, "policy", "allowed_groups");
        _cleanup_strv_free_ char **users = config_get_list(c, "policy", "allowed_users");

        if (peer->uid == 0)
                return true;
        for (char **g = groups; g && *g; g++)
                if (peer_in_group(peer, *g))
                        return true;
        return peer_is_listed_user(peer, users);
}

static bool action_root_only(const Action *a, const AgentConfig *c)
{
        _cleanup_strv_free_ char **root_only = config_get_list(c, "policy", "root_only");

        return a->policy == CALLER_ROOT || list_matches(root_only, a->name);
}

static bool action_denied(const Action *a, const AgentConfig *c)
{
        _cleanup_strv_free_ char **denied = config_get_list(c, "policy", "denied");

        return list_matches(denied, a->name);
}

int policy_check(const AgentConfig *c, const Action *a, const PeerInfo *peer, const char **ret_reason)
{
        assert(a);
        assert(peer);

        if (action_denied(a, c)) {
                *ret_reason = "the action is disabled on this host";
                return -EPERM;
        }
        if (action_root_only(a, c)) {
                if (peer->uid == 0)
                        return 0;
                *ret_reason = "the action is for root only";
                return -EPERM;
        }
        if (policy_peer_known(c, peer))
                return 0;

        *ret_reason = "the caller is neither root nor in an allowed group";
        return -EPERM;
}

json_t *policy_describe(const Action *a, const AgentConfig *c)
{
        _cleanup_strv_free_ char **groups = config_get_list(c, "policy", "allowed_groups");
        _cleanup_strv_free_ char **users = config_get_list(c, "policy", "allowed_users");
        bool root_only = action_root_only(a, c);
        json_t *g = json_array(), *u = json_array();

        for (char **p = groups; !root_only && p && *p; p++)
                json_array_append_new(g, json_string(*p));
        for (char **p = users; !root_only && p && *p; p++)
                json_array_append_new(u, json_string(*p));

        return json_pack("{s:b, s:b, s:o, s:o}", "root_only", root_only, "denied", action_denied(a, c),
                         "groups", g, "users", u);
}
