/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/apparmor.h>

#include "capability.h"
#include "confine.h"
#include "landlock.h"
#include "macro.h"
#include "write-set.h"

bool confine_apparmor_enabled(void)
{
        return aa_is_enabled() > 0;
}

void confine_report_done(ConfineReport *r)
{
        assert(r);

        free(r->apparmor);
        free(r->landlock);
        free(r->capabilities);
        *r = (ConfineReport){};
}

static int apparmor_enter(const AgentConfig *c, const Action *a, char **ret_state)
{
        const char *mode = config_get(c, "agent", "apparmor");
        char *profile = NULL;

        if (streq(mode, "off")) {
                *ret_state = strdup("off");
                return *ret_state ? 0 : -ENOMEM;
        }

        if (!confine_apparmor_enabled()) {
                *ret_state = strdup("unavailable");
                if (!*ret_state)
                        return -ENOMEM;
                return streq(mode, "require") ? -EOPNOTSUPP : 0;
        }

        if (asprintf(&profile, "%s//%s", APPARMOR_PROFILE, action_family_to_string(a->family)) < 0)
                return -ENOMEM;

        if (aa_change_profile(profile) < 0) {
                int r = -errno;
                char *state = NULL;

                if (asprintf(&state, "failed to enter %s: %s", profile, strerror(errno)) < 0)
                        state = NULL;
                free(profile);
                *ret_state = state;
                /* In auto mode a missing profile is tolerated like a missing AppArmor, and reported. */
                return streq(mode, "require") ? r : 0;
        }

        *ret_state = profile;
        return 0;
}

/* Joins the words of v after prefix, separated by spaces. */
static int strv_join(const char *prefix, char *const *v, char **ret)
{
        size_t len = strlen(prefix);
        char *s, *p;

        for (char *const *w = v; *w; w++)
                len += 1 + strlen(*w);
        s = malloc(len + 1);
        if (!s)
                return -ENOMEM;

        p = stpcpy(s, prefix);
        for (char *const *w = v; *w; w++) {
                *p++ = ' ';
                p = stpcpy(p, *w);
        }
        *ret = s;
        return 0;
}

/* Top-level directories that no action reads: root's keys and credentials are never an action's input,
 * so a symlink planted in a tenant's tree leads nowhere even if a program follows it. */
static char *const unreadable_top_dirs[] = { (char *) "root", NULL };

static int landlock_state(int abi, char *const *paths, char *const *missing, char **ret_state)
{
        _cleanup_free_ char *prefix = NULL, *written = NULL, *absent = NULL;
        int r;

        if (asprintf(&prefix, "abi %d:", abi) < 0)
                return -ENOMEM;
        r = strv_join(prefix, paths, &written);
        if (r < 0)
                return r;
        if (*missing) {
                r = strv_join("; missing:", missing, &absent);
                if (r < 0)
                        return r;
        }

        if (asprintf(ret_state, "%s%s; unreadable: /root", written, absent ?: "") < 0)
                return -ENOMEM;
        return 0;
}

static int landlock_enter(const AgentConfig *c, const Action *a, char **ret_state)
{
        const char *mode = config_get(c, "agent", "landlock");
        _cleanup_strv_free_ char **paths = NULL, **missing = NULL;
        const char *failed_path = NULL;
        char *state = NULL;
        int abi, r;

        if (streq(mode, "off")) {
                *ret_state = strdup("off");
                return *ret_state ? 0 : -ENOMEM;
        }

        r = write_set_resolve(c, a, &paths, &missing);
        if (r < 0)
                return r;

        abi = landlock_restrict(paths, "/", unreadable_top_dirs, &failed_path);
        if (abi == -EOPNOTSUPP) {
                *ret_state = strdup("unavailable");
                if (!*ret_state)
                        return -ENOMEM;
                return streq(mode, "require") ? abi : 0;
        }
        if (abi < 0) {
                /* For example the system call filter rejects the Landlock calls, or a path vanished. */
                if (asprintf(&state, "failed to restrict writes%s%s: %s", failed_path ? " to " : "",
                             failed_path ?: "", strerror(-abi)) < 0)
                        state = NULL;
                *ret_state = state;
                return streq(mode, "require") ? abi : 0;
        }

        r = landlock_state(abi, paths, missing, &state);
        if (r < 0)
                return r;
        *ret_state = state;
        return 0;
}

static int capabilities_enter(const AgentConfig *c, const Action *a, char **ret_state)
{
        char *caps;
        int r;

        if (!config_get_bool(c, "agent", "drop_capabilities")) {
                *ret_state = strdup("all");
                return *ret_state ? 0 : -ENOMEM;
        }

        r = capability_drop_except(a->capabilities);
        if (r < 0)
                return r;

        /* The capabilities actually kept: those the action declares and the unit's bounding set allows. */
        caps = capability_effective_list();
        if (caps && !*caps) {
                free(caps);
                caps = strdup("none");
        }
        if (!caps)
                return -ENOMEM;
        *ret_state = caps;
        return 0;
}

int confine_enter(const AgentConfig *c, const Action *a, ConfineReport *ret)
{
        int r;

        assert(a);
        assert(ret);

        *ret = (ConfineReport){};

        r = apparmor_enter(c, a, &ret->apparmor);
        if (r < 0) {
                ret->failed = "AppArmor";
                return r;
        }

        /* The unit cannot set NoNewPrivileges=, because the kernel refuses a change into a subprofile
         * under no_new_privs.  Set it here, after the change. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                ret->failed = "no_new_privs";
                return -errno;
        }

        /* Before the capabilities go: opening the paths of the rules may need them. */
        r = landlock_enter(c, a, &ret->landlock);
        if (r < 0) {
                ret->failed = "Landlock";
                return r;
        }

        r = capabilities_enter(c, a, &ret->capabilities);
        if (r < 0) {
                ret->failed = "capabilities";
                return r;
        }

        return 0;
}
