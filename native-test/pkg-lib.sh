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
# A Debian rootfs (minbase + systemd, sshd and a JRE), built once with debootstrap
# and cached outside the repository; each run works on a throwaway overlay of it.

ROOTFS_CACHE=${SSH_EXPORTER_ROOTFS_CACHE:-/var/cache/ssh-exporter-test}
ROOTFS_SUITE=bookworm
ROOTFS_INCLUDE=systemd,systemd-sysv,libpam-systemd,dbus,openssh-server,default-jre-headless,procps

# apt_mirror: the Debian mirror apt is configured with (for debootstrap).
apt_mirror() {
    local url
    url=$(python3 - "$ROOTFS_SUITE" <<'PY'
import glob, sys
suite = sys.argv[1]
# deb822 .sources
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in open(path).read().split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.split()
        if ("deb" in fields.get("types", []) and suite in fields.get("suites", [])
                and "main" in fields.get("components", []) and fields.get("uris")):
            print(fields["uris"][0]); sys.exit()
# one-line format
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        words = line.split("#", 1)[0].split()
        if words[:1] != ["deb"]:
            continue
        words = words[1:]
        if words and words[0].startswith("["):
            while words and not words[0].endswith("]"):
                words = words[1:]
            words = words[1:]
        if len(words) >= 3 and words[1] == suite and "main" in words[2:]:
            print(words[0]); sys.exit()
PY
)
    echo "${url:-http://deb.debian.org/debian}"
}

# apt_proxy_env: exports http_proxy/https_proxy from apt's configuration, if any.
apt_proxy_env() {
    local p
    p=$(apt-config dump --format '%v%n' Acquire::http::Proxy 2>/dev/null | head -n 1)
    [ -n "$p" ] && [ "$p" != DIRECT ] && export http_proxy="$p"
    p=$(apt-config dump --format '%v%n' Acquire::https::Proxy 2>/dev/null | head -n 1)
    [ -n "$p" ] && [ "$p" != DIRECT ] && export https_proxy="$p"
    return 0
}

# rootfs_cached: prints the cached rootfs directory, building it when missing
# (about a minute). Only one build at a time; a half-built tree is never used.
rootfs_cached() {
    local key dir tmp mirror
    key=$(printf 'v1 %s minbase %s\n' "$ROOTFS_SUITE" "$ROOTFS_INCLUDE" | sha256sum | cut -c1-12)
    dir="$ROOTFS_CACHE/pkg-rootfs-$ROOTFS_SUITE-$key"
    mkdir -p "$ROOTFS_CACHE" || return 1
    (
        flock 9
        [ -f "$dir/.complete" ] && exit 0
        # Older caches of these suites (another include list) are no longer used.
        # (Other suites keep their own trees here under other names.)
        for old in "$ROOTFS_CACHE"/pkg-rootfs-"$ROOTFS_SUITE"-* "$ROOTFS_CACHE"/pkg-build-*; do
            [ -e "$old" ] && [ "$old" != "$dir" ] && rm -rf --one-file-system "$old"
        done
        rm -rf --one-file-system "$dir"
        tmp="$ROOTFS_CACHE/pkg-build-$$"
        mirror=$(apt_mirror)
        apt_proxy_env
        echo "building the $ROOTFS_SUITE rootfs cache in $dir from $mirror" >&2
        if ! debootstrap --variant=minbase --include="$ROOTFS_INCLUDE" "$ROOTFS_SUITE" "$tmp" "$mirror" \
                >"$ROOTFS_CACHE/pkg-debootstrap.log" 2>&1; then
            tail -n 20 "$ROOTFS_CACHE/pkg-debootstrap.log" >&2
            rm -rf --one-file-system "$tmp"
            exit 1
        fi
        chroot "$tmp" apt-get clean >/dev/null 2>&1 || true
        # No console login: the container runs without a terminal.
        ln -sf /dev/null "$tmp/etc/systemd/system/console-getty.service"
        touch "$tmp/.complete"
        mv "$tmp" "$dir"
    ) 9>"$ROOTFS_CACHE/.pkg-lock" || return 1
    echo "$dir"
}

# rootfs_instance WORKDIR: a throwaway writable copy of the cached rootfs at
# WORKDIR/root (an overlay over the cache, or a full copy where overlayfs is not
# available). Release it with rootfs_release WORKDIR.
rootfs_instance() {
    local work="$1" lower
    lower=$(rootfs_cached) || return 1
    mkdir -p "$work/upper" "$work/work" "$work/root" || return 1
    if ! mount -t overlay overlay -o "lowerdir=$lower,upperdir=$work/upper,workdir=$work/work" "$work/root" 2>/dev/null; then
        cp -a "$lower/." "$work/root/" || return 1
    fi
}

rootfs_release() {
    local work="$1"
    [ -d "$work" ] || return 0
    if mountpoint -q "$work/root"; then
        umount "$work/root" 2>/dev/null || umount -l "$work/root" || true
    fi
    mountpoint -q "$work/root" && return 1
    rm -rf --one-file-system "$work"
}
