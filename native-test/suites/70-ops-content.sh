#!/usr/bin/env bash
# The operations content under docs/: the Grafana dashboard (docs/grafana/ssh-exporter.json) and
# the Prometheus alerting rules with their unit tests (docs/prometheus/). The rules pass
# `promtool check rules` and `promtool test rules`, every alert is tested firing and not firing;
# the dashboard is valid JSON that Grafana can import. Then the built exporter runs on temp
# utmp/wtmp/btmp (one session in utmp), and:
# - its page passes `promtool check metrics`;
# - every metric name in the dashboard's and the rules' expressions is a name it serves (or `up`),
#   compared by sample name, as Prometheus stores them (a histogram is queried as _bucket, _sum,
#   _count; a counter as _total); the dashboard shows every ssh_* metric served by default;
# - a real Prometheus (Debian's) scrapes it as job "ssh-exporter" with the rules loaded: every
#   dashboard query (Grafana variables filled in) returns series, every rule evaluates without
#   error, a healthy exporter raises no alert, and a killed one makes SSHExporterDown pending.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

DASHBOARD="$REPO_DIR/docs/grafana/ssh-exporter.json"
RULES="$REPO_DIR/docs/prometheus/ssh-exporter-rules.yml"
RULE_TESTS="$REPO_DIR/docs/prometheus/ssh-exporter-rules.test.yml"
WRITER_SRC="$REPO_DIR/src/test/c/utmpx_writer.c"

need promtool prometheus --no-install-recommends || finish
need prometheus prometheus --no-install-recommends || finish
need python3 python3 || finish
need curl curl || finish
need gcc gcc || finish
if ! python3 -c 'import yaml' 2>/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q python3-yaml >/dev/null 2>&1 \
        || { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null 2>&1 \
             && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q python3-yaml >/dev/null 2>&1; }
    python3 -c 'import yaml' 2>/dev/null || { fail "prerequisite python3 yaml" "package python3-yaml could not be installed"; finish; }
fi

WORK="$(mktemp -d /tmp/nt-ops.XXXXXX)"
on_exit rm -rf "$WORK"

# --- The helper that reads the dashboard and the rules (native-test/ops_content.py) ------------
OPS="$NATIVE_TEST_DIR/ops_content.py"

# run_check NAME COMMAND...: pass when the command exits 0; its output (problems) is the reason.
run_check() {
    local name="$1" out rc; shift
    out="$("$@" 2>&1)"; rc=$?
    if [ "$rc" = 0 ]; then pass "$name"; else fail "$name" "$(echo "$out" | tail -20 | tr '\n' '|')"; return 1; fi
}

# --- Static checks ------------------------------------------------------------------------------
run_check "metric-name extractor self-test" python3 "$OPS" selftest
run_check "promtool check rules docs/prometheus/ssh-exporter-rules.yml" promtool check rules "$RULES"
# From another directory: rule_files is resolved against the test file's own directory.
promtool_test_rules() { (cd / && promtool test rules "$RULE_TESTS"); }
run_check "promtool test rules docs/prometheus/ssh-exporter-rules.test.yml" promtool_test_rules
run_check "every alert: for, severity, summary/description, tested firing and quiet" \
    python3 "$OPS" rules "$RULES" "$RULE_TESTS"
run_check "dashboard is valid JSON (no repeated keys)" python3 "$OPS" json "$DASHBOARD" || finish
run_check "dashboard importable: layout, ids, datasource and instance variables" \
    python3 "$OPS" dashboard "$DASHBOARD"

# --- The exporter, on temp login files holding one live session ---------------------------------
gcc -O -Wall -o "$WORK/utmpx_writer" "$WRITER_SRC" 2>"$WORK/gcc.log" \
    || { fail "utmpx_writer builds" "$(tr '\n' ' ' <"$WORK/gcc.log")"; finish; }
touch "$WORK/utmp" "$WORK/wtmp" "$WORK/btmp"
# A live session (this shell's pid, so not stale) from 203.0.113.7: ssh_num_sessions is served
# only while some address has a session.
"$WORK/utmpx_writer" "$WORK/utmp" login pts/7 ops-test 203.0.113.7 203.0.113.7 $$ \
    || { fail "session written to the temp utmp" "utmpx_writer failed"; finish; }
