#!/usr/bin/env bash
# The .deb under a real systemd: a Debian bookworm container (systemd-nspawn -b,
# sharing this machine's network) installs it with apt-get; the service must come
# up hardened as a dynamic user, serve /metrics, count a real ssh session into the
# container (from utmp, then from logind), follow wtmp and the journal, restart after a
# crash, survive an upgrade, serve TLS with its key handed over as a credential,
# stop cleanly, log to the journal and go away with purge, leaving no cache directory behind.
# This machine's own init is never touched.
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"

need systemd-nspawn systemd-container || finish
need debootstrap debootstrap || finish
need nsenter util-linux || finish
need ssh openssh-client || finish
need curl curl || finish
need openssl openssl || finish
pkg_files || finish

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
rootfs_instance "$tmp/rootfs" || finish

PORT=$(free_port)
SSH_PORT=$(free_port)
while [ "$SSH_PORT" = "$PORT" ]; do SSH_PORT=$(free_port); done

# --- prepare the container's files (before it boots) ---------------------------
cp "$DEB" "$R/root/new.deb"
BUMPED_VERSION=$(deb_bumped "$DEB" "$R/root/bumped.deb") || { fail bumped-deb "cannot repack the .deb"; finish; }
# sshd listens on a free loopback port of the shared network, keys only.
cat >"$R/etc/ssh/sshd_config.d/ssh-exporter-test.conf" <<EOF
ListenAddress 127.0.0.1:$SSH_PORT
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
EOF
ssh-keygen -q -t ed25519 -N '' -C ssh-exporter-test -f "$tmp/id" || { fail ssh-key "ssh-keygen failed"; finish; }
install -d -m 700 "$R/root/.ssh"
install -m 600 "$tmp/id.pub" "$R/root/.ssh/authorized_keys"
# The settings an administrator would drop in before installing: the packaged file
# with the exporter on a free loopback port (the network is shared with this machine).
deb_settings "$DEB" "--host 127.0.0.1 --port $PORT --file /var/run/utmp" "$R/etc/default/ssh-exporter" \
    || { fail settings-file "cannot read the packaged settings from $DEB"; finish; }

# --- boot ------------------------------------------------------------------------
NSPAWN_PID="" CT_PID=""
systemd-nspawn -q -D "$R" -b --register=no --keep-unit --console=passive -M "sshexp-$$" \
    </dev/null >"$tmp/nspawn.log" 2>&1 &
