#!/usr/bin/env bash
# The .rpm under a real systemd: a booted Debian bookworm root (native-test/nspawn.sh) installs it
# with `rpm -i` inside the container (Debian's rpm: its database knows none of Debian's packages,
# so the dependencies are waived with --nodeps; the JRE is there). The scriptlets must enable and
# start the unit, a real ssh session must be counted, stop must be clean, and `rpm -e` must stop
# and disable the unit and leave none of the package's files behind. What suite 53 proves for the
# .deb, for the .rpm. This machine's own init is never touched.
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"
. "$NATIVE_TEST_DIR/nspawn.sh"

ct_need || finish
need ssh openssh-client || finish
need curl curl || finish
pkg_files || finish

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
ct_prepare bookworm || { fail container-root "cannot make a bookworm root"; finish; }
ssh-keygen -q -t ed25519 -N '' -C ssh-exporter-test -f "$tmp/id" || { fail ssh-key "ssh-keygen failed"; finish; }
ct_sshd_prepare tester "$tmp/id" || { fail sshd-prepare "cannot set up sshd in the root"; finish; }
PORT=$(free_port)
while [ "$PORT" = "$CT_SSH_PORT" ]; do PORT=$(free_port); done
cp "$RPM" "$CT_ROOT/root/new.rpm"
# The exporter on a free loopback port of the shared network, set by a drop-in as an
# administrator could: an environment file read after the packaged one (which stays as shipped,
# so that erase can remove it).
mkdir -p "$CT_ROOT/etc/systemd/system/ssh-exporter.service.d"
printf 'ARGS="--host 127.0.0.1 --port %s --file /var/run/utmp"\n' "$PORT" >"$CT_ROOT/etc/ssh-exporter-test.env"
printf '[Service]\nEnvironmentFile=/etc/ssh-exporter-test.env\n' \
    >"$CT_ROOT/etc/systemd/system/ssh-exporter.service.d/test-port.conf"
ct_boot || { fail container-boots "no booted systemd"; finish; }
pass "container-boots: systemd $(ct systemctl --version | head -n 1 | awk '{print $2}'), rpm $(ct rpm --version | awk '{print $3}')"

# --- install: the scriptlets enable and start the unit -------------------------------
ct rpm -i --nodeps /root/new.rpm </dev/null >"$tmp/install.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/  /' "$tmp/install.log" >&2
check rpm-installs-in-container [ $rc = 0 ]
verified() { local out; out=$(ct rpm -V --nodeps ssh-exporter 2>&1); [ -z "$out" ] || { echo "  rpm -V: $out" >&2; return 1; }; }
check rpm-verify-clean verified
active() { [ "$(ct systemctl is-active ssh-exporter.service)" = active ]; }
check service-active-after-rpm-install wait_for 30 active
check service-enabled-by-post [ "$(ct systemctl is-enabled ssh-exporter.service)" = enabled ]
metrics() { curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics"; }
serving() { metrics | grep -q '^ssh_exporter_source_up 1'; }
check service-serves-metrics wait_for 30 serving
MAIN=$(ct systemctl show -p MainPID --value ssh-exporter.service)
dynamic_user() {
    local uid
    uid=$(ct sh -c "sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/$MAIN/status")
    echo "  main process $MAIN runs as uid $uid" >&2
    [ -n "$uid" ] && [ "$uid" -ge 61184 ] && [ "$uid" -le 65519 ]
}
check service-runs-as-dynamic-user dynamic_user
sysconfig_read() { ct systemctl show -p EnvironmentFiles --value ssh-exporter.service | grep -q '/etc/sysconfig/ssh-exporter '; }
check unit-reads-etc-sysconfig sysconfig_read

# --- a real ssh session is counted ----------------------------------------------------
ssh_session_counted metrics "$tmp/ssh.log" "${CT_SSH[@]}" -tt tester@127.0.0.1 'sleep 120'
one_session() { page_has_one_session metrics; }
kill_pid "$SSH_PID"
no_session() { page_has_no_session metrics; }
check ssh-session-gone-after-logout wait_for 30 no_session

# --- stop -----------------------------------------------------------------------------
ct systemctl stop ssh-exporter.service
stopped_clean() {
    local props
    props=$(ct systemctl show ssh-exporter.service -p ActiveState,Result | tr '\n' ' ')
    echo "  after stop: $props" >&2
    case "$props" in *ActiveState=inactive*Result=success* | *Result=success*ActiveState=inactive*) return 0 ;; esac
    return 1
}
check service-stops-cleanly stopped_clean
journal_has() { ct journalctl -u ssh-exporter.service --no-pager -o cat | grep -q -- "$1"; }
check journal-shows-stopping journal_has 'msg=stopping signal=SIGTERM'
ct systemctl start ssh-exporter.service
check service-starts-again wait_for 30 serving

# --- erase: preun stops and disables it, nothing of the package is left ---------------------
ct rpm -ql ssh-exporter >"$tmp/files" 2>/dev/null
check rpm-lists-its-files [ -s "$tmp/files" ]
ct rpm -e ssh-exporter </dev/null >"$tmp/erase.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/  /' "$tmp/erase.log" >&2
check rpm-erases-in-container [ $rc = 0 ]
not_serving() { ! serving; }
check service-stopped-by-erase wait_for 15 not_serving
unit_gone() {
    [ -z "$(ct systemctl list-unit-files --no-legend ssh-exporter.service)" ] &&
        ! ct test -e /etc/systemd/system/multi-user.target.wants/ssh-exporter.service
}
check unit-gone-and-disabled-after-erase unit_gone
files_gone() {
    local f left=0
    while read -r f; do
        # The directories the package shares with others stay; its own go.
        case "$f" in /usr/bin | /usr/lib/systemd/system | /etc/sysconfig | /usr/share/man/man1) continue ;; esac
        if ct test -e "$f"; then echo "  left after erase: $f" >&2; left=1; fi
    done <"$tmp/files"
    ct test -e /etc/sysconfig/ssh-exporter.rpmsave && { echo "  left: /etc/sysconfig/ssh-exporter.rpmsave" >&2; left=1; }
    [ $left = 0 ]
}
check rpm-erase-leaves-nothing files_gone

finish
