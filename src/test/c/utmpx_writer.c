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
 *   utmpx_writer FILE hold MS                           take the write lock glibc's pututxline takes
 *                                                       (fcntl F_WRLCK, whole file), print "locked",
 *                                                       keep it MS milliseconds
 *   utmpx_writer FILE wlogin LINE USER HOST ADDR PID SEC  append a login to a wtmp-style log (updwtmpx)
 *   utmpx_writer FILE wlogout LINE SEC                    append a logout to a wtmp-style log
 *                                                         (at SEC.623456: half a second after a login's .123456)
 *   utmpx_writer FILE failed USER ADDR                    append a failed login as sshd writes it to btmp
 *
 * wtmp-style logs with exact times (all appended with updwtmpx, as login programs and systemd do):
 *   utmpx_writer FILE wuser LINE USER HOST ADDR PID SEC USEC  a USER_PROCESS record (login; USER "" a ghost)
 *   utmpx_writer FILE wdead LINE SEC USEC                     a DEAD_PROCESS record (logout)
 *   utmpx_writer FILE wghost LINE SEC [USEC]                  a USER_PROCESS record with an empty ut_user
 *   utmpx_writer FILE wboot SEC [USEC]                        BOOT_TIME, line "~", user "reboot" (systemd-update-utmp)
 *   utmpx_writer FILE wshutdown SEC [USEC]                    RUN_LVL, line "~", user "shutdown" (systemd-update-utmp)
 *   utmpx_writer FILE wbatch                                  one of these per line of stdin, without the "w":
 *                                                             user|dead|ghost|boot|shutdown ARGS (HOST "-": empty),
 *                                                             or "rotate TO": rename FILE to TO and create an empty
 *                                                             FILE with the same mode and owner (logrotate create)
 *
 * UTMPX_WRITER_SESSION=N in the environment sets ut_session of login records to N (64 bits on
 * aarch64, 32 on x86_64), for the layout tests.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <utmpx.h>

static void set_session(struct utmpx *u) {
    const char *s = getenv("UTMPX_WRITER_SESSION");
    long long v = s != NULL ? strtoll(s, NULL, 0) : 0;
    u->ut_session = v;
}

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
    set_session(&u);
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

/* ---- wtmp records with exact times */

static const char *wtmp_path;

static int wrecord(short type, const char *line, const char *user, const char *host, const char *addr,
                   int pid, long sec, long usec) {
    struct utmpx u;
    memset(&u, 0, sizeof u);
    u.ut_type = type;
    u.ut_pid = pid;
    set_session(&u);
    if (line[0] == '~') {
        strncpy(u.ut_line, line, sizeof u.ut_line);
        strncpy(u.ut_id, "~~", sizeof u.ut_id);
    } else {
        set_line(&u, line);
    }
    strncpy(u.ut_user, user, sizeof u.ut_user);
    strncpy(u.ut_host, strcmp(host, "-") == 0 ? "" : host, sizeof u.ut_host);
    if (addr_of(addr, &u)) return 2;
    u.ut_tv.tv_sec = sec;
    u.ut_tv.tv_usec = usec;
    updwtmpx(wtmp_path, &u);
    return 0;
}

/* logrotate's "create": the file renamed away, a new empty one with the old one's mode and owner. */
static int rotate(const char *to) {
    struct stat st;
    if (stat(wtmp_path, &st) != 0) { perror("stat"); return 1; }
    if (rename(wtmp_path, to) != 0) { perror("rename"); return 1; }
    int fd = open(wtmp_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) { perror("open"); return 1; }
    if (fchown(fd, st.st_uid, st.st_gid) != 0 || fchmod(fd, st.st_mode & 07777) != 0) { perror("fchmod"); return 1; }
    close(fd);
    return 0;
}

/* One wtmp verb (without its "w"), argv[0] the verb; -1 when the arguments fit no verb. */
static int wverb(int n, char **a) {
    if (n < 1) return -1;
    const char *v = a[0];
    if (strcmp(v, "user") == 0 && n == 8)
        return wrecord(USER_PROCESS, a[1], a[2], a[3], a[4], atoi(a[5]), atol(a[6]), atol(a[7]));
    if (strcmp(v, "dead") == 0 && n == 4)
        return wrecord(DEAD_PROCESS, a[1], "", "", "-", 0, atol(a[2]), atol(a[3]));
    if (strcmp(v, "ghost") == 0 && (n == 3 || n == 4))
        return wrecord(USER_PROCESS, a[1], "", "", "-", 0, atol(a[2]), n == 4 ? atol(a[3]) : 0);
    if (strcmp(v, "boot") == 0 && (n == 2 || n == 3))
        return wrecord(BOOT_TIME, "~", "reboot", "6.1.0-test", "-", 0, atol(a[1]), n == 3 ? atol(a[2]) : 0);
    if (strcmp(v, "shutdown") == 0 && (n == 2 || n == 3))
        return wrecord(RUN_LVL, "~", "shutdown", "6.1.0-test", "-", 0, atol(a[1]), n == 3 ? atol(a[2]) : 0);
    if (strcmp(v, "rotate") == 0 && n == 2)
        return rotate(a[1]);
    return -1;
}

static int wbatch(void) {
    char buf[1024];
    int lineno = 0;
    while (fgets(buf, sizeof buf, stdin) != NULL) {
        lineno++;
        char *a[16];
        int n = 0;
        for (char *t = strtok(buf, " \t\n"); t != NULL && n < 16; t = strtok(NULL, " \t\n")) a[n++] = t;
        if (n == 0) continue;
        int r = wverb(n, a);
        if (r != 0) {
            fprintf(stderr, "wbatch line %d: %s\n", lineno, r < 0 ? "bad verb or arguments" : "failed");
            return r < 0 ? 2 : r;
        }
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
    if (cmd[0] == 'w' && (strcmp(cmd, "wbatch") == 0 || strcmp(cmd, "wuser") == 0 || strcmp(cmd, "wdead") == 0
            || strcmp(cmd, "wghost") == 0 || strcmp(cmd, "wboot") == 0 || strcmp(cmd, "wshutdown") == 0)) {
        wtmp_path = argv[1];
        if (strcmp(cmd, "wbatch") == 0) return argc == 3 ? wbatch() : 2;
        argv[2] = (char *) cmd + 1;
        int r = wverb(argc - 2, argv + 2);
        if (r >= 0) return r;
    }
    if (strcmp(cmd, "hold") == 0 && argc == 4) {
        int fd = open(argv[1], O_RDWR);
        if (fd < 0) { perror("open"); return 1; }
        struct flock fl;
        memset(&fl, 0, sizeof fl);
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;
        if (fcntl(fd, F_SETLKW, &fl) != 0) { perror("fcntl"); return 1; }
        printf("locked\n");
        fflush(stdout);
        usleep((useconds_t) atoi(argv[3]) * 1000);
        fl.l_type = F_UNLCK;
        fcntl(fd, F_SETLK, &fl);
        close(fd);
        return 0;
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
