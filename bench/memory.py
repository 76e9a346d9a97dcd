#!/usr/bin/env python3
"""Figure 5 variants: resident memory of the whole exporter process on the big file after SCRAPES
scrapes, under several JAVA_OPTS side by side (same run, same file), plus a Native Memory Tracking
summary for one of them.

Usage: memory.py JAR WORKDIR BIG ADDRESSES SCRAPES [NAME=JAVA_OPTS[ -- EXPORTER ARGS] ...]   (prints one JSON object)
JAVA_OPTS may start with "ENV:VAR=VALUE " (an environment variable for the JVM).
"""
import http.client, json, os, re, shutil, subprocess, sys, time

from benchlib import free_port

JAR, WORK, BIG, ADDRS, SCRAPES = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
PKG = os.environ.get("BENCH_JAVA_OPTS") or subprocess.check_output([os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "packaging", "common", "default-java-opts")], text=True).strip()
variants = dict(a.split("=", 1) for a in sys.argv[6:]) or {"packaging": PKG}


def run(opts, env_extra=None, nmt=False):
    opts, _, args = opts.partition(" -- ")
    port = free_port()
    f = os.path.join(WORK, BIG + ".mem"); shutil.copyfile(os.path.join(WORK, BIG), f)
    env = dict(os.environ, **(env_extra or {}))
    exporter_args = ["-H", "127.0.0.1", "-p", str(port), "-f", f, "--wtmp.file=", "--btmp.file=", *args.split()]
    cmd = ["java", *opts.split(), *(["-XX:NativeMemoryTracking=summary"] if nmt else []), "-jar", JAR, *exporter_args]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    c = None
    end = time.monotonic() + 60
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/metrics"); b = c.getresponse().read().decode()
            if b.count("ssh_num_sessions{") >= ADDRS:
                break
        except OSError:
            time.sleep(0.05)
    for i in range(SCRAPES):
        c.request("GET", "/metrics", headers={"Accept-Encoding": "gzip"} if i % 2 else {}); c.getresponse().read()
    time.sleep(1)
    st = open(f"/proc/{p.pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", st).group(1)) / 1024
    thr = int(re.search(r"Threads:\s+(\d+)", st).group(1))
    summary = None
    if nmt:
        out = subprocess.run(["jcmd", str(p.pid), "VM.native_memory", "summary"], capture_output=True, text=True).stdout
        summary = {m.group(1): int(m.group(3)) // 1024 for m in
                   re.finditer(r"^-\s+(\S[^(]*?)\s+\(reserved=(\d+)KB, committed=(\d+)KB", out, re.M)}
        t = re.search(r"Total: reserved=(\d+)KB, committed=(\d+)KB", out)
        if t:
            summary["Total"] = int(t.group(2)) // 1024
    p.terminate(); p.wait(10)
    return {"rss_mb": round(rss, 1), "threads": thr, **({"nmt_committed_mb": summary} if nmt else {})}


res = {}
for name, opts in variants.items():
    env = {}
    if opts.startswith("ENV:"):
        e, opts = opts[4:].split(" ", 1)
        env = dict([e.split("=", 1)])
    res[name] = run(opts, env)
for name in [n for n in variants if n == "packaging"]:
    res["nmt_" + name] = run(variants[name], nmt=True)
print(json.dumps(res))
