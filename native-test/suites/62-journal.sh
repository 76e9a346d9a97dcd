#!/usr/bin/env bash
# The authentication counters fed by the systemd journal (ssh_auth_*, ssh_failed_logins_total,
# ssh_exporter_journal_*), against the truth of scripted real ssh logins and against sshd's own
# lines counted with journalctl, with the .deb installed by apt-get into a booted Debian root
# (systemd-nspawn, the shared helpers of nspawn.sh) and run by its packaged unit (it reads the
# journal as group systemd-journal), only the listen address set. For trixie (OpenSSH 10,
# sshd-session) and bookworm (OpenSSH 9.2, sshd), from this machine over loopback:
#   K publickey logins, L password logins (sshpass), F wrong passwords for the test user, I
#   unknown users, one unknown user named "x from 10.1.2.3 port 22 ssh2", a client that gives up
#   before authenticating (only method none), a TCP connection closed after sshd's banner, and
#   one that sends a bad banner (a scanner).
# Every counter's growth must equal the truth and the number of sshd's matching lines in the
# container's journal (journalctl -t sshd -t sshd-session -t sshd-auth _UID=0 after a cursor);
# no label value holds a user name or an address. Then: a line written by a non-root user is
# untrusted and not counted; a flood of FLOOD_RATE "Failed password" lines a second for
# FLOOD_SECONDS s, written as root by logger, is counted exactly while the page keeps being
# served; systemctl restart systemd-journald, and counting goes on with nothing counted twice.
# systemd-analyze security of the unit stays at or below 1.5.
#
# JOURNAL_TEST_RELEASES (default "trixie bookworm") chooses the roots; JOURNAL_TEST_EXTRA_ARGS
# is appended to the exporter's ARGS (e.g. "--no-collector.auth": the checks go red);
# JOURNAL_TEST_FLOOD_RATE / JOURNAL_TEST_FLOOD_SECONDS (default 1000 / 30) size the flood.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"
. "$NATIVE_TEST_DIR/nspawn.sh"
. "$NATIVE_TEST_DIR/journal-flood.sh"

RELEASES=${JOURNAL_TEST_RELEASES:-trixie bookworm}
EXTRA_ARGS=${JOURNAL_TEST_EXTRA_ARGS:-}
FLOOD_RATE=${JOURNAL_TEST_FLOOD_RATE:-1000}
FLOOD_SECONDS=${JOURNAL_TEST_FLOOD_SECONDS:-30}
K=3 L=2 F=3 I=2
HOSTILE_USER="x from 10.1.2.3 port 22 ssh2"

need systemd-nspawn systemd-container || finish
need debootstrap debootstrap || finish
for prereq in ssh:openssh-client ssh-keygen:openssh-client sshpass:sshpass curl:curl nsenter:util-linux \
    python3:python3 dpkg-deb:dpkg; do
    need "${prereq%%:*}" "${prereq#*:}" || finish
done
pkg_files || finish

WORK=$(mktemp -d /var/tmp/nt-journal.XXXXXX)
on_exit rm -rf "$WORK"
CT_USER=ntuser
CT_PASSWORD="nt-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
ssh_key="$WORK/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C nt-journal -f "$ssh_key" || { fail "client key" "ssh-keygen failed"; finish; }

# --- the exporter's page ------------------------------------------------------------------------
URL=""
page() { curl -sf --max-time 2 "$URL/metrics"; }
# val PAGE SERIES: the value of one series, exactly as named (labels included); "" when absent.
val() { awk -v s="$2" '$1 == s { print $2 + 0; exit }' <<<"$1"; }
journal() { ct journalctl -q -o cat -u ssh-exporter.service 2>/dev/null; }

