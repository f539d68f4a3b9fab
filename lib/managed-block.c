/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"
#include "managed-block.h"

typedef struct BlockSpan {
        bool found;
        size_t begin; /* offset of the begin marker line */
        size_t inner; /* offset of the first line after the begin marker */
        size_t close; /* offset of the end marker line */
        size_t after; /* offset just past the end marker line and its newline */
} BlockSpan;

static bool line_is(const char *line, size_t length, const char *marker)
{
        return length == strlen(marker) && memcmp(line, marker, length) == 0;
}

static int block_find(const char *text, const char *begin, const char *end, BlockSpan *ret)
{
        BlockSpan span = {};
        bool inside = false;
        size_t offset = 0, total = strlen(text);

        while (offset < total) {
                const char *nl = memchr(text + offset, '\n', total - offset);
                size_t length = nl ? (size_t) (nl - (text + offset)) : total - offset;
                size_t next = offset + length + (nl ? 1 : 0);

                if (line_is(text + offset, length, begin)) {
                        if (inside || span.found)
                                return -EBADMSG;
                        inside = true;
                        span.begin = offset;
                        span.inner = next;
                } else if (line_is(text + offset, length, end)) {
                        if (!inside)
                                return -EBADMSG;
                        inside = false;
                        span.found = true;
                        span.close = offset;
                        span.after = next;
                }

                offset = next;
        }

        if (inside)
                return -EBADMSG;

        *ret = span;
        return 0;
}

int managed_block_replace(const char *text, const char *begin, const char *end, const char *const *lines,
                          size_t n, char **ret)
{
        _cleanup_free_ char *out = NULL;
        BlockSpan span;
        size_t size = 0, head, tail;
        FILE *f;
        int r;

        assert(text);
        assert(begin);
        assert(end);
        assert(lines || n == 0);
        assert(ret);

        for (size_t i = 0; i < n; i++)
                if (strchr(lines[i], '\n') || streq(lines[i], begin) || streq(lines[i], end))
                        return -EINVAL;

        r = block_find(text, begin, end, &span);
        if (r < 0)
                return r;

        /* Without a block, the new one goes after the whole text.  With one, it takes the old one's place.
         */
        head = span.found ? span.begin : strlen(text);
        tail = span.found ? span.after : strlen(text);

        f = open_memstream(&out, &size);
        if (!f)
                return -ENOMEM;

        fwrite(text, 1, head, f);
        if (n > 0) {
                if (head > 0 && text[head - 1] != '\n')
                        fputc('\n', f);
                fprintf(f, "%s\n", begin);
                for (size_t i = 0; i < n; i++)
                        fprintf(f, "%s\n", lines[i]);
                fprintf(f, "%s\n", end);
        }
        fputs(text + tail, f);

        if (fclose(f) != 0)
                return -ENOMEM;

        *ret = TAKE_PTR(out);
        return 0;
}

int managed_block_lines(const char *text, const char *begin, const char *end, char ***ret)
{
        _cleanup_strv_free_ char **list = NULL;
        BlockSpan span;
        size_t n = 0, offset;
        int r;

        assert(text);
        assert(ret);

        r = block_find(text, begin, end, &span);
        if (r < 0)
                return r;

        list = calloc(1, sizeof(char *));
        if (!list)
                return -ENOMEM;

        for (offset = span.found ? span.inner : 0; span.found && offset < span.close;) {
                const char *nl = memchr(text + offset, '\n', span.close - offset);
                size_t length = nl ? (size_t) (nl - (text + offset)) : span.close - offset;
                char **longer = reallocarray(list, n + 2, sizeof(char *));

                if (!longer)
                        return -ENOMEM;
                list = longer;
                list[n] = strndup(text + offset, length);
                if (!list[n])
                        return -ENOMEM;
                list[++n] = NULL;
                offset += length + 1;
        }

        *ret = TAKE_PTR(list);
        return 0;
}