PORT="$(free_port)"
start_exporter "$WORK/exporter.log" -H 127.0.0.1 -p "$PORT" -f "$WORK/utmp" \
    --wtmp.file "$WORK/wtmp" --btmp.file "$WORK/btmp" || finish
page="$WORK/page.txt"
scrape() { curl -sf --max-time 2 -o "$page" "http://127.0.0.1:$PORT/metrics" && grep -q '^ssh_num_sessions{' "$page"; }
if ! wait_for 60 scrape; then
    fail "exporter serves its page" "no ssh_num_sessions at :$PORT: $(tail -5 "$WORK/exporter.log" | tr '\n' ' ')"
    finish
fi
pass "exporter serves its page with a session (port $PORT)"

lint="$(promtool check metrics <"$page" 2>&1)"; rc=$?
if [ "$rc" = 0 ] && [ -z "$lint" ]; then pass "promtool check metrics: the page is clean"
else fail "promtool check metrics: the page is clean" "exit $rc: $(echo "$lint" | tr '\n' ' ')"; fi

run_check "metric names in dashboard and rules are all served by the exporter" \
    python3 "$OPS" names "$page" "$DASHBOARD" "$RULES"
run_check "dashboard shows every ssh_* metric served by default" python3 "$OPS" coverage "$page" "$DASHBOARD"

# --- A real Prometheus with the rules, scraping the exporter as job "ssh-exporter" --------------
prom_dir="$WORK/prometheus"
mkdir -p "$prom_dir"
cat >"$prom_dir/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: ssh-exporter
    static_configs:
      - targets: ['127.0.0.1:$PORT']
EOF
start_prometheus "$prom_dir" || finish

query() { curl -sfG --max-time 5 --data-urlencode "query=$1" "$PROM_URL/api/v1/query"; }
# scraped N: at least N scrapes of the exporter are stored (rate() needs two in its window).
scraped() { query "count_over_time(up{job=\"ssh-exporter\"}[1m]) >= $1" 2>/dev/null | python3 "$OPS" check-result "" >/dev/null 2>&1; }
if ! wait_for 60 scraped 4; then
    fail "prometheus scrapes the exporter" "$(tail -5 "$prom_dir/prometheus.log" | tr '\n' ' ')"
    finish
fi
pass "prometheus scrapes the exporter as job ssh-exporter"

# Every dashboard query, variables filled in, returns series.
while IFS= read -r line; do
    case "$line" in
        "PASS "*) pass "${line#PASS }" ;;
        "FAIL "*) rest="${line#FAIL }"; fail "${rest%%: *}" "${rest#*: }" ;;
        *) fail "dashboard queries" "unexpected output: $line" ;;
    esac
done < <(python3 "$OPS" run-queries "$DASHBOARD" "127.0.0.1:$PORT" "$PROM_URL" 2>&1)

# Every rule is loaded and evaluates without error (health "ok" once evaluated).
rules_state() { curl -sf --max-time 5 "$PROM_URL/api/v1/rules" | python3 "$OPS" rules-state; }
n_rules="$(python3 -c 'import sys, yaml; print(sum(len(g["rules"]) for g in yaml.safe_load(open(sys.argv[1]))["groups"]))' "$RULES")"
rules_ok() { [ "$(rules_state)" = "$n_rules ok | " ]; }
wait_for 20 rules_ok
check "prometheus loads all $n_rules rules and evaluates them without error (got: $(rules_state))" rules_ok

# A healthy exporter raises nothing, not even a pending alert.
alerts() { curl -sf --max-time 5 "$PROM_URL/api/v1/alerts" | python3 "$OPS" alerts; }
active="$(alerts)"
check "healthy exporter: no alert pending or firing (got: ${active:-none})" [ -z "$active" ]

# Kill it: the next failed scrape makes up 0, and SSHExporterDown pending within seconds.
kill_pid "$EXPORTER_PID"
down_pending() { [ "$(alerts)" = "SSHExporterDown=pending" ]; }
wait_for 20 down_pending
check "exporter killed: SSHExporterDown pending, nothing else (got: $(alerts))" down_pending

finish
