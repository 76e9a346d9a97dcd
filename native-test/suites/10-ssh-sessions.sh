#!/usr/bin/env bash
# Real sshd sessions, seen by the exporter through inotify alone (it runs with --interval 3600):
# one session from 127.0.0.1, one from ::1, 20 in parallel, a half-second session, `ssh host cmd`
# (no terminal: no utmp record, no series), utmp replaced by rename and moved away under the
# running exporter, and a clean exit on SIGTERM. Each step first waits until sshd's utmp really
# shows the new state (read with utmpdump), then gives the exporter one second to show exactly it.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$NATIVE_TEST_DIR/sshd.sh"

machine_before="$(login_files_fingerprint)"
sshd_prereqs || finish
sshd_start || finish
exporter_on_utmp || finish
run="$SSHD_DIR/run"

check "source up on the temp utmp" [ "$(metric_value ssh_exporter_source_up)" = 1 ]
expect_metrics "no series before any session" ""

# One session each way: the series appears, then is gone (not left at 0) after logout.
ssh_open 127.0.0.1
step "session from 127.0.0.1 shows within 1 s" "127.0.0.1=1"
ssh_close "$SSH_PID"
step "logout from 127.0.0.1 removes the series within 1 s" ""
ssh_open ::1
step "session from ::1 shows as remote_ip=\"::1\" within 1 s" "::1=1"
ssh_close "$SSH_PID"
step "logout from ::1 removes the series within 1 s" ""

# 20 at once, then closed in uneven batches: exact counts at every step.
v4=() v6=()
for _ in $(seq 10); do
    ssh_open 127.0.0.1; v4+=("$SSH_PID")
    ssh_open ::1; v6+=("$SSH_PID")
done
step "20 parallel sessions: 10 + 10" "127.0.0.1=10 ::1=10"
ssh_close "${v4[@]:0:4}" "${v6[@]:0:7}"
step "11 of 20 closed: 6 + 3" "127.0.0.1=6 ::1=3"
ssh_close "${v4[@]:4}"
step "all from 127.0.0.1 closed: its series gone" "::1=3"
ssh_close "${v6[@]:7}"
step "all 20 closed: no series" ""

# A session far shorter than the resync interval: only inotify can have seen it.
log_lines="$(wc -l <"$EXPORTER_LOG")"
new_log() { tail -n +"$((log_lines + 1))" "$EXPORTER_LOG"; }
saw_open_and_close() {
    [ "$(new_log | grep -i 'session opened' | grep -c '127\.0\.0\.1')" = 1 ] \
        && [ "$(new_log | grep -i 'session closed' | grep -c '127\.0\.0\.1')" = 1 ]
}
t0="$(now_ms)"
ssh_client -tt 127.0.0.1 'sleep 0.5' </dev/null >>"$SSHD_DIR/clients.log" 2>&1
held=$(($(now_ms) - t0))
if wait_for 1 saw_open_and_close; then
    pass "a ${held} ms session is logged as opened and closed"
else
    fail "a ${held} ms session is logged as opened and closed" \
        "new exporter log lines: $(new_log | tr '\n' '|')"
fi
step "the short session's series is gone again" ""

# `ssh host cmd` gets no terminal, and OpenSSH writes utmp only for sessions with a terminal:
# the exporter must show nothing for it (documented in native-test/README.md).
ssh_argv -T 127.0.0.1 'echo started; sleep 2'
"${SSH_ARGV[@]}" </dev/null >"$SSHD_DIR/notty.out" 2>&1 &
notty=$!
SSH_PIDS+=("$notty")
if wait_for 10 grep -q started "$SSHD_DIR/notty.out"; then
    check "harness: sshd writes no utmp record for ssh without a terminal" \
        [ "$(utmp_state)" = "" ]
    never_a_series() { local i; for i in $(seq 10); do [ "$(metric_state)" = "" ] || return 1; sleep 0.1; done; }
    check "ssh without a terminal shows no series" never_a_series
else
    fail "harness: ssh without a terminal runs" "$(tr '\n' ' ' <"$SSHD_DIR/notty.out")"
fi
wait "$notty"; rc=$?
check "ssh without a terminal exits 0 (exit $rc)" [ "$rc" = 0 ]

# utmp replaced by rename (as some tools rewrite it): a new session must still show at once.
ssh_open 127.0.0.1
step "before rename: one session" "127.0.0.1=1"
cp -p "$run/utmp" "$run/utmp.new" && mv "$run/utmp.new" "$run/utmp"
expect_metrics "after rename of an identical copy: same series" "127.0.0.1=1"
ssh_open ::1
step "after rename: a new session shows within 1 s" "127.0.0.1=1 ::1=1"
ssh_close_all
step "after rename: logouts remove the series within 1 s" ""
# A rename alone, no write after it, must be noticed too: rename an empty file over utmp
# while a session is open, and its series must go.
ssh_open 127.0.0.1
step "before second rename: one session" "127.0.0.1=1"
install -m 664 -g utmp /dev/null "$run/utmp.new" && mv "$run/utmp.new" "$run/utmp"
expect_metrics "rename of an empty utmp over it: no series within 1 s" ""
ssh_open ::1
step "after second rename: a new session shows within 1 s" "::1=1"
ssh_close_all
step "after second rename: all closed" ""

# The file moved away: reported as a source that is down; moved back: up again, exact again.
ssh_open 127.0.0.1
step "before move-away: one session" "127.0.0.1=1"
mv "$run/utmp" "$run/utmp.away"
source_is() { [ "$(metric_value ssh_exporter_source_up)" = "$1" ]; }
check "utmp moved away: ssh_exporter_source_up 0 within 1 s" wait_for 1 source_is 0
mv "$run/utmp.away" "$run/utmp"
check "utmp moved back: ssh_exporter_source_up 1 within 1 s" wait_for 1 source_is 1
expect_metrics "utmp moved back: the session shows again" "127.0.0.1=1"
ssh_close_all
step "after move-back: logout removes the series" ""

# SIGTERM: exit status 0 within one second.
kill -TERM "$EXPORTER_PID"
exited() { ! kill -0 "$EXPORTER_PID" 2>/dev/null; }
if wait_for 1 exited; then
    wait "$EXPORTER_PID"; rc=$?
    check "exporter exits 0 on SIGTERM (exit $rc)" [ "$rc" = 0 ]
else
    fail "exporter exits on SIGTERM within 1 s" "still running"
fi

# Nothing of the run may be left, and the machine's own login records were never touched.
sshd_teardown
check "machine's own utmp/wtmp/btmp/lastlog untouched" [ "$(login_files_fingerprint)" = "$machine_before" ]
finish
