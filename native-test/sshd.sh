# Real sshd sessions for native-test suites. Source it after lib.sh: . "$NATIVE_TEST_DIR/sshd.sh"
# shellcheck shell=bash
#
# sshd_start runs the machine's own sshd (-D -e) on 127.0.0.1 and ::1 at a free port, with host
# and client keys made for the run and a throwaway user, inside a private mount namespace where
#   $SSHD_DIR/run  is bind-mounted over /run      (so /run/utmp = /var/run/utmp = $SSHD_UTMP)
#   $SSHD_DIR/log  is bind-mounted over /var/log  (wtmp, btmp, lastlog)
# sshd and the exporter never see the machine's own /run/utmp, /var/log/wtmp, /var/log/btmp
# (login_files_fingerprint only reads them, to prove they stayed unchanged). Directories are
# bound, not files: a bind of the file itself would keep pointing at the old inode once a test
# replaces utmp by rename, and /run/utmp need not even exist on the host (Debian 13 has none).
# The exporter runs outside the namespace, on $SSHD_UTMP.
#
# What sshd writes (OpenSSH 9.2, Debian 12, UsePAM yes, seen with utmpdump): for a session with
# a terminal, its own loginrec code writes one USER_PROCESS record (ut_line pts/N, ut_host and
# ut_addr_v6 the client address) and turns it into DEAD_PROCESS at logout, keeping the address;
# the same with UsePAM no, so the record is sshd's, not a PAM module's. For `ssh host cmd`
# (no terminal) it writes nothing at all. pam_systemd finds no logind here: /run is ours.

# One user per run (suffix: the suite's PID), so that two runs at once never share one.
SSHD_USER="sshexp-nt-$$"
SSHD_USER_TAG="ssh-exporter native-test throwaway user"
SSHD_DIR="" SSHD_UTMP="" SSHD_PORT="" SSHD_PID="" SSHD_NS=""
SSH_PID="" SSH_PIDS=()
EXPORTER_URL="" EXPORTER_LOG=""

# sshd_prereqs: the programs these helpers drive; each missing one is a FAIL.
sshd_prereqs() {
    need sshd openssh-server && need ssh openssh-client && need ssh-keygen openssh-client \
        && need unshare util-linux && need utmpdump util-linux && need curl curl \
        && need useradd passwd && need python3 python3
}

# sshd_user: create the throwaway login user, after removing those that killed runs left
# behind (known by their comment, their run's PID gone); nobody else's user is touched.
sshd_user() {
    local name pid
    for name in $(getent passwd | awk -F: -v tag="$SSHD_USER_TAG" '$5 == tag { print $1 }'); do
        pid="${name##*-}"
        if [ "$pid" = $$ ] || ! kill -0 "$pid" 2>/dev/null; then userdel "$name" 2>/dev/null; fi
    done
    if getent passwd "$SSHD_USER" >/dev/null; then
        fail "test user" "user $SSHD_USER exists already"; return 1
    fi
    # '*' rather than '!': not a locked account, and no password can match it.
    useradd --system -M -d /nonexistent -s /bin/sh -p '*' -c "$SSHD_USER_TAG" "$SSHD_USER" \
        || { fail "test user" "useradd $SSHD_USER failed"; return 1; }
    on_exit user_remove
}

# user_remove: delete the throwaway user, retrying while its last processes (session processes
# orphaned at logout, until the machine's init reaps them) keep userdel refusing.
user_remove() {
    getent passwd "$SSHD_USER" >/dev/null || return 0
    quiet_userdel() { userdel "$SSHD_USER" 2>/dev/null; }
    wait_for 10 quiet_userdel
}
user_gone() { ! getent passwd "$SSHD_USER" >/dev/null; }

# sshd_teardown: stop everything sshd_start started and check that nothing is left of it.
sshd_teardown() {
    local ns="$SSHD_NS"
    sshd_stop
    SSHD_NS="$ns"
    local left; left="$(ns_pids | paste -sd,)"
    if [ -z "$left" ]; then
        pass "sshd and every session process stopped"
    else
        fail "sshd and every session process stopped" "left: $(ps -o pid=,stat=,user=,args= -p "$left" | tr '\n' ';')"
    fi
    SSHD_NS=""
    user_remove
    check "throwaway user $SSHD_USER removed" user_gone
}

