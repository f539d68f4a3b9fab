/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <cap-ng.h>
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
        capng_get_caps_process();

        /* A process without capabilities (an unprivileged test run) has nothing to drop. */
        if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
                return 0;

        capng_clear(CAPNG_SELECT_ALL);

        for (const int *c = keep; c && *c >= 0; c++)
                if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
                                 (unsigned) *c) < 0)
                        return -EINVAL;

        /* CAPNG_SELECT_ALL applies the bounding set too; that needs CAP_SETPCAP, which goes last. */
        if (capng_apply(CAPNG_SELECT_ALL) < 0)
                return -EPERM;

        return 0;
}
