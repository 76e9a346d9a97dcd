/*
 * Drives a utmp file the way login programs do (glibc pututxline), on command, and says when
 * each write returned, on CLOCK_MONOTONIC (the clock behind Java's System.nanoTime on Linux),
 * so that another process can measure event-to-exposition latency.
 *
 *   utmp_driver FILE                 then, one command per line on stdin:
 *     login N ADDR                   USER_PROCESS on line bench/N from IPv4 ADDR; prints "<ns>"
 *     logout N                       DEAD_PROCESS on line bench/N; prints "<ns>"
 *     churn RATE SECONDS LINES ADDR [WTMP]  RATE writes per second for SECONDS, alternating login and
 *                                    logout on lines churn/0..LINES-1 (every line ends logged
 *                                    out); prints "<logins> <writes> <start_ns> <end_ns>"
 *     quit
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "bench_record.h"

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *wtmp_file;

static int put(struct utmpx *u) {
    if (wtmp_file != NULL) {
        updwtmpx(wtmp_file, u); /* as sshd does: every login and logout also goes to wtmp */
    }
    setutxent();
    struct utmpx *r = pututxline(u);
    endutxent();
    return r == NULL ? -1 : 0;
}

static int record(int type, const char *prefix, int n, const char *addr, int pid) {
    struct utmpx u;
    bench_record(&u, type, prefix, n, addr, pid);
    return put(&u);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: utmp_driver FILE (commands on stdin)\n");
        return 2;
    }
    /* Never the machine's own utmp: a utmpxname() that failed would leave glibc on it. */
    if (utmpxname(argv[1]) != 0) { perror("utmpxname"); return 1; }
    char cmd[256], a1[64], a2[64], a3[64], a4[64];
    int pid = getpid();
    while (fgets(cmd, sizeof cmd, stdin) != NULL) {
        int k = sscanf(cmd, "%63s %63s %63s %63s", a1, a2, a3, a4);
        if (k >= 3 && strcmp(a1, "login") == 0) {
            if (record(USER_PROCESS, "bench/", atoi(a2), a3, pid) != 0) { perror("pututxline"); return 1; }
            printf("%lld\n", now_ns());
        } else if (k >= 2 && strcmp(a1, "logout") == 0) {
            if (record(DEAD_PROCESS, "bench/", atoi(a2), "", pid) != 0) { perror("pututxline"); return 1; }
            printf("%lld\n", now_ns());
        } else if (k >= 1 && strcmp(a1, "churn") == 0) {
            char addr[64];
            static char wtmp[200];
            int rate, seconds, lines;
            int got = sscanf(cmd, "churn %d %d %d %63s %199s", &rate, &seconds, &lines, addr, wtmp);
            if (got < 4) { fprintf(stderr, "bad churn\n"); return 2; }
            if (got == 5) wtmp_file = wtmp;
            long long start = now_ns(), period = 1000000000LL / rate;
            long total = (long) rate * seconds, logins = 0, i;
            for (i = 0; i < total; i++) {
                long long due = start + i * period, t;
                while ((t = now_ns()) < due) {
                    long long wait = due - t;
                    struct timespec ts = {wait / 1000000000LL, wait % 1000000000LL};
                    nanosleep(&ts, NULL);
                }
                /* pairs: even = login, odd = logout of the same line; so every line ends logged out */
                int line = (int) ((i / 2) % lines);
                if (i % 2 == 0) {
                    if (record(USER_PROCESS, "churn/", line, addr, pid) != 0) { perror("pututxline"); return 1; }
                    logins++;
                } else if (record(DEAD_PROCESS, "churn/", line, "", pid) != 0) { perror("pututxline"); return 1; }
            }
            if (total % 2 == 1) { record(DEAD_PROCESS, "churn/", (int) ((total / 2) % lines), "", pid); total++; }
            wtmp_file = NULL;
            printf("%ld %ld %lld %lld\n", logins, total, start, now_ns());
        } else if (k >= 1 && strcmp(a1, "quit") == 0) {
            return 0;
        } else {
            fprintf(stderr, "unknown command: %s", cmd);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
