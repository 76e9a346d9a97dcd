#!/usr/bin/env bash
# The .deb and the .rpm as files: contents, metadata, lintian, rpmlint, the
# systemd unit's hardening score, the launcher, and the man page against --help.
# Installs nothing of the project.
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"

need lintian lintian || finish
need rpm rpm || finish
need rpmlint rpmlint || finish
need shellcheck shellcheck || finish
need man man-db || finish
need unzip unzip || finish
need systemd-analyze systemd || finish
need strace strace || finish
pkg_files || finish

tmp=$(mktemp -d)
on_exit rm -rf "$tmp"
PKG="$REPO_DIR/packaging"

# --- the .deb ---------------------------------------------------------------
field() { dpkg-deb -f "$DEB" "$1"; }
check deb-name [ "$(field Package)" = ssh-exporter ]
check deb-version [ "$(field Version)" = "$DEB_VERSION" ]
check deb-architecture-all [ "$(field Architecture)" = all ]
check deb-depends-java17 [ "$(field Depends)" = "default-jre-headless (>= 2:1.17) | java17-runtime-headless" ]

dpkg-deb -c "$DEB" | awk '{print $1, $2, $6}' | sed 's# \./# /#' >"$tmp/deb.list"
deb_has() { # MODE PATH
    grep -qx -- "$1 root/root $2" "$tmp/deb.list" || { echo "  missing or wrong mode: $1 $2" >&2; return 1; }
}
deb_layout() {
    deb_has -rwxr-xr-x /usr/bin/ssh-exporter &&
        deb_has -rw-r--r-- /usr/share/ssh-exporter/lib/ssh-exporter.jar &&
        deb_has -rw-r--r-- /lib/systemd/system/ssh-exporter.service &&
        deb_has -rw-r--r-- /etc/default/ssh-exporter &&
        deb_has -rw-r--r-- /usr/share/man/man1/ssh-exporter.1.gz &&
        deb_has -rw-r--r-- /usr/share/doc/ssh-exporter/copyright &&
        deb_has -rw-r--r-- /usr/share/doc/ssh-exporter/changelog.Debian.gz
}
check deb-layout deb_layout
check deb-conffiles [ "$(dpkg-deb -I "$DEB" conffiles)" = /etc/default/ssh-exporter ]
dpkg-deb -x "$DEB" "$tmp/deb"
dpkg-deb -e "$DEB" "$tmp/deb-control"
check deb-ships-the-built-jar cmp -s "$tmp/deb/usr/share/ssh-exporter/lib/ssh-exporter.jar" "$REPO_DIR/target/ssh-exporter.jar"
check deb-jar-has-main-class sh -c "unzip -p '$tmp/deb/usr/share/ssh-exporter/lib/ssh-exporter.jar' META-INF/MANIFEST.MF | grep -q '^Main-Class: '"
changelog_top() { zcat "$tmp/deb/usr/share/doc/ssh-exporter/changelog.Debian.gz" | head -n 1 | sed -n 's/^ssh-exporter (\([^)]*\)).*/\1/p'; }
check deb-changelog-matches-version [ "$(changelog_top)" = "$DEB_VERSION" ]
for s in postinst prerm postrm; do
    check "deb-$s-is-posix-sh" shellcheck -s sh "$tmp/deb-control/$s"
done

lintian_clean() {
    # No errors and no warnings; overrides are shipped in the package with their reasons.
    lintian --fail-on error,warning --tag-display-limit 0 "$DEB" >"$tmp/lintian.out" 2>&1
    local rc=$?
    [ "$rc" = 0 ] || grep -v '^N:' "$tmp/lintian.out" | sed 's/^/  lintian: /' >&2
    return "$rc"
}
check deb-lintian-clean lintian_clean

# --- the .rpm ---------------------------------------------------------------
qf() { rpm -qp --qf "$1" "$RPM" 2>/dev/null; }
check rpm-name-version [ "$(qf '%{NAME} %{VERSION} %{RELEASE} %{ARCH}')" = "ssh-exporter $VERSION 1 noarch" ]
check rpm-license [ "$(qf '%{LICENSE}')" = Apache-2.0 ]
check rpm-requires-java17 sh -c "rpm -qp --requires '$RPM' 2>/dev/null | grep -qx 'java-headless >= 1:17'"
# The one changelog, packaging/deb/changelog, in both packages: its newest entry as rpm's first.
rpm_changelog() {
    local want
    want="$(sed -n '1s/^ssh-exporter (\([^)]*\)).*/\1/p' "$PKG/deb/changelog")"
    rpm -qp --changelog "$RPM" 2>/dev/null | head -n 1 | grep -q -- "> - $want\$" &&
        [ "$(rpm -qp --qf '[%{CHANGELOGTEXT}\n]' "$RPM" 2>/dev/null | head -n 1)" = "- $(sed -n '3s/^  \* //p' "$PKG/deb/changelog")" ]
}
check rpm-changelog-from-deb rpm_changelog
check rpm-digests sh -c "rpm -K --nosignature '$RPM' | grep -q ': digests OK\$'"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILENAMES} %{FILEFLAGS:fflags}\n]' "$RPM" \
    2>/dev/null | sed 's/ *$//' >"$tmp/rpm.list"