NSPAWN_PID=$!
# ct CMD...: run CMD inside the container, in all its namespaces, with a clean environment.
ct() { nsenter -t "$CT_PID" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TERM=dumb "$@"; }
poweroff_container() {
    local _
    [ -n "$CT_PID" ] || init_pid
    if [ -n "$CT_PID" ] && kill -0 "$CT_PID" 2>/dev/null; then
        ct systemctl poweroff --no-block >/dev/null 2>&1
        for _ in $(seq 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.2; done
        # SIGRTMIN+4 asks systemd to power off even when systemctl cannot reach it.
        kill -0 "$CT_PID" 2>/dev/null && kill -s RTMIN+4 "$CT_PID"
        for _ in $(seq 50); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.2; done
        # Killing systemd-nspawn alone would leave the container's init behind.
        kill -0 "$CT_PID" 2>/dev/null && kill -KILL "$CT_PID"
    fi
    kill_pid "$NSPAWN_PID"
    wait "$NSPAWN_PID" 2>/dev/null
}
on_exit poweroff_container
init_pid() {
    local p
    p=$(ps --ppid "$NSPAWN_PID" -o pid= 2>/dev/null | tr -d ' ' | head -n 1)
    [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && CT_PID=$p
}
boot_started=$(date +%s%N)
if ! wait_for 30 init_pid; then
    fail container-boots "no systemd under systemd-nspawn: $(tail -n 5 "$tmp/nspawn.log")"
    finish
fi
bus_up() { ct test -S /run/systemd/private; }
wait_for 30 bus_up
state=$(timeout 90 nsenter -t "$CT_PID" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    systemctl is-system-running --wait 2>/dev/null)
boot_ms=$(( ($(date +%s%N) - boot_started) / 1000000 ))
if [ "$state" = running ]; then
    pass "container-boots: systemd $(ct systemctl --version | head -n 1 | awk '{print $2}') running in ${boot_ms} ms"
else
    fail container-boots "state '$state': $(ct systemctl --failed --no-legend --plain 2>&1 | tr '\n' ' ')"
    [ "$state" = degraded ] || finish
fi

# --- install --------------------------------------------------------------------
install_started=$(date +%s%N)
ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confold /root/new.deb </dev/null >"$tmp/install.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/  /' "$tmp/install.log"
check deb-installs-in-container [ $rc = 0 ]
echo "  (install took $(( ($(date +%s%N) - install_started) / 1000000 )) ms)"

active() { [ "$(ct systemctl is-active ssh-exporter.service)" = active ]; }
check service-active-after-install wait_for 30 active
check service-enabled [ "$(ct systemctl is-enabled ssh-exporter.service)" = enabled ]
metrics() { curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics"; }
serving() { metrics | grep -q '^ssh_exporter_source_up 1'; }
check service-serves-metrics wait_for 30 serving

verify_in_container() {
    local out
    out=$(ct systemd-analyze verify --man=no /lib/systemd/system/ssh-exporter.service 2>&1)
    [ -z "$out" ] || { echo "  $out" >&2; return 1; }
}
check unit-verify-under-systemd verify_in_container
exposure_online() {
    local e
    e=$(ct systemd-analyze security --no-pager ssh-exporter.service 2>&1 |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    echo "  systemd-analyze security (loaded unit, inside): exposure ${e:-unknown}" >&2
    [ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 1.5) }'
}
check unit-exposure-under-systemd-at-most-1.5 exposure_online

# --- hardening as applied --------------------------------------------------------------
MAIN=$(ct systemctl show -p MainPID --value ssh-exporter.service)
status_field() { ct sh -c "sed -n 's/^$1:[[:space:]]*//p' /proc/$MAIN/status"; }
runs_as_dynamic_user() {
    local uid unit_uid
    uid=$(status_field Uid | awk '{print $1 "/" $2 "/" $3 "/" $4}')
    unit_uid=$(ct systemctl show -p UID --value ssh-exporter.service)
    echo "  main process $MAIN runs as uid $uid; the unit's dynamic UID is $unit_uid" >&2
    # DynamicUser= allocates from 61184-65519 (named after the unit, through nss-systemd).
    [ "$uid" = "$unit_uid/$unit_uid/$unit_uid/$unit_uid" ] && [ "$unit_uid" -ge 61184 ] && [ "$unit_uid" -le 65519 ]
}
check service-runs-as-dynamic-user runs_as_dynamic_user
check service-no-capabilities [ "$(status_field CapEff)/$(status_field CapPrm)/$(status_field CapBnd)" = \
    0000000000000000/0000000000000000/0000000000000000 ]
check service-no-new-privileges [ "$(status_field NoNewPrivs)" = 1 ]
check service-seccomp-filter [ "$(status_field Seccomp)" = 2 ]
# shellcheck disable=SC2016 # awk program
root_read_only() { ct awk '$5 == "/" { split($6, o, ","); print o[1] }' "/proc/$MAIN/mountinfo" | grep -qx ro; }
check service-root-read-only root_read_only
show_props() {
    local want got
    want='DynamicUser=yes
LockPersonality=yes
NoNewPrivileges=yes
PrivateDevices=yes
PrivateTmp=yes
PrivateUsers=yes
ProtectControlGroups=yes
ProtectHome=yes
ProtectKernelModules=yes
ProtectKernelTunables=yes
ProtectSystem=strict
RestrictNamespaces=yes
RestrictSUIDSGID=yes'
    got=$(ct systemctl show ssh-exporter.service -p DynamicUser,LockPersonality,NoNewPrivileges,PrivateDevices,PrivateTmp,PrivateUsers,ProtectControlGroups,ProtectHome,ProtectKernelModules,ProtectKernelTunables,ProtectSystem,RestrictNamespaces,RestrictSUIDSGID | sort)
    [ "$got" = "$want" ] || { diff <(echo "$want") <(echo "$got") >&2; return 1; }
}
check service-hardening-properties show_props
cmdline() { ct cat "/proc/$MAIN/cmdline" | tr '\0' ' '; }
small_jvm() {
    local rss
    rss=$(status_field VmRSS | awk '{print $1}')
    echo "  main process RSS ${rss} kB" >&2
    case "$(cmdline)" in *"-Djna.tmpdir=/run/ssh-exporter "*"-Xmx32m"*) ;; *) echo "  cmdline: $(cmdline)" >&2; return 1 ;; esac
    [ -n "$rss" ] && [ "$rss" -lt 150000 ]
}
check service-small-jvm-jna-in-runtime-dir small_jvm

# --- a real ssh session into the container is counted --------------------------------
ssh_session_counted metrics "$tmp/ssh.log" ssh -tt -i "$tmp/id" -p "$SSH_PORT" -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@127.0.0.1 'sleep 120'
one_session() { page_has_one_session metrics; }
journal() { ct journalctl -u ssh-exporter.service --no-pager -o cat; }
journal_has() { journal | grep -q -- "$1"; }
check journal-shows-session-opened journal_has 'msg="session opened" user=root remote_ip=127.0.0.1'
# shellcheck disable=SC2153 # SSH_PID is set by ssh_session_counted
kill_pid "$SSH_PID"
no_session() { page_has_no_session metrics; }
check ssh-session-gone-after-logout wait_for 30 no_session

# The sandbox still lets it read all three databases (btmp through group utmp).
readable_all() {
    local m f
    m=$(metrics)
    for f in utmp:/var/run/utmp wtmp:/var/log/wtmp btmp:/var/log/btmp; do
        printf '%s\n' "$m" | grep -Eq "^ssh_exporter_file_readable\{file=\"${f%%:*}\",path=\"${f#*:}\"\} 1(\.0)?$" ||
            { echo "  not readable: $f" >&2; return 1; }
    done
}
check service-reads-utmp-wtmp-btmp readable_all
# metric_sum NAME: the sum of NAME's samples (0 when absent).
metric_sum() { metrics | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF } END { print s + 0 }'; }
counted_opened() { awk -v v="$(metric_sum ssh_sessions_opened_total)" 'BEGIN { exit !(v >= 1) }'; }
check wtmp-counts-the-session wait_for 20 counted_opened
# A login attempt for a user that does not exist. The journal is readable to the unit (group
# systemd-journal), so it feeds the failed-login counter, not btmp; a key offered for an unknown
# user leaves no "Failed publickey" line (sshd does not look the key up), only "Invalid user":
# counted as an invalid user, not as a failed attempt (suite 62 counts password failures).
failed_source_journal() { metrics | grep -Eq '^ssh_exporter_failed_logins_source\{source="journal"\} 1(\.0)?$'; }
check failed-logins-fed-by-the-journal wait_for 20 failed_source_journal
ssh -i "$tmp/id" -p "$SSH_PORT" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=QUIET no-such-user@127.0.0.1 true </dev/null >/dev/null 2>&1
counted_invalid() { awk -v v="$(metric_sum ssh_auth_invalid_users_total)" 'BEGIN { exit !(v == 1) }'; }
check journal-counts-an-invalid-user wait_for 20 counted_invalid

# --- class-data sharing: the JDK's own archive, nothing the service writes ------------------------
CT_CACHE=/var/cache/private/ssh-exporter
own_archive_none() {
    local pid maps
    pid=$(ct systemctl show -p MainPID --value ssh-exporter.service)
    maps=$(ct grep -o '[^ ]*\.jsa$' "/proc/$pid/maps" 2>/dev/null | sort -u)
    echo "  pid $pid maps: $(printf '%s' "$maps" | tr '\n' ' ')" >&2
    [ "$pid" != 0 ] && [ -z "$(printf '%s\n' "$maps" | grep -v -e '^/usr/lib/jvm/' -e '^$')" ] &&
        ! ct test -e /var/cache/ssh-exporter && ! ct test -e "$CT_CACHE"
}
check service-maps-only-the-jdk-archive own_archive_none
first_pid=$(ct systemctl show -p MainPID --value ssh-exporter.service)
ct systemctl restart ssh-exporter.service
restarted_serving() { [ "$(ct systemctl show -p MainPID --value ssh-exporter.service)" != "$first_pid" ] && active && serving; }
check service-serves-after-restart wait_for 30 restarted_serving

# --- the logind source (for hosts without utmp) in the same sandbox -----------------------
sed -i 's|^ARGS="\(.*\)"$|ARGS="\1 --source logind"|' "$R/etc/default/ssh-exporter"
ct systemctl restart ssh-exporter.service
logind_source() { metrics | grep -Eq '^ssh_exporter_source_info\{source="logind"\} 1(\.0)?$'; }
check logind-source-in-sandbox wait_for 30 logind_source
ssh -tt -i "$tmp/id" -p "$SSH_PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR root@127.0.0.1 'sleep 120' \
    </dev/null >"$tmp/ssh2.log" 2>&1 &
SSH2_PID=$!
on_exit kill_pid "$SSH2_PID"
check logind-counts-the-ssh-session wait_for 30 one_session
kill_pid "$SSH2_PID"
check logind-session-gone-after-logout wait_for 30 no_session

# --- crash: Restart=on-failure ---------------------------------------------------------
ct systemctl kill --signal=SIGKILL ssh-exporter.service
restarted() { [ "$(ct systemctl show -p NRestarts --value ssh-exporter.service)" = 1 ] && active && serving; }
check service-restarts-after-crash wait_for 30 restarted

# --- upgrade in place: restarted, settings kept ---------------------------------------
before=$(ct systemctl show -p MainPID --value ssh-exporter.service)
ct env DEBIAN_FRONTEND=noninteractive dpkg -i /root/bumped.deb </dev/null >"$tmp/upgrade.log" 2>&1
check deb-upgrade-in-container [ $? = 0 ]
upgraded() {
    local now
    now=$(ct systemctl show -p MainPID --value ssh-exporter.service)
    [ "$now" != 0 ] && [ "$now" != "$before" ] && active && serving &&
        [ "$(ct dpkg-query -W -f "\${Version}" ssh-exporter)" = "$BUMPED_VERSION" ]
}
check service-restarted-by-upgrade-same-settings wait_for 30 upgraded

# --- TLS, with the web config and its key handed over as systemd credentials ---------
# (the recipe of ssh-exporter(1): the dynamic user cannot read root's 0600 key)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/tls.key" -out "$tmp/tls.crt" >/dev/null 2>&1
install -d -m 700 "$R/etc/ssh-exporter"
install -m 600 "$tmp/tls.key" "$tmp/tls.crt" "$R/etc/ssh-exporter/"
printf '%s\n' 'tls_server_config:' \
    '  cert_file: /run/credentials/ssh-exporter.service/tls.crt' \
    '  key_file: /run/credentials/ssh-exporter.service/tls.key' >"$R/etc/ssh-exporter/web-config.yml"
chmod 600 "$R/etc/ssh-exporter/web-config.yml"
mkdir -p "$R/etc/systemd/system/ssh-exporter.service.d"
printf '%s\n' '[Service]' \
    'LoadCredential=web-config.yml:/etc/ssh-exporter/web-config.yml' \
    'LoadCredential=tls.crt:/etc/ssh-exporter/tls.crt' \
    'LoadCredential=tls.key:/etc/ssh-exporter/tls.key' >"$R/etc/systemd/system/ssh-exporter.service.d/credentials.conf"
sed -i 's|^ARGS="\(.*\)"$|ARGS="\1 --web.config.file /run/credentials/ssh-exporter.service/web-config.yml"|' \
    "$R/etc/default/ssh-exporter"
ct systemctl daemon-reload
ct systemctl restart ssh-exporter.service
tls_serving() {
    curl -sf --max-time 5 --cacert "$tmp/tls.crt" "https://127.0.0.1:$PORT/metrics" | grep -q '^ssh_exporter_source_up 1'
}
if wait_for 30 tls_serving; then
    pass service-serves-tls-with-credential-keys
else
    fail service-serves-tls-with-credential-keys "$(journal | tail -n 5 | tr '\n' ' ')"
fi
not() { ! "$@"; }
check service-no-plain-http-under-tls not serving

# --- stop ---------------------------------------------------------------------------
ct systemctl stop ssh-exporter.service
stopped_clean() {
    local props
    props=$(ct systemctl show ssh-exporter.service -p ActiveState,Result,ExecMainStatus | tr '\n' ' ')
    echo "  after stop: $props" >&2
    case "$props" in *ActiveState=inactive*) ;; *) return 1 ;; esac
    case "$props" in *Result=success*) ;; *) return 1 ;; esac
}
check service-stops-cleanly stopped_clean
check journal-shows-stopping journal_has 'msg=stopping signal=SIGTERM'
check journal-shows-listening journal_has "msg=listening address=127.0.0.1:$PORT"
# The sandbox costs the JVM nothing it complains about (seccomp, read-only paths, /proc subset).
quiet_jvm() {
    local bad
    bad=$(journal | grep -E 'VM warning|Exception|Error:|level=(warn|error)')
    [ -z "$bad" ] || { printf '%s\n' "$bad" | sed 's/^/  /' >&2; return 1; }
}
check journal-no-jvm-warnings-or-errors quiet_jvm

# --- purge -------------------------------------------------------------------------------
ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ssh-exporter </dev/null >"$tmp/purge.log" 2>&1
check deb-purge-in-container [ $? = 0 ]
gone() { [ -z "$(ct systemctl list-unit-files --no-legend ssh-exporter.service)" ] && ! serving; }
check service-gone-after-purge gone
cache_gone() {
    local p
    for p in /var/cache/ssh-exporter "$CT_CACHE"; do
        if ct test -e "$p" || ct test -L "$p"; then echo "  left after purge: $p" >&2; return 1; fi
    done
}
check cache-directory-gone-after-purge cache_gone

finish
