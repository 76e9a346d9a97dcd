#!/usr/bin/env bash
# Builds the OCI image of ssh-exporter as an oci-archive, with no base image from a registry:
#   - a Java runtime made with jlink from the JDK's own jmods (only the modules the jar uses);
#   - the C libraries it and the exporter load (glibc, libstdc++, zlib, libsystemd and theirs),
#     unpacked from Debian's packages, downloaded from the Debian mirror with a private apt
#     state (the machine's apt lists and dpkg database are not touched);
#   - the exporter's jar and JNA's native stub for the architecture, unpacked at build time so
#     that nothing is written at run time (the image runs on a read-only root);
#   - a passwd entry for the unprivileged user it runs as (ssh-exporter, 65532:65532).
# No shell, no package manager, no setuid file. Assembled with buildah (private storage, vfs).
#
# usage: build.sh [--arch amd64|arm64] JAR OUTPUT.tar
#   --arch      the image's architecture (default: this machine's). For another architecture,
#               that architecture's jmods come from Debian's openjdk-17-jdk-headless package of
#               the same version as this machine's JDK (jlink takes no other).
# Environment:
#   IMAGE_CACHE     downloaded packages and apt lists (default /var/cache/ssh-exporter-build)
#   DEBIAN_RELEASE  the Debian release the libraries come from (default: this machine's, so that
#                   the libraries match the JDK jlink takes the runtime from)
#   DEBIAN_MIRROR   default http://deb.debian.org/debian (security updates from
#                   http://deb.debian.org/debian-security, DEBIAN_SECURITY_MIRROR)
#   JAVA_HOME       the JDK with jlink and jmods (default: the one running javac/jlink on PATH)
#   SOURCE_DATE_EPOCH  the image's creation time (default: the jar's modification time)
# Prints the image's name (ssh-exporter:VERSION) on stdout.
set -euo pipefail

die() { echo "build.sh: $*" >&2; exit 1; }

arch=$(dpkg --print-architecture)
if [ "${1:-}" = --arch ]; then
    arch=${2:?--arch needs a value}
    shift 2
fi
[ $# -eq 2 ] || die "usage: build.sh [--arch amd64|arm64] JAR OUTPUT.tar"
jar=$1 out=$2
[ -r "$jar" ] || die "cannot read $jar"
case $arch in
    amd64) triplet=x86_64-linux-gnu jna_dir=linux-x86-64 ;;
    arm64) triplet=aarch64-linux-gnu jna_dir=linux-aarch64 ;;
    *) die "unsupported architecture '$arch' (amd64 or arm64)" ;;
esac
for tool in buildah apt-get dpkg-deb unzip python3 flock; do
    command -v "$tool" >/dev/null || die "$tool is missing (apt-get install buildah unzip python3)"
done

here=$(cd "$(dirname "$0")" && pwd)
cache=${IMAGE_CACHE:-/var/cache/ssh-exporter-build}
# shellcheck disable=SC1091 # the machine's own
release=${DEBIAN_RELEASE:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")}
[ -x "$java_home/bin/jlink" ] || die "no jlink in $java_home (set JAVA_HOME to a JDK)"
java_feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$java_home/release")
version=$(unzip -p "$jar" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *\([^[:space:]]*\).*/\1/p')
[ -n "$version" ] || die "$jar has no Implementation-Version in its manifest"
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$jar")}
# The launcher's JVM flags, the packages' defaults (one source of truth: launcher.sh).
java_opts=$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$here/../common/launcher.sh")
[ -n "$java_opts" ] || die "no DEFAULT_JAVA_OPTS in packaging/common/launcher.sh"

work=$(mktemp -d /var/tmp/ssh-exporter-image.XXXXXX)
trap 'rm -rf --one-file-system "$work"' EXIT
root=$work/root
mkdir -p "$root"

# apt_get ARGS...: apt-get with a private state, cache and sources for $release on $arch.
apt_dir=$cache/apt-$release-$arch
mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial"
: >"$apt_dir/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
    echo "deb [signed-by=$keyring] $mirror $release main"
    echo "deb [signed-by=$keyring] $mirror $release-updates main"
    echo "deb [signed-by=$keyring] $security $release-security main"
} >"$apt_dir/sources.list"
apt_get() {
    apt-get -q -o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
        -o Dir::State="$apt_dir/state" -o Dir::State::Lists="$apt_dir/state/lists" \
        -o Dir::State::status="$apt_dir/status" -o Dir::Cache="$apt_dir/cache" \
        -o Dir::Cache::archives="$apt_dir/cache/archives" -o APT::Architecture="$arch" \
        -o APT::Architectures="$arch" -o APT::Install-Recommends=false -o Debug::NoLocking=1 "$@"
}
echo "build.sh: Debian $release packages for $arch into $apt_dir" >&2
# One build at a time per apt state (apt's own locking is off: the state is ours).
exec 8>"$apt_dir/lock"
flock 8
apt_get update >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; die "apt-get update failed"; }
# What the runtime and the exporter load: the JVM needs libc, libm, libgcc_s, libstdc++ and
# libz; the exporter's logind and journal sources load libsystemd.so.0 through JNA.
libs=(libc6 libgcc-s1 libstdc++6 zlib1g libsystemd0)
# Exactly the packages and versions apt resolves now (its cache may hold others from before).
apt_get install -s -y "${libs[@]}" 2>"$work/apt.log" | sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1 \2/p' >"$work/resolved"
if [ ! -s "$work/resolved" ]; then
    tail -n 20 "$work/apt.log" >&2
    die "apt cannot resolve ${libs[*]}"
