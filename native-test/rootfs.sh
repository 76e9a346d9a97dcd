# A Debian root (minbase + systemd, logind's PAM module, dbus, sshd and a JRE) for the suites that
# boot or install into one (packaging 5x, logind 60). Source it after lib.sh. Built once per
# release with debootstrap and cached outside the repository (ROOTFS_CACHE, default
# /var/cache/ssh-exporter-test) as rootfs-RELEASE-KEY, KEY hashing what is in it; one flock
# guards every build, and a half-built tree is never used. Each run works on a throwaway overlay
# of it (or a copy where overlayfs is missing); the cache is never written.
# shellcheck shell=bash

ROOTFS_CACHE=${SSH_EXPORTER_ROOTFS_CACHE:-/var/cache/ssh-exporter-test}
# libpam-systemd: without it sshd's sessions never reach logind (debootstrap installs no
# Recommends). default-jre-headless: 17 on bookworm, 21 on trixie. rpm: suite 54 installs the .rpm
# with it under the booted systemd.
ROOTFS_INCLUDE=systemd,systemd-sysv,dbus,libpam-systemd,openssh-server,default-jre-headless,procps,rpm

# apt_mirror RELEASE: the Debian mirror apt is configured with for RELEASE (for debootstrap).
apt_mirror() {
    local url
    url=$(python3 - "$1" <<'PY'
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

# rootfs_cached RELEASE: prints the cached root of RELEASE (bookworm, trixie), building it when
# missing (a minute or two).
rootfs_cached() {
    local release="$1" key dir tmp mirror
    key=$(printf 'v1 %s minbase %s\n' "$release" "$ROOTFS_INCLUDE" | sha256sum | cut -c1-12)
    dir="$ROOTFS_CACHE/rootfs-$release-$key"
    mkdir -p "$ROOTFS_CACHE" || return 1
    (
        flock 9
        [ -f "$dir/.complete" ] && exit 0
        # Older caches of this release (another include list) are no longer used.
        for old in "$ROOTFS_CACHE"/rootfs-"$release"-* "$ROOTFS_CACHE"/rootfs-build-"$release"-*; do
            [ -e "$old" ] && [ "$old" != "$dir" ] && rm -rf --one-file-system "$old"
        done
        tmp="$ROOTFS_CACHE/rootfs-build-$release-$$"
        mirror=$(apt_mirror "$release")
        apt_proxy_env
        echo "building the $release rootfs cache in $dir from $mirror" >&2
        if ! debootstrap --variant=minbase --include="$ROOTFS_INCLUDE" "$release" "$tmp" "$mirror" \
                >"$ROOTFS_CACHE/debootstrap-$release.log" 2>&1; then
            tail -n 20 "$ROOTFS_CACHE/debootstrap-$release.log" >&2
            rm -rf --one-file-system "$tmp"
            exit 1
        fi
        chroot "$tmp" apt-get clean >/dev/null 2>&1 || true
        # No console login: the container runs without a terminal.
        ln -sf /dev/null "$tmp/etc/systemd/system/console-getty.service"
        touch "$tmp/.complete"
        mv "$tmp" "$dir"
    ) 9>"$ROOTFS_CACHE/.rootfs-lock" || return 1
    echo "$dir"
}

# rootfs_overlay RELEASE WORKDIR: a throwaway writable root of RELEASE at WORKDIR/root (an overlay
# over the cache, or a full copy where overlayfs is not available). Release it with
# rootfs_release WORKDIR.
rootfs_overlay() {
    local work="$2" lower
    lower=$(rootfs_cached "$1") || return 1
    mkdir -p "$work/upper" "$work/work" "$work/root" || return 1
    if ! mount -t overlay overlay -o "lowerdir=$lower,upperdir=$work/upper,workdir=$work/work" \
            "$work/root" 2>/dev/null; then
        echo "overlayfs unavailable: copying the rootfs" >&2
        cp -a "$lower/." "$work/root/" || return 1
    fi
}

# rootfs_release WORKDIR: unmounts WORKDIR/root and removes WORKDIR (false if it stays mounted).
rootfs_release() {
    local work="$1"
    [ -d "$work" ] || return 0
    if mountpoint -q "$work/root"; then
        umount "$work/root" 2>/dev/null || umount -l "$work/root" || true
    fi
    mountpoint -q "$work/root" && return 1
    rm -rf --one-file-system "$work"
}
