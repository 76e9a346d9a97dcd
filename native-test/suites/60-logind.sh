#!/usr/bin/env bash
# systemd-logind as the session source (--source logind / auto), under a real systemd-logind:
# Debian roots booted with systemd-nspawn, each with no utmp file at all.
#   trixie   (Debian 13, systemd 257): no /run/utmp by design; libsystemd has the systemd 254
#            getters (user name, start time, leader).
#   bookworm (Debian 12, systemd 252): /run/utmp removed (its tmpfiles line and
#            systemd-update-utmp masked); exercises the fallbacks for an older libsystemd.
# In each, two exporters run as hardened services (DynamicUser) with an hour's resync
# interval: --source logind, and --source auto, which must pick logind there. Real ssh sessions
# come in from 127.0.0.1 and ::1 (sshd inside listens on a free loopback port of the shared
# network); each step first waits until logind itself shows the new state (its session files,
# read independently of the exporter), then gives both exporters one second to show exactly it.
# On this machine (no container): --source logind without a running logind, or without
# libsystemd, is one clear line; --source auto picks utmp where the file exists.
set -u
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$NATIVE_TEST_DIR/nspawn.sh"

RELEASES=${LOGIND_TEST_RELEASES:-trixie bookworm}

need systemd-nspawn systemd-container || finish
need debootstrap debootstrap || finish
need ssh openssh-client && need ssh-keygen openssh-client || finish
need curl curl && need nsenter util-linux && need unshare util-linux && need python3 python3 || finish
need javac openjdk-17-jdk-headless || finish
JAR=$(exporter_jar) || { fail "exporter jar" "could not be built"; finish; }

WORK=$(mktemp -d /var/tmp/nt-logind.XXXXXX)
on_exit rm -rf "$WORK"
# LogindDump: the exporter's own sd-login binding, field by field, for comparison with logind's files.
javac -d "$WORK/dump" -cp "$JAR" "$NATIVE_TEST_DIR/java/LogindDump.java" \
    || { fail "LogindDump compiles" "javac failed"; finish; }

# scrape URL: the ssh_num_sessions series as "remote_ip=value ..." (sorted), "" for none.
series() {
    local page
    page="$(curl -sf --max-time 2 "$1/metrics")" || { echo "(scrape failed)"; return 0; }
    echo "$page" | series_of
}
# source_of URL: the source label of ssh_exporter_source_info.
source_of() {
    curl -sf --max-time 2 "$1/metrics" \
        | sed -n 's/^ssh_exporter_source_info{source="\([^"]*\)"} 1.*/\1/p'
}
value_of() { curl -sf --max-time 2 "$1/metrics" | awk -v m="$2" '$1 == m { print $2 + 0 }'; }

# ---------------------------------------------------------------------------------------------
# On this machine.

# exec_without_logind CMD...: exec CMD in a private mount namespace where logind is surely not
# running (an empty /run/systemd), so the check means the same on a host whose PID 1 is
# systemd. Run it in the background: the PID is then CMD's own (unshare and sh exec it).
exec_without_logind() {
    exec unshare -m --propagation private sh -c \
        '[ ! -d /run/systemd ] || mount -t tmpfs nt-empty /run/systemd || exit 1; exec "$@"' sh "$@"
}

port=$(free_port)
log="$WORK/host-logind.log"
exec_without_logind java -jar "$JAR" --host 127.0.0.1 --port "$port" --interval 3600 --source logind \
    --wtmp.file= --btmp.file= >"$log" 2>&1 &
pid=$!
on_exit kill_pid "$pid"
url="http://127.0.0.1:$port"
if wait_for 30 curl -sf -o /dev/null --max-time 2 "$url/-/healthy"; then
    check "no logind, --source logind: keeps serving, ssh_exporter_source_up 0" [ "$(value_of "$url" ssh_exporter_source_up)" = 0 ]
    check "no logind, --source logind: ssh_exporter_source_info{source=\"logind\"}" [ "$(source_of "$url")" = logind ]
    problems=$(grep -cE 'level=(warn|error)' "$log")
    if [ "$problems" = 1 ] && grep -q 'level=warn msg="no session source yet; serving no sessions until one appears" source=logind cause="systemd-logind is not running' "$log"; then
        pass "no logind, --source logind: one clear warning line"
    else
        fail "no logind, --source logind: one clear warning line" "$(tr '\n' '|' <"$log")"
    fi
