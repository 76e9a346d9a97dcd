#!/usr/bin/env python3
"""Renders bench/run's results file into the generated section of docs/BENCHMARKS.md
(between the BEGIN/END GENERATED markers; the text around them is kept)."""
import json, re, sys

res, doc = sys.argv[1], sys.argv[2]
lines = open(res).read().splitlines()
kv = lambda l: dict(x.split("=", 1) for x in l.split() if "=" in x)
head = {l.split("=", 1)[0]: l.split("=", 1)[1] for l in lines if re.match(r"^(date|nproc|cpu|kernel|jdk|glibc|load_before|load_after)=", l)}
md = [f"Run {head.get('date')} on {head.get('nproc')} x {head.get('cpu')}, kernel {head.get('kernel')}, "
      f"{head.get('jdk')}, glibc {head.get('glibc')}. Load average before {head.get('load_before')}, "
      f"after {head.get('load_after')} (shared machine). Command: `bench/run`.", "",
      "### Figure 1: refresh vs the bare C loop (medians; paired, same thread, alternating)", "",
      "| file | sessions / addresses | mode | passes | exporter CPU ms | C loop CPU ms | ratio (CPU) | exporter wall ms | C wall ms | ratio (wall) |",
      "|---|---|---|---|---|---|---|---|---|---|"]
MODES = {"event-pkg": "event, packaged JVM flags (C1)", "resync-live": "resync, every pid alive"}
for l in lines:
    if l.startswith("refresh "):
        d = kv(l)
        jc, cc, jw, cw = (float(d[k]) for k in ("java_cpu_ms", "c_cpu_ms", "java_wall_ms", "c_wall_ms"))
        md.append(f"| {d['file']} | {d['sessions']} / {d['addresses']} | {MODES.get(d['mode'], d['mode'])} | {d['passes']} | {jc:.3f} | {cc:.3f} | "
                  f"**{jc / cc:.2f}x** | {jw:.3f} | {cw:.3f} | {jw / cw:.2f}x |")
jmh = [kv(l) for l in lines if l.startswith("jmh ")]
if jmh:
    md += ["", "JMH (`RefreshBench`, SampleTime, p50, wall clock, 1 fork):", "", "| benchmark | mode | p50 us |", "|---|---|---|"]
    md += [f"| {d['bench']} | {d['mode']} | {d['p50_us']} |" for d in jmh]
md += ["", "### Figure 2: event to exposition (server side: pututxline() returned -> snapshot published)", "",
       "| file | events | median ms | p99 ms | max ms |", "|---|---|---|---|---|"]
for l in lines:
    if l.startswith("latency "):
        d = kv(l)
        md.append(f"| {d['file']} | {d['n']} | {d['median_ms']} | {d['p99_ms']} | {d['max_ms']} |")
for l in lines:
    if l.startswith("cpass "):
        d = kv(l); md.append(f"\nBaseline: the C loop's pass over {d['file']} in the same run: {d['c_median_ms']} ms (median of 15).")
live = next((json.loads(l[5:]) for l in lines if l.startswith("live ")), None)


def client_rows(cl, py):
    """Figure 2, client view: the C client (with its own poll cost measured in the same run), then
    the Python poller on the same exporter."""
    if "poll_ms" not in cl:  # a results file from before bench/c/client_latency.c
        return [f"| 2. client polling /metrics, 100-session file | median {cl['median']:.2f} ms, p99 {cl['p99']:.2f} ms (n={cl['n']}) | - |"]
    rows = [f"| 2. client polling /metrics back to back, 100-session file: C client (`bench/c/client_latency.c`), warm exporter | "
            f"median {cl['median']:.2f} ms, p99 {cl['p99']:.2f} ms (n={cl['n']}; {cl['first_poll_hit']} of {cl['n']} seen by the first poll "
            f"sent after pututxline() returned, at most {cl['polls_max']} poll{'s' if cl['polls_max'] != 1 else ''}) | one poll of the unchanged /metrics ({cl['bytes']} B): "
            f"median {cl['poll_ms']:.2f} ms (p99 {cl['poll_p99_ms']:.2f}), {cl['idle_poll_ms']:.2f} ms as the first after 20 ms idle; "
            f"/-/healthy {cl['healthy_ms']:.2f} ms |"]
    if py:
        rows.append(f"| 2. the same, Python `http.client` poller (`utmp_driver` writes), same exporter | median {py['median']:.2f} ms, "
                    f"p99 {py['p99']:.2f} ms (n={py['n']}) | one poll of /metrics: median {py['poll_ms']:.2f} ms |")
    return rows
