/* SPDX-License-Identifier: GPL-2.0-or-later */

/* frame-bench: measures request round trips against one or more Unix stream sockets, side by side.
 *
 * A round trip is connect, send one agent.ping frame, read the response frame and close.  It is timed with
 * CLOCK_MONOTONIC from before connect() to after the response.  By default the sockets are measured in
 * turns, one round trip each, and the first socket of a round rotates, so slow phases of the machine hit
 * every socket alike.  In turns, a cheap unit measured next to a heavily sandboxed one comes out slower than
 * on its own, probably because the teardown of the previous sandboxed instance still runs, so --blocks
 * measures all round trips of one socket before the next instead.  Every response must be a JSON object
 * with "ok": true, otherwise the run fails.
 *
 * Output: one line per socket with the count and the 50th, 90th and 99th percentiles (nearest rank), the
 * minimum and the maximum, in milliseconds.  With --raw, one line per round trip instead: the label and
 * the milliseconds, so that several runs can be pooled. */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "frame-io.h"
#include "macro.h"

#define RESPONSE_MAX (1024u * 1024)
#define COUNT_MAX    1000000u

typedef struct Target {
        const char *label;
        const char *path;
        double *samples_ms;
} Target;

static void usage(FILE *f)
{
        fputs("Usage: frame-bench [--count N] [--warmup N] [--blocks] [--raw] LABEL=SOCKET...\n"
              "Time agent.ping round trips (connect, request, response, close) against each socket.\n"
              "\n"
              "  --count N    measured round trips per socket (default 200)\n"
              "  --warmup N   unmeasured round trips per socket before measuring (default 10)\n"
              "  --blocks     measure the sockets one after the other instead of in turns\n"
              "  --raw        print every round trip (label and milliseconds) instead of percentiles\n"
              "  -h, --help   show this help\n",
              f);
}

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1000.0 + (double) ts.tv_nsec / 1e6;
}

static int check_response(const char *payload, size_t size)
{
        _cleanup_json_ json_t *response = NULL;

        assert(payload);

        response = json_loadb(payload, size, 0, NULL);
        if (!json_is_object(response))
                return -EBADMSG;
        if (!json_is_true(json_object_get(response, "ok")))
                return -EPROTO;
        return 0;
}

/* Performs one round trip and stores its duration in *ret_ms. */
static int round_trip(const char *path, const char *request, double *ret_ms)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *response = NULL;
        _cleanup_close_ int fd = -1;
        size_t size;
        double start, elapsed;
        int r;

        assert(path);
        assert(request);
        assert(ret_ms);

        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);

        start = now_ms();

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -errno;

        r = frame_write(fd, request, strlen(request));
        if (r < 0)
                return r;
        r = frame_read(fd, RESPONSE_MAX, &response, &size);
        if (r < 0)
                return r;

        elapsed = now_ms() - start;

        r = check_response(response, size);
        if (r < 0)
                return r;

        *ret_ms = elapsed;
        return 0;
}

static int compare_double(const void *a, const void *b)
{
        double x = *(const double *) a, y = *(const double *) b;

        return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static double percentile(const double *sorted, size_t n, unsigned p)
{
        size_t rank = ((size_t) p * n + 99) / 100;

        assert(n > 0);
        return sorted[rank == 0 ? 0 : rank - 1];
}

/* Performs round trip number `round` to one target and records it once the warm-up is over.  Returns the
 * exit status: 0, or 1 after printing why the round trip failed. */
static int measure(Target *t, unsigned round, unsigned warmup)
{
        char request[128];
        double ms = 0;
        int r;

        assert(t);

        snprintf(request, sizeof request,
                 "{\"action\":\"agent.ping\",\"params\":{},\"request_id\":\"bench-%u\"}", round);
        r = round_trip(t->path, request, &ms);
        if (r < 0) {
                fprintf(stderr, "frame-bench: round trip %u to %s (%s) failed: %s\n", round, t->label,
                        t->path, strerror(-r));
                return 1;
        }
        if (round >= warmup)
                t->samples_ms[round - warmup] = ms;
        return 0;
}

static int parse_count(const char *s, unsigned *ret)
{
        char *end = NULL;
        unsigned long v;

        if (!*s || *s == '-')
                return -EINVAL;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > COUNT_MAX)
                return -EINVAL;

        *ret = (unsigned) v;
        return 0;
}

int main(int argc, char **argv)
{
        /* clang-format off */
        static const struct option longopts[] = {
                { "count", required_argument, NULL, 'c' },
                { "warmup", required_argument, NULL, 'w' },
                { "blocks", no_argument, NULL, 'b' },
                { "raw", no_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        /* clang-format on */
        _cleanup_free_ Target *targets = NULL;
        _cleanup_free_ double *samples = NULL;
        unsigned count = 200, warmup = 10;
        bool blocks = false, raw = false;
        size_t n_targets;
        int c, status = 0;

        signal(SIGPIPE, SIG_IGN);

        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0) {
                switch (c) {
                case 'c':
                case 'w':
                        if (parse_count(optarg, c == 'c' ? &count : &warmup) < 0) {
                                fprintf(stderr, "frame-bench: invalid count, expected 0 to %u: %s\n",
                                        COUNT_MAX, optarg);
                                return 2;
                        }
                        break;
                case 'b':
                        blocks = true;
                        break;
                case 'r':
                        raw = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        return 2;
                }
        }
        if (optind >= argc || count == 0) {
                usage(stderr);
                return 2;
        }

        n_targets = (size_t) (argc - optind);
        targets = calloc(n_targets, sizeof *targets);
        samples = calloc(n_targets * count, sizeof(double));
        if (!targets || !samples) {
                fprintf(stderr, "frame-bench: out of memory\n");
                return 1;
        }
        for (size_t i = 0; i < n_targets; i++) {
                char *arg = argv[optind + (int) i], *eq = strchr(arg, '=');

                if (!eq || eq == arg || !eq[1]) {
                        fprintf(stderr, "frame-bench: invalid target, expected LABEL=SOCKET: %s\n", arg);
                        return 2;
                }
                *eq = '\0';
                targets[i] = (Target){ .label = arg, .path = eq + 1, .samples_ms = samples + i * count };
        }

        if (blocks) {
                for (size_t k = 0; k < n_targets && status == 0; k++)
                        for (unsigned round = 0; round < warmup + count && status == 0; round++)
                                status = measure(&targets[k], round, warmup);
        } else {
                for (unsigned round = 0; round < warmup + count && status == 0; round++)
                        for (size_t k = 0; k < n_targets && status == 0; k++)
                                status = measure(&targets[(round + k) % n_targets], round, warmup);
        }

        if (status == 0 && raw) {
                for (size_t i = 0; i < n_targets; i++)
                        for (unsigned j = 0; j < count; j++)
                                printf("%s %.3f\n", targets[i].label, targets[i].samples_ms[j]);
        } else if (status == 0) {
                printf("%-16s %6s %8s %8s %8s %8s %8s\n", "label", "n", "p50_ms", "p90_ms", "p99_ms",
                       "min_ms", "max_ms");
                for (size_t i = 0; i < n_targets; i++) {
                        double *s = targets[i].samples_ms;

                        qsort(s, count, sizeof(double), compare_double);
                        printf("%-16s %6u %8.2f %8.2f %8.2f %8.2f %8.2f\n", targets[i].label, count,
                               percentile(s, count, 50), percentile(s, count, 90), percentile(s, count, 99),
                               s[0], s[count - 1]);
                }
        }

        return status;
}
