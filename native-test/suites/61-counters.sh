#!/usr/bin/env bash
# The session counters (ssh_sessions_opened_total, ssh_sessions_closed_total,
# ssh_session_duration_seconds) against the truth of a scripted sequence of real ssh sessions,
# with the .deb installed by apt-get into a booted Debian root (systemd-nspawn, the shared
# helpers of nspawn.sh) and run by its own hardened unit with the packaged defaults, only the
# listen address set:
#   trixie   (Debian 13, no /run/utmp): the feed is logind, every sshd session counts, also
#            `ssh host true`; durations from logind's start time to the moment seen gone.
#   bookworm (Debian 12, /run/utmp and /var/log/wtmp): the feed is wtmp, only sessions with a
#            terminal are in it (and counted); durations are logout minus login record; the
#            count is also checked against `last` reading the same wtmp inside.
# From this machine over loopback: terminal sessions of known lengths (each timed from here:
# its first output to the client's exit), 5 `ssh host true`, sessions from 127.0.0.1 and ::1
# and two at once from ::1, and a session that outlives an exporter restart (closed +1 with its whole length, never counted
# opened). Every counter, every histogram bucket and the sum (within 0.5 s a session) must match;
# each wait is a bounded poll. The measured sequence is printed as a table.
#
# COUNTERS_TEST_RELEASES (default: LOGIND_TEST_RELEASES, else "trixie bookworm") chooses the
# roots; COUNTERS_TEST_EXTRA_ARGS is appended to the exporter's ARGS (e.g.
# "--sessions.events-source wtmp", to see the checks go red on trixie).
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"
. "$NATIVE_TEST_DIR/nspawn.sh"

RELEASES=${COUNTERS_TEST_RELEASES:-${LOGIND_TEST_RELEASES:-trixie bookworm}}
EXTRA_ARGS=${COUNTERS_TEST_EXTRA_ARGS:-}

need systemd-nspawn systemd-container || finish
need debootstrap debootstrap || finish
for prereq in ssh:openssh-client ssh-keygen:openssh-client curl:curl nsenter:util-linux python3:python3 dpkg-deb:dpkg; do
    need "${prereq%%:*}" "${prereq#*:}" || finish
done
pkg_files || finish

WORK=$(mktemp -d /var/tmp/nt-counters.XXXXXX)
on_exit rm -rf "$WORK"
CT_USER=ntuser
ssh_key="$WORK/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C nt-counters -f "$ssh_key" || { fail "client key" "ssh-keygen failed"; finish; }

# --- ssh clients --------------------------------------------------------------------------------
CLIENTS=() SESSIONS=""
# session NAME ADDR -tt|-T COMMAND: one ssh session into the container, in the background. With
# -tt the remote command first prints a line: the session is open once it arrives. In
# $SESSIONS/NAME.len (a directory per release): the client's exit status, its length (ns, start to exit) and the session's
# length as seen from here (ns, that first line to the client's exit; for -T the client's
# length). Its PID (a subshell that passes TERM on to ssh) joins CLIENTS.
session() {
    local name="$1" addr="$2" tty="$3" remote="$4"
    [ "$tty" = -tt ] && remote="echo open; $remote"
    (
        out="$SESSIONS/$name.out"
        : >"$out"
        t0=$(date +%s%N) t1=""
        "${CT_SSH[@]}" "$tty" "$CT_USER@$addr" "$remote" </dev/null >"$out" 2>>"$WORK/clients.log" &
        c=$!
        trap 'kill -TERM $c 2>/dev/null; exit 143' TERM
        if [ "$tty" = -tt ]; then
            while kill -0 "$c" 2>/dev/null; do
                grep -q open "$out" && { t1=$(date +%s%N); break; }
                sleep 0.005
            done
        fi
        wait "$c"
        rc=$?
        t2=$(date +%s%N)
        [ -n "$t1" ] || t1=$t0
        [ "$tty" = -tt ] && ! grep -q open "$out" && rc="$rc (no output)"
        echo "$rc $((t2 - t0)) $((t2 - t1))" >"$SESSIONS/$name.len"
    ) &
    CLIENTS+=($!)
}
close_all_clients() {
    local p
    for p in "${CLIENTS[@]}"; do kill_pid "$p"; wait "$p" 2>/dev/null; done
    CLIENTS=()
}
on_exit close_all_clients
# ended NAME: the session's client has exited with status 0 (else false, and the log says why).
ended() {
    local f="$SESSIONS/$1.len"
    [ -f "$f" ] || return 1
    [ "$(cut -d' ' -f1 "$f")" = 0 ] && [ "$(wc -w <"$f")" = 3 ] && return 0
    echo "  session $1: ssh exited $(cut -d' ' -f1 "$f"): $(tail -3 "$WORK/clients.log" | tr '\n' '|')" >&2
    return 1
}
# length NAME: the session's real length in seconds (3 decimals); client_length NAME: the client's.
length() { awk '{ printf "%.3f\n", $3 / 1e9 }' "$SESSIONS/$1.len"; }
client_length() { awk '{ printf "%.3f\n", $2 / 1e9 }' "$SESSIONS/$1.len"; }

