/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procpoll: watches every process's command line and environment for strings.
 *
 *   procpoll SECONDS < NEEDLES
 *
 * NEEDLES has one string per line; they are read from standard input so that they never appear in the
 * command line of procpoll itself.  For SECONDS seconds (or until SIGTERM) it reads /proc/PID/cmdline and
 * /proc/PID/environ of every process over and over, with the permissions of the user it runs as.  It
 * prints one line "found NEEDLE PID cmdline|environ COMMAND" the first time it finds a needle in a process,
 * and finally "scans N" with the number of passes over /proc.  Exit status 0 when it saw no needle, 1
 * when it saw one, 2 on usage errors.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READ_MAX    (256u * 1024u)
#define NEEDLES_MAX 8
#define HITS_MAX    256

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
        stop = 1;
}

static ssize_t read_file(const char *path, char *buf)
{
        ssize_t n, total = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -1;
        while (total < (ssize_t) READ_MAX && (n = read(fd, buf + total, READ_MAX - (size_t) total)) > 0)
                total += n;
        close(fd);
        return total;
}

typedef struct Hit {
        long pid;
        int needle;
        bool environ;
} Hit;

static Hit hits[HITS_MAX];
static size_t n_hits;

/* Returns true the first time this process, needle and file are reported. */
static bool hit_new(long pid, int needle, bool in_environ)
{
        for (size_t i = 0; i < n_hits; i++)
                if (hits[i].pid == pid && hits[i].needle == needle && hits[i].environ == in_environ)
                        return false;
        if (n_hits < HITS_MAX)
                hits[n_hits++] = (Hit){ pid, needle, in_environ };
        return true;
}

int main(int argc, char **argv)
{
        static char buf[READ_MAX], cmd[READ_MAX];
        char *needles[NEEDLES_MAX];
        int n_needles = 0;
        unsigned long scans = 0;
        bool seen = false;
        size_t size = 0;
        char *line = NULL;
        time_t end;

        if (argc != 2) {
                fprintf(stderr, "Usage: procpoll SECONDS < NEEDLES\n");
                return 2;
        }
        while (n_needles < NEEDLES_MAX && getline(&line, &size, stdin) > 0) {
                line[strcspn(line, "\n")] = 0;
                if (*line)
                        needles[n_needles++] = strdup(line);
        }
        if (n_needles == 0) {
                fprintf(stderr, "procpoll: no needles on standard input\n");
                return 2;
        }

        end = time(NULL) + atoi(argv[1]);
        signal(SIGTERM, on_term);
        setvbuf(stdout, NULL, _IOLBF, 0);

        while (!stop && time(NULL) < end) {
                DIR *d = opendir("/proc");
                struct dirent *de;

                if (!d)
                        return 2;
                while ((de = readdir(d))) {
                        static const char *const files[] = { "cmdline", "environ" };
                        char path[300];

                        if (de->d_name[0] < '1' || de->d_name[0] > '9')
                                continue;

                        for (int f = 0; f < 2; f++) {
                                ssize_t n;

                                snprintf(path, sizeof(path), "/proc/%s/%s", de->d_name, files[f]);
                                n = read_file(path, buf);
                                if (n <= 0)
                                        continue;

                                for (int k = 0; k < n_needles; k++) {
                                        if (!memmem(buf, (size_t) n, needles[k], strlen(needles[k])))
                                                continue;
                                        seen = true;
                                        if (!hit_new(atol(de->d_name), k, f == 1))
                                                continue;

                                        snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
                                        n = read_file(path, cmd);
                                        for (ssize_t i = 0; i + 1 < n; i++)
                                                if (cmd[i] == 0)
                                                        cmd[i] = ' ';
                                        printf("found %s %s %s %.*s\n", needles[k], de->d_name, files[f],
                                               n > 0 ? (int) n : 0, cmd);
                                }
                        }
                }
                closedir(d);
                scans++;
        }

        printf("scans %lu\n", scans);
        return seen ? 1 : 0;
}