else
    fail "no logind, --source logind: starts and serves" "$(tr '\n' '|' <"$log")"
fi
kill_pid "$pid"

# libsystemd made unloadable (/dev/null bound over it): --source logind exits 1, one line.
lib=$(ldconfig -p | awk '$1 == "libsystemd.so.0" { print $NF; exit }')
lib=$(readlink -f "${lib:-/usr/lib/x86_64-linux-gnu/libsystemd.so.0}")
if [ -f "$lib" ]; then
    out="$WORK/host-nolib.log"
    unshare -m --propagation private sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$lib" \
        java -jar "$JAR" --host 127.0.0.1 --port "$(free_port)" --source logind \
            --wtmp.file= --btmp.file= >"$out" 2>&1
    rc=$?
    if [ "$rc" = 1 ] && [ "$(wc -l <"$out")" = 1 ] \
            && grep -q 'level=error msg="--source logind: cannot load libsystemd.so.0: ' "$out"; then
        pass "no libsystemd, --source logind: exit 1 with one line"
    else
        fail "no libsystemd, --source logind: exit 1 with one line" "exit $rc: $(tr '\n' '|' <"$out")"
    fi
else
    fail "no libsystemd, --source logind: exit 1 with one line" "libsystemd.so.0 not found on this machine"
fi

# --source auto on a host that has the utmp file: utmp.
install -m 664 /dev/null "$WORK/utmp"
port=$(free_port)
log="$WORK/host-auto.log"
exec_without_logind java -jar "$JAR" --host 127.0.0.1 --port "$port" --source auto --file "$WORK/utmp" \
    --wtmp.file= --btmp.file= >"$log" 2>&1 &
pid=$!
on_exit kill_pid "$pid"
url="http://127.0.0.1:$port"
if wait_for 30 curl -sf -o /dev/null --max-time 2 "$url/-/healthy"; then
    check "utmp file present, --source auto: picks utmp" [ "$(source_of "$url")" = utmp ]
    check "utmp file present, --source auto: logged at start" \
        grep -q "msg=\"session source chosen\" source=utmp location=$WORK/utmp reason=\"$WORK/utmp exists\"" "$log"
else
    fail "utmp file present, --source auto: starts" "$(tr '\n' '|' <"$log")"
fi
kill_pid "$pid"

# ---------------------------------------------------------------------------------------------
# In containers.

CT_USER=ntuser
ssh_key="$WORK/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -C nt-logind -f "$ssh_key" || { fail "client key" "ssh-keygen failed"; finish; }
CLIENTS=()