# sshd_start: see the top of this file. Sets SSHD_DIR, SSHD_UTMP, SSHD_PORT, SSHD_PID, SSHD_NS.
sshd_start() {
    sshd_user || return 1
    SSHD_DIR="$(mktemp -d /tmp/nt-sshd.XXXXXX)"
    on_exit rm -rf "$SSHD_DIR"
    local d="$SSHD_DIR"
    # sshd reads the authorized keys as the user: every directory on the way must be searchable.
    chmod 755 "$d"
    mkdir -m 755 "$d/run" "$d/run/sshd" "$d/log" "$d/etc" "$d/client"
    install -m 664 -g utmp /dev/null "$d/run/utmp"
    install -m 664 -g utmp /dev/null "$d/log/wtmp"
    install -m 660 -g utmp /dev/null "$d/log/btmp"
    install -m 664 -g utmp /dev/null "$d/log/lastlog"
    SSHD_UTMP="$d/run/utmp"
    ssh-keygen -q -t ed25519 -N '' -C nt-host -f "$d/etc/host_ed25519" || return 1
    ssh-keygen -q -t ed25519 -N '' -C nt-client -f "$d/client/id_ed25519" || return 1
    install -m 644 "$d/client/id_ed25519.pub" "$d/etc/authorized_keys"
    SSHD_PORT="$(free_port)"
    echo "[127.0.0.1]:$SSHD_PORT,[::1]:$SSHD_PORT $(cut -d' ' -f1,2 "$d/etc/host_ed25519.pub")" \
        >"$d/client/known_hosts"
    # UsePAM yes as on a stock Debian host; StrictModes no because the key file lives in /tmp;
    # MaxStartups high so 20 parallel logins are never dropped as a suspected flood.
    cat >"$d/etc/sshd_config" <<EOF
ListenAddress 127.0.0.1:$SSHD_PORT
ListenAddress [::1]:$SSHD_PORT
HostKey $d/etc/host_ed25519
AuthorizedKeysFile $d/etc/authorized_keys
AllowUsers $SSHD_USER
PidFile none
UsePAM yes
UseDNS no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
MaxStartups 100
MaxSessions 100
PrintMotd no
PrintLastLog no
X11Forwarding no
EOF
    # unshare execs sh, which execs sshd: $! is sshd's own PID. The mounts happen only after
    # unshare succeeded, so they can never land in the machine's namespace.
    # shellcheck disable=SC2016 # $1 and $2 are the inner sh's arguments
    unshare -m --propagation private sh -c '
        mount --bind "$1/run" /run && mount --bind "$1/log" /var/log && exec "$2" -D -e -f "$1/etc/sshd_config"
    ' sh "$d" "$(command -v sshd)" >"$d/sshd.log" 2>&1 &
    SSHD_PID=$!
    on_exit sshd_stop
    if ! wait_for 10 sshd_listening; then
        fail "sshd starts" "not listening on both addresses: $(tail -5 "$d/sshd.log" | tr '\n' ' ')"
        return 1
    fi
    SSHD_NS="$(readlink "/proc/$SSHD_PID/ns/mnt")"
    if [ -z "$SSHD_NS" ] || [ "$SSHD_NS" = "$(readlink /proc/$$/ns/mnt)" ]; then
        fail "sshd starts" "sshd is not in a private mount namespace"; return 1
    fi
}

sshd_listening() {
    grep -q "Server listening on 127.0.0.1 port $SSHD_PORT" "$SSHD_DIR/sshd.log" \
        && grep -q "Server listening on ::1 port $SSHD_PORT" "$SSHD_DIR/sshd.log"
}

