#!/usr/bin/env bash
# The OCI image (packaging/image/build.sh) under podman: built from the project with no base
# image, it runs as an unprivileged user on a read-only root with the login records of a real
# sshd (native-test/sshd.sh: its temp utmp, wtmp and btmp, never the machine's) mounted
# read-only as the Quadlet unit and the DaemonSet mount the host's; it serves /metrics, follows
# a real login and logout, stops cleanly on SIGTERM; in its own pid namespace it reports the
# live session stale (the documented rule), with the host's it does not; and the Pod spec of
# the DaemonSet runs with `podman kube play`. The Quadlet unit is suite 56's.
#
# podman runs with a private storage (the machine's own images and containers are never seen)
# and native-test/podman-containers.conf: this kind of machine has hybrid cgroups, which crun
# refuses (runc is used, cgroupfs), and no CAP_SYS_RESOURCE, so podman's default rlimits
# (above this machine's hard limits) cannot be set: its are lower.
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/sshd.sh"

need podman podman --no-install-recommends || finish
need buildah buildah --no-install-recommends || finish
need runc runc || finish
need catatonit catatonit || finish
need unzip unzip || finish
sshd_prereqs || finish
jar=$(exporter_jar) || { fail "exporter jar" "could not be built"; finish; }

tmp=$(mktemp -d /var/tmp/nt-image.XXXXXX)
on_exit rm -rf --one-file-system "$tmp"
export CONTAINERS_CONF="$NATIVE_TEST_DIR/podman-containers.conf"
P=(podman --root "$tmp/storage" --runroot "$tmp/runroot" --tmpdir "$tmp/libpod" --storage-driver vfs)
version=$(unzip -p "$jar" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *\([^[:space:]]*\).*/\1/p')
IMAGE=localhost/ssh-exporter:$version

# --- the image -------------------------------------------------------------------------
t0=$(now_ms)
if name=$("$REPO_DIR/packaging/image/build.sh" "$jar" "$tmp/image.tar" 2>"$tmp/build.log"); then
    pass "image-builds: $name in $(($(now_ms) - t0)) ms, $(du -k "$tmp/image.tar" | cut -f1) KiB compressed"
else
    fail image-builds "$(tail -5 "$tmp/build.log" | tr '\n' ' ')"
    finish
fi
check image-named-as-jar-version [ "localhost/$name" = "$IMAGE" ]
# The shipped unit and manifest name the image of this version (else they go stale at a release).
check quadlet-names-this-version grep -qx "Image=$IMAGE" "$REPO_DIR/packaging/image/ssh-exporter.container"
check daemonset-names-this-version grep -Eq "^ +image: $IMAGE\$" "$REPO_DIR/packaging/image/daemonset.yaml"
"${P[@]}" load -q -i "$tmp/image.tar" >"$tmp/load.log" 2>&1
check image-loads grep -q "$IMAGE" "$tmp/load.log"
size=$("${P[@]}" image inspect -f '{{.Size}}' "$IMAGE" 2>/dev/null)
# Small: under 80 MB unpacked (Debian's openjdk-17-jre-headless alone is 193 MB installed).
if [ -n "$size" ] && [ "$size" -lt 80000000 ]; then
    pass "image-size: $((size / 1000000)) MB unpacked"
else
    fail image-size "${size:-no} bytes unpacked (wanted under 80 MB)"
fi

# What is in the one layer: every file root's, no setuid or setgid file, no shell, no package
# manager; the JNA stub unpacked; the user an unprivileged one.
mkdir -p "$tmp/oci"
tar -xf "$tmp/image.tar" -C "$tmp/oci"
# blobs_of OCI-LAYOUT: the digests (hex) of its image's one layer and of its config.
blobs_of() {
    python3 -c 'import json,sys; d=sys.argv[1]; m=json.load(open(d+"/index.json"))["manifests"][0]["digest"].split(":")[1]; m=json.load(open(d+"/blobs/sha256/"+m)); print(m["layers"][0]["digest"].split(":")[1], m["config"]["digest"].split(":")[1])' "$1"
}
read -r layer _ < <(blobs_of "$tmp/oci")
tar -tvzf "$tmp/oci/blobs/sha256/$layer" >"$tmp/layer.txt" 2>/dev/null
check layer-listed [ -s "$tmp/layer.txt" ]
not_root_owned() { awk '$2 != "root/root" && $2 != "0/0"' "$tmp/layer.txt"; }
check layer-all-root-owned [ -z "$(not_root_owned)" ]
check layer-no-setuid [ -z "$(awk '$1 ~ /^...[sS]|^......[sS]/' "$tmp/layer.txt")" ]
no_tools() { ! grep -Eq ' (\./)?(usr/)?s?bin/(sh|bash|dash|apt|apt-get|dpkg|busybox)( |$)' "$tmp/layer.txt"; }
check layer-no-shell-or-package-manager no_tools
check layer-has-jna-stub grep -q 'usr/lib/ssh-exporter/libjnidispatch.so' "$tmp/layer.txt"
check image-user-unprivileged [ "$("${P[@]}" image inspect -f '{{.Config.User}}' "$IMAGE")" = 65532:65532 ]
check image-version-label [ "$("${P[@]}" image inspect -f '{{index .Labels "org.opencontainers.image.version"}}' "$IMAGE")" = "$version" ]

# The launcher's JVM flags are the image's JDK_JAVA_OPTIONS; a value given at run time replaces
# them, as JAVA_OPTS does for the packages. (JAVA_TOOL_OPTIONS adds a flag that prints them.)
flags_of() { # PODMAN-RUN-OPTION...: the JVM's command-line flags
    "${P[@]}" run --rm -e JAVA_TOOL_OPTIONS=-XX:+PrintCommandLineFlags "$@" "$IMAGE" --version 2>&1
}
defaults_apply() {
    flags_of >"$tmp/flags.log" && grep -q -- '-XX:MaxHeapSize=33554432 ' "$tmp/flags.log" \
        && grep -q -- '-XX:+UseSerialGC' "$tmp/flags.log" && grep -qx "ssh-exporter $version" "$tmp/flags.log"
}
check image-runs-with-the-launchers-jvm-flags defaults_apply
replaced() {
    flags_of -e "JDK_JAVA_OPTIONS=-Xmx64m -XX:+UseParallelGC" >"$tmp/flags2.log" \
        && grep -q -- '-XX:MaxHeapSize=67108864 ' "$tmp/flags2.log" && grep -q -- '-XX:+UseParallelGC' "$tmp/flags2.log" \
        && grep -qx "ssh-exporter $version" "$tmp/flags2.log"
}
check image-jdk-java-options-replace-them replaced

# --- the container on a real sshd's login records --------------------------------------
sshd_start || finish
mkdir -p "$tmp/run-systemd"
utmp_gid=$(getent group utmp | cut -d: -f3)
# run_exporter NAME PORT [PODMAN-OPTION...] [-- EXPORTER-FLAG...]: the image as the Quadlet unit
# runs it (read-only root, the unprivileged user, group utmp for btmp, no capabilities), on
# sshd's files.
run_exporter() {
    local name="$1" port="$2" opts=() flags=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    flags=("$@")
    "${P[@]}" run -d --name "$name" --read-only --network host --group-add "$utmp_gid" \
        --cap-drop all --security-opt no-new-privileges "${opts[@]}" \
        -v "$SSHD_DIR/run/utmp:/run/utmp:ro" -v "$SSHD_DIR/log:/var/log:ro" \
        -v "$tmp/run-systemd:/run/systemd:ro" \
        "$IMAGE" --web.listen-address "127.0.0.1:$port" --interval 3600 "${flags[@]}" >/dev/null 2>"$tmp/$name.err"
}
remove_container() { "${P[@]}" rm -f -t 0 "$1" >/dev/null 2>&1; }
healthy() { curl -sf --max-time 2 -o /dev/null "$EXPORTER_URL/-/healthy"; }

PORT=$(free_port)
EXPORTER_URL="http://127.0.0.1:$PORT"
CT=nt-ssh-exporter-$$
on_exit remove_container "$CT"
t0=$(now_ms)
run_exporter "$CT" "$PORT" || fail container-starts "$(tr '\n' ' ' <"$tmp/$CT.err")"
if wait_for 30 healthy; then
    pass "container-starts: healthy $(($(now_ms) - t0)) ms after podman run"
else
    fail container-starts "not healthy: $("${P[@]}" logs "$CT" 2>&1 | tail -5 | tr '\n' ' ')"
    finish
fi
check container-root-read-only [ "$("${P[@]}" inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$CT")" = true ]
CPID=$("${P[@]}" inspect -f '{{.State.Pid}}' "$CT")
uid_of() { sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
check container-process-uid-65532 [ "$(uid_of "$CPID")" = 65532 ]
# None at all, not merely none in effect (a non-root process has none in effect anyway).
no_caps() { grep -Eq '^CapBnd:[[:space:]]*0+$' "/proc/$CPID/status" && grep -Eq '^CapPrm:[[:space:]]*0+$' "/proc/$CPID/status"; }
check container-no-capabilities no_caps
check container-sees-utmp [ "$(metric_value 'ssh_exporter_source_info{source="utmp"}')" = 1 ]
# file_value FILE: ssh_exporter_file_readable for FILE (its other label is the path).
file_value() {
    curl -sf --max-time 2 "$EXPORTER_URL/metrics" \
        | awk -v p="ssh_exporter_file_readable{file=\"$1\"," 'index($1, p) == 1 { print $2 + 0 }'
}
check container-reads-btmp [ "$(file_value btmp)" = 1 ]
check container-reads-wtmp [ "$(file_value wtmp)" = 1 ]

ssh_open 127.0.0.1
step "container follows a real ssh login" "127.0.0.1=1"
check container-counts-the-open [ "$(metric_value 'ssh_sessions_opened_total{type="remote"}')" = 1 ]
# Its own pid namespace: sshd's session process is not there, so the live session is "stale".
check own-pid-namespace-reports-live-session-stale [ "$(metric_value ssh_stale_sessions)" = 1 ]
rss=$(ps -o rss= -p "$CPID" | tr -d ' ')
# Well inside the DaemonSet's memory limit (128 MiB).
if [ -n "$rss" ] && [ "$rss" -lt 98304 ]; then
    pass "container-rss: ${rss} KiB with one session"
else
    fail container-rss "${rss:-no} KiB (the DaemonSet's limit is 131072)"
fi

# The host's pid namespace (what the Quadlet unit and the DaemonSet use): not stale.
PORT2=$(free_port)
CT2=nt-ssh-exporter-pid-$$
on_exit remove_container "$CT2"
run_exporter "$CT2" "$PORT2" --pid=host || fail host-pid-container-starts "$(tr '\n' ' ' <"$tmp/$CT2.err")"
stale_on() { curl -sf --max-time 2 "http://127.0.0.1:$PORT2/metrics" | awk '$1 == "ssh_stale_sessions" { print $2 + 0 }'; }
sessions_on() { curl -sf --max-time 2 "http://127.0.0.1:$PORT2/metrics" | grep -Eq '^ssh_num_sessions\{remote_ip="127\.0\.0\.1"\} 1(\.0)?$'; }
check host-pid-namespace-sees-the-session wait_for 30 sessions_on
check host-pid-namespace-session-not-stale [ "$(stale_on)" = 0 ]
remove_container "$CT2"

ssh_close_all
step "container follows the logout" ""
check container-counts-the-close [ "$(metric_value 'ssh_sessions_closed_total{type="remote"}')" = 1 ]

# --- TLS with an EC key (jdk.crypto.ec is in the runtime), the web config mounted read-only ---
mkdir -m 755 "$tmp/web"
if openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/web/server.key" \
        -out "$tmp/web/server.crt" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
    chmod 644 "$tmp/web/server.key"
    printf 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n' >"$tmp/web/web.yml"
    PORT5=$(free_port)
    CT5=nt-ssh-exporter-tls-$$
    on_exit remove_container "$CT5"
    run_exporter "$CT5" "$PORT5" -v "$tmp/web:/etc/ssh-exporter:ro" -- --web.config.file /etc/ssh-exporter/web.yml \
        || fail tls-container-starts "$(tr '\n' ' ' <"$tmp/$CT5.err")"
    tls_serves() { curl -sf --max-time 2 --cacert "$tmp/web/server.crt" "https://127.0.0.1:$PORT5/metrics" | grep -q '^ssh_exporter_source_up 1'; }
    check container-serves-tls-with-an-ec-key wait_for 30 tls_serves
    remove_container "$CT5"
else
    fail tls-key "openssl could not make an EC key"
fi

# --- SIGTERM: a clean stop, long before podman's SIGKILL -------------------------------
t0=$(now_ms)
"${P[@]}" stop -t 20 "$CT" >/dev/null 2>&1
took=$(($(now_ms) - t0))
code=$("${P[@]}" inspect -f '{{.State.ExitCode}}' "$CT")
if [ "$code" = 0 ] && [ "$took" -lt 10000 ]; then
    pass "container-stops-on-sigterm: exit 0 in $took ms"
else
    fail container-stops-on-sigterm "exit $code after $took ms"
fi
"${P[@]}" logs "$CT" >"$tmp/container.log" 2>&1
check container-logs-the-signal grep -q 'msg=stopping signal=SIGTERM' "$tmp/container.log"
check container-log-no-warning-or-trace [ -z "$(grep -E 'level=(warn|error)|Exception|^\s+at ' "$tmp/container.log")" ]
remove_container "$CT"

# --- the DaemonSet's Pod spec under podman kube play ----------------------------------------
# Its pod template, as a Pod, on sshd's files instead of the host's and at a free port. The
# ports list goes: podman 4.3 turns it into port mappings, which it refuses on the host's
# network; Kubernetes takes it as what it is there, a name for the node's port.
PORT3=$(free_port)
printf '' >"$tmp/machine-id"
mkdir -p "$tmp/run-journal"
python3 "$NATIVE_TEST_DIR/pod_from_daemonset.py" "$REPO_DIR/packaging/image/daemonset.yaml" "nt-ds-$$" \
    --path "/run/utmp=$SSHD_DIR/run/utmp" --path "/var/log=$SSHD_DIR/log" --path "/run/systemd=$tmp/run-systemd" \
    --path "/etc/machine-id=$tmp/machine-id" --path "/run/log/journal=$tmp/run-journal" --listen "127.0.0.1:$PORT3" --groups "$utmp_gid" --drop-key ports \
    >"$tmp/pod.yaml" 2>"$tmp/pod.err" || fail pod-spec-extracted "$(cat "$tmp/pod.err")"
check pod-spec-extracted grep -q "^  hostPID: true" "$tmp/pod.yaml"
kube_down() { "${P[@]}" kube down "$tmp/pod.yaml" >/dev/null 2>&1; }
on_exit kube_down
if "${P[@]}" kube play "$tmp/pod.yaml" >"$tmp/kube.log" 2>&1; then
    pass "kube-play-runs-the-pod-spec"
else
    fail kube-play-runs-the-pod-spec "$(tail -5 "$tmp/kube.log" | tr '\n' ' ')"
fi
EXPORTER_URL="http://127.0.0.1:$PORT3"
check kube-pod-serves-metrics wait_for 30 healthy
ssh_open 127.0.0.1
step "kube pod follows a real ssh login" "127.0.0.1=1"
# (Not ssh_stale_sessions: podman 4.3's kube play does not apply hostPID, its man page says, so the
# pod has a pid namespace of its own here. Suite 56 checks hostPID with trixie's podman.)
KPID=$("${P[@]}" inspect -f '{{.State.Pid}}' "nt-ds-$$-ssh-exporter" 2>/dev/null)
# (The image's own user is 65532 too: this shows the spec's runAsUser does not change it.)
kube_uid_is_65532() { [ -n "$KPID" ] && [ "$(uid_of "$KPID")" = 65532 ]; }
check kube-pod-process-uid-65532 kube_uid_is_65532
check kube-pod-root-read-only [ "$("${P[@]}" inspect -f '{{.HostConfig.ReadonlyRootfs}}' "nt-ds-$$-ssh-exporter" 2>/dev/null)" = true ]
ssh_close_all
step "kube pod follows the logout" ""
kube_down
no_container() { local ids; ids=$("${P[@]}" ps -aq) && [ -z "$ids" ]; }
check kube-down-leaves-no-container no_container

sshd_teardown

# --- arm64, by the same recipe ---------------------------------------------------------------
# No binfmt here to run it under podman: its runtime runs under qemu-user from the unpacked layer,
# with the image's own glibc, on a utmp in aarch64's layout (400-byte records) written by glibc's
# pututxline() for aarch64.
need aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu || finish
need qemu-aarch64 qemu-user || finish
[ -d /usr/aarch64-linux-gnu/include ] || need /usr/aarch64-linux-gnu/include/stdio.h libc6-dev-arm64-cross || finish
t0=$(now_ms)
if "$REPO_DIR/packaging/image/build.sh" --arch arm64 "$jar" "$tmp/image-arm64.tar" >/dev/null 2>"$tmp/build-arm64.log"; then
    pass "arm64-image-builds: $(($(now_ms) - t0)) ms, $(du -k "$tmp/image-arm64.tar" | cut -f1) KiB compressed"
else
    fail arm64-image-builds "$(tail -5 "$tmp/build-arm64.log" | tr '\n' ' ')"
    finish
fi
mkdir -p "$tmp/oci-arm64" "$tmp/root-arm64"
tar -xf "$tmp/image-arm64.tar" -C "$tmp/oci-arm64"
read -r layer config < <(blobs_of "$tmp/oci-arm64")
tar -xzf "$tmp/oci-arm64/blobs/sha256/$layer" -C "$tmp/root-arm64"
arch_of_config() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["architecture"])' "$tmp/oci-arm64/blobs/sha256/$config"; }
check arm64-image-config-says-arm64 [ "$(arch_of_config)" = arm64 ]
# elf_machine FILE: the ELF header's e_machine (183 is EM_AARCH64).
elf_machine() { od -An -tu2 -j18 -N2 "$1" | tr -d ' '; }
check arm64-java-is-aarch64 [ "$(elf_machine "$tmp/root-arm64/opt/java/bin/java")" = 183 ]
check arm64-jna-stub-is-aarch64 [ "$(elf_machine "$tmp/root-arm64/usr/lib/ssh-exporter/libjnidispatch.so")" = 183 ]
check arm64-libc-is-aarch64 [ "$(elf_machine "$tmp/root-arm64/usr/lib/aarch64-linux-gnu/libc.so.6")" = 183 ]
aarch64-linux-gnu-gcc -O2 -o "$tmp/utmpx_writer-aarch64" "$REPO_DIR/src/test/c/utmpx_writer.c" 2>"$tmp/cc.log" \
    || fail arm64-writer-builds "$(tr '\n' ' ' <"$tmp/cc.log")"
install -m 664 /dev/null "$tmp/utmp-aarch64"
qemu-aarch64 -L /usr/aarch64-linux-gnu "$tmp/utmpx_writer-aarch64" "$tmp/utmp-aarch64" fill 6 3 >/dev/null 2>&1
check arm64-utmp-has-400-byte-records [ "$(stat -c %s "$tmp/utmp-aarch64")" = 2400 ]
R="$tmp/root-arm64"
PORT4=$(free_port)
qemu-aarch64 -L "$R" "$R/opt/java/bin/java" -Djna.boot.library.path="$R/usr/lib/ssh-exporter" -Djna.nounpack=true \
    -Djna.platform.library.path="$R/usr/lib/aarch64-linux-gnu" -jar "$R/usr/share/ssh-exporter/lib/ssh-exporter.jar" \
    --file "$tmp/utmp-aarch64" --wtmp.file '' --btmp.file '' --no-collector.auth \
    --web.listen-address "127.0.0.1:$PORT4" >"$tmp/arm64.log" 2>&1 &
ARM_PID=$!
on_exit kill_pid "$ARM_PID"
EXPORTER_URL="http://127.0.0.1:$PORT4"
arm64_sessions() { metric_state; }
if wait_for 60 state_is arm64_sessions "10.0.0.0=2 10.0.0.1=2 10.0.0.2=2"; then
    pass "arm64-runtime-serves-aarch64-utmp: $(metric_state)"
else
    fail arm64-runtime-serves-aarch64-utmp "shows '$(metric_state)'; log: $(tail -3 "$tmp/arm64.log" | tr '\n' ' ')"
fi
kill_pid "$ARM_PID"
finish