# The counters checked, each with the sshd lines (extended regex on MESSAGE, sshd's own forms
# as OpenSSH writes them; an optional "error: "/"fatal: " level) that are one event of it.
LVL='^((error|fatal): )?'
ENDPOINT='[^ ]+ port [0-9]+'
declare -A LINES=(
    ['ssh_auth_accepted_total{method="publickey"}']="${LVL}Accepted publickey for "
    ['ssh_auth_accepted_total{method="password"}']="${LVL}Accepted password for "
    ['ssh_auth_accepted_total{method="keyboard-interactive"}']="${LVL}Accepted keyboard-interactive(/[^ ]*)? for "
    ['ssh_auth_failed_total{method="password"}']="${LVL}Failed password for "
    ['ssh_auth_failed_total{method="none"}']="${LVL}Failed none for "
    ['ssh_auth_failed_total{method="publickey"}']="${LVL}Failed publickey for "
    ['ssh_auth_failed_total{method="keyboard-interactive"}']="${LVL}Failed keyboard-interactive(/[^ ]*)? for "
    ['ssh_auth_invalid_users_total']="${LVL}Invalid user .* from $ENDPOINT$"
    ['ssh_auth_refused_total{reason="not_allowed"}']="${LVL}User .* not allowed because "
    ['ssh_auth_refused_total{reason="root"}']="${LVL}ROOT LOGIN REFUSED FROM "
    ['ssh_auth_too_many_failures_total']="${LVL}maximum authentication attempts exceeded for "
    # Closed or reset by the client before authenticating: with the preamble of OpenSSH 7.5+
    # (authenticating user U / invalid user U), or bare (no user named yet; the banner exchange).
    ['ssh_auth_preauth_disconnects_total{reason="closed"}']="${LVL}((Connection (closed|reset) by|Disconnected from) (authenticating|invalid) user .* $ENDPOINT( \[preauth\])?|Connection (closed|reset) by $ENDPOINT( \[preauth\])?|Disconnected from $ENDPOINT \[preauth\])$"
    ['ssh_auth_preauth_disconnects_total{reason="timeout"}']="${LVL}Timeout before authentication for "
    ['ssh_auth_preauth_disconnects_total{reason="negotiation"}']="${LVL}(banner exchange: Connection from |Unable to negotiate with |Did not receive identification string from |Bad protocol version identification )"
    # Every "Failed METHOD for" but method none (counted by lines_of as the difference).
    ['ssh_failed_logins_total']="${LVL}Failed [^ ]+ for "
)
# lines_of SERIES FILE: the lines of FILE that are one event of SERIES.
lines_of() {
    local n
    n=$(grep -cE "${LINES[$1]}" "$2")
    [ "$1" = ssh_failed_logins_total ] && n=$((n - $(grep -cE "${LINES['ssh_auth_failed_total{method="none"}']}" "$2")))
    echo "$n"
}
SERIES=('ssh_auth_accepted_total{method="publickey"}' 'ssh_auth_accepted_total{method="password"}'
    'ssh_auth_accepted_total{method="keyboard-interactive"}' 'ssh_auth_failed_total{method="password"}'
    'ssh_auth_failed_total{method="none"}' 'ssh_auth_failed_total{method="publickey"}'
    'ssh_auth_failed_total{method="keyboard-interactive"}' ssh_auth_invalid_users_total
    'ssh_auth_refused_total{reason="not_allowed"}' 'ssh_auth_refused_total{reason="root"}'
    ssh_auth_too_many_failures_total 'ssh_auth_preauth_disconnects_total{reason="closed"}'
    'ssh_auth_preauth_disconnects_total{reason="timeout"}' 'ssh_auth_preauth_disconnects_total{reason="negotiation"}'
    ssh_failed_logins_total)
[ "${#SERIES[@]}" = "${#LINES[@]}" ] || { fail "suite: series list" "SERIES and LINES differ"; finish; }
ENTRIES=('ssh_exporter_journal_entries_total{result="outcome"}' 'ssh_exporter_journal_entries_total{result="ignored"}'
    'ssh_exporter_journal_entries_total{result="unrecognized"}' 'ssh_exporter_journal_entries_total{result="untrusted"}')

