#!/bin/sh
# ssh-exporter: finds a Java 17+ runtime and runs the exporter with all arguments.
#
# Environment:
#   JAVA_HOME  the runtime to use first (its bin/java); then `java` on PATH, then
#              the newest suitable runtime under /usr/lib/jvm.
#   JAVA_OPTS  JVM flags. Unset: small-footprint defaults (below). Empty: none.
#   SSH_EXPORTER_JAR  the exporter jar (default /usr/share/ssh-exporter/lib/ssh-exporter.jar).
#
# The JDK's own class-data sharing archive (its classes, mapped at start) applies
# as for any Java program; the launcher makes no archive of its own.
set -u

MIN_JAVA=17
JAR=${SSH_EXPORTER_JAR:-/usr/share/ssh-exporter/lib/ssh-exporter.jar}
# Small-footprint JVM flags, each measured in docs/BENCHMARKS.md (figure 5):
#   heap at most 32 MB, a 2 MB young generation, grown only to keep 10-20% free
#   (about 8 MB committed with 10,000 sessions; the cap fits every request
#   thread in a TLS handshake at once); an exhausted heap ends the process
#   (exit 3, restarted by systemd) instead of leaving a server that answers
#   nothing;
#   the serial collector; the client compiler (C1) only, one thread, 8 MB of
#   code cache, at its usual thresholds (so that a change is served fast from
#   the first logins after a start); small thread stacks and string table; no
#   perf-data file.
# Kept on one line: bench/ and native-test/ read it from here.
DEFAULT_JAVA_OPTS="-Xmx32m -XX:+ExitOnOutOfMemoryError -Xms4m -Xmn2m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=8m -Xss256k -XX:StringTableSize=4096 -XX:-UsePerfData"

die() {
    echo "ssh-exporter: $*" >&2
    exit 1
}

# java_major JAVA: the feature version (8, 11, 17, 21...) of the runtime whose
# java binary is JAVA, or nothing. Reads the runtime's `release` file when there
# is one (no JVM start), else asks the binary.
java_major() {
    _bin=$(readlink -f "$1" 2>/dev/null) || _bin=$1
    _home=${_bin%/bin/java}
    _ver=
    if [ "$_home" != "$_bin" ] && [ -r "$_home/release" ]; then
        _ver=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$_home/release")
    fi
    if [ -z "$_ver" ]; then
        _ver=$("$1" -version 2>&1 | sed -n 's/^[^ ]* version "\([^"]*\)".*/\1/p' | head -n 1)
    fi
    case $_ver in
        1.*) _ver=${_ver#1.} ;;
    esac
    _ver=${_ver%%[!0-9]*}
    echo "$_ver"
}

# suitable JAVA: true when JAVA is an executable Java $MIN_JAVA or newer.
suitable() {
    [ -x "$1" ] && [ ! -d "$1" ] || return 1
    _major=$(java_major "$1")
    [ -n "$_major" ] && [ "$_major" -ge "$MIN_JAVA" ]
}

find_java() {
    if [ -n "${JAVA_HOME:-}" ]; then
        if suitable "$JAVA_HOME/bin/java"; then
            echo "$JAVA_HOME/bin/java"
            return 0
        fi
        echo "ssh-exporter: ignoring JAVA_HOME=$JAVA_HOME: no Java $MIN_JAVA or newer there" >&2
    fi
    _path_java=$(command -v java 2>/dev/null) || _path_java=
    if [ -n "$_path_java" ] && suitable "$_path_java"; then
        echo "$_path_java"
        return 0
    fi
    _best='' _best_major=0
    for _candidate in /usr/lib/jvm/*/bin/java; do
        suitable "$_candidate" || continue
        if [ "$_major" -gt "$_best_major" ]; then
            _best=$_candidate _best_major=$_major
        fi
    done
    [ -n "$_best" ] || return 1
    echo "$_best"
}

JAVA=$(find_java) || die "no Java $MIN_JAVA or newer found (tried JAVA_HOME, java on PATH, /usr/lib/jvm); install default-jre-headless or set JAVA_HOME"
[ -r "$JAR" ] || die "cannot read $JAR"

# JNA unpacks its native stub into jna.tmpdir: the unit's RuntimeDirectory
# (writable under ProtectSystem=strict), else $TMPDIR, else /tmp.
jna_tmpdir=${RUNTIME_DIRECTORY:-}
jna_tmpdir=${jna_tmpdir%%:*}
[ -n "$jna_tmpdir" ] || jna_tmpdir=${TMPDIR:-/tmp}

# Where JNA looks for libraries by name. Given here, JNA does not fork
# `ldconfig -p` at start to find out.
lib_path=
arch=$(uname -m 2>/dev/null) || arch=
for dir in /lib/"$arch"-linux-gnu /usr/lib/"$arch"-linux-gnu /lib64 /usr/lib64 /lib /usr/lib; do
    [ -d "$dir" ] && lib_path=${lib_path:+$lib_path:}$dir
done

# JAVA_OPTS and ARGS-style values are split on blanks, never glob-expanded.
opts=${JAVA_OPTS-$DEFAULT_JAVA_OPTS}
set -f
# shellcheck disable=SC2086 # word splitting of JAVA_OPTS is intended
exec "$JAVA" \
    -Djna.tmpdir="$jna_tmpdir" \
    -Djna.platform.library.path="$lib_path" \
    $opts \
    -jar "$JAR" "$@"
