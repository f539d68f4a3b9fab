/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: frame_parse_buffer() on arbitrary bytes, under two maximum sizes. */
#include <stdint.h>
#include <stdlib.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_limit(const uint8_t *data, size_t size, size_t max)
{
        const uint8_t *body = NULL;
        size_t body_size = 0;
        FrameError e = frame_parse_buffer(data, size, max, &body, &body_size);

        if (e < 0 || e >= _FRAME_ERROR_MAX || !frame_error_to_string(e))
                abort();
        if (e != FRAME_OK)
                return;

        /* A parsed body lies inside the buffer, after the header, and within the limit. */
        if (body != data + FRAME_HEADER_SIZE || body_size == 0 || body_size > max ||
            body_size > size - FRAME_HEADER_SIZE)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        check_limit(data, size, 64);
        check_limit(data, size, 1024u * 1024u);
        return 0;
}
