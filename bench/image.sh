#!/usr/bin/env bash
# The container image next to the packaged launcher, same machine, same run, same utmp file
# (10,000 sessions written by glibc's pututxline): start-up (the command until /metrics shows
# every session) and resident memory after 20 scrapes, ROUNDS rounds alternating the two, medians.
#   launcher:  packaging/common/launcher.sh (what the .deb and .rpm install as /usr/bin/ssh-exporter)
#              with the machine's JDK 17 and the launcher's default JVM flags
#   image:     packaging/image/build.sh's image under podman (private storage, --read-only,
#              the host's network), the file mounted read-only at /run/utmp
# Prints a Markdown table for docs/BENCHMARKS.md. Needs root, podman, buildah, runc, gcc.
#   bench/image.sh [ROUNDS]     (default 7)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
rounds=${1:-7}
work=$(mktemp -d /var/tmp/bench-image.XXXXXX)
trap 'podman_ rm -af -t 0 >/dev/null 2>&1 || true; rm -rf --one-file-system "$work"' EXIT
log() { echo "bench/image: $*" >&2; }

(cd "$repo" && mvn -B -q package -DskipTests) >&2
jar=$repo/target/ssh-exporter.jar
gcc -O2 -o "$work/utmpx_writer" "$repo/src/test/c/utmpx_writer.c"
install -m 664 /dev/null "$work/utmp"
"$work/utmpx_writer" "$work/utmp" fill 10000 1000
"$repo/packaging/image/build.sh" "$jar" "$work/image.tar" >"$work/name" 2>"$work/build.log"
image=localhost/$(cat "$work/name")
# As in native-test suite 55: runc (this kind of machine has hybrid cgroups), rlimits it may set.
export CONTAINERS_CONF="$repo/native-test/podman-containers.conf"
podman_() { podman --root "$work/storage" --runroot "$work/runroot" --tmpdir "$work/libpod" --storage-driver vfs "$@"; }
podman_ load -q -i "$work/image.tar" >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port/metrics
all_seen() { curl -sf --max-time 2 "$url" 2>/dev/null | grep -q '^ssh_num_sessions{remote_ip="10.0.3.231"} 10'; }
now_ns() { date +%s%N; }
wait_seen() { local _; for _ in $(seq 3000); do all_seen && return 0; sleep 0.01; done; return 1; }
scrapes() { local _; for _ in $(seq 20); do curl -sf -o /dev/null "$url"; done; }

run_launcher() { # prints "START_MS RSS_KB"
    local t0 pid
    t0=$(now_ns)
    SSH_EXPORTER_JAR=$jar sh "$repo/packaging/common/launcher.sh" --file "$work/utmp" --wtmp.file '' --btmp.file '' \
        --no-collector.auth --web.listen-address "127.0.0.1:$port" >"$work/launcher.log" 2>&1 &
    pid=$!
    wait_seen || { log "launcher: not seen: $(tail -3 "$work/launcher.log")"; kill "$pid"; return 1; }
    local ms=$(( ($(now_ns) - t0) / 1000000 ))
    scrapes
    echo "$ms $(ps -o rss= -p "$pid" | tr -d ' ')"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}
run_image() {
    local t0 pid
    t0=$(now_ns)
    podman_ run -d --name bench-image --read-only --network host -v "$work/utmp:/run/utmp:ro" "$image" \
        --wtmp.file '' --btmp.file '' --no-collector.auth --web.listen-address "127.0.0.1:$port" >/dev/null
    wait_seen || { log "image: not seen: $(podman_ logs bench-image 2>&1 | tail -3)"; return 1; }
    local ms=$(( ($(now_ns) - t0) / 1000000 ))
    scrapes
    pid=$(podman_ inspect -f '{{.State.Pid}}' bench-image)
    echo "$ms $(ps -o rss= -p "$pid" | tr -d ' ')"
    podman_ rm -f -t 10 bench-image >/dev/null
}

# The baseline of each: the same command printing --version (JVM start and exit, no session
# read, no server), so that podman's own cost of making a container shows apart.
version_ms() { local t0; t0=$(now_ns); "$@" >/dev/null 2>&1; echo "$(( ($(now_ns) - t0) / 1000000 )) 0"; }
: >"$work/launcher" ; : >"$work/image"; : >"$work/launcher-v"; : >"$work/image-v"
for r in $(seq "$rounds"); do
    log "round $r of $rounds"
    run_launcher >>"$work/launcher"
    run_image >>"$work/image"
    SSH_EXPORTER_JAR=$jar version_ms sh "$repo/packaging/common/launcher.sh" --version >>"$work/launcher-v"
    version_ms podman_ run --rm --read-only --network host "$image" --version >>"$work/image-v"
done
size_tar=$(stat -c %s "$work/image.tar")
size_unpacked=$(podman_ image inspect -f '{{.Size}}' "$image")
deb=$(ls "$repo"/target/ssh-exporter_*_all.deb)
python3 - "$work" "$size_tar" "$size_unpacked" "$(stat -c %s "$deb")" "$rounds" <<'PY'
import statistics, sys
def load(p):
    rows = [tuple(map(int, l.split())) for l in open(p) if l.strip()]
    return statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows) / 1024
w = sys.argv[1]
lm, lr = load(w + "/launcher"); im, ir = load(w + "/image")
lv, _ = load(w + "/launcher-v"); iv, _ = load(w + "/image-v")
tar, unpacked, deb, rounds = (int(x) for x in sys.argv[2:6])
print(f"| 10,000 sessions, medians of {rounds} alternating rounds | launcher (.deb/.rpm) | image (podman) |")
print("|---|---|---|")
print(f"| start: command until /metrics shows every session | {lm:.0f} ms | {im:.0f} ms |")
print(f"| baseline: the same command with --version (JVM start and exit; podman's container setup) | {lv:.0f} ms | {iv:.0f} ms |")
print(f"| resident memory after 20 scrapes | {lr:.1f} MB | {ir:.1f} MB |")
print(f"| download | {deb/1e6:.1f} MB .deb (+ a JRE: default-jre-headless) | {tar/1e6:.1f} MB (gzip layer) |")
print(f"| installed | jar and launcher (+ the JRE) | {unpacked/1e6:.1f} MB, runtime included |")
PY
