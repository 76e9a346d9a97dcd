#!/bin/sh
# ssh-exporter: finds a Java 17+ runtime and runs the exporter with all arguments.
#
# Environment:
#   JAVA_HOME  the runtime to use first (its bin/java); then `java` on PATH, then
#              the newest suitable runtime under /usr/lib/jvm.
#   JAVA_OPTS  JVM flags. Unset: small-footprint defaults (below). Empty: none.
#   SSH_EXPORTER_JAR  the exporter jar (default /usr/share/ssh-exporter/lib/ssh-exporter.jar).
#   CACHE_DIRECTORY   (set by systemd for the unit's CacheDirectory=) where the
#              class-data sharing archive is kept; unset: no archive.
#   SSH_EXPORTER_CDS  "off": never use or make a class-data sharing archive.
#
# Class-data sharing (CDS): the JVM maps the classes the exporter loads at start
# from an archive instead of parsing them out of the jars, which makes start-up
# faster and leaves part of the class metadata in clean, shared pages. The
# archive is made here, from the class list the package ships next to the jar,
# the first time it is missing or stale (about 2 s, once), with the same Java
# and JAVA_OPTS as the exporter. It is keyed on the java binary, the runtime's
# libjvm.so and release file, the jar, the class list and JAVA_OPTS: a JDK or
# package upgrade or other JAVA_OPTS make a new one, and old ones are deleted.
# Whatever goes wrong with it, the exporter starts without it (one line on
# stderr says why).
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
#   code cache, compiling the JDK's and libraries' code after 10x the usual
#   calls (the exporter's own code as usual: its refresh path stays hot);
#   small thread stacks and string table; no perf-data file.
# Kept on one line: bench/ and native-test/ read it from here.
DEFAULT_JAVA_OPTS="-Xmx32m -XX:+ExitOnOutOfMemoryError -Xms4m -Xmn2m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=8m -XX:CompileThresholdScaling=10 -XX:CompileCommand=quiet -XX:CompileCommand=CompileThresholdScaling,io/github/sshexporter/*.*,1.0 -Xss256k -XX:StringTableSize=4096 -XX:-UsePerfData"

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

# --- class-data sharing -----------------------------------------------------------
# The class list comes with the jar: ssh-exporter.classlist next to ssh-exporter.jar.
CLASSLIST=
opts=${JAVA_OPTS-$DEFAULT_JAVA_OPTS}
cds_archive=

cds_without() {
    echo "ssh-exporter: starting without a class-data sharing archive: $*" >&2
}

# file_ids FILE...: "path inode size mtime" of each FILE that exists, one a line
# (ls -l's long form where there is no stat(1)).
if command -v stat >/dev/null 2>&1; then
    file_ids() { stat -L -c '%n %i %s %Y' -- "$@" 2>/dev/null; return 0; }
else
    file_ids() {
        for _f in "$@"; do
            [ -e "$_f" ] && ls -lniLd -- "$_f" 2>/dev/null
        done
        return 0
    }
fi

