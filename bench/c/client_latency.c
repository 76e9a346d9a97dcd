/*
 * Event-to-exposition latency as a client sees it (docs/BENCHMARKS.md, figure 2, client view),
 * with a client that costs next to nothing: no interpreter, one keep-alive HTTP/1.1 connection,
 * a plain memmem() over the page.
 *
 *   client_latency FILE PORT EVENTS [GAP_MS [BASELINE_POLLS [WARMUP_POLLS [WARMUP_EVENTS]]]]
 *
 * Against an exporter on 127.0.0.1:PORT that reads the utmp FILE:
 *   1. warm-up: WARMUP_POLLS GETs of /metrics and of /-/healthy (default 500), then
 *      WARMUP_EVENTS events (default 400) that are not counted, GAP_MS apart: the JIT compiles
 *      the scrape and the refresh paths, as in an exporter that has run for a while (under the
 *      packaged JAVA_OPTS, C1 with one compiler thread, -XX:+PrintCompilation shows
 *      SessionLoop.refresh compiled only after 250-300 events);
 *   2. EVENTS events, alternating a login (USER_PROCESS on line bench/0 from 192.0.2.99) and its
 *      logout (DEAD_PROCESS), written with glibc's pututxline() as login programs do. The clock
 *      (CLOCK_MONOTONIC) is read right after pututxline() returned; then GET /metrics is sent
 *      again and again, back to back, until the page shows the new value (the line
 *      `ssh_num_sessions{remote_ip="192.0.2.99"} 1.0`, or its absence after a logout). Latency =
 *      the moment that response was fully read - the moment pututxline() returned. An event not
 *      served within 10 s ends the run (exit 1);
 *   3. the poller's own cost, measured the same way in the same run, after each event:
 *      BASELINE_POLLS (default 5) GETs of the unchanged /metrics, then as many of /-/healthy,
 *      back to back, each timed from the request's write to its response's last byte;
 *   4. between two counted events, GAP_MS (default 20) of quiet, one GET of /metrics (the
 *      control: the first poll after as long an idle time, without an event before it), GAP_MS
 *      of quiet again.
 *
 * A change cannot be seen sooner than one poll after it is published: the poll cost printed
 * next to the latency is the client's share of it.
 *
 * Prints one line: n= median_ms= p99_ms= max_ms= polls_median= polls_max= first_hit= poll_ms=
 * poll_p99_ms= idle_poll_ms= idle_poll_p99_ms= event_poll_ms= healthy_ms= healthy_p99_ms=
 * bytes= reconnects= (first_hit: events seen by the first poll sent after pututxline()
 * returned; idle_poll_ms: the control of step 4; event_poll_ms: median duration of the polls
 * sent while waiting for an event; bytes: the size of the page).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "bench_record.h"

static const char ADDR[] = "192.0.2.99";
static const char NEEDLE[] = "\nssh_num_sessions{remote_ip=\"192.0.2.99\"} 1.0\n";

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "client_latency: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

/* --- the session: pututxline, as login programs write it (same records as utmp_driver) --- */

/* Writes the login (USER_PROCESS) or logout (DEAD_PROCESS) of line bench/0; returns the
 * CLOCK_MONOTONIC time read right after pututxline() returned. */
static long long put(int login) {
    struct utmpx u;
    bench_record(&u, login ? USER_PROCESS : DEAD_PROCESS, "bench/", 0, ADDR, getpid());
    setutxent();
    struct utmpx *r = pututxline(&u);
    long long t = now_ns();
    endutxent();
    if (r == NULL) die("pututxline");
    return t;
}

/* --- one keep-alive HTTP/1.1 connection --- */

static int port, fd = -1, reconnects = -1;
static char *buf;
static size_t cap, len; /* bytes in buf */

static void connect_once(void) {
    if (fd >= 0) close(fd);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval to = {5, 0}; /* a hung exporter ends the run instead of the benchmark hanging */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &to, sizeof to);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &sa, sizeof sa) != 0) die("connect");
    len = 0;
    reconnects++;
}

