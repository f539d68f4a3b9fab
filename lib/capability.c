/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <cap-ng.h>
#include <linux/capability.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "capability.h"
#include "macro.h"

const char *capability_to_name(int cap)
{
        static char buf[64];
        const char *name = capng_capability_to_name((unsigned) cap);

        if (!name)
                return NULL;
        /* libcap-ng returns "chown"; the reference and audit use the kernel's CAP_CHOWN spelling. */
        snprintf(buf, sizeof(buf), "CAP_%s", name);
        for (char *p = buf + 4; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p = (char) (*p - 'a' + 'A');
        return buf;
}

int capability_drop_except(const int *keep)
{
        int kept[CAP_LAST_CAP + 1];
        size_t n = 0;

        capng_get_caps_process();

        /* A process without capabilities (an unprivileged test run) has nothing to drop. */
        if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
                return 0;

        /* A capability outside the permitted set (the unit's CapabilityBoundingSet= left it out) cannot be
         * kept; asking for it would make capng_apply() fail for every action that lists it. */
        for (const int *c = keep; c && *c >= 0 && n < ELEMENTSOF(kept); c++)
                if (*c <= CAP_LAST_CAP && capng_have_capability(CAPNG_PERMITTED, (unsigned) *c))
                        kept[n++] = *c;

        capng_clear(CAPNG_SELECT_ALL);
        for (size_t i = 0; i < n; i++)
                if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
                                 (unsigned) kept[i]) < 0)
                        return -EINVAL;

        /* CAPNG_SELECT_ALL applies the bounding set too; that needs CAP_SETPCAP, which goes last. */
        if (capng_apply(CAPNG_SELECT_ALL) < 0)
                return -EPERM;

        return 0;
}

char *capability_effective_list(void)
{
        char *s = strdup("");

        capng_get_caps_process();
        for (unsigned c = 0; s && c <= CAP_LAST_CAP; c++) {
                char *longer = NULL;

                if (!capng_have_capability(CAPNG_EFFECTIVE, c))
                        continue;
                if (asprintf(&longer, "%s%s%s", s, *s ? " " : "", capability_to_name((int) c) ?: "?") < 0)
                        longer = NULL;
                free(s);
                s = longer;
        }
        return s;
}
