/*
 * Writes utmpx records with glibc's own pututxline(), as login programs do, so that tests read
 * files exactly as the real world writes them.
 *
 *   utmpx_writer FILE login LINE USER HOST ADDR PID [TV_SEC]   ADDR: IPv4, IPv6 or "-" (none)
 *   utmpx_writer FILE logout LINE
 *   utmpx_writer FILE burst PREFIX CYCLES KEEP ADDR   CYCLES login/logout pairs on lines
 *                                                     PREFIX0..PREFIX9, then KEEP left open
 *   utmpx_writer FILE fill COUNT ADDRESSES [PIDS]      COUNT sessions over ADDRESSES IPv4 addresses
 *                                                      (pids 10000 + i; or taken in turn from PIDS,
 *                                                      a comma list, e.g. of live processes)
 *   utmpx_writer FILE raw TYPE LINE                     a record of any ut_type (garbage types too)
 *   utmpx_writer FILE wlogin LINE USER HOST ADDR PID SEC  append a login to a wtmp-style log (updwtmpx)
 *   utmpx_writer FILE wlogout LINE SEC                    append a logout to a wtmp-style log
 *                                                         (at SEC.623456: half a second after a login's .123456)
 *   utmpx_writer FILE failed USER ADDR                    append a failed login as sshd writes it to btmp
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <utmpx.h>

static void set_line(struct utmpx *u, const char *line) {
    size_t n = strlen(line);
    strncpy(u->ut_line, line, sizeof u->ut_line);
    /* ut_id: the last four characters of the line, as sshd's loginrec does. */
    strncpy(u->ut_id, n > sizeof u->ut_id ? line + n - sizeof u->ut_id : line, sizeof u->ut_id);
}

static int put(struct utmpx *u) {
    setutxent();
    struct utmpx *r = pututxline(u);
    endutxent();
    if (r == NULL) { perror("pututxline"); return 1; }
    return 0;
}

static const char *log_file;

/* Log records are appended with updwtmpx (wtmp, btmp) instead of replacing a utmp slot. */
static int put(struct utmpx *u);

static int append(struct utmpx *u) {
    updwtmpx(log_file, u);
    return 0;
}

static int (*write_record)(struct utmpx *) = put;

static int login(const char *line, const char *user, const char *host, const char *addr, int pid, long sec) {
    struct utmpx u;
    memset(&u, 0, sizeof u);
    u.ut_type = USER_PROCESS;
    u.ut_pid = pid;
    set_line(&u, line);
    strncpy(u.ut_user, user, sizeof u.ut_user);
    strncpy(u.ut_host, host, sizeof u.ut_host);
    if (strcmp(addr, "-") != 0) {
        if (inet_pton(AF_INET, addr, u.ut_addr_v6) != 1 && inet_pton(AF_INET6, addr, u.ut_addr_v6) != 1) {
            fprintf(stderr, "bad address %s\n", addr);
            return 2;
        }
    }
    if (sec >= 0) {
        u.ut_tv.tv_sec = sec;
        u.ut_tv.tv_usec = 123456;
    } else {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        u.ut_tv.tv_sec = tv.tv_sec;
        u.ut_tv.tv_usec = tv.tv_usec;
    }
    return write_record(&u);
}

static int logout_line(const char *line) {
    struct utmpx u;
    memset(&u, 0, sizeof u);
    u.ut_type = DEAD_PROCESS;
    set_line(&u, line);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    u.ut_tv.tv_sec = tv.tv_sec;
    return write_record(&u);
}

static int addr_of(const char *addr, struct utmpx *u) {
    if (strcmp(addr, "-") == 0) return 0;
    if (inet_pton(AF_INET, addr, u->ut_addr_v6) != 1 && inet_pton(AF_INET6, addr, u->ut_addr_v6) != 1) {
        fprintf(stderr, "bad address %s\n", addr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: see the source\n"); return 2; }
    if (utmpxname(argv[1]) != 0) { perror("utmpxname"); return 1; }
    const char *cmd = argv[2];
    if (strcmp(cmd, "login") == 0 && argc >= 8) {
        return login(argv[3], argv[4], argv[5], argv[6], atoi(argv[7]), argc > 8 ? atol(argv[8]) : -1);
    }
    if (strcmp(cmd, "logout") == 0 && argc == 4) {
        return logout_line(argv[3]);
    }
    if (strcmp(cmd, "burst") == 0 && argc == 7) {
        int cycles = atoi(argv[4]), keep = atoi(argv[5]);
        char line[32];
        for (int i = 0; i < cycles; i++) {
            snprintf(line, sizeof line, "%s%d", argv[3], i % 10);
            if (login(line, "burst", argv[6], argv[6], 1000 + i, -1) || logout_line(line)) return 1;
        }
        for (int i = 0; i < keep; i++) {
            snprintf(line, sizeof line, "%s%d", argv[3], i);
            if (login(line, "burst", argv[6], argv[6], 5000 + i, -1)) return 1;
        }
        return 0;
    }
    if (strcmp(cmd, "fill") == 0 && (argc == 5 || argc == 6)) {
        int count = atoi(argv[3]), addresses = atoi(argv[4]), pids[64], npids = 0;
        for (char *p = argc == 6 ? argv[5] : ""; *p && npids < 64; p += strcspn(p, ","), p += *p == ',')
            pids[npids++] = atoi(p);
        char line[32], addr[32];
        for (int i = 0; i < count; i++) {
            int a = i % addresses;
            snprintf(line, sizeof line, "pts/%d", i);
            snprintf(addr, sizeof addr, "10.%d.%d.%d", (a >> 16) & 255, (a >> 8) & 255, a & 255);
            if (login(line, "user", addr, addr, npids ? pids[i % npids] : 10000 + i, -1)) return 1;
        }
        return 0;
    }
    if (strcmp(cmd, "wlogin") == 0 && argc == 9) {
        log_file = argv[1];
        write_record = append;
        return login(argv[3], argv[4], argv[5], argv[6], atoi(argv[7]), atol(argv[8]));
    }
    if (strcmp(cmd, "wlogout") == 0 && argc == 5) {
        struct utmpx u;
        memset(&u, 0, sizeof u);
        u.ut_type = DEAD_PROCESS;
        set_line(&u, argv[3]);
        u.ut_tv.tv_sec = atol(argv[4]);
        u.ut_tv.tv_usec = 623456;
        log_file = argv[1];
        return append(&u);
    }
    if (strcmp(cmd, "failed") == 0 && argc == 5) {
        /* What OpenSSH's record_failed_login() writes: LOGIN_PROCESS, line "ssh:notty". */
        struct utmpx u;
        memset(&u, 0, sizeof u);
        u.ut_type = LOGIN_PROCESS;
        u.ut_pid = getpid();
        strncpy(u.ut_line, "ssh:notty", sizeof u.ut_line);
        strncpy(u.ut_user, argv[3], sizeof u.ut_user);
        strncpy(u.ut_host, argv[4], sizeof u.ut_host);
        if (addr_of(argv[4], &u)) return 2;
        struct timeval tv;
        gettimeofday(&tv, NULL);
        u.ut_tv.tv_sec = tv.tv_sec;
        log_file = argv[1];
        return append(&u);
    }
    if (strcmp(cmd, "raw") == 0 && argc == 5) {
        struct utmpx u;
        memset(&u, 0, sizeof u);
        u.ut_type = (short) atoi(argv[3]);
        set_line(&u, argv[4]);
        return put(&u);
    }
    fprintf(stderr, "usage: see the source\n");
    return 2;
}