# cds_key: what an archive depends on, one item a line. An archive is used only
# while all of it stays the same.
cds_key() {
    _java=$(readlink -f "$JAVA" 2>/dev/null) || _java=$JAVA
    _home=${_java%/bin/java}
    [ "$_home" != "$_java" ] || _home=/nonexistent
    echo "ssh-exporter CDS archive v1"
    file_ids "$_java" "$_home"/lib/*/libjvm.so "$_home/release" "$_jar" "$CLASSLIST"
    [ -r "$_home/release" ] && sed -n 's/^JAVA_RUNTIME_VERSION=/runtime=/p' "$_home/release"
    printf 'JAVA_OPTS=%s\n' "$opts"
}

# cds_stamp DIR BASE KEY: the stamp of DIR/BASE.jsa, as written next to it.
cds_stamp() {
    printf '%s\narchive=%s\n' "$3" "$(file_ids "$1/$2.jsa")"
}

# cds_make DIR BASE KEY: makes the archive DIR/BASE.jsa and its stamp DIR/BASE.stamp,
# each through a temp name and mv. When it cannot, says why on stdout, exits non-zero.
cds_make() {
    _tmp=$1/$2.$$.tmp
    # Leftovers: archives of other keys, temp files of launchers that are gone.
    for _f in "$1"/ssh-exporter-*.jsa "$1"/ssh-exporter-*.stamp "$1"/ssh-exporter-*.failed "$1"/ssh-exporter-*.tmp; do
        [ -e "$_f" ] || continue
        case $_f in
            *.tmp)
                _pid=${_f%.tmp}
                _pid=${_pid##*.}
                [ "$_pid" != "$$" ] && kill -0 "$_pid" 2>/dev/null && continue
                ;;
        esac
        rm -f -- "$_f" 2>/dev/null
    done
    # (Not ":": a failed redirection of a special built-in ends a POSIX shell.)
    if ! { true >"$_tmp"; } 2>/dev/null; then
        echo "cannot write to $1"
        return 1
    fi
    # JAVA_OPTS are split on blanks, never glob-expanded (this is a subshell).
    set -f
    # shellcheck disable=SC2086 # word splitting of JAVA_OPTS is intended
    _out=$("$JAVA" $opts -Xshare:dump -XX:SharedClassListFile="$CLASSLIST" -XX:SharedArchiveFile="$_tmp" \
        -cp "$_jar" 2>&1 </dev/null)
    _rc=$?
    if [ "$_rc" = 0 ] && [ ! -s "$_tmp" ]; then
        _rc=1
        _out="no archive written; $_out"
    fi
    # What "worked" must be an archive that this JVM maps with these flags
    # (-Xshare:on fails otherwise) and whose checksums hold.
    if [ "$_rc" = 0 ]; then
        # shellcheck disable=SC2086 # word splitting of JAVA_OPTS is intended
        _out=$("$JAVA" $opts -Xshare:on -XX:+VerifySharedSpaces -XX:SharedArchiveFile="$_tmp" \
            -cp "$_jar" -version 2>&1 </dev/null)
        _rc=$?
    fi
    if [ "$_rc" != 0 ]; then
        rm -f -- "$_tmp"
        # The JVM's own lines, not its [level][tag] log lines, say what went wrong.
        _why=$(printf '%s\n' "$_out" | sed -e '/^\[/d' -e '/^[[:space:]]*$/d' | head -n 3 | tr '\n' ' ')
        [ -n "$_why" ] || _why=$(printf '%s\n' "$_out" | sed '/^[[:space:]]*$/d' | tail -n 1)
        _why="making one failed (java exit status $_rc: ${_why% })"
        if printf '%s\n' "$3" "$_why" "$_out" >"$1/$2.failed" 2>/dev/null; then
            _why="$_why; details in $1/$2.failed, delete it to retry"
        fi
        echo "$_why"
        return 1
    fi
    sync -- "$_tmp" 2>/dev/null
    if ! mv -f -- "$_tmp" "$1/$2.jsa" 2>/dev/null ||
        ! cds_stamp "$1" "$2" "$3" >"$_tmp" 2>/dev/null || ! mv -f -- "$_tmp" "$1/$2.stamp" 2>/dev/null; then
        rm -f -- "$_tmp" "$1/$2.jsa" 2>/dev/null
        echo "cannot write to $1"
        return 1
    fi
    echo "ssh-exporter: made the class-data sharing archive $1/$2.jsa" >&2
}

# cds_setup: sets cds_archive to an archive that fits, making it when needed.
cds_setup() {
    case ${SSH_EXPORTER_CDS:-} in off | no | false | 0) return 0 ;; esac
    _dir=${CACHE_DIRECTORY:-}
    _dir=${_dir%%:*}
    [ -n "$_dir" ] || return 0
    # JAVA_OPTS that set up sharing themselves are left alone.
    case " $opts " in
        *" -Xshare:"* | *SharedArchiveFile* | *ArchiveClassesAtExit* | *SharedClassListFile* | *DumpLoadedClassList*) return 0 ;;
    esac
    _jar=$(readlink -f "$JAR" 2>/dev/null) || _jar=$JAR
    CLASSLIST=${_jar%.jar}.classlist
    if [ ! -r "$CLASSLIST" ]; then
        cds_without "no class list $CLASSLIST"
        return 0
    fi
    _key=$(cds_key)
    if command -v sha256sum >/dev/null 2>&1; then
        _sum=$(printf '%s\n' "$_key" | sha256sum)
    else
        _sum=$(printf '%s\n' "$_key" | cksum)
    fi
    _base=ssh-exporter-$(printf '%.16s' "${_sum%% *}")
    if [ -f "$_dir/$_base.jsa" ] && [ -f "$_dir/$_base.stamp" ] &&
        [ "$(cat "$_dir/$_base.stamp" 2>/dev/null)" = "$(cds_stamp "$_dir" "$_base" "$_key")" ]; then
        cds_archive=$_dir/$_base.jsa
        return 0
    fi
    if [ -f "$_dir/$_base.failed" ]; then
        cds_without "making one failed before with this Java, jar and JAVA_OPTS; details in $_dir/$_base.failed, delete it to retry"
        return 0
    fi
    if _why=$(cds_make "$_dir" "$_base" "$_key"); then
        cds_archive=$_dir/$_base.jsa
    else
        cds_without "$_why"
    fi
}
cds_setup

# JAVA_OPTS and ARGS-style values are split on blanks, never glob-expanded.
set -f
if [ -n "$cds_archive" ]; then
    # -Xshare:auto: an archive the JVM finds unusable is passed over, quietly
    # (-Xlog:cds*=off); -XX:+VerifySharedSpaces checks its checksums first
    # (about 13 ms of CPU), so that a damaged archive is passed over too
    # instead of crashing the JVM.
    # shellcheck disable=SC2086 # word splitting of JAVA_OPTS is intended
    exec "$JAVA" \
        -Djna.tmpdir="$jna_tmpdir" \
        -Djna.platform.library.path="$lib_path" \
        -XX:SharedArchiveFile="$cds_archive" -Xshare:auto -XX:+VerifySharedSpaces '-Xlog:cds*=off' \
        $opts \
        -jar "$_jar" "$@"
fi
# shellcheck disable=SC2086 # word splitting of JAVA_OPTS is intended
exec "$JAVA" \
    -Djna.tmpdir="$jna_tmpdir" \
    -Djna.platform.library.path="$lib_path" \
    $opts \
    -jar "$JAR" "$@"
