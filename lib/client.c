/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <assert.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "client.h"
#include "frame.h"
#include "macro.h"

#define CLIENT_RESPONSE_MAX (64u * 1024u * 1024u)

int client_call(const char *socket_path, json_t *request, unsigned timeout_ms, json_t **ret_response)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *text = NULL, *body = NULL;
        size_t size = 0;
        int io_errno = 0, r;

        assert(socket_path);
        assert(request);
        assert(ret_response);

        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, socket_path);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;

        text = json_dumps(request, JSON_COMPACT);
        if (!text)
                return -ENOMEM;
        r = frame_write(fd, text, strlen(text), timeout_ms);
        if (r < 0)
                return r;

        FrameError fe = frame_read(fd, CLIENT_RESPONSE_MAX, timeout_ms, &body, &size, &io_errno);
        if (fe == FRAME_TIMEOUT)
                return -ETIMEDOUT;
        if (fe == FRAME_IO)
                return -io_errno;
        if (fe != FRAME_OK)
                return -EBADMSG;

        json_t *response = json_loadb(body, size, JSON_REJECT_DUPLICATES, NULL);
        if (!json_is_object(response)) {
                json_decref(response);
                return -EBADMSG;
        }

        *ret_response = response;
        return 0;
}
