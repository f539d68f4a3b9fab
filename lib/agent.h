/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "config.h"

/*
 * Serves one connection: reads one request frame from in_fd, identifies the caller on peer_fd, checks and
 * dispatches the request, writes the response to out_fd and the audit records to the journal.  Returns 0
 * when a response was handled (successfully or with an error response, or the peer hung up), a negative
 * errno when the agent itself failed: the response could not be written for another reason, or the
 * final audit record failed while [audit] fail_closed is on.
 */
int agent_serve(const AgentConfig *c, int in_fd, int out_fd);
