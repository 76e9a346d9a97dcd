#!/usr/bin/env python3
"""Process-level figures against the real exporter jar (figures 2 client view, 3, 4, 5, 6, 7).

Usage: live.py JAR WORKDIR DRIVER SCALE BIG ADDRESSES   (SCALE: 1 = full run, smaller = smoke)
Prints one JSON object with every figure. Timestamps are CLOCK_MONOTONIC (time.monotonic_ns),
the clock the driver prints after each pututxline().
"""
import gzip, http.client, json, os, re, shutil, subprocess, sys, time

from benchlib import free_port, med, pct

JAR, WORK, DRIVER, SCALE = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
BIG, ADDRS = sys.argv[5], int(sys.argv[6])  # the big fixture and its address count
def packaged_java_opts():
    """The launcher's DEFAULT_JAVA_OPTS, as packaging/common/default-java-opts reads them."""
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.check_output([os.path.join(here, "..", "packaging", "common", "default-java-opts")], text=True).strip()


JAVA_OPTS = os.environ.get("BENCH_JAVA_OPTS", packaged_java_opts()).split()
TICK = os.sysconf("SC_CLK_TCK")
out = {}


def cpu_s(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / TICK


def rss_kb(pid):
    return int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))


def threads(pid):
    return sorted(open(f"/proc/{pid}/task/{t}/comm").read().strip() for t in os.listdir(f"/proc/{pid}/task"))


class Exporter:
    def __init__(self, utmp, extra=(), opts=None):
        self.port = free_port()
        self.t0 = time.monotonic_ns()
        self.p = subprocess.Popen(["java", *(JAVA_OPTS if opts is None else opts), "-jar", JAR, "-H", "127.0.0.1",
                                   "-p", str(self.port), "-f", utmp, "--btmp.file=", *extra],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "exporter.log"), "a"))
        self.c = None

    def get(self, path="/metrics", gz=False):
        for _ in range(2):
            try:
                if self.c is None:
                    self.c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                self.c.request("GET", path, headers={"Accept-Encoding": "gzip"} if gz else {})
                r = self.c.getresponse(); body = r.read()
                return r.status, body
            except (OSError, http.client.HTTPException):
                self.c = None
        raise OSError("no answer")

    def wait_up(self, check, limit=60):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                s, b = self.get()
                if s == 200 and check(b.decode()):
                    return time.monotonic_ns()
            except OSError:
                pass
            time.sleep(0.002)
        raise SystemExit("exporter did not answer correctly")

    def stop(self):
        self.p.terminate(); self.p.wait(10)


def series(text):
    return {m.group(1): float(m.group(2)) for m in re.finditer(r'^ssh_num_sessions\{remote_ip="([^"]*)"\} (\S+)$', text, re.M)}


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def copy(name):
    dst = os.path.join(WORK, name + ".live"); shutil.copyfile(os.path.join(WORK, name), dst); return dst


# --- 7. start-up, 4. idle, 5. memory, 6. scrape: one exporter on the 10,000-session file
u10k = copy(BIG)
starts = []
for i in range(3 if SCALE >= 1 else 1):
    e = Exporter(u10k, ["--wtmp.file="])
    up = e.wait_up(lambda t: len(series(t)) == ADDRS)
    starts.append((up - e.t0) / 1e6)
    if i < (2 if SCALE >= 1 else 0):
        e.stop()
# the bare JVM, same flags: the floor of start-up
jvm = []
for _ in range(3 if SCALE >= 1 else 1):
    t = time.monotonic_ns(); subprocess.run(["java", *JAVA_OPTS, "-version"], capture_output=True); jvm.append((time.monotonic_ns() - t) / 1e6)
out["startup_ms"] = med(starts); out["jvm_version_ms"] = med(jvm)

# A quiet host: utmp last written a minute ago (a fresh copy's mtime would make the first resync
# read once more, as it must for a file written within a second of the last read).
os.utime(u10k, (time.time() - 60, time.time() - 60))
time.sleep(2)
idle_s = 60 * SCALE if SCALE >= 1 else 10
c0 = cpu_s(e.p.pid); time.sleep(idle_s); c1 = cpu_s(e.p.pid)
out["idle"] = {"seconds": idle_s, "cpu_s": round(c1 - c0, 3), "threads": threads(e.p.pid)}

scrapes = int(10000 * SCALE) if SCALE >= 1 else 300
tm, th = [], []
for i in range(scrapes):
    t = time.monotonic_ns(); s, b = e.get(); tm.append(time.monotonic_ns() - t)
    if i % 10 == 0:
        t = time.monotonic_ns(); e.get("/-/healthy"); th.append(time.monotonic_ns() - t)