# --- the exporter's page ------------------------------------------------------------------------
URL=""
page() { curl -sf --max-time 2 "$URL/metrics"; }
# val PAGE SERIES: the value of one series, exactly as named (labels included); "" when absent.
val() { awk -v s="$2" '$1 == s { print $2 + 0; exit }' <<<"$1"; }
# counts: "opened=N closed=N count=N local=N" (remote opened/closed, the histogram's count,
# local opened+closed).
counts() {
    local p lo lc
    p=$(page) || { echo "(scrape failed)"; return 0; }
    lo=$(val "$p" 'ssh_sessions_opened_total{type="local"}') lc=$(val "$p" 'ssh_sessions_closed_total{type="local"}')
    echo "opened=$(val "$p" 'ssh_sessions_opened_total{type="remote"}')" \
        "closed=$(val "$p" 'ssh_sessions_closed_total{type="remote"}')" \
        "count=$(val "$p" ssh_session_duration_seconds_count)" \
        "local=$([ -n "$lo" ] && [ -n "$lc" ] && echo $((lo + lc)))"
}
hist_sum() { val "$(page)" ssh_session_duration_seconds_sum; }
# buckets: the histogram's cumulative buckets as "1=N 10=N ... +Inf=N".
buckets() {
    page | awk '/^ssh_session_duration_seconds_bucket\{le="/ {
            le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le); if (le != "+Inf") le = le + 0
            printf "%s%s=%d", sep, le, $2; sep = " " } END { print "" }'
}
# expected_buckets SECONDS...: the same for durations SECONDS (the exporter's bucket bounds).
BOUNDS="1 10 30 60 300 900 1800 3600 10800 28800 86400 259200 604800"
expected_buckets() {
    awk -v bounds="$BOUNDS" 'BEGIN {
        n = split(bounds, b, " ")
        for (i = 1; i <= n; i++) { c = 0; for (j = 1; j < ARGC; j++) if (ARGV[j] + 0 <= b[i]) c++
            printf "%s%s=%d", sep, b[i], c; sep = " " }
        printf " +Inf=%d\n", ARGC - 1 }' "$@"
}
# bucket_of SECONDS: the upper bound of the bucket SECONDS falls in.
bucket_of() { awk -v bounds="$BOUNDS" -v s="$1" 'BEGIN { n = split(bounds, b, " "); for (i = 1; i <= n; i++) if (s <= b[i]) { print "le=" b[i]; exit } print "le=+Inf" }'; }
# series: ssh_num_sessions as "remote_ip=value ..." (sorted), "" for none.
series() {
    page | awk '/^ssh_num_sessions\{/ {
            ip = "?"; if (match($0, /remote_ip="[^"]*"/)) ip = substr($0, RSTART + 11, RLENGTH - 12)
            print ip "=" $NF + 0 }' | LC_ALL=C sort | paste -sd' '
}
# events_source: the source label(s) of ssh_exporter_session_events_source at 1.
events_source() {
    page | awk '/^ssh_exporter_session_events_source\{/ && $NF + 0 == 1 {
            s = $1; sub(/.*source="/, "", s); sub(/".*/, "", s); print s }' | paste -sd' '
}
is() { [ "$("$1")" = "$2" ]; }
journal() { ct journalctl -q -o cat -u ssh-exporter.service 2>/dev/null; }