/* GET path; on return *body points into buf (valid until the next call). 0, or -1 when the
 * connection was closed before a whole response came (the caller reconnects). */
static int get_once(const char *path, const char **body, size_t *body_len) {
    char req[256];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", path, port);
    for (int off = 0; off < n;) {
        ssize_t w = send(fd, req + off, n - off, MSG_NOSIGNAL); /* a closed peer: EPIPE, not SIGPIPE */
        if (w < 0) return -1;
        off += (int) w;
    }
    size_t head = 0, total = 0;
    long clen = -1;
    for (;;) {
        if (head == 0) {
            char *e = memmem(buf, len, "\r\n\r\n", 4);
            if (e != NULL) {
                head = (size_t) (e - buf) + 4;
                if (head < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || memcmp(buf + 8, " 200", 4) != 0) {
                    fprintf(stderr, "client_latency: GET %s: %.*s\n", path, (int) ((const char *) memchr(buf, '\r', head) - buf), buf);
                    exit(1);
                }
                for (char *l = memmem(buf, head, "\r\n", 2); l != NULL && l + 2 < buf + head;
                     l = memmem(l + 2, head - (size_t) (l + 2 - buf), "\r\n", 2)) {
                    if (strncasecmp(l + 2, "Content-Length:", 15) == 0) clen = strtol(l + 17, NULL, 10);
                }
                if (clen < 0) {
                    fprintf(stderr, "client_latency: GET %s: no Content-Length\n", path);
                    exit(1);
                }
                total = head + (size_t) clen;
            }
        }
        if (head != 0 && len >= total) break;
        if (cap - len < 65536) {
            cap = cap * 2 + 65536;
            buf = realloc(buf, cap);
            if (buf == NULL) die("realloc");
        }
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 && errno != ECONNRESET) die("read"); /* a timeout: the exporter hangs */
            return -1;
        }
        len += (size_t) r;
    }
    *body = buf + head;
    *body_len = (size_t) clen;
    if (len > total) { /* one request in flight: nothing can follow its response */
        fprintf(stderr, "client_latency: %zu bytes after the response\n", len - total);
        exit(1);
    }
    len = 0;
    return 0;
}

/* One poll: GET path, timed from the request's write to the response's last byte. */
static long long get(const char *path, const char **body, size_t *body_len) {
    for (int tries = 0; tries < 2; tries++) {
        long long t = now_ns();
        if (get_once(path, body, body_len) == 0) return now_ns() - t;
        connect_once(); /* the server closed the idle connection: once more on a new one */
    }
    errno = 0;
    die("GET: the connection closed twice");
    return 0;
}

static int shows(const char *body, size_t n) {
    return memmem(body, n, NEEDLE, sizeof NEEDLE - 1) != NULL;
}

/* --- statistics --- */

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return (x > y) - (x < y);
}

/* The same order statistics as live.py: median v[n/2], p99 v[min(n-1, n*0.99)]. */
static double q_ms(long long *v, int n, double q) {
    qsort(v, n, sizeof *v, cmp);
    int i = q == 0.5 ? n / 2 : (int) (n * q);
    return v[i < n ? i : n - 1] / 1e6;
}

static void sleep_until(long long due) {
    long long t;
    while ((t = now_ns()) < due) {
        struct timespec ts = {(due - t) / 1000000000LL, (due - t) % 1000000000LL};
        nanosleep(&ts, NULL);
    }
}

