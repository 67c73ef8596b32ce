/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * http-load: N client threads send GET requests over a unix socket with
 * keep-alive (libcurl, one handle per thread) for a fixed time, then print
 * throughput and latency percentiles. Used by `make bench` to measure nfvcapd
 * and a reference server in the same run with the same client.
 *
 *   http-load SOCKET PATH CLIENTS SECONDS
 * Output: one line "requests=... errors=... rps=... p50_us=... p99_us=...".
 */
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SAMPLES (1u << 22)

typedef struct Worker {
        pthread_t thread;
        const char *socket;
        const char *url;
        double deadline;
        double *lat; /* seconds */
        size_t n, errors;
} Worker;

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t s, size_t n, void *u) {
        (void) p;
        (void) u;
        return s * n;
}

static void *run(void *arg) {
        Worker *w = arg;
        CURL *c = curl_easy_init();
        long status;

        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, w->socket);
        curl_easy_setopt(c, CURLOPT_URL, w->url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        while (now() < w->deadline && w->n < MAX_SAMPLES) {
                double t0 = now();
                if (curl_easy_perform(c) != CURLE_OK ||
                    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
                    status != 200) {
                        w->errors++;
                        continue;
                }
                w->lat[w->n++] = now() - t0;
        }
        curl_easy_cleanup(c);
        return NULL;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
        char url[512];
        int clients;
        double seconds, start, elapsed;
        size_t total = 0, errors = 0, k = 0;
        double *all;

        if (argc != 5) {
                fprintf(stderr, "usage: http-load SOCKET PATH CLIENTS SECONDS\n");
                return 2;
        }
        clients = atoi(argv[3]);
        seconds = atof(argv[4]);
        if (clients < 1 || clients > 256 || seconds <= 0) {
                fprintf(stderr, "http-load: bad clients or seconds\n");
                return 2;
        }
        snprintf(url, sizeof(url), "http://localhost%s", argv[2]);
        curl_global_init(CURL_GLOBAL_DEFAULT);

        Worker *w = calloc((size_t) clients, sizeof(Worker));
        start = now();
        for (int i = 0; i < clients; i++) {
                w[i] = (Worker){ .socket = argv[1], .url = url, .deadline = start + seconds };
                w[i].lat = malloc(MAX_SAMPLES / (size_t) clients * sizeof(double) + 1024);
                pthread_create(&w[i].thread, NULL, run, &w[i]);
        }
        for (int i = 0; i < clients; i++) {
                pthread_join(w[i].thread, NULL);
                total += w[i].n;
                errors += w[i].errors;
        }
        elapsed = now() - start;
        all = malloc((total + 1) * sizeof(double));
        for (int i = 0; i < clients; i++) {
                memcpy(all + k, w[i].lat, w[i].n * sizeof(double));
                k += w[i].n;
                free(w[i].lat);
        }
        qsort(all, total, sizeof(double), cmp);
        printf("requests=%zu errors=%zu rps=%.0f p50_us=%.1f p99_us=%.1f\n", total, errors,
               (double) total / elapsed, total ? all[total / 2] * 1e6 : NAN,
               total ? all[(size_t) ((double) total * 0.99)] * 1e6 : NAN);
        free(all);
        free(w);
        curl_global_cleanup();
        return errors && !total;
}
