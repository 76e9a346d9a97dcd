#!/usr/bin/env bash
# The page the exporter serves while real sshd sessions are open: the text format passes
# `promtool check metrics` (and so does the page with no session), and OpenMetrics is served
# when a scraper asks for it, with the same series.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$NATIVE_TEST_DIR/sshd.sh"

machine_before="$(login_files_fingerprint)"
sshd_prereqs || finish
need promtool prometheus --no-install-recommends || finish
sshd_start || finish
exporter_on_utmp || finish

# matches STRING GLOB
# shellcheck disable=SC2254 # the pattern is meant as a glob
matches() { case "$1" in $2) return 0 ;; esac; return 1; }

# lint NAME FILE: promtool reads the page on stdin; any complaint fails, whatever its exit code.
lint() {
    local out rc
    out="$(promtool check metrics <"$2" 2>&1)"; rc=$?
    if [ "$rc" = 0 ] && [ -z "$out" ]; then pass "$1"; else fail "$1" "exit $rc: $(echo "$out" | tr '\n' ' ')"; fi
}

ssh_open 127.0.0.1; ssh_open 127.0.0.1; ssh_open ::1
step "sessions open: 2 from 127.0.0.1, 1 from ::1" "127.0.0.1=2 ::1=1"

text="$SSHD_DIR/page.txt"
ctype="$(curl -sf --max-time 5 -o "$text" -w '%{content_type}' "$EXPORTER_URL/metrics")"
check "text format by default (Content-Type: $ctype)" matches "$ctype" 'text/plain*version=0.0.4*'
lint "promtool check metrics: page with sessions is clean" "$text"
check "text page: ssh_num_sessions is a gauge" grep -q '^# TYPE ssh_num_sessions gauge$' "$text"
check "text page: series as expected" [ "$(series_of <"$text")" = "127.0.0.1=2 ::1=1" ]
check "text page: ssh_exporter_source_up 1" \
    [ "$(awk '$1 == "ssh_exporter_source_up" { print $2 + 0 }' "$text")" = 1 ]

om="$SSHD_DIR/page.om"
ctype="$(curl -sf --max-time 5 -H 'Accept: application/openmetrics-text; version=1.0.0' \
    -o "$om" -w '%{content_type}' "$EXPORTER_URL/metrics")"
check "OpenMetrics when asked (Content-Type: $ctype)" matches "$ctype" 'application/openmetrics-text*'
check "OpenMetrics body ends with # EOF" [ "$(tail -c 6 "$om" | tr '\n' '|')" = "# EOF|" ]
check "OpenMetrics page: same series" [ "$(series_of <"$om")" = "127.0.0.1=2 ::1=1" ]

code="$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$EXPORTER_URL/-/healthy")"
check "/-/healthy answers 200 (got $code)" [ "$code" = 200 ]

ssh_close_all
step "all sessions closed" ""
curl -sf --max-time 5 -o "$text" "$EXPORTER_URL/metrics"
lint "promtool check metrics: page without sessions is clean" "$text"

sshd_teardown
check "machine's own utmp/wtmp/btmp/lastlog untouched" [ "$(login_files_fingerprint)" = "$machine_before" ]
finish
