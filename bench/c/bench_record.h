/* A utmpx record as the bench programs write it (the way sshd's login code fills one): line
 * PREFIX<n>, ut_id the line's last four bytes, user "bench", the address in ut_host and
 * ut_addr_v6 for a login, the current time. Shared by utmp_driver.c and client_latency.c. */
#ifndef BENCH_RECORD_H
#define BENCH_RECORD_H

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <utmpx.h>

static void bench_record(struct utmpx *u, int type, const char *prefix, int n, const char *addr, int pid) {
    char line[32];
    memset(u, 0, sizeof *u);
    u->ut_type = type;
    u->ut_pid = pid;
    snprintf(line, sizeof line, "%s%d", prefix, n);
    strncpy(u->ut_line, line, sizeof u->ut_line);
    size_t len = strlen(line);
    strncpy(u->ut_id, len > sizeof u->ut_id ? line + len - sizeof u->ut_id : line, sizeof u->ut_id);
    if (type == USER_PROCESS) {
        strncpy(u->ut_user, "bench", sizeof u->ut_user);
        strncpy(u->ut_host, addr, sizeof u->ut_host);
        inet_pton(AF_INET, addr, u->ut_addr_v6);
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    u->ut_tv.tv_sec = tv.tv_sec;
    u->ut_tv.tv_usec = tv.tv_usec;
}

#endif