# counts: "SERIES=VALUE" for every checked series and the entry results, one a line ("" when the
# series is absent); "(scrape failed)" when the page cannot be had.
counts() {
    local p s
    p=$(page) || { echo "(scrape failed)"; return 0; }
    for s in "${SERIES[@]}" "${ENTRIES[@]}"; do echo "$s=$(val "$p" "$s")"; done
}
# of COUNTS SERIES: the value of SERIES in a counts output.
of() { awk -v s="$2=" 'index($0, s) == 1 { print substr($0, length(s) + 1); exit }' <<<"$1"; }

# Journal lines since the cursor with sshd's identifiers, in the system journal (what the
# exporter reads: sd-journal's SD_JOURNAL_SYSTEM). Not in it: the user journals of uids 1000+
# (e.g. the "Disconnected from user U" lines a session's own process logs as that user). The
# matches are applied here, not by journalctl: systemd 252's --after-cursor skips the first
# matching entry when the cursor's entry does not match.
# sshd_lines root|other|all [IDENTIFIER...]: the MESSAGEs of the entries from root (_UID=0),
# from anyone else, or all (IDENTIFIERs default: sshd, sshd-session, sshd-auth).
CURSOR=""
sshd_lines() {
    ct journalctl --system -q -o json --no-pager --after-cursor="$CURSOR" 2>/dev/null | python3 -c '
import json, sys
who, ids = sys.argv[1], set(sys.argv[2:] or ["sshd", "sshd-session", "sshd-auth"])
for line in sys.stdin:
    e = json.loads(line)
    if e.get("SYSLOG_IDENTIFIER") not in ids:
        continue
    root = e.get("_UID") == "0"
    if who == "all" or (who == "root") == root:
        m = e.get("MESSAGE")
        print(m if isinstance(m, str) else "(binary message)")' "$@"
}
set_cursor() { CURSOR=$(ct journalctl --system -q -n 1 -o export --no-pager | sed -n 's/^__CURSOR=//p'); [ -n "$CURSOR" ]; }