rpm_has() { # LINE
    grep -qx -- "$1" "$tmp/rpm.list" || { echo "  missing or wrong: $1" >&2; return 1; }
}
rpm_layout() {
    rpm_has "-rwxr-xr-x root/root /usr/bin/ssh-exporter" &&
        rpm_has "-rw-r--r-- root/root /usr/share/ssh-exporter/lib/ssh-exporter.jar" &&
        rpm_has "drwxr-xr-x root/root /usr/share/ssh-exporter/lib" &&
        rpm_has "-rw-r--r-- root/root /usr/lib/systemd/system/ssh-exporter.service" &&
        rpm_has "-rw-r--r-- root/root /etc/sysconfig/ssh-exporter cn" &&
        rpm_has "-rw-r--r-- root/root /usr/share/man/man1/ssh-exporter.1.gz d" &&
        rpm_has "-rw-r--r-- root/root /usr/share/licenses/ssh-exporter/LICENSE l"
}
check rpm-layout-config-noreplace rpm_layout
mkdir -p "$tmp/rpm"
(cd "$tmp/rpm" && rpm2archive - <"$RPM" | tar -xzf -) 2>/dev/null
check rpm-ships-the-built-jar cmp -s "$tmp/rpm/usr/share/ssh-exporter/lib/ssh-exporter.jar" "$REPO_DIR/target/ssh-exporter.jar"
check rpm-deb-same-launcher cmp -s "$tmp/rpm/usr/bin/ssh-exporter" "$tmp/deb/usr/bin/ssh-exporter"
rpm_scripts() {
    local s
    for s in POSTIN PREUN POSTUN; do
        [ "$(qf "%{${s}PROG}")" = /bin/sh ] || { echo "  $s: interpreter $(qf "%{${s}PROG}")" >&2; return 1; }
        qf "%{$s}" >"$tmp/$s.sh"
        shellcheck -s sh "$tmp/$s.sh" || return 1
    done
}
check rpm-scriptlets-posix-sh rpm_scripts
rpmlint_clean() {
    # No errors; each filtered finding is justified in packaging/rpm/rpmlintrc.
    rpmlint -r "$PKG/rpm/rpmlintrc" "$RPM" >"$tmp/rpmlint.out" 2>&1
    local rc=$?
    grep -q ' 0 errors' "$tmp/rpmlint.out" && [ "$rc" = 0 ] && return 0
    sed 's/^/  rpmlint: /' "$tmp/rpmlint.out" >&2
    return 1
}
check rpm-rpmlint-no-errors rpmlint_clean