if live:
    s, m, c, i, cl = live["scrape"], live["memory"], live["churn"], live["idle"], live["client_latency_ms"]
    md += ["", "### Figures 2 (client), 3-7: the exporter process (JAVA_OPTS: `" + m["opts"] + "`)", "",
           "| figure | measured | baseline in the same run |", "|---|---|---|",
           *client_rows(cl, live.get("python_client_latency_ms")),
           f"| 3. churn: {c['writes']} writes in {c['seconds']} s ({c.get('rate', '?')}/s achieved) on the big file | {c['cpu_share'] * 100:.1f}% of one core; exact {c['exact_after_ms']} ms after the churn stopped; opened counter saw {c['opened_seen']:.0f} of {c['logins']} logins (source {c['counter_source']}) | - |",
           f"| 4. idle {i['seconds']} s | {i['cpu_s']} s CPU, {len(i['threads'])} threads | - |",
           f"| 5. RSS after {m['after_scrapes']} scrapes, big file | {m['rss_mb']} MB | - |",
           f"| 6. scrape /metrics, {s['bytes']} bytes | median {s['metrics_ms']:.2f} ms (p99 {s['metrics_p99_ms']:.2f}); gzip {s['gzip_bytes']} bytes, {s['gzip_ms']:.2f} ms | /-/healthy {s['healthy_ms']:.2f} ms |",
           f"| 7. start-up to first correct /metrics | {live['startup_ms']:.0f} ms | `java -version` {live['jvm_version_ms']:.0f} ms |",
           "", "Threads at idle: " + ", ".join(i["threads"]) + "."]
vs = next((json.loads(l[6:]) for l in lines if l.startswith("vsold ")), None)
if vs:
    ex, old, bg = vs["exporter"], vs["old_script"], vs["exporter_big"]
    md += ["", "### Figure 8: a change as curl sees it, next to the old script (both cold, same file, same run)", "",
           "| | ssh-exporter | old script |", "|---|---|---|",
           f"| write -> change seen on /metrics, new connection per poll, 100 sessions, median (p90) | {ex['write_to_seen_median_ms']:.2f} ms "
           f"({ex['write_to_seen_p90_ms']:.2f}; n={ex['events']}, {ex['polls_median']} poll{'s' if ex['polls_median'] != 1 else ''} median) | "
           + (f"{old['write_to_seen_median_ms']:.2f} ms ({old['write_to_seen_p90_ms']:.2f}; n={old['events']}) |" if old else "not run |"),
           f"| one GET /metrics, new connection, median | {ex['metrics_new_connection_median_ms']:.2f} ms ({ex['bytes']} B) | "
           + (f"{old['metrics_new_connection_median_ms']:.2f} ms ({old['bytes']} B) |" if old else "not run |"),
           f"| one GET /-/healthy, new connection, median (the poller's own cost, about) | {ex['healthy_new_connection_median_ms']:.2f} ms | - |",
           f"| {bg.get('sessions', 10000):,} sessions: write -> seen, median (n={bg['events']}) | {bg['write_to_seen_median_ms']:.1f} ms"
           + (f" (C getutxent pass {cp8:.1f} ms)" if (cp8 := next((float(kv(l)['c_median_ms']) for l in lines if l.startswith('cpass ')), None)) else "")
           + " | - |"]
mem = next((json.loads(l[7:]) for l in lines if l.startswith("memory ")), None)
if mem:
    md += ["", "### Figure 5: resident memory by JAVA_OPTS (big file, after the scrapes; same run)", "",
           "| variant | RSS MB | threads |", "|---|---|---|"]
    md += [f"| {k} | {v['rss_mb']} | {v['threads']} |" for k, v in mem.items() if not k.startswith("nmt_")]
    for k, v in mem.items():
        if k.startswith("nmt_"):
            n = v["nmt_committed_mb"]
            md += ["", f"NMT committed MB, {k[4:]} (RSS {v['rss_mb']} MB with NMT on): " +
                   ", ".join(f"{a} {b}" for a, b in n.items() if b > 0) + ". RSS beyond NMT's total is libjvm/libc text and data, "
                   "malloc arenas outside NMT, and JNA's native stub."]
