# Helpers for the packaging suites (suites/5x-*.sh). Source it after lib.sh:
#   . "$NATIVE_TEST_DIR/lib.sh"; . "$NATIVE_TEST_DIR/pkg-lib.sh"
# shellcheck shell=bash

# pkg_version: the project's version, from pom.xml.
pkg_version() {
    python3 - "$REPO_DIR/pom.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(root.find("{http://maven.apache.org/POM/4.0.0}version").text.strip())
PY
}

# pkg_files: sets VERSION, DEB_VERSION, DEB and RPM (the built packages), building them
# with `mvn package` when missing. SSH_EXPORTER_DEB / SSH_EXPORTER_RPM override the paths.
pkg_files() {
    VERSION=$(pkg_version) || { fail packages-built "cannot read the version from pom.xml"; return 1; }
    DEB_VERSION="$VERSION-1"
    DEB=${SSH_EXPORTER_DEB:-$REPO_DIR/target/ssh-exporter_${DEB_VERSION}_all.deb}
    RPM=${SSH_EXPORTER_RPM:-$REPO_DIR/target/ssh-exporter-${VERSION}-1.noarch.rpm}
    if [ ! -f "$DEB" ] || [ ! -f "$RPM" ]; then
        (cd "$REPO_DIR" && mvn -B -q -Dstyle.color=never package -DskipTests) >&2 \
            || { fail packages-built "mvn package failed"; return 1; }
    fi
    if [ ! -f "$DEB" ] || [ ! -f "$RPM" ]; then
        fail packages-built "mvn package made no $DEB or $RPM"
        return 1
    fi
}

# deb_settings DEB ARGS OUT: the settings file DEB ships (/etc/default/ssh-exporter) with its
# ARGS line set to ARGS, written to OUT: what an administrator drops in before installing.
deb_settings() {
    dpkg-deb --fsys-tarfile "$1" | tar -xOf - ./etc/default/ssh-exporter | sed "s|^ARGS=.*|ARGS=\"$2\"|" >"$3" \
        && grep -qxF "ARGS=\"$2\"" "$3"
}

# deb_bumped DEB OUT: a copy of DEB whose version is one Debian revision higher
# (0.1.0-1 -> 0.1.0-2), for upgrade tests. Prints the new version.
deb_bumped() {
    local deb="$1" out="$2" dir ver new
    dir=$(mktemp -d)
    dpkg-deb -R "$deb" "$dir/pkg" || { rm -rf "$dir"; return 1; }
    ver=$(sed -n 's/^Version: //p' "$dir/pkg/DEBIAN/control")
    new="${ver%-*}-$(( ${ver##*-} + 1 ))"
    sed -i "s/^Version: .*/Version: $new/" "$dir/pkg/DEBIAN/control"
    dpkg-deb --root-owner-group -Zgzip -b "$dir/pkg" "$out" >/dev/null || { rm -rf "$dir"; return 1; }
    rm -rf "$dir"
    echo "$new"
}

# ---------------------------------------------------------------------------
# A Debian bookworm root to install the packages into (native-test/rootfs.sh).

. "$NATIVE_TEST_DIR/rootfs.sh"

# rootfs_instance WORKDIR: a throwaway writable bookworm root at WORKDIR/root, released when the
# suite exits; sets R to it. When it cannot be had, the suite's "rootfs" check fails.
rootfs_instance() {
    rootfs_overlay bookworm "$1" || { fail rootfs "cannot make a Debian rootfs"; return 1; }
    on_exit rootfs_release "$1"
    R="$1/root"
}
