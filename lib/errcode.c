/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "errcode.h"
#include "macro.h"

typedef struct CodeInfo {
        const char *name;
        bool retryable;
        const char *description;
} CodeInfo;

static const CodeInfo code_table[_AGENT_CODE_MAX] = {
        [AGENT_OK] = { "OK", false, "The request succeeded." },
        [AGENT_INVALID_REQUEST] = { "INVALID_REQUEST", false,
                                    "The frame or the envelope is malformed: bad length prefix, invalid "
                                    "UTF-8, "
                                    "not a JSON object, a missing or unknown top-level key, a duplicate "
                                    "key, "
                                    "or a request_id outside the allowed characters." },
        [AGENT_REQUEST_TOO_LARGE] = { "REQUEST_TOO_LARGE", false,
                                      "The length prefix exceeds the configured maximum request size." },
        [AGENT_UNKNOWN_ACTION] = { "UNKNOWN_ACTION", false,
                                   "The action is not in the registry of this agent version." },
        [AGENT_INVALID_PARAMS] = { "INVALID_PARAMS", false,
                                   "A parameter is missing, unknown, of the wrong JSON type or outside its "
                                   "constraint; details.param names it." },
        [AGENT_PERMISSION_DENIED] = { "PERMISSION_DENIED", false,
                                      "The caller may not run this action, or the target is an account or "
                                      "resource the agent does not manage." },
        [AGENT_NOT_FOUND] = { "NOT_FOUND", false, "The resource named by the request does not exist." },
        [AGENT_ALREADY_EXISTS] = { "ALREADY_EXISTS", false,
                                   "The resource to create exists already and differs from the request." },
        [AGENT_CONFLICT] = { "CONFLICT", false,
                             "The request contradicts host state owned by someone else, such as a domain "
                             "served for another account." },
        [AGENT_FAILED_PRECONDITION] = { "FAILED_PRECONDITION", true,
                                        "The host is not in the state the action needs (for example the "
                                        "account does not exist yet); retry after fixing that state." },
        [AGENT_UNSAFE_PATH] = { "UNSAFE_PATH", false,
                                "A path inside a tenant tree is a symlink or leaves the tree; nothing was "
                                "changed through it." },
        [AGENT_CONFIG_INVALID] = { "CONFIG_INVALID", false,
                                   "The service rejected the generated configuration in its test; the "
                                   "previous configuration was restored and nothing was reloaded." },
        [AGENT_COMMAND_FAILED] = { "COMMAND_FAILED", true,
                                   "A host program failed; details carry its exit status and the tail of "
                                   "its standard error." },
        [AGENT_BUSY] = { "BUSY", true,
                         "Another request holds the lock on the same resource beyond the wait limit." },
        [AGENT_TIMEOUT] = { "TIMEOUT", true,
                            "The request did not arrive in time, or the action ran past its deadline; the "
                            "action may have partly run, so read the state before retrying." },
        [AGENT_UNAVAILABLE] = { "UNAVAILABLE", true,
                                "A service the action needs is not reachable, or confinement required by "
                                "the configuration is not available." },
        [AGENT_AUDIT_UNAVAILABLE] = { "AUDIT_UNAVAILABLE", true,
                                      "The audit record could not be written, so the changing action was "
                                      "not performed." },
        [AGENT_INTERNAL] = { "INTERNAL", false, "A bug or an unexpected host error inside the agent." },
};

const char *agent_code_to_string(AgentCode code)
{
        if (code < 0 || code >= _AGENT_CODE_MAX)
                return NULL;
        return code_table[code].name;
}

AgentCode agent_code_from_string(const char *s)
{
        if (!s)
                return _AGENT_CODE_INVALID;
        for (int i = 0; i < _AGENT_CODE_MAX; i++)
                if (streq(code_table[i].name, s))
                        return (AgentCode) i;
        return _AGENT_CODE_INVALID;
}

const char *agent_code_description(AgentCode code)
{
        if (code < 0 || code >= _AGENT_CODE_MAX)
                return NULL;
        return code_table[code].description;
}

bool agent_code_retryable(AgentCode code)
{
        if (code < 0 || code >= _AGENT_CODE_MAX)
                return false;
        return code_table[code].retryable;
}
