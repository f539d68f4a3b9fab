/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * null-responder: the baseline for the benchmarks.  Started the same way as the agent (fd 3 from socket
 * activation, or a socket on stdin), it reads one frame and writes a fixed pong frame, with no
 * configuration, parsing, policy, audit or confinement.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <systemd/sd-daemon.h>

#include "frame.h"
#include "macro.h"

int main(void)
{
        static const char response[] = "{\"request_id\":\"null\",\"ok\":true,\"result\":{\"pong\":true}}";
        _cleanup_free_ char *body = NULL;
        size_t size = 0;
        int fd = sd_listen_fds(true) == 1 ? SD_LISTEN_FDS_START : STDIN_FILENO;
        int out = fd == STDIN_FILENO ? STDOUT_FILENO : fd;

        if (frame_read(fd, 1u << 20, 10000, &body, &size, NULL) != FRAME_OK)
                return 1;
        return frame_write(out, response, strlen(response), 10000) < 0 ? 1 : 0;
}
