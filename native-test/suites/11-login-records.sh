#!/usr/bin/env bash
# The counters fed by the login logs that a real sshd appends to (its temp wtmp and btmp, see
# sshd.sh): ssh_sessions_opened_total/closed_total{type="remote"}, ssh_session_duration_seconds
# and ssh_failed_logins_total. wtmp sees every session, even one that opens and closes between
# two reads of utmp; the duration is the difference of the two recorded times; a failed login
# (an unknown user: OpenSSH writes btmp for those, not for a rejected key) counts once; a wtmp
# rotated away and created anew is followed. Like suite 10, each step waits until sshd's file
# shows the change, then gives the exporter one second.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$NATIVE_TEST_DIR/sshd.sh"

machine_before="$(login_files_fingerprint)"
sshd_prereqs || finish
sshd_start || finish
exporter_on_utmp || finish
log="$SSHD_DIR/log"

# counters: the counter samples, one "key=value" each; the duration sum with 6 decimals.
counters() {
    curl -sf --max-time 2 "$EXPORTER_URL/metrics" | awk '
        $1 == "ssh_sessions_opened_total{type=\"remote\"}" { o = $2 }
        $1 == "ssh_sessions_closed_total{type=\"remote\"}" { c = $2 }
        $1 == "ssh_session_duration_seconds_count" { n = $2 }
        $1 == "ssh_failed_logins_total" { f = $2 }
        $1 == "ssh_session_duration_seconds_sum" { s = $2 }
        END { printf "opened=%d closed=%d durations=%d failed=%d sum=%.6f\n", o, c, n, f, s }'
}
counts() { counters | sed 's/ sum=.*//'; }
declare -A base
baseline() { local kv; for kv in $(counters); do base[${kv%%=*}]="${kv#*=}"; done; }
# want OPENED CLOSED DURATIONS FAILED: the counts expected, as increments over the baseline.
want() {
    echo "opened=$((base[opened] + $1)) closed=$((base[closed] + $2))" \
        "durations=$((base[durations] + $3)) failed=$((base[failed] + $4))"
}
expect_counts() {
    local t0; t0="$(now_ms)"
    if wait_for 1 state_is counts "$2"; then
        pass "$1 ($(($(now_ms) - t0)) ms)"
    else
        fail "$1" "after 1s the exporter counts '$(counts)', wanted '$2'"
    fi
}
# records FILE: whole utmp records in FILE (384 bytes on x86_64, 400 on aarch64).
records() {
    local size=384
    [ "$(uname -m)" = aarch64 ] && size=400
    echo $(($(stat -c %s "$1") / size))
}
# expect_records FILE N: sshd has appended N records to FILE since mark_records.
mark_records() { marked="$(records "$1")"; }
has_records() { [ "$(records "$1")" = "$((marked + $2))" ]; }
expect_records() {
    wait_for 10 has_records "$1" "$2" && return 0
    fail "harness: sshd appended to $(basename "$1")" "$(( $(records "$1") - marked )) records, wanted $2"
    return 1
}

# wtmp_last_duration: logout time minus login time of the last session closed in wtmp, as
# utmpdump prints them (microseconds).
wtmp_last_duration() {
    utmpdump "$log/wtmp" 2>/dev/null | python3 -c '
import sys, datetime
recs = []
for line in sys.stdin:
    f = [x.strip() for x in line.strip()[1:-1].split("] [")]
    recs.append((f[0], f[4], datetime.datetime.fromisoformat(f[7].replace(",", "."))))
out = [r for r in recs if r[0] == "8"][-1]
login = [r for r in recs if r[0] == "7" and r[1] == out[1] and r[2] <= out[2]][-1]
print("%.6f" % (out[2] - login[2]).total_seconds())'
}

# close_to A B: within a millisecond (wtmp times have microseconds).
close_to() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 0.001 && d > -0.001) }'; }

check "opened/closed counted from wtmp" \
    [ "$(curl -sf "$EXPORTER_URL/metrics" | awk '$1 == "ssh_exporter_session_events_source{source=\"wtmp\"}" { print $2 + 0 }')" = 1 ]

# A half-second session: opened, closed, one duration, exactly as recorded.
baseline
mark_records "$log/wtmp"
ssh_client -tt 127.0.0.1 'sleep 0.5' </dev/null >>"$SSHD_DIR/clients.log" 2>&1
if expect_records "$log/wtmp" 2; then
    expect_counts "a 0.5 s session: opened +1, closed +1, one duration" "$(want 1 1 1 0)"
    recorded="$(wtmp_last_duration)"
    got="$(counters | sed 's/.*sum=//')"
    delta="$(awk -v a="$got" -v b="${base[sum]}" 'BEGIN { printf "%.6f", a - b }')"
    check "its duration is the recorded one, ${recorded}s (exporter: ${delta}s)" close_to "$delta" "$recorded"
fi

# 10 at once from both addresses, all closed: +10 each, every one with its duration.
baseline
mark_records "$log/wtmp"
pids=()
for _ in 1 2 3 4 5; do ssh_open 127.0.0.1; pids+=("$SSH_PID"); ssh_open ::1; pids+=("$SSH_PID"); done
step "10 sessions open (5 + 5)" "127.0.0.1=5 ::1=5"
expect_counts "10 sessions opened: opened +10, none closed" "$(want 10 0 0 0)"
ssh_close "${pids[@]}"
expect_records "$log/wtmp" 20 && expect_counts "10 sessions closed: closed +10, 10 durations" "$(want 10 10 10 0)"

# A failed login attempt: an unknown user.
baseline
mark_records "$log/btmp"
ssh_argv -T 127.0.0.1 true
SSH_ARGV[-2]="nosuchuser-nt@127.0.0.1"
"${SSH_ARGV[@]}" </dev/null >>"$SSHD_DIR/clients.log" 2>&1
expect_records "$log/btmp" 1 && expect_counts "a login as an unknown user: failed +1" "$(want 0 0 0 1)"

# wtmp rotated the way logrotate's "create" does: renamed away, a new empty file in its place.
mv "$log/wtmp" "$log/wtmp.1"
install -m 664 -g utmp /dev/null "$log/wtmp"
baseline
mark_records "$log/wtmp"
ssh_client -tt ::1 'sleep 0.2' </dev/null >>"$SSHD_DIR/clients.log" 2>&1
expect_records "$log/wtmp" 2 && expect_counts "after wtmp rotation: a session counted" "$(want 1 1 1 0)"

sshd_teardown
check "machine's own utmp/wtmp/btmp/lastlog untouched" [ "$(login_files_fingerprint)" = "$machine_before" ]
finish