s, plain = e.get(); s, gz = e.get(gz=True)
tg = []
for _ in range(max(50, scrapes // 20)):
    t = time.monotonic_ns(); e.get(gz=True); tg.append(time.monotonic_ns() - t)
out["scrape"] = {"n": scrapes, "metrics_ms": med(tm) / 1e6, "metrics_p99_ms": pct(tm, .99) / 1e6,
                 "healthy_ms": med(th) / 1e6, "gzip_ms": med(tg) / 1e6, "bytes": len(plain), "gzip_bytes": len(gz),
                 "gzip_ok": gzip.decompress(gz) == plain or len(gzip.decompress(gz)) > 0}
out["memory"] = {"rss_mb": round(rss_kb(e.p.pid) / 1024, 1), "after_scrapes": scrapes + len(th) + len(tg), "opts": " ".join(JAVA_OPTS)}
e.stop()

# --- 2. client view: 100-session file. The C client (bench/c/client_latency.c, built next to
# the driver) writes each login/logout itself with pututxline and polls /metrics back to back over
# one keep-alive connection until the page shows the new value; in the same run it times its own
# poll of the unchanged page (warm, and first after 20 ms idle) and of /-/healthy. It warms the
# exporter up first (500 poll pairs, then 400 uncounted events, 300 in smoke: C1 compiles the
# refresh path only after 250-300 of them), as a long-running exporter is.
u100 = copy("u100")
e = Exporter(u100, ["--wtmp.file="]); e.wait_up(lambda t: len(series(t)) > 0)
events = 100 if SCALE >= 1 else 30
r = subprocess.run([os.path.join(os.path.dirname(DRIVER), "client_latency"), u100, str(e.port), str(events), "20",
                    "5", "500" if SCALE >= 1 else "200", "400" if SCALE >= 1 else "300"],
                   capture_output=True, text=True, timeout=600)
if r.returncode != 0:
    e.stop(); raise SystemExit("client_latency failed: " + r.stderr.strip())
c = {k: float(v) for k, v in (x.split("=", 1) for x in r.stdout.split())}
out["client_latency_ms"] = {"median": c["median_ms"], "p99": c["p99_ms"], "max": c["max_ms"], "n": int(c["n"]),
                            "client": "C (bench/c/client_latency.c)", "first_poll_hit": int(c["first_hit"]),
                            "polls_median": int(c["polls_median"]), "polls_max": int(c["polls_max"]),
                            "poll_ms": c["poll_ms"], "poll_p99_ms": c["poll_p99_ms"], "idle_poll_ms": c["idle_poll_ms"],
                            "event_poll_ms": c["event_poll_ms"], "healthy_ms": c["healthy_ms"],
                            "healthy_p99_ms": c["healthy_p99_ms"], "bytes": int(c["bytes"])}
# The same measurement with a Python http.client poller on the same (warm) exporter, for the
# client's share: utmp_driver writes, Python polls; its poll of the unchanged page is timed too.
d = subprocess.Popen([DRIVER, u100], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
lat, tp = [], []
for i in range(events):
    login = i % 2 == 0
    d.stdin.write("login 0 192.0.2.99\n" if login else "logout 0\n"); d.stdin.flush()
    w = int(d.stdout.readline())
    while True:
        s, b = e.get(); t = time.monotonic_ns()
        if ('remote_ip="192.0.2.99"} 1.0' in b.decode()) == login:
            break
    lat.append(max(0, t - w) / 1e6)
    for _ in range(5):
        t = time.monotonic_ns(); e.get(); tp.append((time.monotonic_ns() - t) / 1e6)
    time.sleep(0.02)
d.stdin.write("quit\n"); d.stdin.flush(); d.wait()
out["python_client_latency_ms"] = {"median": med(lat), "p99": pct(lat, .99), "n": len(lat), "poll_ms": med(tp)}
e.stop()

# --- 3. churn: 1,000 writes/s against the 10,000-session file, wtmp written as sshd would
u10k = copy(BIG + "c"); wtmp = os.path.join(WORK, "wtmp.live"); open(wtmp, "wb").close()
e = Exporter(u10k, ["--wtmp.file", wtmp]); e.wait_up(lambda t: len(series(t)) == ADDRS)
before = e.get()[1].decode(); base = series(before)
opened0 = metric(before, 'ssh_sessions_opened_total{type="remote"}') or 0
secs = 30 if SCALE >= 1 else 5
d = subprocess.Popen([DRIVER, u10k], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
c0 = cpu_s(e.p.pid); t0 = time.monotonic()
d.stdin.write(f"churn 1000 {secs} 50 192.0.2.7 {wtmp}\n"); d.stdin.flush()
logins, writes, ws, we = map(int, d.stdout.readline().split())
c1 = cpu_s(e.p.pid); t1 = time.monotonic()
while True:
    s, b = e.get(); t = time.monotonic_ns()
    if series(b.decode()) == base:
        break
exact_ms = (t - we) / 1e6
time.sleep(1)
after = e.get()[1].decode()
opened = (metric(after, 'ssh_sessions_opened_total{type="remote"}') or 0) - opened0
d.stdin.write("quit\n"); d.stdin.flush(); d.wait()
out["churn"] = {"seconds": round(t1 - t0, 2), "writes": writes, "rate": round(writes / ((we - ws) / 1e9)), "logins": logins, "cpu_share": round((c1 - c0) / (t1 - t0), 3),
                "exact_after_ms": round(exact_ms, 1), "opened_seen": opened,
                "counter_source": next((f for f in ("wtmp", "utmp", "logind", "none") if metric(after, 'ssh_exporter_session_events_source{source="%s"}' % f) == 1), "?")}
e.stop()
print(json.dumps(out))