# --- checks --------------------------------------------------------------------------------------
# settled WANT-FILE: the exporter's counters grew since $BASE by what WANT-FILE says
# ("SERIES=DELTA" lines; series not named must not have grown).
BASE="" TRUTH=()
delta_of() { # SERIES: the exporter's growth since BASE
    local now="$1" s="$2" a b
    a=$(of "$now" "$s") b=$(of "$BASE" "$s")
    echo $(( ${a:-0} - ${b:-0} ))
}
want_of() { local s; for s in "${TRUTH[@]}"; do [ "${s%=*}" = "$1" ] && { echo "${s##*=}"; return; }; done; echo 0; }
# settled: every counter grew by the truth, and the exporter has read every sshd entry of the
# system journal since the cursor (outcome + ignored + unrecognized + untrusted).
settled() {
    local now s d=0
    now=$(counts)
    for s in "${SERIES[@]}"; do [ "$(delta_of "$now" "$s")" = "$(want_of "$s")" ] || return 1; done
    for s in "${ENTRIES[@]}"; do d=$((d + $(delta_of "$now" "$s"))); done
    [ "$d" = "$(sshd_lines all | wc -l)" ]
}
# check_counts LABEL: waits (up to WAIT s) until every counter grew by the truth, then checks each
# counter against the truth and against the journal's lines, and the entry results against the
# journal's entries.
check_counts() {
    local label="$1" wait="${2:-10}" table="${3:-}" now s d want lines all trusted untrusted t0
    if wait_for "$wait" settled; then
        now=$(counts)
    else
        # Judged on what was served at the deadline; then, for whoever reads the failure, how
        # late it came (a missed wake-up heals at the next --interval read) and when sshd's
        # last lines reached the journal.
        now=$(counts)
        t0=$(now_ms)
        if wait_for 20 settled; then
            echo "  $CT_RELEASE: $label: settled $(($(now_ms) - t0)) ms after the ${wait} s wait" >&2
        else
            echo "  $CT_RELEASE: $label: still not settled 20 s after the ${wait} s wait" >&2
        fi
        # (No -t matches with --after-cursor: see sshd_lines.)
        echo "  now $(date -u +%T.%N); sshd's last lines: $(ct journalctl --system -q -o short-precise --utc --no-pager \
            --after-cursor="$CURSOR" 2>/dev/null | grep -E ' sshd(-session|-auth)?\[' | tail -3 | tr '\n' '|')" >&2
    fi
    sshd_lines root >"$WORK/lines.txt"
    for s in "${SERIES[@]}"; do
        d=$(delta_of "$now" "$s") want=$(want_of "$s")
        lines=$(lines_of "$s" "$WORK/lines.txt")
        if [ "$d" = "$want" ] && [ "$lines" = "$want" ]; then
            pass "$CT_RELEASE: $label: $s +$d (truth $want, journal lines $lines)"
        else
            fail "$CT_RELEASE: $label: $s" "exporter +$d, truth $want, journal lines $lines"
        fi
        [ -n "$table" ] && TABLE+=("$(printf '%-9s %-16s %-62s %8s %8s %8s' "$CT_RELEASE" "$label" "$s" "$want" "$lines" "$d")")
    done
    trusted=$(wc -l <"$WORK/lines.txt")
    all=$(sshd_lines all | wc -l)
    untrusted=$((all - trusted))
    d=0
    for s in "${ENTRIES[@]:0:3}"; do d=$((d + $(delta_of "$now" "$s"))); done
    check "$CT_RELEASE: $label: entries outcome+ignored+unrecognized +$d = journal entries from root $trusted" \
        [ "$d" = "$trusted" ]
    d=$(delta_of "$now" 'ssh_exporter_journal_entries_total{result="untrusted"}')
    if [ "$d" = "$untrusted" ]; then
        pass "$CT_RELEASE: $label: entries untrusted +$d = journal entries not from root $untrusted"
    else
        fail "$CT_RELEASE: $label: entries untrusted +$d = journal entries not from root $untrusted" \
            "$(sshd_lines other | head -3 | tr '\n' '|')"
    fi
    d=$(delta_of "$now" 'ssh_exporter_journal_entries_total{result="unrecognized"}')
    if [ "$d" = 0 ]; then
        pass "$CT_RELEASE: $label: no unrecognized entries"
    else
        fail "$CT_RELEASE: $label: no unrecognized entries" "+$d; sshd's lines: $(tr '\n' '|' <"$WORK/lines.txt" | cut -c1-1500)"
    fi
}
# truth_add SERIES N...: add N to the truth of SERIES.
truth_add() {
    local s="$1" n="$2" i
    for i in "${!TRUTH[@]}"; do
        [ "${TRUTH[i]%=*}" = "$s" ] && { local v=${TRUTH[i]##*=}; TRUTH[i]="$s=$((v + n))"; return; }
    done
    TRUTH+=("$s=$n")
}
# label_values: every label value on the page, one a line.
label_values() { page | grep -v '^#' | grep -o '="[^"]*"' | sed 's/^="//; s/"$//'; }

# --- clients ------------------------------------------------------------------------------------
# The password client: the key client of ct_sshd_prepare, prompting (BatchMode off) for one
# password only, given by sshpass.
pw_ssh() { # PASSWORD USER
    sshpass -p "$1" "${PW_SSH[@]}" -o PreferredAuthentications=password -o PubkeyAuthentication=no \
        -o NumberOfPasswordPrompts=1 -l "$2" 127.0.0.1 true </dev/null >>"$WORK/clients.log" 2>&1
}
# tcp_client MODE: a TCP connection to sshd that reads its banner, then closes (MODE close) or
# sends a line that is no SSH banner and waits for sshd to close (MODE garbage).
tcp_client() {
    python3 - "$CT_SSH_PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
banner = s.recv(256)
assert banner.startswith(b"SSH-2.0-"), banner
if sys.argv[2] == "garbage":
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    try:
        while s.recv(256):
            pass
    except OSError:
        pass  # reset by sshd
s.close()
PY
}

TABLE=()
run_release() {
    local rel="$1" t0 port i p rc
    t0=$(now_ms)
    TRUTH=()
    if ! ct_prepare "$rel"; then
        fail "$rel: container root" "cannot build or mount the cached $rel rootfs (see $ROOTFS_CACHE)"
        return 1
    fi
    ct_sshd_prepare "$CT_USER" "$ssh_key" || { fail "$rel: test user and sshd" "useradd or the sshd settings failed"; return 1; }
    # Password logins too (the first value sshd reads wins: this file sorts before ct_sshd_prepare's).
    printf 'PasswordAuthentication yes\n' >"$CT_ROOT/etc/ssh/sshd_config.d/00-nt-journal.conf"
    # OpenSSH 9.8+ refuses a source for a while after failed logins ("Not allowed at this
    # time"): the failures here would shut the next clients out.
    case "$(ct_chroot sshd -V 2>&1)" in
        OpenSSH_9.[89]* | OpenSSH_[1-9][0-9].*) echo 'PerSourcePenalties no' >>"$CT_ROOT/etc/ssh/sshd_config.d/00-nt-journal.conf" ;;
    esac
    echo "$CT_USER:$CT_PASSWORD" | ct_chroot chpasswd || { fail "$rel: chpasswd" "cannot set the password"; return 1; }
    PW_SSH=("${CT_SSH[@]/#BatchMode=yes/BatchMode=no}")
    journal_unlimited || { fail "$rel: journald settings" "cannot write them"; return 1; }
    port=$(free_port)
    URL="http://127.0.0.1:$port"
    cp "$DEB" "$CT_ROOT/root/ssh-exporter.deb"
    deb_settings "$DEB" "--host 127.0.0.1 --port $port --file /var/run/utmp${EXTRA_ARGS:+ $EXTRA_ARGS}" \
        "$CT_ROOT/etc/default/ssh-exporter" || { fail "$rel: settings file" "cannot read it from $DEB"; return 1; }

    if ! ct_boot 2>"$WORK/boot.err"; then
        fail "$rel: boots" "$(tr '\n' ' ' <"$WORK/boot.err") $(tail -5 "$CT_DIR/nspawn.log" | tr '\n' '|')"
        return 1
    fi
    pass "$rel: boots with systemd $(ct systemctl --version | awk 'NR == 1 { print $2 }'), $(ct sshd -V 2>&1 | cut -d, -f1) ($(($(now_ms) - t0)) ms with the overlay)"
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
    state_ok() { [ "$(val "$(page)" 'ssh_exporter_journal_state{state="ok"}')" = 1 ]; }
    check "$rel: ssh_exporter_journal_state{state=\"ok\"} 1" wait_for 5 state_ok
    p=$(page)
    check "$rel: ssh_exporter_failed_logins_source{source=\"journal\"} 1" \
        [ "$(val "$p" 'ssh_exporter_failed_logins_source{source="journal"}')" = 1 ]
    if journal | grep -q 'msg="failed logins source chosen" source=journal'; then
        pass "$rel: journal: $(journal | grep -m1 -o 'msg="failed logins source chosen".*')"
    else
        fail "$rel: journal has the \"failed logins source chosen\" line for the journal" \
            "$(journal | grep 'logins source' | tr '\n' '|')"
    fi
    exposure() {
        local e
        e=$(ct systemd-analyze security --no-pager ssh-exporter.service 2>&1 |
            sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        echo "  $rel: systemd-analyze security ssh-exporter.service: exposure ${e:-unknown}" >&2
        [ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 1.5) }'
    }
    check "$rel: systemd-analyze security ssh-exporter.service at most 1.5" exposure

    # Nothing of sshd's has happened since the exporter started; from here on the truth is ours.
    set_cursor || { fail "$rel: journal cursor" "journalctl gave none"; return 1; }
    BASE=$(counts)

    # 1. K key logins, L password logins.
    rc=0
    for i in $(seq $K); do "${CT_SSH[@]}" -T "$CT_USER@127.0.0.1" true </dev/null >>"$WORK/clients.log" 2>&1 || rc=1; done
    check "$rel: $K publickey logins succeed" [ "$rc" = 0 ]
    truth_add 'ssh_auth_accepted_total{method="publickey"}' $K
    rc=0
    for i in $(seq $L); do pw_ssh "$CT_PASSWORD" "$CT_USER" || rc=1; done
    check "$rel: $L password logins succeed" [ "$rc" = 0 ]
    truth_add 'ssh_auth_accepted_total{method="password"}' $L
    check_counts "accepted"

    # 2. F wrong passwords for the test user; I unknown users and the hostile one, each with a
    # password. Every one of those connections is then closed by the client. (The client's first
    # request, method none, is answered by sshd's unprivileged child, whose auth_log() logs
    # nothing: no "Failed none" line, none counted.)
    rc=0
    for i in $(seq $F); do pw_ssh "wrong-$i" "$CT_USER" && rc=1; done
    check "$rel: $F wrong passwords refused" [ "$rc" = 0 ]
    truth_add 'ssh_auth_failed_total{method="password"}' $F
    truth_add ssh_failed_logins_total $F
    truth_add 'ssh_auth_preauth_disconnects_total{reason="closed"}' $F
    rc=0
    for i in $(seq $I) hostile; do
        if [ "$i" = hostile ]; then pw_ssh "wrong" "$HOSTILE_USER" && rc=1; else pw_ssh "wrong" "nosuch$i" && rc=1; fi
    done
    check "$rel: $I unknown users and \"$HOSTILE_USER\" refused" [ "$rc" = 0 ]
    truth_add ssh_auth_invalid_users_total $((I + 1))
    truth_add 'ssh_auth_failed_total{method="password"}' $((I + 1))
    truth_add ssh_failed_logins_total $((I + 1))
    truth_add 'ssh_auth_preauth_disconnects_total{reason="closed"}' $((I + 1))
    # 3. Clients that give up before authenticating: one offering no method (none only), a TCP
    # connection closed after the banner; and one that sends a bad banner (a scanner).
    if "${CT_SSH[@]}" -o PreferredAuthentications=none -T "$CT_USER@127.0.0.1" true </dev/null >>"$WORK/clients.log" 2>&1; then
        fail "$rel: a client offering only method none is refused" "it logged in"
    else
        pass "$rel: a client offering only method none is refused"
    fi
    check "$rel: a TCP connection closed after sshd's banner" tcp_client close
    truth_add 'ssh_auth_preauth_disconnects_total{reason="closed"}' 2
    check "$rel: a client sending a bad banner" tcp_client garbage
    truth_add 'ssh_auth_preauth_disconnects_total{reason="negotiation"}' 1
    check_counts "failures" 10 table

    # No label value holds a user name or an address sshd logged.
    leaks() { label_values | grep -E "$CT_USER|nosuch|x from|10\.1\.2\.3|192\.0\.2\.|127\.0\.0\.1|::1"; }
    if [ -z "$(leaks)" ]; then
        pass "$rel: no label value holds a user name or a logged address ($(label_values | wc -l) label values)"
    else
        fail "$rel: no label value holds a user name or a logged address" "$(leaks | sort -u | tr '\n' '|')"
    fi

    # 4. A non-root user writes a line in sshd's name: untrusted, not counted. (journald files
    # nobody's lines in the system journal; a user journal would never be read by the exporter.)
    ct runuser -u nobody -- logger -t sshd "Failed password for root from 192.0.2.1 port 1 ssh2"
    local where=system
    untrusted_seen() { ct journalctl -q -o cat --no-pager _UID=65534 | grep -q 'Failed password for root from 192.0.2.1 port 1 ssh2'; }
    check "$rel: the line written by nobody is in the journal" wait_for 5 untrusted_seen
    sshd_lines other | grep -q 'Failed password for root from 192.0.2.1 port 1 ssh2' || where="nobody's user"
    pass "$rel: the line written by nobody is in the $where journal"
    check_counts "untrusted line"
    # 5. The flood: N "Failed password" lines from root at FLOOD_RATE a second; the page is
    # scraped every 0.5 s meanwhile.
    local n=$((FLOOD_RATE * FLOOD_SECONDS)) scrapes=0 failed_scrapes=0 slowest=0 s0 s1 flood_pid fs
    flood_sshd "$n" "$FLOOD_RATE" "u" 2>"$WORK/flood.err" &
    flood_pid=$!
    while kill -0 "$flood_pid" 2>/dev/null; do
        s0=$(now_ms)
        if page >/dev/null; then :; else failed_scrapes=$((failed_scrapes + 1)); fi
        s1=$(now_ms)
        scrapes=$((scrapes + 1)); [ $((s1 - s0)) -gt "$slowest" ] && slowest=$((s1 - s0))
        sleep 0.5
    done
    wait "$flood_pid"
    fs=$?
    check "$rel: flood: $n lines written by logger as root ($(cat "$WORK/flood.err"))" [ "$fs" = 0 ]
    check "$rel: flood: every scrape during it answered ($scrapes scrapes, $failed_scrapes failed, slowest $slowest ms)" \
        [ "$failed_scrapes" = 0 ] && [ "$scrapes" -gt 0 ]
    local flood_lines
    flood_lines=$(sshd_lines root sshd-session | grep -cE '^Failed password for invalid user u[0-9]+ from 192\.0\.2\.[0-9]+ port [0-9]+ ssh2$')
    check "$rel: flood: the journal holds the $n lines from root (journalctl counts $flood_lines)" [ "$flood_lines" = "$n" ]
    truth_add 'ssh_auth_failed_total{method="password"}' "$n"
    truth_add ssh_failed_logins_total "$n"
    check_counts "flood" 60
    check "$rel: flood: ssh_exporter_journal_state{state=\"ok\"} 1" state_ok

    # 6. journald restarted: counting goes on, nothing counted twice.
    local before_pid after_pid m=200
    before_pid=$(ct systemctl show -p MainPID --value systemd-journald.service)
    ct systemctl restart systemd-journald.service
    after_pid=$(ct systemctl show -p MainPID --value systemd-journald.service)
    check "$rel: systemd-journald restarted (pid $before_pid -> $after_pid)" [ "$before_pid" != "$after_pid" ] && [ "$after_pid" != 0 ]
    flood_sshd "$m" 200 "r" 2>"$WORK/flood.err" || fail "$rel: $m lines after the restart" "logger failed"
    truth_add 'ssh_auth_failed_total{method="password"}' "$m"
    truth_add ssh_failed_logins_total "$m"
    for i in 1 2; do "${CT_SSH[@]}" -T "$CT_USER@127.0.0.1" true </dev/null >>"$WORK/clients.log" 2>&1; done
    truth_add 'ssh_auth_accepted_total{method="publickey"}' 2
    check_counts "journald restarted" 30
    check "$rel: after the journald restart: ssh_exporter_journal_state{state=\"ok\"} 1" state_ok
    sleep 2
    check_counts "end (2 s later)" 1 table
    check "$rel: the exporter was never restarted" \
        [ "$(ct systemctl show -p NRestarts --value ssh-exporter.service)" = 0 ]
    quiet() { ! journal | grep -E 'level=(warn|error)|Exception'; }
    check "$rel: no warnings or errors logged" quiet
    echo "  ($rel: $(($(now_ms) - t0)) ms)"
    ct_stop
    ct_release
}

for rel in $RELEASES; do
    run_release "$rel" || { ct_stop; ct_release; }
done

echo "measured counts (truth: what this suite did; journal: sshd's matching lines from root since the cursor;"
echo "exporter: the counter's growth since the cursor; cumulative per release):"
printf '%-9s %-16s %-62s %8s %8s %8s\n' release step series truth journal exporter
for line in "${TABLE[@]}"; do echo "$line"; done
finish
