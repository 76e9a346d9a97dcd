#!/usr/bin/env bash
# The .deb with apt-get and dpkg where systemd is not running: install, run,
# upgrade (keeping a changed conffile), reinstall, remove, purge. The maintainer
# scripts must enable the unit but start nothing, and purge must leave no trace.
#
# On this machine PID 1 is not systemd, so this runs on the machine itself. Where
# systemd does run, the machine's own init must not be touched: the same steps
# then run in a chroot of the cached Debian rootfs instead.
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"

need systemd-analyze systemd || finish
need man man-db || finish
need curl curl || finish
pkg_files || finish

tmp=$(mktemp -d)
chmod 755 "$tmp" # apt's _apt user reads local .deb files
on_exit rm -rf "$tmp"

R="" # the target's root: "" for this machine, or a chroot
# (PKG_TEST_IN_CHROOT=1 takes the chroot path anyway.)
if [ -d /run/systemd/system ] || [ "${PKG_TEST_IN_CHROOT:-}" = 1 ]; then
    need debootstrap debootstrap || finish
    rootfs_instance "$tmp/rootfs" || finish
    mount -t proc proc "$R/proc" && on_exit umount -l "$R/proc"
    pass "target-without-systemd: a chroot (systemd runs on this machine, which is left alone)"
else
    pass "target-without-systemd: this machine (PID 1 is $(ps -o comm= -p 1), not systemd)"
fi
# on_target CMD...: run CMD on the target (paths inside are the target's).
on_target() {
    if [ -n "$R" ]; then
        chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
    else
        env LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
    fi
}
# on_target_exec CMD...: the same, replacing the calling (sub)shell.
on_target_exec() {
    if [ -n "$R" ]; then
        exec chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
    else
        exec env LC_ALL=C.UTF-8 "$@"
    fi
}
mkdir -p "$R/var/tmp/ssh-exporter-test"
on_exit rm -rf "$R/var/tmp/ssh-exporter-test"
T=/var/tmp/ssh-exporter-test # as the target sees it
cp "$DEB" "$R$T/new.deb"
BUMPED_VERSION=$(deb_bumped "$DEB" "$R$T/bumped.deb") || { fail bumped-deb "cannot repack the .deb"; finish; }
chmod -R a+rX "$R$T"

# shellcheck disable=SC2016 # a dpkg-query format
installed() { on_target dpkg-query -W -f '${Status} ${Version}' ssh-exporter 2>/dev/null; }
# A run that was cut short may have left the package behind: it is ours to remove.
if installed >/dev/null; then on_target dpkg --purge ssh-exporter >/dev/null 2>&1; fi
on_exit "installed >/dev/null && on_target dpkg --purge ssh-exporter"

# clean_log LOG: apt/dpkg said nothing alarming (no errors, warnings, failed scripts).
clean_log() {
    if grep -Eiq '^(E|W):|warning|error|fail|not found|denied' "$1"; then
        sed 's/^/  /' "$1" >&2
        return 1
    fi
}
# exporter_running: some process runs the packaged jar.
exporter_running() { grep -lsa /usr/share/ssh-exporter/lib/ssh-exporter.jar /proc/[0-9]*/cmdline >/dev/null; }
not() { ! "$@"; }
WANTS=/etc/systemd/system/multi-user.target.wants/ssh-exporter.service

# --- install ------------------------------------------------------------------
on_target apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$T/new.deb" </dev/null >"$tmp/install.log" 2>&1
check deb-install-apt [ $? = 0 ]
check deb-install-log-clean clean_log "$tmp/install.log"
check deb-installed [ "$(installed)" = "install ok installed $DEB_VERSION" ]
check deb-files-verify [ -z "$(on_target dpkg --verify ssh-exporter 2>&1)" ]
check deb-unit-enabled-offline [ "$(readlink "$R$WANTS")" = /lib/systemd/system/ssh-exporter.service ]
check deb-install-started-nothing not exporter_running

verify_unit() {
    local out
    # (The chroot has no man-db to look the man page up with.)
    out=$(on_target systemd-analyze verify ${R:+--man=no} /lib/systemd/system/ssh-exporter.service 2>&1)
    [ -z "$out" ] || { echo "  $out" >&2; return 1; }
}
check unit-systemd-analyze-verify-silent verify_unit
check installed-version [ "$(on_target ssh-exporter --version 2>&1)" = "ssh-exporter $VERSION" ]
check installed-help grep -q -- --port <(on_target ssh-exporter --help)
if [ -z "$R" ]; then
    check installed-man-page [ "$(man -w ssh-exporter 2>/dev/null)" = /usr/share/man/man1/ssh-exporter.1.gz ]
