/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/apparmor.h>

#include "capability.h"
#include "confine.h"
#include "macro.h"

bool confine_apparmor_enabled(void)
{
        return aa_is_enabled() > 0;
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

int confine_enter(const AgentConfig *c, const Action *a, char **ret_apparmor, char **ret_capabilities)
{
        _cleanup_free_ char *state = NULL, *caps = NULL;
        int r;

        assert(a);
        assert(ret_apparmor);
        assert(ret_capabilities);

        r = apparmor_enter(c, a, &state);
        if (r < 0) {
                *ret_apparmor = TAKE_PTR(state);
                return r;
        }

        /* The unit cannot set NoNewPrivileges=, because the kernel refuses a change into a subprofile
         * under no_new_privs.  Set it here, after the change, so no program a handler runs can gain
         * privileges through a setuid or file-capability binary. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                *ret_apparmor = TAKE_PTR(state);
                return -errno;
        }

        if (config_get_bool(c, "agent", "drop_capabilities")) {
                r = capability_drop_except(a->capabilities);
                if (r < 0) {
                        *ret_apparmor = TAKE_PTR(state);
                        return r;
                }
                caps = capability_effective_list();
                if (caps && !*caps) {
                        free(caps);
                        caps = strdup("none");
                }
        } else
                caps = strdup("all");
        if (!caps)
                return -ENOMEM;

        *ret_apparmor = TAKE_PTR(state);
        *ret_capabilities = TAKE_PTR(caps);
        return 0;
}
