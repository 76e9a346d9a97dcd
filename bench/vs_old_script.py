#!/usr/bin/env python3
"""A change as a person with curl sees it: the exporter next to the old script, same file, same run.

Usage: vs_old_script.py JAR WORKDIR DRIVER U100 BIG ROUNDS [BIG_EVENTS]

Both read one temp utmp file holding the U100 fixture's sessions: the exporter (the jar under the
packaged JAVA_OPTS, as BENCH_JAVA_OPTS gives them) through -f, the old script
(../shared/baseline/prometheus_ssh_exporter.py) as its hard-coded /var/run/utmp, in a private mount
namespace with the file's directory over /run. Both start cold, as after a boot or a restart:
nothing warms them up. Then ROUNDS rounds; in each, for the exporter and then for the old script,
a login written with glibc's pututxline() (DRIVER, bench/c/utmp_driver.c) and then its logout,
each followed by GET /metrics over a new connection each time, back to back, until the page shows
the change (latency: pututxline() returned -> that response read). After the rounds, single GETs
on new connections: /metrics of each, /-/healthy of the exporter (the poller's own cost, about).
Last, the exporter on a copy of the BIG fixture: BIG_EVENTS logins and logouts, timed the same
way (compare with the C getutxent pass over the same file, measured by bench/run).
Prints one JSON object.
"""
import http.client, json, os, shutil, subprocess, sys, time

from benchlib import free_port, med, pct

JAR, WORK, DRIVER, U100, BIG, ROUNDS = sys.argv[1:7]
ROUNDS = int(ROUNDS)
BIG_EVENTS = int(sys.argv[7]) if len(sys.argv) > 7 else 20
BASELINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "baseline")
BASELINE = os.environ.get("BENCH_BASELINE", BASELINE)
JAVA_OPTS = os.environ["BENCH_JAVA_OPTS"].split()
# The old script lives beside the project, not in it: bench/run --smoke (a check that every
# benchmark runs) goes on without it and says so; a full run needs it.
HAVE_OLD = os.path.isfile(os.path.join(BASELINE, "prometheus_ssh_exporter.py"))
if not HAVE_OLD:
    if os.environ.get("BENCH_SMOKE") != "1":
        raise SystemExit("the old script is not in %s (set BENCH_BASELINE)" % BASELINE)
    print("vs_old_script: no old script in %s: the exporter is measured alone" % BASELINE, file=sys.stderr)
ADDRESS = "192.0.2.99"


def get(port, path="/metrics"):
    """One request on a connection of its own, as curl or a health checker makes it."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", path); r = c.getresponse(); return r.status, r.read()
    finally:
        c.close()


def wait_up(port, check, limit=60):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            s, b = get(port)
            if s == 200 and check(b.decode()):
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("no answer on port %d" % port)


def seen(body, login):
    # The exporter writes 1.0 for a count of one, as the old script does.
    return (('remote_ip="%s"} 1.0' % ADDRESS) in body.decode()) == login


class Driver:
    def __init__(self, utmp):
        self.p = subprocess.Popen([DRIVER, utmp], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def write(self, login):
        self.p.stdin.write(("login 0 %s\n" % ADDRESS) if login else "logout 0\n"); self.p.stdin.flush()
        return int(self.p.stdout.readline())

    def close(self):
        self.p.stdin.write("quit\n"); self.p.stdin.flush(); self.p.wait(10)


def event(driver, port, login):
    """ms from pututxline() returning to the first response that shows the change, and the polls it took."""
    w = driver.write(login)
    polls = 0
    while True:
        s, b = get(port); t = time.monotonic_ns(); polls += 1
        if s == 200 and seen(b, login):
            return max(0, t - w) / 1e6, polls
        if time.monotonic_ns() - w > 10e9:
            raise SystemExit("%s: a %s was not served within 10 s (the page says %s)" % (NAMES.get(port, port), "login" if login else "logout", [l for l in b.decode().splitlines() if ADDRESS in l]))


def single(port, path, n):
    ts = []
    for _ in range(n):
        t = time.monotonic_ns(); s, b = get(port, path); ts.append((time.monotonic_ns() - t) / 1e6)
    return ts, len(b)


def exporter(utmp, port):
    return subprocess.Popen(["java", *JAVA_OPTS, "-jar", JAR, "-H", "127.0.0.1", "-p", str(port), "-f", utmp,
                             "--btmp.file=", "--wtmp.file=", *os.environ.get("BENCH_EXPORTER_ARGS", "").split()],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "exporter.log"), "a"))


out = {}
d = os.path.join(WORK, "vs-old"); shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
utmp = os.path.join(d, "utmp"); shutil.copyfile(U100, utmp)
pe, po = free_port(), free_port()
NAMES = {pe: "the exporter", po: "the old script"}
e = exporter(utmp, pe)
old = None if not HAVE_OLD else subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        'mount --bind "$1" /run && cd "$2" && exec /usr/bin/python3 prometheus_ssh_exporter.py -p "$3" -i 15',
                        "sh", d, BASELINE, str(po)],
                       stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "old-script.log"), "a"))
try:
    wait_up(pe, lambda t: "ssh_num_sessions{" in t)
    if old:
        wait_up(po, lambda t: "ssh_num_sessions{" in t)
    driver = Driver(utmp)
    targets = (("exporter", pe), ("old_script", po)) if old else (("exporter", pe),)
    lat = {name: [] for name, _ in targets}
    polls = {name: [] for name, _ in targets}
    for _ in range(ROUNDS):
        for name, port in targets:
            for login in (True, False):
                ms, n = event(driver, port, login)
                lat[name].append(ms); polls[name].append(n)
    out["old_script"] = None
    for name, port in targets:
        ts, size = single(port, "/metrics", 50)
        out[name] = {"events": len(lat[name]), "write_to_seen_median_ms": round(med(lat[name]), 2),
                     "write_to_seen_p90_ms": round(pct(lat[name], .9), 2), "polls_median": med(polls[name]),
                     "metrics_new_connection_median_ms": round(med(ts), 2), "bytes": size}
    ts, _ = single(pe, "/-/healthy", 50)
    out["exporter"]["healthy_new_connection_median_ms"] = round(med(ts), 2)
    driver.close()
finally:
    e.terminate(); e.wait(10)
    if old:
        old.terminate(); old.wait(10)

# The big file: the exporter alone, cold too.
big = os.path.join(d, "big"); shutil.copyfile(BIG, big)
# At most 9,999 records, so that with the login the file holds at most 10,000 sessions: a
# file of more records is not read (too_large). 384 bytes: glibc's struct utmpx on x86_64.
RECORD = 384
if os.path.getsize(big) // RECORD >= 10000:
    os.truncate(big, (10000 - 1) * RECORD)
pb = free_port()
NAMES[pb] = "the exporter on the big file"
e = exporter(big, pb)
try:
    wait_up(pb, lambda t: "ssh_num_sessions{" in t)
    driver = Driver(big)
    lb = [event(driver, pb, i % 2 == 0)[0] for i in range(BIG_EVENTS)]
    ts, size = single(pb, "/metrics", 20)
    out["exporter_big"] = {"sessions": os.path.getsize(big) // RECORD, "events": BIG_EVENTS, "write_to_seen_median_ms": round(med(lb), 2),
                           "metrics_new_connection_median_ms": round(med(ts), 2), "bytes": size}
    driver.close()
finally:
    e.terminate(); e.wait(10)
print(json.dumps(out))