# --- the sequence -------------------------------------------------------------------------------
TABLE=() OPENED=0 CLOSED=0 LENGTHS=() LOWS=() SUM_MARK=0 STEP_SEEN=""
# mark: remember the histogram's sum before a step's sessions start.
mark() { SUM_MARK=$(hist_sum); }
# counted NAME...: the sessions NAME... have ended and are part of the truth of this release.
# Waits (up to 5 s) for the exporter's counters to show the new truth; sets STEP_SEEN to what
# the histogram's sum grew by since mark.
counted() {
    local n want after
    for n in "$@"; do
        if [ "$COUNTS_ALL" = 1 ] || [ "${n#true}" = "$n" ]; then
            OPENED=$((OPENED + 1)) CLOSED=$((CLOSED + 1))
            LENGTHS+=("$(length "$n")")
            # A `true` session is over within its client's life, how long exactly is unseen here.
            if [ "${n#true}" = "$n" ]; then LOWS+=("$(length "$n")"); else LOWS+=(0); fi
        fi
    done
    want="opened=$OPENED closed=$CLOSED count=$CLOSED local=0"
    if wait_for 5 is counts "$want"; then
        pass "$CT_RELEASE: $STEP: $want"
    else
        fail "$CT_RELEASE: $STEP" "wanted '$want', the exporter shows '$(counts)'"
    fi
    after=$(hist_sum)
    STEP_SEEN=$(awk -v a="$after" -v b="$SUM_MARK" 'BEGIN { printf "%.3f", a - b }')
}
# close_to NAME SEEN LOW HIGH N: the exporter's SEEN seconds for N sessions (more than 0) are
# within 0.5 s a session of their real length, known to lie from LOW to HIGH (equal for a session
# with a terminal, timed from here without the connecting: see session; for `true`, 0 to the
# client's length).
close_to() {
    local real="$3"; [ "$3" = "$4" ] || real="$3 to $4"
    if awk -v a="$2" -v l="$3" -v h="$4" -v n="$5" 'BEGIN { exit !(a != "" && a > 0 && a >= l - 0.5 * n && a <= h + 0.5 * n) }'; then
        pass "$CT_RELEASE: $1: $2 s, real $real s"
    else
        fail "$CT_RELEASE: $1" "the exporter's ${2:-(none)} s against $real s real (for $5 session(s), 0.5 s each)"
    fi
}
# row NAME ADDR COMMAND EXPORTER-SECONDS: one line of the table.
row() {
    TABLE+=("$(printf '%-9s %-8s %-10s %-9s %8s s %8s s  %-7s  %s' "$CT_RELEASE" "$1" "$2" "$3" \
        "$(client_length "$1")" "$(length "$1")" \
        "$(bucket_of "$(length "$1")")" "$4")")
}
# one NAME ADDR -tt|-T COMMAND: one session after another: start, wait for its end, check.
one() {
    local name="$1"
    mark
    session "$@"
    wait "${CLIENTS[-1]}"
    CLIENTS=()
    if ! ended "$name"; then fail "$CT_RELEASE: session $name" "its ssh client failed"; return 1; fi
    STEP="$name ($4 from $2)"
    counted "$name"
    if [ "$COUNTS_ALL" = 1 ] || [ "${name#true}" = "$name" ]; then
        row "$name" "$2" "$4" "$STEP_SEEN s"
        close_to "$name: its duration" "$STEP_SEEN" "${LOWS[-1]}" "$(length "$name")" 1
    else
        row "$name" "$2" "$4" "not counted (${STEP_SEEN} s added)"
    fi
}

