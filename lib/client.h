/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <jansson.h>

/* Sends one request over the agent's socket and returns the parsed response.  Returns 0, -ECONNREFUSED,
 * -ENOENT etc. for connection failures, -EBADMSG for a response that is not a valid frame or object. */
int client_call(const char *socket_path, json_t *request, unsigned timeout_ms, json_t **ret_response);
