#!/usr/bin/env bash
# The .rpm with rpm itself, in a throwaway root (an overlay of the cached Debian
# rootfs, which has /bin/sh and systemctl for the scriptlets but no running
# systemd): install, verify, reinstall over a changed %config(noreplace), erase.
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"

need rpm rpm || finish
need debootstrap debootstrap || finish
pkg_files || finish

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
rootfs_instance "$tmp/rootfs" || finish
pass "rootfs-ready: Debian $(cat "$R/etc/debian_version") at $R"
mount -t proc proc "$R/proc" && on_exit umount -l "$R/proc" # java needs /proc/self/exe

# Java comes from Debian's packages there, not from an rpm: hence --nodeps.
# Debian's rpm warns on every call unless told --force-debian; others lack the flag.
RPM_FLAGS=()
rpm --help 2>/dev/null | grep -q -- --force-debian && RPM_FLAGS=(--force-debian)
rpmr() { rpm "${RPM_FLAGS[@]}" --root "$R" "$@"; }
WANTS="$R/etc/systemd/system/multi-user.target.wants/ssh-exporter.service"
unit_enabled() {
    case "$(readlink "$WANTS")" in
        /usr/lib/systemd/system/ssh-exporter.service | /lib/systemd/system/ssh-exporter.service) return 0 ;;
    esac
    echo "  $WANTS -> $(readlink "$WANTS")" >&2
    return 1
}
exporter_running() { grep -lsa /usr/share/ssh-exporter/lib/ssh-exporter.jar /proc/[0-9]*/cmdline >/dev/null; }
not() { ! "$@"; }
# quiet LOG: the command printed nothing (a failed scriptlet prints a warning).
quiet() { [ ! -s "$1" ] || { sed 's/^/  /' "$1" >&2; return 1; }; }

rpmr -i --nodeps "$RPM" >"$tmp/install.log" 2>&1
check rpm-install [ $? = 0 ]
check rpm-install-quiet quiet "$tmp/install.log"
check rpm-installed [ "$(rpmr -q ssh-exporter 2>&1)" = "ssh-exporter-$VERSION-1.noarch" ]
check rpm-verify-clean [ -z "$(rpmr -V --nodeps ssh-exporter 2>&1)" ]
check rpm-unit-enabled-offline unit_enabled
check rpm-install-started-nothing not exporter_running
check rpm-installed-version [ "$(chroot "$R" /usr/bin/ssh-exporter --version 2>&1)" = "ssh-exporter $VERSION" ]

# Reinstall (an upgrade to the same version: %post gets 2, the old %preun/%postun 1)
# over a changed config file: noreplace keeps it and nothing else changes.
echo '# changed by the administrator' >>"$R/etc/sysconfig/ssh-exporter"
rpmr -U --replacepkgs --nodeps "$RPM" >"$tmp/upgrade.log" 2>&1
check rpm-reinstall [ $? = 0 ]
check rpm-reinstall-quiet quiet "$tmp/upgrade.log"
check rpm-reinstall-keeps-config grep -qx '# changed by the administrator' "$R/etc/sysconfig/ssh-exporter"
check rpm-reinstall-no-rpmnew not test -e "$R/etc/sysconfig/ssh-exporter.rpmnew"
verify_only_config() {
    local out
    out=$(rpmr -V --nodeps ssh-exporter 2>&1)
    [[ "$out" =~ ^S\.5\.\.\.\.T\.\.?\ +c\ /etc/sysconfig/ssh-exporter$ ]] || { echo "  rpm -V: $out" >&2; return 1; }
}
check rpm-verify-shows-only-changed-config verify_only_config
check rpm-reinstall-still-enabled unit_enabled

rpmr -e ssh-exporter >"$tmp/erase.log" 2>&1
check rpm-erase [ $? = 0 ]
# rpm keeps a changed config file as .rpmsave and says so; nothing else may be said.
grep -v '^warning: /etc/sysconfig/ssh-exporter saved as /etc/sysconfig/ssh-exporter.rpmsave$' "$tmp/erase.log" >"$tmp/erase.rest"
check rpm-erase-quiet quiet "$tmp/erase.rest"
check rpm-erased not rpmr -q --quiet ssh-exporter
check rpm-erase-keeps-changed-config-as-rpmsave grep -qx '# changed by the administrator' "$R/etc/sysconfig/ssh-exporter.rpmsave"
check rpm-erase-disabled-unit not test -L "$WANTS"
leftovers() {
    find "$R/etc" "$R/usr" "$R/var/lib/systemd" -name '*ssh-exporter*' \
        -not -name ssh-exporter.rpmsave 2>/dev/null
}
no_leftovers() { local l; l=$(leftovers); [ -z "$l" ] || { echo "  left behind: $l" >&2; return 1; }; }
check rpm-erase-leaves-nothing-else no_leftovers

finish