int main(int argc, char **argv) {
    if (argc < 4 || argc > 8) {
        fprintf(stderr, "usage: client_latency FILE PORT EVENTS [GAP_MS [BASELINE_POLLS [WARMUP_POLLS [WARMUP_EVENTS]]]]\n");
        return 2;
    }
    /* Never the machine's own utmp: a utmpxname() that failed would leave glibc on it. */
    if (utmpxname(argv[1]) != 0)
        die("utmpxname");
    port = atoi(argv[2]);
    int events = atoi(argv[3]);
    long long gap = (argc > 4 ? atoll(argv[4]) : 20) * 1000000LL;
    int base = argc > 5 ? atoi(argv[5]) : 5, warm = argc > 6 ? atoi(argv[6]) : 500;
    int warm_events = argc > 7 ? atoi(argv[7]) : 400;
    if (events < 1 || base < 1 || warm < 0 || warm_events < 0 || gap < 0) {
        fprintf(stderr, "client_latency: bad arguments\n");
        return 2;
    }
    connect_once();

    const char *body;
    size_t n, bytes = 0;
    for (int i = 0; i < warm; i++) {
        get("/metrics", &body, &n);
        get("/-/healthy", &body, &n);
    }
    get("/metrics", &body, &n);
    if (shows(body, n)) {
        fprintf(stderr, "client_latency: %s is logged in already\n", ADDR);
        return 1;
    }

    long long *lat = calloc(events, sizeof *lat), *polls = calloc(events, sizeof *polls), *pi = calloc(events, sizeof *pi);
    long long *pm = calloc((size_t) events * base, sizeof *pm), *ph = calloc((size_t) events * base, sizeof *ph);
    size_t ecap = 1024, en = 0;
    long long *ep = malloc(ecap * sizeof *ep);
    if (!lat || !polls || !pi || !pm || !ph || !ep) die("calloc");
    int first_hit = 0;
    long long seen = now_ns();
    for (int i = -warm_events; i < events; i++) {
        int login = (i + warm_events) % 2 == 0;
        /* The control: the same first poll after the same idle time, with no event before it. */
        long long idle = 0;
        if (i >= 0) {
            sleep_until(seen + gap);
            idle = get("/metrics", &body, &n);
            seen = now_ns();
        }
        sleep_until(seen + gap);
        long long written = put(login), d;
        int k = 0;
        do {
            d = get("/metrics", &body, &n);
            seen = now_ns();
            k++;
            if (i >= 0) {
                if (en == ecap) {
                    ep = realloc(ep, (ecap *= 2) * sizeof *ep);
                    if (ep == NULL) die("realloc");
                }
                ep[en++] = d;
            }
            if (seen - written > 10000000000LL) {
                fprintf(stderr, "client_latency: the %s of event %d not served within 10 s (%d polls)\n",
                        login ? "login" : "logout", i, k);
                return 1;
            }
        } while (shows(body, n) != login);
        if (i < 0) continue;
        lat[i] = seen - written;
        polls[i] = k;
        pi[i] = idle;
        first_hit += k == 1;
        bytes = n;
        for (int j = 0; j < base; j++) pm[i * base + j] = get("/metrics", &body, &n);
        for (int j = 0; j < base; j++) ph[i * base + j] = get("/-/healthy", &body, &n);
    }
    if ((warm_events + events) % 2 == 1) put(0); /* leave the line logged out */

    int nb = events * base;
    printf("n=%d median_ms=%.3f p99_ms=%.3f max_ms=%.3f", events, q_ms(lat, events, .5), q_ms(lat, events, .99),
           q_ms(lat, events, 1));
    qsort(polls, events, sizeof *polls, cmp);
    printf(" polls_median=%lld polls_max=%lld first_hit=%d", polls[events / 2], polls[events - 1], first_hit);
    printf(" poll_ms=%.3f poll_p99_ms=%.3f idle_poll_ms=%.3f idle_poll_p99_ms=%.3f event_poll_ms=%.3f", q_ms(pm, nb, .5),
           q_ms(pm, nb, .99), q_ms(pi, events, .5), q_ms(pi, events, .99), q_ms(ep, (int) en, .5));
    printf(" healthy_ms=%.3f healthy_p99_ms=%.3f bytes=%zu reconnects=%d\n", q_ms(ph, nb, .5), q_ms(ph, nb, .99), bytes,
           reconnects);
    return 0;
}