# ct_ssh ADDR -tt|-T COMMAND: one ssh session into the container, in the background.
ct_ssh() {
    "${CT_SSH[@]}" "$2" "$CT_USER@$1" "$3" </dev/null >>"$WORK/clients.log" 2>&1 &
    CLIENTS+=($!)
}
close_clients() {
    local p
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for p in "$@"; do kill_pid "$p"; wait "$p" 2>/dev/null; done
    local keep=() q
    for q in "${CLIENTS[@]}"; do
        for p in "$@"; do [ "$p" = "$q" ] && continue 2; done
        keep+=("$q")
    done
    CLIENTS=("${keep[@]}")
}
close_all_clients() { [ ${#CLIENTS[@]} -eq 0 ] || close_clients "${CLIENTS[@]}"; }
on_exit close_all_clients

# logind_state: what logind itself shows: its sshd sessions that are not closing, per remote
# host, as "host=count ..." (from /run/systemd/sessions inside the container).
logind_state() {
    ct sh -c 'for f in /run/systemd/sessions/*; do [ -f "$f" ] && cat "$f" && echo "#END"; done' 2>/dev/null \
        | awk -F= '/^SERVICE=/ { s = $2 } /^STATE=/ { st = $2 } /^REMOTE_HOST=/ { h = $2 }
            /^#END/ { if (s == "sshd" && st != "closing" && st != "opening") n[h == "" ? "localhost" : h]++; s = st = h = "" }
            END { for (h in n) print h "=" n[h] }' | LC_ALL=C sort | paste -sd' '
}
state_is() { [ "$("$@")" = "$WANT" ]; }

# logind_files: every session as logind's own files have it, one line each, in LogindDump's form.
logind_files() {
    ct sh -c 'for f in /run/systemd/sessions/*; do [ -f "$f" ] && echo "ID=${f##*/}" && cat "$f" && echo "#END"; done' \
        | awk '/^ID=/ { delete v; v["ID"] = substr($0, 4); next }
            /^#END/ { printf "ID=%s UID=%s USER=%s STATE=%s TYPE=%s CLASS=%s SERVICE=%s REMOTE_HOST=%s LEADER=%d REALTIME=%.0f\n",
                      v["ID"], v["UID"], v["USER"], v["STATE"], v["TYPE"], v["CLASS"], v["SERVICE"], v["REMOTE_HOST"],
                      v["LEADER"], v["REALTIME"]; next }
            /^[A-Z_]+=/ { i = index($0, "="); v[substr($0, 1, i - 1)] = substr($0, i + 1) }' | LC_ALL=C sort
}
# binding_dump: the same, as the exporter's binding reads it through libsystemd.
binding_dump() {
    ct java -cp /opt/ssh-exporter/ssh-exporter.jar:/opt/ssh-exporter/dump LogindDump 2>&1 | LC_ALL=C sort
}

# step NAME WANT: once logind shows WANT, both exporters must show it within one second.
step() {
    local name="$1" t0 u
    WANT="$2"
    if ! wait_for 20 state_is logind_state; then
        fail "$CT_RELEASE: $name" "harness: logind shows '$(logind_state)', wanted '$WANT'"
        return 1
    fi
    t0=$(now_ms)
    for u in ${STEP_URLS:-$URL_LOGIND $URL_AUTO}; do
        if ! wait_for 1 state_is series "$u"; then
            fail "$CT_RELEASE: $name" "after 1 s $u shows '$(series "$u")', wanted '$WANT'"
            return 1
        fi
    done
    pass "$CT_RELEASE: $name ($(($(now_ms) - t0)) ms)"
}

# exporter_unit NAME PORT MODE: a hardened service running the jar, as the package would.
exporter_unit() {
    cat >"$CT_ROOT/etc/systemd/system/$1.service" <<EOF
[Unit]
Description=ssh-exporter native test ($3)
After=systemd-logind.service

[Service]
ExecStart=/usr/bin/java -Djna.tmpdir=/tmp $(packaged_java_opts) -jar /opt/ssh-exporter/ssh-exporter.jar --host 127.0.0.1 --port $2 --interval 3600 --source $3
DynamicUser=yes
# btmp is root:utmp 0660, the journal group systemd-journal: the package's unit grants the same
# groups (read-only under ProtectSystem).
SupplementaryGroups=utmp systemd-journal
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=yes
NoNewPrivileges=yes
SuccessExitStatus=143

[Install]
WantedBy=multi-user.target
EOF
    ln -sf "/etc/systemd/system/$1.service" "$CT_ROOT/etc/systemd/system/multi-user.target.wants/$1.service"
}

journal_of() { ct journalctl -q -o cat -u "$1" 2>/dev/null; }

run_release() {
    local rel="$1" t0 leaders
    t0=$(now_ms)
    if ! ct_prepare "$rel"; then
        fail "$rel: container root" "cannot build or mount the cached $rel rootfs (see $ROOTFS_CACHE)"
        return 1
    fi
    # sshd on a free loopback port of the shared network, key login for one user.
    ct_sshd_prepare "$CT_USER" "$ssh_key" || { fail "$rel: test user and sshd" "useradd or the sshd settings failed"; return 1; }
    # No utmp: bookworm's tmpfiles line and boot/runlevel records go (trixie has neither).
    if grep -qs utmp "$CT_ROOT/usr/lib/tmpfiles.d/systemd.conf"; then
        grep -v utmp "$CT_ROOT/usr/lib/tmpfiles.d/systemd.conf" >"$CT_ROOT/etc/tmpfiles.d/systemd.conf"
    fi
    ln -sf /dev/null "$CT_ROOT/etc/systemd/system/systemd-update-utmp.service"
    ln -sf /dev/null "$CT_ROOT/etc/systemd/system/systemd-update-utmp-runlevel.service"
    rm -f "$CT_ROOT/run/utmp" "$CT_ROOT/var/run/utmp"
    # The exporters.
    install -D -m 644 "$JAR" "$CT_ROOT/opt/ssh-exporter/ssh-exporter.jar"
    cp -r "$WORK/dump" "$CT_ROOT/opt/ssh-exporter/dump"
    local port_logind port_auto
    port_logind=$(free_port) port_auto=$(free_port)
    exporter_unit nt-exporter-logind "$port_logind" logind
    exporter_unit nt-exporter-auto "$port_auto" auto
    URL_LOGIND="http://127.0.0.1:$port_logind" URL_AUTO="http://127.0.0.1:$port_auto"

    if ! ct_boot 2>"$WORK/boot.err"; then
        fail "$rel: boots" "$(tr '\n' ' ' <"$WORK/boot.err") $(tail -5 "$CT_DIR/nspawn.log" | tr '\n' '|')"
        return 1
    fi
    pass "$rel: boots with systemd $(ct systemctl --version | awk 'NR == 1 { print $2 }') ($(($(now_ms) - t0)) ms with the overlay)"
    check "$rel: systemd-logind runs" [ "$(ct systemctl is-active systemd-logind)" = active ]
    check "$rel: no utmp file" ct sh -c '! [ -e /run/utmp ] && ! [ -e /var/run/utmp ]'
    ready() { curl -sf -o /dev/null --max-time 2 "$URL_LOGIND/-/healthy" && curl -sf -o /dev/null --max-time 2 "$URL_AUTO/-/healthy"; }
    if ! wait_for 60 ready; then
        fail "$rel: exporters start" "$(journal_of nt-exporter-logind | tail -3 | tr '\n' '|') / $(journal_of nt-exporter-auto | tail -3 | tr '\n' '|')"
        return 1
    fi
    check "$rel: --source logind serves source logind" [ "$(source_of "$URL_LOGIND")" = logind ]
    check "$rel: --source auto picks logind (no utmp)" [ "$(source_of "$URL_AUTO")" = logind ]
    auto_logged() {
        journal_of nt-exporter-auto | grep -q 'msg="session source chosen" source=logind location=/run/systemd/sessions reason="/var/run/utmp is missing, and systemd-logind runs"'
    }
    check "$rel: --source auto logs its choice" auto_logged
    check "$rel: ssh_exporter_source_up 1" [ "$(value_of "$URL_LOGIND" ssh_exporter_source_up)" = 1 ]
    quiet() { ! { journal_of nt-exporter-logind; journal_of nt-exporter-auto; } | grep -E 'level=(warn|error)|Exception'; }
    check "$rel: no warnings or errors logged" quiet

    step "no series before any ssh session" ""
    ct_ssh 127.0.0.1 -tt 'sleep 300'
    step "ssh session from 127.0.0.1 shows within 1 s" "127.0.0.1=1"
    ct_ssh ::1 -tt 'sleep 300'
    step "ssh session from ::1 shows as remote_ip=\"::1\" within 1 s" "127.0.0.1=1 ::1=1"
    local batch=()
    for _ in 1 2 3 4 5; do ct_ssh 127.0.0.1 -tt 'sleep 300'; batch+=("${CLIENTS[-1]}"); done
    step "5 more in parallel" "127.0.0.1=6 ::1=1"

    # The binding reads what logind wrote: users, leaders, start times, hosts, class, type, state,
    # through the systemd 254 getters on trixie and the fallbacks for older systemd on bookworm.
    local want_254=false dump files
    [ "$rel" = bookworm ] || want_254=true
    dump=$(binding_dump) files=$(logind_files)
    if [ "$(echo "$dump" | grep -v '^#')" = "$files" ] && [ "$(echo "$files" | grep -c SERVICE=sshd)" = 7 ] \
            && echo "$dump" | grep -qx "# since254=$want_254"; then
        pass "$rel: the sd-login binding reads every session as logind wrote it (since254=$want_254)"
    else
        fail "$rel: the sd-login binding reads every session as logind wrote it" \
            "binding: $(echo "$dump" | tr '\n' '|') files: $(echo "$files" | tr '\n' '|')"
    fi
    close_clients "${batch[@]:0:3}"
    step "3 of them closed" "127.0.0.1=3 ::1=1"
    close_all_clients
    step "all closed: no series left" ""
    # Unlike utmp, logind registers sessions without a terminal: they count (README).
    ct_ssh 127.0.0.1 -T 'sleep 300'
    step "ssh without a terminal counts (logind has no way to tell)" "127.0.0.1=1"
    close_all_clients
    step "... and goes at logout, although its process lingers" ""

    # What the log says about a session: user name and leader PID as logind has them.
    ct_ssh ::1 -tt 'sleep 300'
    step "one more session for the log" "::1=1"
    leaders=$(ct sh -c 'for f in /run/systemd/sessions/*; do [ -f "$f" ] && cat "$f" && echo "#END"; done' 2>/dev/null \
        | awk -F= '/^SERVICE=/ { s = $2 } /^STATE=/ { st = $2 } /^REMOTE_HOST=/ { h = $2 } /^LEADER=/ { l = $2 }
            /^#END/ { if (s == "sshd" && st != "closing" && h == "::1") print l; s = st = h = l = "" }')
    opened() { journal_of nt-exporter-logind | grep -q "msg=\"session opened\" user=$CT_USER remote_ip=::1 tty=\"\" pid=$1"; }
    if [ -n "$leaders" ] && [ "$leaders" = "${leaders%% *}" ] && wait_for 1 opened "$leaders"; then
        pass "$rel: logged with logind's user name and leader PID"
    else
        fail "$rel: logged with logind's user name and leader PID" "leader '$leaders'; log: $(journal_of nt-exporter-logind | grep 'session opened' | tail -1)"
    fi
    close_all_clients
    step "closed again" ""

    # Churn without leaks: logind sessions coming and going (CHURN of them, 3 at a time, each an
    # `ssh host true`) leave the exporter's descriptors, threads and RSS where they were after the
    # first tenth, and every one of them is counted opened and closed.
    churn_usage() {
        local pid
        pid=$(ct systemctl show -p MainPID --value nt-exporter-logind)
        ct sh -c "echo \$(ls /proc/$pid/fd | wc -l) \$(awk '/^Threads:/ {t=\$2} /^VmRSS:/ {r=\$2} END {print t, r}' /proc/$pid/status)"
    }
    # churn_until N: `ssh host true` sessions, 3 at a time, until done_n reaches N.
    churn_until() {
        local i pids
        while [ "$done_n" -lt "$1" ]; do
            pids=()
            for i in 1 2 3; do
                "${CT_SSH[@]}" -T "$CT_USER@127.0.0.1" true </dev/null >>"$WORK/clients.log" 2>&1 &
                pids+=($!)
            done
            wait "${pids[@]}"
            done_n=$((done_n + 3))
        done
    }
    remote_total() { value_of "$URL_LOGIND" "ssh_sessions_$1_total{type=\"remote\"}"; }
    # Counted from a quiet start: no login session of the user left in logind (an earlier step's
    # client killed mid-login can still be opening; sessions closing for leftover processes and
    # the user manager's own are no logins). logind's journal is no count to check against: a run
    # here lost one "New session" line and its "Removed session" line.
    no_user_sessions() {
        ct sh -c "for f in /run/systemd/sessions/*; do [ -f \"\$f\" ] || continue
            grep -qsx 'USER=$CT_USER' \"\$f\" || continue
            grep -qsx -e 'STATE=closing' -e 'CLASS=manager' -e 'CLASS=manager-early' \"\$f\" || exit 1; done; exit 0"
    }
    wait_for 20 no_user_sessions || fail "$rel: churn: logind quiet before the churn" "$(ct sh -c 'grep -l USER= /run/systemd/sessions/*')"
    local churn=${NT_LOGIND_CHURN:-300} done_n=0 opened0 closed0 tenth end
    opened0=$(remote_total opened)
    closed0=$(remote_total closed)
    churn_until $((churn / 10))
    step "churn: the first tenth closed" ""
    tenth=$(churn_usage)
    churn_until "$churn"
    step "churn: all $done_n closed" ""
    end=$(churn_usage)
    wait_for 20 no_user_sessions || fail "$rel: churn: logind quiet after the churn" "$(ct sh -c 'grep -l USER= /run/systemd/sessions/*')"
    churn_counted() {
        [ "$(remote_total opened)" = "$((opened0 + done_n))" ] && [ "$(remote_total closed)" = "$((closed0 + done_n))" ]
    }
    if wait_for 2 churn_counted; then
        pass "$rel: churn: $done_n sessions counted opened and closed, each once"
    else
        fail "$rel: churn: $done_n sessions counted opened and closed" "opened $(remote_total opened) (from $opened0), closed $(remote_total closed) (from $closed0)"
    fi
    # fds and threads exactly flat; RSS within 4 MB (the heap settling), as LeakIT.
    read -r fd1 th1 rss1 <<<"$tenth"; read -r fd2 th2 rss2 <<<"$end"
    if [ -n "$rss2" ] && [ "$fd2" -le "$fd1" ] && [ "$th2" -le "$th1" ] && [ "$rss2" -le $((rss1 + 4096)) ]; then
        pass "$rel: churn: flat from the first tenth to the end (fds $fd1 -> $fd2, threads $th1 -> $th2, RSS $rss1 -> $rss2 KiB)"
    else
        fail "$rel: churn: flat from the first tenth to the end" "fds $fd1 -> $fd2, threads $th1 -> $th2, RSS $rss1 -> $rss2 KiB"
    fi

    # A restart reads the same truth at once (the first scrape is exact).
    ct_ssh 127.0.0.1 -tt 'sleep 300'
    step "before restart: one session" "127.0.0.1=1"
    ct systemctl restart nt-exporter-logind
    if wait_for 30 curl -sf -o /dev/null --max-time 2 "$URL_LOGIND/-/healthy"; then
        check "$rel: after restart the first scrape is exact" [ "$(series "$URL_LOGIND")" = "127.0.0.1=1" ]
    else
        fail "$rel: restarts" "$(journal_of nt-exporter-logind | tail -3 | tr '\n' '|')"
    fi
    close_all_clients
    step "after restart: logout seen" ""

    # A clean stop: status 0 (SIGTERM handled), nothing failed inside.
    ct systemctl stop nt-exporter-logind nt-exporter-auto
    stopped_cleanly() {
        [ "$(ct systemctl show -p Result --value nt-exporter-logind)" = success ] \
            && [ "$(ct systemctl show -p Result --value nt-exporter-auto)" = success ]
    }
    check "$rel: exporters stop cleanly" stopped_cleanly

    # logind not running yet (stopped, its directories gone): --source logind says so once and
    # waits; it reads logind the moment it starts (inotify on /run/systemd: the resync interval
    # is an hour), and follows sessions from then on.
    ct systemctl stop systemd-logind
    ct rm -rf /run/systemd/sessions /run/systemd/seats
    ct systemctl start nt-exporter-logind
    if ! wait_for 30 curl -sf -o /dev/null --max-time 2 "$URL_LOGIND/-/healthy"; then
        fail "$rel: starts without logind" "$(journal_of nt-exporter-logind | tail -3 | tr '\n' '|')"
        return 1
    fi
    check "$rel: logind stopped: --source logind serves ssh_exporter_source_up 0" \
        [ "$(value_of "$URL_LOGIND" ssh_exporter_source_up)" = 0 ]
    waiting_logged() {
        journal_of nt-exporter-logind | grep -q 'level=warn msg="no session source yet; serving no sessions until one appears" source=logind cause="systemd-logind is not running (no /run/systemd/seats or /run/systemd/sessions)"'
    }
    check "$rel: logind stopped: one line says so" waiting_logged
    ct systemctl start systemd-logind
    t0=$(now_ms)
    source_up() { [ "$(value_of "$URL_LOGIND" ssh_exporter_source_up)" = 1 ]; }
    if wait_for 1 source_up; then
        pass "$rel: logind started: read within 1 s ($(($(now_ms) - t0)) ms)"
    else
        fail "$rel: logind started: read within 1 s" "$(journal_of nt-exporter-logind | tail -3 | tr '\n' '|')"
    fi
    STEP_URLS=$URL_LOGIND
    ct_ssh 127.0.0.1 -tt 'sleep 300'
    step "after a late logind: a session shows within 1 s" "127.0.0.1=1"
    close_all_clients
    step "after a late logind: logout seen" ""
    STEP_URLS=""
    ct_stop
    ct_release
}

for rel in $RELEASES; do
    run_release "$rel" || { close_all_clients; ct_stop; ct_release; }
done
finish