else
    check installed-man-page [ -f "$R/usr/share/man/man1/ssh-exporter.1.gz" ]
fi

# The installed launcher, with the packaged JVM settings, serves /metrics.
serve_once() {
    local port pid rc=1
    port=$(free_port)
    : >"$R$T/utmp"
    # shellcheck disable=SC2016
    (on_target_exec sh -c '. /etc/default/ssh-exporter && export JAVA_OPTS &&
        exec ssh-exporter --host 127.0.0.1 --port "$1" --file "$2" --wtmp.file= --btmp.file=' sh "$port" "$T/utmp") \
        </dev/null >/dev/null 2>"$tmp/serve.log" &
    pid=$!
    on_exit kill_pid "$pid"
    if wait_for 20 curl -sf -o "$tmp/metrics" "http://127.0.0.1:$port/metrics" &&
        grep -q '^ssh_exporter_source_up 1' "$tmp/metrics"; then
        rc=0
    else
        sed 's/^/  /' "$tmp/serve.log" >&2
    fi
    kill -TERM "$pid"
    wait "$pid" || { echo "  exit status $? after SIGTERM" >&2; rc=1; }
    return "$rc"
}
check installed-serves-metrics-and-stops-0 serve_once

# --- upgrade, keeping a changed conffile ---------------------------------------
echo '# changed by the administrator' >>"$R/etc/default/ssh-exporter"
on_target dpkg -i "$T/bumped.deb" </dev/null >"$tmp/upgrade.log" 2>&1
check deb-upgrade [ $? = 0 ]
check deb-upgrade-log-clean clean_log "$tmp/upgrade.log"
check deb-upgraded [ "$(installed)" = "install ok installed $BUMPED_VERSION" ]
check deb-upgrade-keeps-conffile grep -qx '# changed by the administrator' "$R/etc/default/ssh-exporter"
check deb-upgrade-no-conffile-leftovers sh -c "! ls '$R'/etc/default/ssh-exporter.dpkg-* >/dev/null 2>&1"
check deb-upgrade-still-enabled [ "$(readlink "$R$WANTS")" = /lib/systemd/system/ssh-exporter.service ]
on_target dpkg -i "$T/bumped.deb" </dev/null >"$tmp/reinstall.log" 2>&1
check deb-reinstall-same-version [ $? = 0 ]
check deb-reinstall-log-clean clean_log "$tmp/reinstall.log"
check deb-upgrade-started-nothing not exporter_running

# --- remove, then purge --------------------------------------------------------------
on_target apt-get remove -y -q -o Dpkg::Use-Pty=0 ssh-exporter </dev/null >"$tmp/remove.log" 2>&1
check deb-remove [ $? = 0 ]
check deb-remove-log-clean clean_log "$tmp/remove.log"
check deb-removed-keeps-config [ "$(installed)" = "deinstall ok config-files $BUMPED_VERSION" ]
check deb-removed-files-gone sh -c "[ ! -e '$R/usr/bin/ssh-exporter' ] && [ ! -e '$R/usr/share/ssh-exporter' ] && [ -f '$R/etc/default/ssh-exporter' ]"
check deb-removed-unit-masked [ "$(readlink "$R/etc/systemd/system/ssh-exporter.service")" = /dev/null ]

on_target apt-get purge -y -q -o Dpkg::Use-Pty=0 ssh-exporter </dev/null >"$tmp/purge.log" 2>&1
check deb-purge [ $? = 0 ]
check deb-purge-log-clean clean_log "$tmp/purge.log"
purged() { local s; s=$(installed); case "$s" in "" | *not-installed*) return 0 ;; esac; echo "  still: $s" >&2; return 1; }
check deb-purged purged
leftovers() {
    find "$R/etc" "$R/usr" "$R/lib/systemd" "$R/var/lib/systemd" "$R/var/lib/dpkg/info" \
        -name '*ssh-exporter*' -not -path "$R$T*" 2>/dev/null
}
no_leftovers() { local l; l=$(leftovers); [ -z "$l" ] || { echo "  left behind: $l" >&2; return 1; }; }
check deb-purge-leaves-nothing no_leftovers

finish