run_release() {
    local rel="$1" t0 port want seen sum last_n
    t0=$(now_ms)
    OPENED=0 CLOSED=0 LENGTHS=() LOWS=()
    SESSIONS="$WORK/$rel"
    mkdir -p "$SESSIONS" || return 1
    # Every sshd session is a logind session; only those with a terminal reach wtmp.
    COUNTS_ALL=0 WANT_SOURCE=wtmp
    [ "$rel" = bookworm ] || COUNTS_ALL=1 WANT_SOURCE=logind
    if ! ct_prepare "$rel"; then
        fail "$rel: container root" "cannot build or mount the cached $rel rootfs (see $ROOTFS_CACHE)"
        return 1
    fi
    ct_sshd_prepare "$CT_USER" "$ssh_key" || { fail "$rel: test user and sshd" "useradd or the sshd settings failed"; return 1; }
    port=$(free_port)
    URL="http://127.0.0.1:$port"
    cp "$DEB" "$CT_ROOT/root/ssh-exporter.deb"
    deb_settings "$DEB" "--host 127.0.0.1 --port $port --file /var/run/utmp${EXTRA_ARGS:+ $EXTRA_ARGS}" \
        "$CT_ROOT/etc/default/ssh-exporter" || { fail "$rel: settings file" "cannot read it from $DEB"; return 1; }

    if ! ct_boot 2>"$WORK/boot.err"; then
        fail "$rel: boots" "$(tr '\n' ' ' <"$WORK/boot.err") $(tail -5 "$CT_DIR/nspawn.log" | tr '\n' '|')"
        return 1
    fi
    pass "$rel: boots with systemd $(ct systemctl --version | awk 'NR == 1 { print $2 }') ($(($(now_ms) - t0)) ms with the overlay)"
    if [ "$rel" = bookworm ]; then
        check "$rel: /run/utmp and a readable /var/log/wtmp" ct sh -c '[ -f /run/utmp ] && [ -r /var/log/wtmp ]'
    else
        check "$rel: no utmp file" ct sh -c '! [ -e /run/utmp ] && ! [ -e /var/run/utmp ]'
    fi
    if ! ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confold /root/ssh-exporter.deb </dev/null >"$WORK/install.log" 2>&1; then
        fail "$rel: the .deb installs with apt-get" "$(tail -5 "$WORK/install.log" | tr '\n' '|')"
        return 1
    fi
    pass "$rel: the .deb installs with apt-get"
    ready() { curl -sf -o /dev/null --max-time 2 "$URL/-/healthy"; }
    if ! wait_for 60 ready; then
        fail "$rel: the packaged unit serves" "$(journal | tail -5 | tr '\n' '|')"
        return 1
    fi
    pass "$rel: the packaged unit serves on $URL"
    check "$rel: ssh_exporter_session_events_source{source=\"$WANT_SOURCE\"} 1 (only)" wait_for 5 is events_source "$WANT_SOURCE"
    chosen() { journal | grep -q "msg=\"session counters source chosen\" source=$WANT_SOURCE reason="; }
    if wait_for 5 chosen; then
        pass "$rel: journal: $(journal | grep -m1 -o 'msg="session counters source chosen".*')"
    else
        fail "$rel: journal has the \"session counters source chosen\" line for $WANT_SOURCE" \
            "$(journal | grep 'counters source' | tr '\n' '|')"
    fi
    STEP="nothing before the first session"
    counted

    # 1. Terminal sessions of known lengths, one after another (none of exactly a bucket bound:
    # the length seen from here may be a few ms short of the sleep, the exporter's never is).
    one tty2 127.0.0.1 -tt 'sleep 2'
    one tty3 ::1 -tt 'sleep 3'
    one tty6 127.0.0.1 -tt 'sleep 6'
    # 2. Sessions without a terminal: in logind, not in wtmp.
    local i addr
    for i in 1 2 3 4 5; do
        addr=127.0.0.1; [ $((i % 2)) = 0 ] && addr=::1
        one "true$i" "$addr" -T true
    done
    # 3. Two at once from ::1 and one from 127.0.0.1: ssh_num_sessions per address while open.
    mark
    session par1 ::1 -tt 'sleep 5'
    session par2 ::1 -tt 'sleep 5'
    session par3 127.0.0.1 -tt 'sleep 5'
    want="127.0.0.1=1 ::1=2"
    if wait_for 4 is series "$want"; then
        pass "$rel: three open at once: ssh_num_sessions $want"
    else
        fail "$rel: three open at once: ssh_num_sessions $want" "the exporter shows '$(series)'"
    fi
    wait "${CLIENTS[@]}"
    if ended par1 && ended par2 && ended par3; then
        STEP="par1..3 (sleep 5, 2 from ::1, 1 from 127.0.0.1, at once)"
        counted par1 par2 par3
        row par1 ::1 'sleep 5' "$STEP_SEEN s for the three"
        local par_sum
        par_sum=$(awk -v a="$(length par1)" -v b="$(length par2)" -v c="$(length par3)" 'BEGIN { printf "%.3f", a + b + c }')
        close_to "par1..3: their durations" "$STEP_SEEN" "$par_sum" "$par_sum" 3
        row par2 ::1 'sleep 5' "(with par1)"
        row par3 127.0.0.1 'sleep 5' "(with par1)"
    else
        fail "$rel: parallel sessions" "an ssh client failed"
    fi
    CLIENTS=()
    check "$rel: no sessions left: ssh_num_sessions empty" wait_for 5 is series ""

    # The histogram against the real lengths: bucket for bucket, and the sum.
    hist_checks() {
        local label="$1"
        want=$(expected_buckets "${LENGTHS[@]}")
        seen=$(buckets)
        if [ "$seen" = "$want" ]; then
            pass "$rel: $label: every duration in the bucket of its real length ($want)"
        else
            fail "$rel: $label: durations in the buckets of their real lengths" "real lengths ${LENGTHS[*]} want '$want', the exporter has '$seen'"
        fi
        sum=$(hist_sum)
        close_to "$label: ssh_session_duration_seconds_sum" "$sum" \
            "$(printf '%s\n' "${LOWS[@]}" | awk '{ s += $1 } END { printf "%.3f", s }')" \
            "$(printf '%s\n' "${LENGTHS[@]}" | awk '{ s += $1 } END { printf "%.3f", s }')" "${#LENGTHS[@]}"
    }
    hist_checks "before the restart"

    # `last` reads the same wtmp: its sessions of the test user are the counted ones.
    last_sessions() { ct last -w -f /var/log/wtmp "$CT_USER" 2>/dev/null | grep -c "^$CT_USER "; }
    if [ "$rel" = bookworm ]; then
        last_n=$(last_sessions)
        check "$rel: last in the container shows $CLOSED sessions of $CT_USER, as counted (shows $last_n)" \
            [ "$last_n" = "$CLOSED" ]
    fi

    # 4. A terminal session open across an exporter restart: not counted opened, closed with its
    # whole length. The restart comes 8 s into a 16 s session, so that its length since the
    # restart falls in another bucket (1-10 s) than the whole (10-30 s).
    local r_start pid_before restarted_at up_at counted_before=$CLOSED
    mark
    session restart 127.0.0.1 -tt 'sleep 16'
    r_start=$(now_ms)
    if ! wait_for 5 is series "127.0.0.1=1"; then
        fail "$rel: session before the restart shows" "the exporter shows '$(series)'"
    fi
    pid_before=$(ct systemctl show -p MainPID --value ssh-exporter.service)
    sleep "$(awk -v t="$((r_start + 8000 - $(now_ms)))" 'BEGIN { printf "%.3f", (t > 0 ? t : 0) / 1000 }')"
    ct systemctl restart ssh-exporter.service
    restarted_at=$(($(now_ms) - r_start))
    if ! wait_for 30 ready || [ "$(ct systemctl show -p MainPID --value ssh-exporter.service)" = "$pid_before" ]; then
        fail "$rel: exporter restarts" "$(journal | tail -5 | tr '\n' '|')"
        return 1
    fi
    up_at=$(($(now_ms) - r_start))
    OPENED=0 CLOSED=0 LENGTHS=() LOWS=()
    STEP="after the restart (${restarted_at} ms into the session, serving at ${up_at} ms): the open session is not counted opened"
    counted
    check "$rel: after the restart: the open session is in ssh_num_sessions" is series "127.0.0.1=1"
    check "$rel: after the restart: ssh_exporter_session_events_source{source=\"$WANT_SOURCE\"} 1" is events_source "$WANT_SOURCE"
    wait "${CLIENTS[-1]}"
    CLIENTS=()
    if ended restart; then
        STEP="the session open across the restart closed (closed +1, not opened)"
        # Closed but not opened: counted() counts both, so the truth is set by hand here.
        LENGTHS+=("$(length restart)") LOWS+=("$(length restart)")
        CLOSED=1
        want="opened=0 closed=1 count=1 local=0"
        if wait_for 5 is counts "$want"; then
            pass "$rel: $STEP: $want"
        else
            fail "$rel: $STEP" "wanted '$want', the exporter shows '$(counts)'"
        fi
        row restart 127.0.0.1 'sleep 16' "$(hist_sum) s (restart at ${restarted_at} ms, serving at ${up_at} ms)"
        close_to "restart: its duration (the whole session, not since the restart)" "$(hist_sum)" \
            "$(length restart)" "$(length restart)" 1
        hist_checks "after the restart"
    else
        fail "$rel: session across the restart" "its ssh client failed"
    fi
    if [ "$rel" = bookworm ]; then
        last_n=$(last_sessions)
        check "$rel: last shows one more session of $CT_USER: $((counted_before + 1)) (shows $last_n)" \
            [ "$last_n" = $((counted_before + 1)) ]
    fi
    check "$rel: journal: the counters source chosen again at the restart" \
        [ "$(journal | grep -c "msg=\"session counters source chosen\" source=$WANT_SOURCE ")" = 2 ]
    quiet() { ! journal | grep -E 'level=(warn|error)|Exception'; }
    check "$rel: no warnings or errors logged" quiet
    echo "  ($rel: $(($(now_ms) - t0)) ms)"
    ct_stop
    ct_release
}

for rel in $RELEASES; do
    run_release "$rel" || { close_all_clients; ct_stop; ct_release; }
done

echo "measured sequence (client: the ssh client's length, start to exit; session: its real length, from the"
echo "command's first output to the client's exit (for 'true' the client's); bucket: the session's;"
echo "exporter: what ssh_session_duration_seconds_sum grew by):"
printf '%-9s %-8s %-10s %-9s %10s %10s  %-7s  %s\n' release session from command client session bucket exporter
for line in "${TABLE[@]}"; do echo "$line"; done
finish
