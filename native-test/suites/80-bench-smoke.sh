#!/usr/bin/env bash
# The benchmark suite in its short mode (bench/run --smoke): every benchmark runs and yields a
# sane figure. Not a timing test: the thresholds here are sanity bounds only, far from the targets
# in docs/BENCHMARKS.md (CI machines are noisy).
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

need gcc gcc || finish
need python3 python3-minimal || finish
need mvn maven || finish

out="$(mktemp)"; err="$(mktemp)"
on_exit rm -f "$out" "$err"
if BENCH_WORK="$(mktemp -d)" timeout 300 "$REPO_DIR/bench/run" --smoke >"$out" 2>"$err"; then
    pass "bench/run --smoke completes"
else
    fail "bench/run --smoke completes" "exit $?: $(tail -3 "$err" | tr '\n' ' ')"
    finish
fi

# field LINE-PREFIX KEY: the value of KEY= on the first result line starting with LINE-PREFIX
field() { grep -m1 "^$1" "$out" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ratio_ok() { awk -v j="$1" -v c="$2" 'BEGIN { exit !(j > 0 && c > 0 && j / c < 20) }'; }

for f in u10 u1k; do
    for m in event resync; do
        j="$(field "refresh file=$f .*mode=$m" java_cpu_ms)"; c="$(field "refresh file=$f .*mode=$m" c_cpu_ms)"
        if ratio_ok "$j" "$c"; then pass "refresh $f $m measured next to the C loop ($j ms vs $c ms)"
        else fail "refresh $f $m measured next to the C loop" "java=$j c=$c"; fi
    done
done
for f in u100 u1k; do
    m="$(field "latency file=$f" median_ms)"
    if awk -v m="$m" 'BEGIN { exit !(m != "" && m >= 0 && m < 1000) }'; then pass "latency $f measured (median $m ms)"
    else fail "latency $f measured" "median=$m"; fi
done

live="$(grep -m1 '^live ' "$out" | cut -d' ' -f2-)"
py() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); $1" "$live" 2>/dev/null; }
check "live figures parse" py "pass"
check "start-up measured: $(py 'print(d["startup_ms"])') ms" py 'assert d["startup_ms"] > 0'
check "idle: under 0.1 s CPU in $(py 'print(d["idle"]["seconds"])') s ($(py 'print(d["idle"]["cpu_s"])') s)" py 'assert d["idle"]["cpu_s"] < 0.1'
check "scrape: /metrics served, gzip smaller ($(py 'print(d["scrape"]["bytes"], d["scrape"]["gzip_bytes"])'))" \
    py 'assert 0 < d["scrape"]["gzip_bytes"] < d["scrape"]["bytes"]'
check "memory: RSS measured ($(py 'print(d["memory"]["rss_mb"])') MB)" py 'assert 0 < d["memory"]["rss_mb"] < 200'
check "client latency measured (median $(py 'print(d["client_latency_ms"]["median"])') ms)" py 'assert d["client_latency_ms"]["n"] > 0'
check "churn: exposition exact again after churn ($(py 'print(d["churn"]["exact_after_ms"])') ms)" py 'assert d["churn"]["exact_after_ms"] < 5000'
check "churn: wtmp-fed counter saw every login ($(py 'print(d["churn"]["opened_seen"], "/", d["churn"]["logins"])'))" \
    py 'c=d["churn"]; assert c["counter_source"] == "wtmp" and c["opened_seen"] == c["logins"]'
finish