fi
apt_get install --download-only -y "${libs[@]}" >"$work/apt.log" 2>&1 \
    || { tail -n 20 "$work/apt.log" >&2; die "downloading ${libs[*]} failed"; }
# Another architecture's jmods: Debian's JDK package of that architecture (only its jmods are
# used), the very version of this machine's jlink, which refuses any other.
jmods=()
jdk=openjdk-$java_feature-jdk-headless
jdk_version=$(dpkg-query -W -f '${Version}' "$jdk" 2>/dev/null) || jdk_version=
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
    [ -n "$jdk_version" ] || die "this machine's JDK is not Debian's $jdk: no matching $arch jmods to take"
    (cd "$apt_dir/cache/archives" && apt_get download "$jdk=$jdk_version") >"$work/apt.log" 2>&1 \
        || { tail -n 5 "$work/apt.log" >&2; die "downloading $jdk $jdk_version for $arch failed"; }
    jmods=("$jdk")
    echo "$jdk $jdk_version" >>"$work/resolved"
fi

# deb_of PACKAGE VERSION: the cached .deb of that version (apt writes an epoch's colon as %3a).
deb_of() {
    local f
    for f in "$apt_dir/cache/archives/$1_${2/:/%3a}_"*.deb; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}
while read -r pkg ver; do
    deb=$(deb_of "$pkg" "$ver") || die "no downloaded .deb of $pkg $ver"
    case $pkg in
        "$jdk") dpkg-deb -x "$deb" "$work/jdk" ;;
        *) dpkg-deb -x "$deb" "$root" ;;
    esac
done <"$work/resolved"
flock -u 8

# Merged /usr, as on every Debian 12+ system.
for d in bin sbin lib lib64; do
    if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
        mkdir -p "$root/usr/$d"
        cp -a "$root/$d/." "$root/usr/$d/"
        rm -rf "${root:?}/$d"
    fi
    ln -s "usr/$d" "$root/$d"
done
# Only the libraries: no programs, locales, character-set modules, manuals; each package's
# copyright file stays.
rm -rf "${root:?}"/usr/share/{man,info,locale,lintian,bug,gcc,gdb} "${root:?}/usr/lib/$triplet/gconv" \
    "${root:?}/usr/bin" "${root:?}/usr/sbin" "${root:?}/usr/libexec" "${root:?}/etc/ld.so.conf.d" "${root:?}/var"
find "$root/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
find "$root/usr/share/doc" -depth -type d -empty -delete

