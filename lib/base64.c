/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base64.h"
#include "macro.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *data, size_t size, char **ret)
{
        const uint8_t *in = data;
        char *out, *p;

        assert(data || size == 0);
        assert(ret);

        if (size > (SIZE_MAX - 1) / 4 * 3 - 2)
                return -ENOMEM;

        out = malloc((size + 2) / 3 * 4 + 1);
        if (!out)
                return -ENOMEM;

        p = out;
        for (size_t i = 0; i < size; i += 3) {
                uint32_t group = (uint32_t) in[i] << 16;
                size_t left = size - i;

                if (left > 1)
                        group |= (uint32_t) in[i + 1] << 8;
                if (left > 2)
                        group |= in[i + 2];

                *p++ = alphabet[(group >> 18) & 63];
                *p++ = alphabet[(group >> 12) & 63];
                *p++ = left > 1 ? alphabet[(group >> 6) & 63] : '=';
                *p++ = left > 2 ? alphabet[group & 63] : '=';
        }
        *p = 0;

        *ret = out;
        return 0;
}

static int decode_char(char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

int base64_decode(const char *text, size_t length, uint8_t **ret, size_t *ret_size)
{
        _cleanup_free_ uint8_t *out = NULL;
        size_t n = 0;

        assert(text || length == 0);
        assert(ret);
        assert(ret_size);

        if (length % 4 != 0)
                return -EINVAL;

        /* One spare byte so that an empty input still yields a valid allocation. */
        out = malloc(length / 4 * 3 + 1);
        if (!out)
                return -ENOMEM;

        for (size_t i = 0; i < length; i += 4) {
                bool last = i + 4 == length;
                int v[4];
                unsigned pad = 0;
                uint32_t group = 0;

                for (size_t j = 0; j < 4; j++) {
                        char c = text[i + j];

                        if (c == '=' && last && j >= 2) {
                                pad++;
                                v[j] = 0;
                                continue;
                        }
                        /* A data character after padding, or padding anywhere else, is invalid. */
                        if (pad > 0)
                                return -EINVAL;
                        v[j] = decode_char(c);
                        if (v[j] < 0)
                                return -EINVAL;
                }

                group = (uint32_t) v[0] << 18 | (uint32_t) v[1] << 12 | (uint32_t) v[2] << 6 |
                        (uint32_t) v[3];

                /* The bits the padding leaves unused must be zero, or two texts would decode the same. */
                if ((pad == 1 && (group & 0xff) != 0) || (pad == 2 && (group & 0xffff) != 0))
                        return -EINVAL;

                out[n++] = group >> 16;
                if (pad < 2)
                        out[n++] = (group >> 8) & 0xff;
                if (pad < 1)
                        out[n++] = group & 0xff;
        }

        *ret = TAKE_PTR(out);
        *ret_size = n;
        return 0;
}
