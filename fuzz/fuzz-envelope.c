/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: envelope_parse() on arbitrary request bodies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        Envelope env;
        EnvelopeError error;
        int r = envelope_parse((const char *) data, size, &env, &error);

        /* Every outcome carries a usable request id: the caller's, or a minted ULID. */
        if (r != -ENOMEM) {
                if (!request_id_valid(env.request_id))
                        abort();
                if (env.request_id_minted && strlen(env.request_id) != 26)
                        abort();
        }

        if (r == 0) {
                if (!action_name_valid(env.action) || !json_is_object(env.params) || error.message)
                        abort();
                if (env.timeout_ms > TIMEOUT_MS_MAX)
                        abort();
        } else if (r == -EINVAL) {
                if (error.code != AGENT_INVALID_REQUEST || !error.message)
                        abort();
        } else if (r != -ENOMEM)
                abort();

        envelope_done(&env);
        envelope_error_done(&error);
        return 0;
}