# --- the unit ----------------------------------------------------------------
DEB_UNIT="$tmp/deb/lib/systemd/system/ssh-exporter.service"
RPM_UNIT="$tmp/rpm/usr/lib/systemd/system/ssh-exporter.service"
check unit-deb-environment-file grep -qx 'EnvironmentFile=-/etc/default/ssh-exporter' "$DEB_UNIT"
check unit-rpm-environment-file grep -qx 'EnvironmentFile=-/etc/sysconfig/ssh-exporter' "$RPM_UNIT"
same_but_env() { diff <(sed 's#/etc/default/#/etc/sysconfig/#' "$DEB_UNIT") "$RPM_UNIT" >&2; }
check unit-deb-rpm-same-otherwise same_but_env
unit_directives() {
    local d
    # shellcheck disable=SC2016 # $ARGS is literal unit text
    for d in 'ExecStart=/usr/bin/ssh-exporter $ARGS' 'Restart=on-failure' 'SuccessExitStatus=143' \
        'DynamicUser=yes' 'CapabilityBoundingSet=' 'ProtectSystem=strict' 'PrivateTmp=yes' 'PrivateDevices=yes' \
        'RestrictNamespaces=yes' 'LockPersonality=yes' 'ProtectHome=yes' 'RuntimeDirectory=ssh-exporter' \
        'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'Environment="ARGS=--file /var/run/utmp"'; do
        grep -qxF -- "$d" "$DEB_UNIT" || { echo "  missing: $d" >&2; return 1; }
    done
    # The JIT needs writable executable memory.
    ! grep -q '^MemoryDenyWriteExecute' "$DEB_UNIT"
}
check unit-directives unit_directives
exposure() { # UNIT: the overall exposure, from systemd-analyze security --offline
    (cd "$(dirname "$1")" && systemd-analyze security --offline=yes --no-pager "./$(basename "$1")" 2>&1) \
        | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
exposure_at_most() { # UNIT LIMIT
    local e; e=$(exposure "$1")
    echo "  systemd-analyze security --offline=yes ${1#"$tmp"/}: exposure ${e:-unknown}" >&2
    [ -n "$e" ] && awk -v e="$e" -v l="$2" 'BEGIN { exit !(e <= l) }'
}
check unit-deb-exposure-at-most-1.5 exposure_at_most "$DEB_UNIT" 1.5
check unit-rpm-exposure-at-most-1.5 exposure_at_most "$RPM_UNIT" 1.5

# --- the settings file ---------------------------------------------------------
DEFAULTS="$tmp/deb/etc/default/ssh-exporter"
check settings-same-in-deb-and-rpm cmp -s "$DEFAULTS" "$tmp/rpm/etc/sysconfig/ssh-exporter"
settings_values() {
    # shellcheck disable=SC1090
    (
        . "$DEFAULTS" || exit 1
        [ "$ARGS" = "--file /var/run/utmp" ] || { echo "  ARGS=$ARGS" >&2; exit 1; }
        # JAVA_OPTS is left to the launcher (so that upgrades bring its defaults); the file shows
        # them, commented out, exactly as the launcher has them.
        [ -z "${JAVA_OPTS+set}" ] || { echo "  JAVA_OPTS is set: $JAVA_OPTS" >&2; exit 1; }
        shown=$(sed -n 's/^#JAVA_OPTS="\(.*\)"$/\1/p' "$DEFAULTS")
        [ -n "$shown" ] && [ "$shown" = "$(packaged_java_opts)" ] ||
            { echo "  shown: $shown; launcher: $(packaged_java_opts)" >&2; exit 1; }
        for opt in -Xmx32m -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData; do
            case " $shown " in *" $opt "*) ;; *) echo "  JAVA_OPTS lacks $opt" >&2; exit 1 ;; esac
        done
    )
}
check settings-default-args-and-footprint settings_values

# --- the launcher ---------------------------------------------------------------
LAUNCHER="$tmp/deb/usr/bin/ssh-exporter"
check launcher-is-posix-sh shellcheck -s sh "$LAUNCHER"
check launcher-parses-under-dash dash -n "$LAUNCHER"
JAR="$tmp/deb/usr/share/ssh-exporter/lib/ssh-exporter.jar"
run_launcher() { SSH_EXPORTER_JAR="$JAR" sh "$LAUNCHER" "$@"; }
check launcher-version [ "$(run_launcher --version 2>&1)" = "ssh-exporter $VERSION" ]
run_launcher --help >"$tmp/help.txt" 2>&1
check launcher-help-exit-0 [ $? = 0 ]
run_launcher --no-such-flag >/dev/null 2>&1
check launcher-usage-exit-2 [ $? = 2 ]

# A runtime older than 17 named by JAVA_HOME is passed over, with a note.
mkdir -p "$tmp/java11/bin"
printf 'JAVA_VERSION="11.0.2"\n' >"$tmp/java11/release"
printf '#!/bin/sh\necho "java11 was run" >&2\nexit 99\n' >"$tmp/java11/bin/java"
chmod +x "$tmp/java11/bin/java"
old_java_home() {
    local out
    out=$(JAVA_HOME="$tmp/java11" run_launcher --version 2>&1) || return 1
    case "$out" in *"ignoring JAVA_HOME=$tmp/java11"*"ssh-exporter $VERSION"*) return 0 ;; esac
    echo "  got: $out" >&2; return 1
}
check launcher-skips-old-java-home old_java_home
# JAVA_HOME is used first when suitable: a fake java 21 that reports its arguments.
mkdir -p "$tmp/java21/bin"
printf 'JAVA_VERSION="21.0.1"\n' >"$tmp/java21/release"
printf '#!/bin/sh\nprintf "%%s\\n" "$@"\n' >"$tmp/java21/bin/java"
chmod +x "$tmp/java21/bin/java"
java_home_args() {
    local out
    out=$(RUNTIME_DIRECTORY=/run/ssh-exporter JAVA_HOME="$tmp/java21" JAVA_OPTS="-Xmx7m -Dx=1" run_launcher -p 1 "a b")
    if printf '%s\n' "$out" | grep -qx -- '-Djna.tmpdir=/run/ssh-exporter' &&
        printf '%s\n' "$out" | grep -q -- '^-Djna.platform.library.path=/' &&
        [ "$(printf '%s\n' "$out" | tail -n 7 | tr '\n' '|')" = "-Xmx7m|-Dx=1|-jar|$JAR|-p|1|a b|" ]; then
        return 0
    fi
    echo "  got: $(printf '%s\n' "$out" | tr '\n' ' ')" >&2
    return 1
}
check launcher-java-home-opts-args java_home_args
default_opts() {
    local out
    out=$(env -u JAVA_OPTS JAVA_HOME="$tmp/java21" SSH_EXPORTER_JAR="$JAR" sh "$LAUNCHER" -V | tr '\n' ' ')
    case "$out" in *" $(packaged_java_opts) -jar $JAR -V "*) return 0 ;; esac
    echo "  got: $out" >&2; return 1
}
check launcher-default-java-opts default_opts
# Without any Java (none on PATH, /usr/lib/jvm hidden): one clear line, exit 1.
no_java() {
    local out rc
    out=$(unshare -m sh -c "mount -t tmpfs none /usr/lib/jvm && env -u JAVA_HOME PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        SSH_EXPORTER_JAR='$JAR' sh '$LAUNCHER' --version" 2>&1)
    rc=$?
    if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ]; then
        case "$out" in "ssh-exporter: no Java 17 or newer found"*) return 0 ;; esac
    fi
    echo "  rc=$rc: $out" >&2
    return 1
}
check launcher-no-java-exit-1 no_java

