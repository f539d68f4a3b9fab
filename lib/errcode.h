/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>

/* The error codes of the wire protocol.  Codes are only ever added, never renamed or renumbered. */
typedef enum AgentCode {
        AGENT_OK = 0,
        AGENT_INVALID_REQUEST,
        AGENT_REQUEST_TOO_LARGE,
        AGENT_UNKNOWN_ACTION,
        AGENT_INVALID_PARAMS,
        AGENT_PERMISSION_DENIED,
        AGENT_NOT_FOUND,
        AGENT_ALREADY_EXISTS,
        AGENT_CONFLICT,
        AGENT_FAILED_PRECONDITION,
        AGENT_UNSAFE_PATH,
        AGENT_CONFIG_INVALID,
        AGENT_COMMAND_FAILED,
        AGENT_BUSY,
        AGENT_TIMEOUT,
        AGENT_UNAVAILABLE,
        AGENT_AUDIT_UNAVAILABLE,
        AGENT_INTERNAL,
        _AGENT_CODE_MAX,
        _AGENT_CODE_INVALID = -EINVAL,
} AgentCode;

/* Returns the wire name ("INVALID_PARAMS"), or NULL for a value outside the enum. */
const char *agent_code_to_string(AgentCode code);
AgentCode agent_code_from_string(const char *s);

/* Returns one sentence on when the code is returned, and whether retrying the same request can help. */
const char *agent_code_description(AgentCode code);
bool agent_code_retryable(AgentCode code);