# ns_pids: every process in sshd's mount namespace (listener, per-connection sshd, user shells).
ns_pids() {
    local p
    [ -n "$SSHD_NS" ] || return 0
    for p in /proc/[0-9]*; do
        [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$SSHD_NS" ] && echo "${p#/proc/}"
    done
}

# sshd_stop: clients first, then the listener, then whatever is left in its namespace (session
# processes outlive the listener), in rounds: a session still closing may fork once more. The
# namespace, and with it the mounts, dies with its last process.
sshd_stop() {
    local p pids _
    ssh_close_all
    [ -n "$SSHD_PID" ] && kill_pid "$SSHD_PID"
    for _ in 1 2 3 4 5; do
        pids="$(ns_pids)"
        [ -n "$pids" ] || break
        for p in $pids; do kill -TERM "$p" 2>/dev/null; done
        for p in $pids; do kill_pid "$p"; done
    done
    SSHD_PID="" SSHD_NS=""
}

# ssh_open ADDR [REMOTE-COMMAND]: a session with a terminal (-tt) from ADDR (127.0.0.1 or ::1;
# the client's source is the address it connects to), held open in the background until
# ssh_close. Sets SSH_PID, the ssh client's own PID (not a subshell's: killing it must end
# the connection).
ssh_open() {
    ssh_argv -tt "$1" "${2:-sleep 300}"
    "${SSH_ARGV[@]}" </dev/null >>"$SSHD_DIR/clients.log" 2>&1 &
    SSH_PID=$!
    SSH_PIDS+=("$SSH_PID")
}

# ssh_argv -tt|-T ADDR COMMAND: sets SSH_ARGV to an ssh command line with this run's key and
# known_hosts and nothing from any ssh_config.
SSH_ARGV=()
ssh_argv() {
    SSH_ARGV=(ssh -F /dev/null -i "$SSHD_DIR/client/id_ed25519" -o IdentitiesOnly=yes
        -o BatchMode=yes -o UserKnownHostsFile="$SSHD_DIR/client/known_hosts"
        -o StrictHostKeyChecking=yes -o ConnectTimeout=10 -o LogLevel=ERROR
        -p "$SSHD_PORT" "$1" "$SSHD_USER@$2" "$3")
}

# ssh_client -tt|-T ADDR COMMAND: run ssh in the foreground.
ssh_client() { ssh_argv "$@"; "${SSH_ARGV[@]}"; }

# ssh_close PID...: end sessions by killing their clients (all at once); sshd sees the
# connection drop and writes the logout.
ssh_close() {
    local p q keep=()
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for p in "$@"; do kill_pid "$p"; done
    for q in "${SSH_PIDS[@]}"; do
        for p in "$@"; do [ "$p" = "$q" ] && continue 2; done
        keep+=("$q")
    done
    SSH_PIDS=("${keep[@]}")
}
ssh_close_all() { [ ${#SSH_PIDS[@]} -eq 0 ] || ssh_close "${SSH_PIDS[@]}"; }

# utmp_state: live USER_PROCESS records in $SSHD_UTMP as "host=count ..." (sorted), read with
# util-linux utmpdump: what sshd really wrote, independent of the exporter.
utmp_state() {
    utmpdump "$SSHD_UTMP" 2>/dev/null | awk -F'\\] \\[' '
        $1 == "[7" { h = $6; sub(/ +$/, "", h); if (h == "") h = "localhost"; n[h]++ }
        END { for (h in n) print h "=" n[h] }' | LC_ALL=C sort | paste -sd' '
}

# metric_state: the exporter's ssh_num_sessions series as "remote_ip=value ..." (sorted, values
# as integers when whole); nothing when there is no series. Fails when the scrape fails.
metric_state() {
    local page
    page="$(curl -sf --max-time 2 "$EXPORTER_URL/metrics")" || return 1
    echo "$page" | series_of
}


# metric_value NAME: the value of an unlabelled sample, e.g. ssh_exporter_source_up.
metric_value() {
    curl -sf --max-time 2 "$EXPORTER_URL/metrics" | awk -v m="$1" '$1 == m { print $2 + 0 }'
}

# state_is STATE-COMMAND WANT: STATE-COMMAND succeeds and prints WANT (a failed scrape is never
# the "" of no sessions).
state_is() { local got; got=$("$1") || return 1; [ "$got" = "$2" ]; }

# expect_utmp WANT [SECONDS]: wait until sshd's utmp shows WANT ("" = no live record). A miss
# here is the harness's or sshd's failure, reported as such, not the exporter's.
expect_utmp() {
    local want="$1" limit="${2:-20}"
    wait_for "$limit" state_is utmp_state "$want" && return 0
    fail "harness: sshd wrote utmp" "utmp shows '$(utmp_state)', wanted '$want' (see $SSHD_DIR/sshd.log)"
    return 1
}

# expect_metrics NAME WANT [SECONDS]: the exporter must show exactly WANT within SECONDS
# (default 1) from now; reports the latency seen.
expect_metrics() {
    local name="$1" want="$2" limit="${3:-1}" t0
    t0="$(now_ms)"
    if wait_for "$limit" state_is metric_state "$want"; then
        pass "$name ($(($(now_ms) - t0)) ms)"
    else
        fail "$name" "after ${limit}s the exporter shows '$(metric_state)', wanted '$want'"
    fi
}

# step NAME WANT: once sshd's utmp shows WANT, the exporter must show it within one second.
step() {
    expect_utmp "$2" && expect_metrics "$1" "$2" 1
}

# exporter_on_utmp [ARG...]: start the exporter outside the namespace on sshd's temp utmp, wtmp
# and btmp (never the machine's), at 127.0.0.1 and a free port, with an hour's resync interval:
# whatever it sees in time, it saw through inotify. Sets EXPORTER_URL, EXPORTER_LOG.
exporter_on_utmp() {
    local port; port="$(free_port)"
    EXPORTER_URL="http://127.0.0.1:$port" EXPORTER_LOG="$SSHD_DIR/exporter.log"
    # This sshd logs to its stderr, not the journal (and the machine's own journal is never
    # read): btmp feeds the failed logins.
    start_exporter "$EXPORTER_LOG" --host 127.0.0.1 --port "$port" --interval 3600 \
        --file "$SSHD_UTMP" --wtmp.file "$SSHD_DIR/log/wtmp" --btmp.file "$SSHD_DIR/log/btmp" \
        --no-collector.auth "$@" || return 1
    # Stop waiting as soon as it is healthy, or dead (a bad flag exits 2 at once).
    healthy_or_gone() {
        curl -sf --max-time 2 -o /dev/null "$EXPORTER_URL/-/healthy" || ! kill -0 "$EXPORTER_PID" 2>/dev/null
    }
    wait_for 30 healthy_or_gone
    if ! curl -sf --max-time 2 -o /dev/null "$EXPORTER_URL/-/healthy"; then
        fail "exporter starts" "no /-/healthy at $EXPORTER_URL: $(tail -5 "$EXPORTER_LOG" | tr '\n' ' ')"
        return 1
    fi
}

# login_files_fingerprint: the machine's own login records, to prove they were never touched.
login_files_fingerprint() {
    local f
    for f in /run/utmp /var/log/wtmp /var/log/btmp /var/log/lastlog; do
        if [ -e "$f" ]; then
            echo "$f $(stat -c '%i %s %y' "$f") $(sha256sum <"$f" | cut -c1-16)"
        else
            echo "$f absent"
        fi
    done
}
