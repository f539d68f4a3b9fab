/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-client: sends COUNT agent.ping requests, one connection each, one after the other, and prints
 * the latency percentiles in milliseconds as one JSON object.
 *
 *   bench-client SOCKET COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "macro.h"
#include "timeutil.h"

static int compare_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static double percentile_ms(const uint64_t *sorted, size_t n, double p)
{
        size_t i = (size_t) (p * (double) (n - 1) + 0.5);
        return (double) sorted[i] / 1000.0;
}

int main(int argc, char *argv[])
{
        _cleanup_json_ json_t *request = NULL;
        _cleanup_free_ uint64_t *samples = NULL;
        size_t count, failures = 0;
        uint64_t total = 0;

        if (argc != 3 || (count = strtoul(argv[2], NULL, 10)) == 0) {
                fprintf(stderr, "usage: bench-client SOCKET COUNT\n");
                return 2;
        }

        request = json_pack("{s:s, s:s}", "action", "agent.ping", "request_id", "bench");
        samples = calloc(count, sizeof(uint64_t));
        if (!request || !samples)
                return 2;

        for (size_t i = 0; i < count; i++) {
                json_t *response = NULL;
                uint64_t start = now_usec();
                int r = client_call(argv[1], request, 10000, &response);

                samples[i] = now_usec() - start;
                total += samples[i];
                if (r < 0 || !json_is_true(json_object_get(response, "ok")))
                        failures++;
                json_decref(response);
        }

        qsort(samples, count, sizeof(uint64_t), compare_u64);
        printf("{\"count\": %zu, \"failures\": %zu, \"mean_ms\": %.3f, \"p50_ms\": %.3f, \"p90_ms\": %.3f, "
               "\"p99_ms\": %.3f, \"max_ms\": %.3f}\n",
               count, failures, (double) total / (double) count / 1000.0, percentile_ms(samples, count, 0.5),
               percentile_ms(samples, count, 0.9), percentile_ms(samples, count, 0.99),
               percentile_ms(samples, count, 1.0));
        return failures ? 1 : 0;
}