# --- class-data sharing: the JDK's own archive only --------------------------------
# The launcher adds no sharing flags and writes nothing, even where systemd would hand it a
# cache directory (the fake java 21 prints the arguments it gets).
mkdir -m 700 "$tmp/cache"
no_own_archive() {
    local out
    out=$(env -u JAVA_OPTS CACHE_DIRECTORY="$tmp/cache" JAVA_HOME="$tmp/java21" SSH_EXPORTER_JAR="$JAR" sh "$LAUNCHER" -V 2>&1)
    if printf '%s\n' "$out" | grep -qx -- -V && [ -z "$(ls -A "$tmp/cache")" ] &&
        ! printf '%s\n' "$out" | grep -q -e SharedArchiveFile -e Xshare -e SharedClassListFile -e class-data; then
        return 0
    fi
    echo "  got: $(printf '%s' "$out" | tr '\n' ' '); cache: $(ls -A "$tmp/cache" | tr '\n' ' ')" >&2
    return 1
}
check launcher-makes-no-archive-of-its-own no_own_archive
check packages-ship-no-class-list sh -c "! grep -q classlist '$tmp/deb.list' '$tmp/rpm.list'"

# --- the man page ---------------------------------------------------------------
MAN="$tmp/deb/usr/share/man/man1/ssh-exporter.1.gz"
man_no_warnings() {
    local out
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$MAN" 2>&1 >/dev/null)
    [ -z "$out" ] || { echo "  $out" >&2; return 1; }
}
check man-page-renders-without-warnings man_no_warnings
check man-page-version sh -c "zcat '$MAN' | grep -q '^\.TH SSH-EXPORTER 1 \"[0-9-]*\" \"ssh-exporter $VERSION\"'"
# The flags --help lists ("  -H,--host <ADDRESS>", "     --btmp.file <PATH>"; a description
# wrapped onto a line of its own is indented much deeper) and those
# the man page's OPTIONS section lists (the line after each .TP), as "-H --host" or "--btmp.file".
sed -n 's/^ \{1,5\}\(-[A-Za-z]\),\(--[A-Za-z0-9.-]*\).*/\1 \2/p; s/^ \{1,5\}\(--[A-Za-z0-9.-]*\).*/\1/p' \
    "$tmp/help.txt" | sort >"$tmp/help.flags"
zcat "$MAN" | python3 -c '
import re, sys
lines = sys.stdin.read().splitlines()
section = None
for prev, line in zip([""] + lines, lines):
    if line.startswith(".SH "):
        section = line[4:].strip()
    elif section == "OPTIONS" and prev == ".TP":
        text = re.sub(r"\\f[A-Z]", "", line.replace("\\-", "-"))
        print(" ".join(re.findall(r"(?<![\w-])(--?[A-Za-z][A-Za-z0-9.-]*)", text)))
' | sort >"$tmp/man.flags"
same_flags() {
    [ -s "$tmp/help.flags" ] && diff "$tmp/help.flags" "$tmp/man.flags" >&2
}
check man-page-flags-match-help same_flags
settings_document_flags() {
    local long
    awk '{print $NF}' "$tmp/help.flags" | while read -r long; do
        grep -q -- "$long" "$DEFAULTS" || { echo "  $long is not documented in the settings file" >&2; exit 1; }
    done
}
check settings-document-every-flag settings_document_flags

finish
