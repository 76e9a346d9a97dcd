#!/usr/bin/env bash
# A real Prometheus (Debian's) scrapes the exporter every second while real sshd sessions come
# and go: its query API must return the right series and values, the target must be up, and
# series that the exporter dropped must go stale in Prometheus too. (Prometheus asks for
# OpenMetrics first, so this also runs the exporter's OpenMetrics page through its parser.)
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$NATIVE_TEST_DIR/sshd.sh"

machine_before="$(login_files_fingerprint)"
sshd_prereqs || finish
need prometheus prometheus --no-install-recommends || finish
sshd_start || finish
exporter_on_utmp || finish

# prometheus_for_exporter: lib.sh's start_prometheus, scraping this exporter every second.
prometheus_for_exporter() {
    local dir="$SSHD_DIR/prometheus"
    mkdir -p "$dir"
    cat >"$dir/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ssh
    static_configs:
      - targets: ['${EXPORTER_URL#http://}']
EOF
    start_prometheus "$dir"
}

# prom_query EXPR: the instant query's result as "remote_ip=value ..." (sorted; a result
# without that label shows as its value alone); fails when the API does not answer success.
prom_query() {
    curl -sfG --max-time 2 --data-urlencode "query=$1" "$PROM_URL/api/v1/query" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "success", r
out = []
for s in r["data"]["result"]:
    v = float(s["value"][1]); v = int(v) if v.is_integer() else v
    ip = s["metric"].get("remote_ip")
    out.append(f"{ip}={v}" if ip is not None else str(v))
print(" ".join(sorted(out)))'
}

# target_health: "COUNT health job scrapeUrl error=LAST-ERROR" of the active targets.
target_health() {
    curl -sf --max-time 2 "$PROM_URL/api/v1/targets?state=active" | python3 -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"]
print(len(t), *[" ".join((x["health"], x["labels"]["job"], x["scrapeUrl"], "error=" + x["lastError"])) for x in t])'
}

query_is() { [ "$(prom_query "$1")" = "$2" ]; }

# expect_prom NAME QUERY WANT: Prometheus must return WANT within 10 s (scrapes are 1 s apart).
expect_prom() {
    local t0; t0="$(now_ms)"
    if wait_for 10 query_is "$2" "$3"; then
        pass "$1 ($(($(now_ms) - t0)) ms)"
    else
        fail "$1" "query '$2' returns '$(prom_query "$2")', wanted '$3'"
    fi
}

prometheus_for_exporter || finish

want_target="1 up ssh $EXPORTER_URL/metrics error="
target_is_up() { [ "$(target_health)" = "$want_target" ]; }
if wait_for 10 target_is_up; then
    pass "/api/v1/targets: the exporter is the one target, health up"
else
    fail "/api/v1/targets: the exporter is the one target, health up" "got: $(target_health)"
fi
expect_prom "up{job=\"ssh\"} is 1" 'up{job="ssh"}' 1
expect_prom "ssh_exporter_source_up is 1" ssh_exporter_source_up 1
expect_prom "no ssh_num_sessions series before any session" ssh_num_sessions ""

v4=() v6=()
for _ in 1 2 3; do ssh_open 127.0.0.1; v4+=("$SSH_PID"); done
ssh_open ::1; v6+=("$SSH_PID")
step "exporter: 3 sessions from 127.0.0.1, 1 from ::1" "127.0.0.1=3 ::1=1"
expect_prom "Prometheus: ssh_num_sessions 3 from 127.0.0.1, 1 from ::1" ssh_num_sessions "127.0.0.1=3 ::1=1"
expect_prom "Prometheus: sum(ssh_num_sessions) is 4" 'sum(ssh_num_sessions)' 4

ssh_close "${v4[@]:0:2}"
step "exporter: 2 from 127.0.0.1 closed" "127.0.0.1=1 ::1=1"
expect_prom "Prometheus follows: 1 and 1" ssh_num_sessions "127.0.0.1=1 ::1=1"

ssh_close "${v6[@]}"
step "exporter: the ::1 session closed" "127.0.0.1=1"
expect_prom "Prometheus: the dropped ::1 series is stale, no longer returned" ssh_num_sessions "127.0.0.1=1"

ssh_close_all
step "exporter: all closed" ""
expect_prom "Prometheus: no ssh_num_sessions series left" ssh_num_sessions ""
check "/api/v1/targets: still up after every change" target_is_up

kill_pid "$PROM_PID"
sshd_teardown
check "machine's own utmp/wtmp/btmp/lastlog untouched" [ "$(login_files_fingerprint)" = "$machine_before" ]
finish
