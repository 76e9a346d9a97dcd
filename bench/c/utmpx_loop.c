/*
 * The floor of the exporter's design: one bare pass of glibc's utmpx API over a file,
 * setutxent / getutxent until NULL / endutxent, doing nothing with the records.
 *
 * Built two ways by bench/run (gcc at run time):
 *   utmpx_loop FILE PASSES     prints one line per pass: "<records> <nanoseconds>"
 *   libutmpxloop.so            utmpx_loop_pass(FILE): one pass, returns the records read;
 *                              loaded by the JMH benchmark so that the baseline runs in the
 *                              same process, on the same thread, alternating with the Java side.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <time.h>
#include <utmpx.h>

long utmpx_loop_pass(const char *file) {
    long n = 0;
    if (utmpxname(file) != 0) /* never glibc's default, the machine's own utmp */
        return -1;
    setutxent();
    while (getutxent() != NULL) {
        n++;
    }
    endutxent();
    return n;
}

/* Flips line bench/N between a login and a logout (one changed record), as one event would. */
int utmpx_loop_toggle(const char *file, int n) {
    static int in[64];
    struct utmpx u;
    memset(&u, 0, sizeof u);
    n &= 63;
    in[n] = !in[n];
    u.ut_type = in[n] ? USER_PROCESS : DEAD_PROCESS;
    u.ut_pid = getpid();
    snprintf(u.ut_line, sizeof u.ut_line, "bench/%d", n);
    snprintf(u.ut_id, sizeof u.ut_id, "b%d", n);
    if (in[n]) {
        strncpy(u.ut_user, "bench", sizeof u.ut_user);
        strncpy(u.ut_host, "192.0.2.1", sizeof u.ut_host);
        u.ut_addr_v6[0] = htonl(0xc0000201);
    }
    if (utmpxname(file) != 0) /* never write the machine's own utmp */
        return -1;
    setutxent();
    struct utmpx *r = pututxline(&u);
    endutxent();
    return r == NULL ? -1 : 0;
}

#ifndef UTMPX_LOOP_LIBRARY
static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: utmpx_loop FILE PASSES\n");
        return 2;
    }
    int passes = atoi(argv[2]);
    for (int i = 0; i < passes; i++) {
        long long t0 = now_ns();
        long n = utmpx_loop_pass(argv[1]);
        long long t1 = now_ns();
        printf("%ld %lld\n", n, t1 - t0);
    }
    return 0;
}
#endif