# The targets of issue #7, judged on this run.
R = {kv(l)["file"] + "/" + kv(l)["mode"]: kv(l) for l in lines if l.startswith("refresh ")}
L = {kv(l)["file"]: kv(l) for l in lines if l.startswith("latency ")}
cp = next((float(kv(l)["c_median_ms"]) for l in lines if l.startswith("cpass ")), None)
rows = []
yes = lambda ok: "yes" if ok else "**no**"
for k, d in R.items():
    r = float(d["java_cpu_ms"]) / float(d["c_cpu_ms"])
    rows.append((f"1. refresh {d['file']} ({d['sessions']} sessions / {d['addresses']} addresses), {MODES.get(d['mode'], d['mode'])}",
                 "<= 1.2x C loop", f"{r:.2f}x ({float(d['java_cpu_ms']):.3f} vs {float(d['c_cpu_ms']):.3f} ms CPU)", yes(r <= 1.2)))
if "u100" in L:
    d = L["u100"]; m, p99 = float(d["median_ms"]), float(d["p99_ms"])
    rows.append(("2. latency, server side, 100 sessions", "median <= 1 ms, p99 <= 5 ms", f"median {m:.2f} ms, p99 {p99:.2f} ms", yes(m <= 1 and p99 <= 5)))
big = [f for f in L if f != "u100"]
if big and cp:
    d = L[big[0]]; m = float(d["median_ms"]); lim = 1.2 * cp + 2
    rows.append((f"2. latency, server side, {big[0]}", f"<= 1.2 x C pass ({cp:.1f} ms) + 2 = {lim:.1f} ms", f"median {m:.1f} ms, p99 {float(d['p99_ms']):.1f} ms", yes(m <= lim)))
if live:
    rows.append(("2. latency, client polling /metrics" + (" (C client)" if "poll_ms" in cl else "") + ", 100 sessions", "median <= 3 ms",
                 f"median {cl['median']:.2f} ms, p99 {cl['p99']:.2f} ms" + (f" (one poll of /metrics: {cl['poll_ms']:.2f} ms)" if "poll_ms" in cl else ""),
                 yes(cl["median"] <= 3)))
    rows.append((f"3. churn {c.get('rate', '?')}/s, 30 s, big file", "<= 25% of a core", f"{c['cpu_share'] * 100:.1f}%", yes(c["cpu_share"] <= 0.25)))
    rows.append(("3. exact after churn stops", "<= 100 ms", f"{c['exact_after_ms']} ms", yes(c["exact_after_ms"] <= 100)))
    rows.append(("3. logins seen by ssh_sessions_opened_total", "report", f"{c['opened_seen']:.0f} of {c['logins']} ({c['counter_source']})", "-"))
    rows.append((f"4. idle {i['seconds']:.0f} s", "< 0.1 s CPU", f"{i['cpu_s']} s, {len(i['threads'])} threads", yes(i["cpu_s"] < 0.1)))
    rows.append(("5. RSS, big file, after 10,000+ scrapes, packaging JAVA_OPTS", "<= 48 MB", f"{m_rss} MB" if (m_rss := live['memory']['rss_mb']) else "-", yes(live["memory"]["rss_mb"] <= 48)))
    rows.append(("6. scrape, 1,000 series", "report", f"median {s['metrics_ms']:.2f} ms, {s['bytes']} B; gzip {s['gzip_ms']:.2f} ms, {s['gzip_bytes']} B (/-/healthy {s['healthy_ms']:.2f} ms)", "-"))
    rows.append(("7. start-up to first correct /metrics, big file", "report", f"{live['startup_ms']:.0f} ms (java -version {live['jvm_version_ms']:.0f} ms)", "-"))
md += ["", "### Targets (issue #7), judged on this run", "", "| figure | target | measured | met? |", "|---|---|---|---|"]
md += [f"| {a} | {b} | {c_} | {d_} |" for a, b, c_, d_ in rows]
text = open(doc).read()
a, b = "<!-- BEGIN GENERATED by bench/run -->", "<!-- END GENERATED -->"
text = text[:text.index(a) + len(a)] + "\n" + "\n".join(md) + "\n" + text[text.index(b):]
open(doc, "w").write(text)