# The Java runtime: the modules the jar uses (jdeps: java.base, java.logging, jdk.httpserver,
# jdk.management, jdk.unsupported), plus jdk.crypto.ec for TLS with EC keys and curves.
# java.desktop, which jdeps lists for JNA's AWT helpers, is left out: the exporter never calls them.
module_path=$java_home/jmods
[ ${#jmods[@]} -eq 0 ] || module_path=$work/jdk/usr/lib/jvm/java-$java_feature-openjdk-$arch/jmods
[ -d "$module_path" ] || die "no jmods at $module_path"
# The class-data sharing archive of the JDK's classes (a faster start) is made by the runtime
# itself: here for this machine's architecture, under qemu-user (after jlink) for another one.
# jlink strips native symbols with this machine's objcopy only: for another architecture, strip
# (below) does it.
strip=(--strip-debug --generate-cds-archive)
[ ${#jmods[@]} -eq 0 ] || strip=(--strip-java-debug-attributes)
"$java_home/bin/jlink" --module-path "$module_path" \
    --add-modules java.base,java.logging,jdk.httpserver,jdk.management,jdk.unsupported,jdk.crypto.ec \
    "${strip[@]}" --no-man-pages --no-header-files --compress=2 \
    --output "$root/opt/java" >&2
if [ ${#jmods[@]} -gt 0 ]; then
    qemu=qemu-${triplet%%-*}
    if command -v "$qemu" >/dev/null; then
        "$qemu" -L "$root" "$root/opt/java/bin/java" -Xshare:dump >"$work/cds.log" 2>&1 \
            || { tail -n 5 "$work/cds.log" >&2; die "the $arch runtime did not make its CDS archive under $qemu"; }
    else
        echo "build.sh: no $qemu (qemu-user): the $arch image has no CDS archive (a slower start)" >&2
    fi
fi
# The heap is far below 32 GB, so the JVM always uses compressed oops: the CDS archive without
# them is never mapped. Debian's libjvm keeps its symbol table; the image needs none.
rm -f "$root/opt/java/lib/server/classes_nocoops.jsa"
strip_tool="strip"
[ ${#jmods[@]} -eq 0 ] || strip_tool="$triplet-strip"
if command -v "$strip_tool" >/dev/null; then
    find "$root/opt/java" -name '*.so' -exec "$strip_tool" --strip-unneeded {} +
else
    echo "build.sh: no $strip_tool (binutils-$triplet): the runtime's libraries keep their symbols" >&2
fi

# The exporter, where the packages put it, and JNA's stub unpacked beside it.
install -D -m 644 "$jar" "$root/usr/share/ssh-exporter/lib/ssh-exporter.jar"
mkdir -p "$root/usr/lib/ssh-exporter"
unzip -p "$jar" "com/sun/jna/$jna_dir/libjnidispatch.so" >"$root/usr/lib/ssh-exporter/libjnidispatch.so"
[ -s "$root/usr/lib/ssh-exporter/libjnidispatch.so" ] || die "$jar has no JNA stub for $jna_dir"
install -D -m 644 "$here/../common/copyright" "$root/usr/share/doc/ssh-exporter/copyright"
install -D -m 644 "$here/../common/LICENSE" "$root/usr/share/doc/ssh-exporter/LICENSE"
# Where every file of the image comes from, for whoever publishes it (the (L)GPL sources): the
# Debian packages unpacked, and the JDK the runtime was made from.
{
    grep -v "^$jdk " "$work/resolved"
    if [ -n "$jdk_version" ]; then
        echo "$jdk $jdk_version (the runtime: jlink of its jmods)"
    else
        echo "runtime: jlink of $java_home ($(sed -n 's/^JAVA_RUNTIME_VERSION=//p' "$java_home/release" | tr -d '"'))"
    fi
} | sort >"$root/usr/share/doc/ssh-exporter/debian-packages"

# The user, and the mount points the host's files go to (/var/run is /run, as on the host).
mkdir -p "$root/etc" "$root/run/systemd" "$root/var/log" "$root/tmp"
ln -s ../run "$root/var/run"
printf 'root:x:0:0:root:/:/nonexistent\nssh-exporter:x:65532:65532:ssh-exporter:/nonexistent:/nonexistent\n' >"$root/etc/passwd"
printf 'root:x:0:\nssh-exporter:x:65532:\n' >"$root/etc/group"
chmod -R go-w "$root"
chmod 1777 "$root/tmp"

# The entry point: the launcher's command line with the image's fixed paths (no shell to run it).
# The launcher's JVM flags go in JDK_JAVA_OPTIONS, which the java launcher reads: a value given
# at run time replaces them, as JAVA_OPTS does for the packages.
entry=("/opt/java/bin/java" "-Djna.boot.library.path=/usr/lib/ssh-exporter" "-Djna.nounpack=true"
    "-Djna.platform.library.path=/usr/lib/$triplet" -jar /usr/share/ssh-exporter/lib/ssh-exporter.jar)
entry_json=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "${entry[@]}")

B=(buildah --root "$work/storage" --runroot "$work/runroot" --storage-driver vfs)
ctr=$("${B[@]}" from --arch "$arch" scratch)
"${B[@]}" copy --quiet "$ctr" "$root" / >/dev/null
"${B[@]}" config --arch "$arch" --os linux --user 65532:65532 --workingdir / \
    --entrypoint "$entry_json" --cmd '' --port 9999/tcp --stop-signal SIGTERM \
    --env JAVA_HOME=/opt/java --env "JDK_JAVA_OPTIONS=$java_opts" \
    --label org.opencontainers.image.title=ssh-exporter \
    --label "org.opencontainers.image.description=Prometheus exporter for login (SSH) sessions" \
    --label "org.opencontainers.image.version=$version" \
    --label "org.opencontainers.image.source=$(sed -n 's/^Source: *//p' "$here/../common/copyright")" \
    --history-comment "ssh-exporter $version: jlink runtime and Debian $release libraries" "$ctr"
mkdir -p "$(dirname "$out")"
rm -f "$out"
"${B[@]}" commit --quiet --format oci --disable-compression=false --timestamp "$epoch" --rm "$ctr" \
    "oci-archive:$out:ssh-exporter:$version" >/dev/null
"${B[@]}" rmi --all >/dev/null 2>&1 || true
echo "build.sh: $out ($(du -h "$out" | cut -f1)), $arch, ssh-exporter:$version" >&2
echo "ssh-exporter:$version"
