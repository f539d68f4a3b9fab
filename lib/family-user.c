/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The account family: Unix accounts and what belongs to each (keys, quota, slice limits, egress rules). */
#include "user-family.h"

const Action *const user_family_actions[] = {
        &action_user_create,       &action_user_delete,       &action_sshkey_write,
        &action_quota_set,         &action_user_limits_apply, &action_user_limits_clear,
        &action_user_egress_apply, &action_user_egress_clear, NULL,
};
