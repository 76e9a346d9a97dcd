#!/usr/bin/env bash
# What following the journal costs the exporter under a flood of sshd failure lines, next to
# `journalctl -f` following the same flood with the exporter's own filter (the three sshd identifiers), and next to the exporter without
# its journal reader (--no-collector.auth), all in the same run. Needs root (it boots a Debian
# 13 root with systemd-nspawn: native-test/nspawn.sh) and a built .deb (SSH_EXPORTER_DEB, else
# target/, built when missing).
#
#   bench/journal-flood.sh [RUNS]      (default 3; FLOOD_RATE lines/s, default 1000, for
#                                       FLOOD_SECONDS s, default 30; WARM=1: a first flood, not
#                                       measured, before the measured one in the same process)
#
# The .deb runs as its packaged unit with the packaged JAVA_OPTS, reading the journal as group
# systemd-journal. Each run, once with the journal reader and once without (--no-collector.auth):
# restart the unit, let it settle SETTLE s (default 15), start `journalctl -f -t sshd -t sshd-session -t sshd-auth`
# (output to a file in the container's /run), write the flood as root through one `logger`
# (native-test/journal-flood.sh; journald's rate limit off), wait until journalctl has printed
# every line (or nothing new for 5 s) and one second more, with no scrape of the exporter during
# the flood (a scrape is the bench's cost, not the flood's), then check that the exporter has
# counted every line (journal mode). Measured from /proc inside the container: the CPU
# seconds (utime+stime) each process used from the flood's start to that point (the exporter's
# also by thread: journal, HTTP, JIT compiler, VM thread), and the exporter's VmRSS before the
# flood and after. One "flood" line per run and mode, then the medians ("median" lines) and the
# reader's own cost (the exporter's median less its median without the reader: "reader_cost");
# BENCH_OUT=FILE appends them to FILE too.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
export NATIVE_TEST_DIR="$(dirname "$here")/native-test"
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/pkg-lib.sh"
. "$NATIVE_TEST_DIR/nspawn.sh"
. "$NATIVE_TEST_DIR/journal-flood.sh"

RUNS=${1:-3}
FLOOD_RATE=${FLOOD_RATE:-1000}
FLOOD_SECONDS=${FLOOD_SECONDS:-30}
SETTLE=${SETTLE:-15}
N=$((FLOOD_RATE * FLOOD_SECONDS))
out=${BENCH_OUT:-/dev/null}
log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (systemd-nspawn)"
need systemd-nspawn systemd-container >/dev/null || die "no systemd-nspawn"
need debootstrap debootstrap >/dev/null || die "no debootstrap"
pkg_files >/dev/null || die "no .deb"

ct_prepare trixie || die "no trixie root"
journal_unlimited || die "cannot write journald's settings"
port=$(free_port)
URL="http://127.0.0.1:$port"
ARGS_BASE="--host 127.0.0.1 --port $port --file /var/run/utmp"
cp "$DEB" "$CT_ROOT/root/ssh-exporter.deb"
deb_settings "$DEB" "$ARGS_BASE" "$CT_ROOT/etc/default/ssh-exporter" || die "settings file"
ct_boot || die "trixie does not boot"
ct env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confold /root/ssh-exporter.deb </dev/null >/dev/null 2>&1 || die "the .deb does not install"

page() { curl -sf --max-time 2 "$URL/metrics"; }
val() { awk -v s="$2" '$1 == s { print $2 + 0; exit }' <<<"$1"; }
failed_total() { val "$(page)" 'ssh_auth_failed_total{method="password"}'; }
# cpu PID: utime+stime of PID (in the container) in clock ticks.
cpu() { ct cat "/proc/$1/stat" | sed 's/.*) //' | awk '{ print $12 + $13 }'; }
rss() { ct awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# rss_part PID FIELD: RssAnon (the heap, code, malloc) or RssFile (mapped files: the jar, the
# libraries, and the journal files sd-journal maps), in KiB.
rss_part() { ct awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# thread_cpu PID: "JOURNAL HTTP COMPILER VM" clock ticks used so far by the exporter's journal
# thread, by the threads that serve HTTP (http-N, HTTP-Dispatcher: the bench's own scrapes are
# not the flood's cost, and are reported apart), by the JIT compiler's threads, and by the VM
# thread (where the serial collector runs).
thread_cpu() {
    ct sh -c "cat /proc/$1/task/*/stat" 2>/dev/null | awk '{
        comm = substr($0, index($0, "(") + 1); comm = substr(comm, 1, length(comm) - length(substr(comm, index(comm, ") "))))
        split(substr($0, index($0, ") ") + 2), f, " "); t = f[12] + f[13]
        if (comm == "journal") j += t; else if (comm ~ /^http-[0-9]+$/ || comm == "HTTP-Dispatcher") h += t
        else if (comm ~ /^C[12] CompilerThre/) c += t; else if (comm == "VM Thread") v += t
    } END { print j + 0, h + 0, c + 0, v + 0 }'
}
# delta FIELD BEFORE AFTER: field FIELD (1-4) of two thread_cpu lines, after minus before.
delta() { awk -v f="$1" -v a="$2" -v b="$3" 'BEGIN { split(a, x, " "); split(b, y, " "); print y[f] - x[f] }'; }
ticks=$(getconf CLK_TCK)
secs() { awk -v t="$1" -v h="$ticks" 'BEGIN { printf "%.2f", t / h }'; }

{
    echo "date=$(date -u +%FT%TZ)"
    echo "nproc=$(nproc)"
    echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "kernel=$(uname -r)"
    echo "container=trixie systemd $(ct systemctl --version | awk 'NR == 1 { print $2 }'), $(ct java -version 2>&1 | sed -n 2p)"
    echo "java_opts=$(packaged_java_opts)"
    echo "flood=$N lines at $FLOOD_RATE/s runs=$RUNS settle=${SETTLE}s warm=${WARM:-0}"
    echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$out"

one_run() { # RUN MODE (journal|baseline)
    local run="$1" mode="$2" args="$ARGS_BASE" pid jpid e0 e1 j0 j1 r0 r1 a0 a1 f0 f1 c0 t0 t1 pc0 pc1 lines th0 th1
    [ "$mode" = baseline ] && args="$args --no-collector.auth"
    ct sed -i "s|^ARGS=.*|ARGS=\"$args\"|" /etc/default/ssh-exporter
    ct systemctl restart ssh-exporter.service
    wait_for 60 curl -sf -o /dev/null --max-time 2 "$URL/-/healthy" || die "the exporter does not serve"
    pid=$(ct systemctl show -p MainPID --value ssh-exporter.service)
    [ "$(ct cat "/proc/$pid/comm")" = java ] || die "MainPID $pid is $(ct cat "/proc/$pid/comm"), not java"
    sleep "$SETTLE"
    if [ "${WARM:-0}" = 1 ]; then
        # The same flood once before, unmeasured: the reader's code is compiled by then.
        local w0
        w0=$(failed_total)
        flood_sshd "$N" "$FLOOD_RATE" "w$run$mode" 2>/dev/null || die "the warm-up flood failed"
        warmed() { [ "$mode" = baseline ] || [ "$(failed_total)" = $((w0 + N)) ]; }
        wait_for 120 warmed || die "run $run $mode: the warm-up flood was not counted"
        sleep 2
    fi
    ct rm -f /run/nt-jf.out /run/nt-jf.pid
    ct sh -c 'echo $$ >/run/nt-jf.pid; exec journalctl -f -n 0 -t sshd -t sshd-session -t sshd-auth >/run/nt-jf.out 2>&1' &
    wait_for 10 ct test -s /run/nt-jf.pid || die "journalctl -f did not start"
    jpid=$(ct cat /run/nt-jf.pid)
    sleep 1
    c0=$(failed_total); pc0=$(val "$(page)" process_cpu_seconds_total)
    a0=$(rss_part "$pid" RssAnon) f0=$(rss_part "$pid" RssFile)
    r0=$(rss "$pid") th0=$(thread_cpu "$pid") e0=$(cpu "$pid") j0=$(cpu "$jpid") t0=$(now_ms)
    flood_sshd "$N" "$FLOOD_RATE" "b$run$mode" 2>/dev/null || die "the flood failed"
    # No scrape while the flood runs: a scrape is the bench's cost, not the flood's (and while the
    # JIT is cold, an expensive one). Wait until journalctl has printed every line (or nothing new
    # for 5 s: it was seen to stop short of a flood, and its count is reported), then a second for
    # the exporter's batch pause, and take both CPU figures; only then ask the exporter for its
    # count, and wait for the full count if it is not there yet (the CPU is then taken again).
    local last=-1 still=0
    jlines() { ct grep -c "Failed password for invalid user b$run$mode" /run/nt-jf.out; }
    exporter_done() { [ "$mode" = baseline ] || [ "$(failed_total)" = $((c0 + N)) ]; }
    for _ in $(seq 240); do
        lines=$(jlines)
        [ "$lines" = "$N" ] && break
        if [ "$lines" = "$last" ]; then still=$((still + 1)); [ "$still" -ge 10 ] && break; else still=0 last=$lines; fi
        sleep 0.5
    done
    j1=$(cpu "$jpid")
    sleep 1
    local late=0
    while :; do
        t1=$(now_ms) e1=$(cpu "$pid") th1=$(thread_cpu "$pid") # before the scrape that checks
        exporter_done && break
        late=$((late + 1))
        [ "$late" -le 240 ] || die "run $run $mode: the exporter counted $(( $(failed_total) - c0 )) of $N"
        sleep 0.5
    done
    pc1=$(val "$(page)" process_cpu_seconds_total)
    r1=$(rss "$pid") a1=$(rss_part "$pid" RssAnon) f1=$(rss_part "$pid" RssFile)
    ct kill "$jpid"
    echo "flood run=$run mode=$mode lines=$N seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')" \
        "exporter_cpu_s=$(secs $((e1 - e0))) journalctl_cpu_s=$(secs $((j1 - j0)))" \
        "exporter_journal_thread_cpu_s=$(secs "$(delta 1 "$th0" "$th1")") exporter_http_cpu_s=$(secs "$(delta 2 "$th0" "$th1")")" \
        "exporter_compiler_cpu_s=$(secs "$(delta 3 "$th0" "$th1")") exporter_vm_thread_cpu_s=$(secs "$(delta 4 "$th0" "$th1")")" \
        "exporter_cpu_without_http_s=$(secs $(( e1 - e0 - $(delta 2 "$th0" "$th1") )))" \
        "exporter_process_cpu_seconds=$(awk -v a="$pc0" -v b="$pc1" 'BEGIN { printf "%.2f", b - a }')" \
        "rss_before_kb=$r0 rss_after_kb=$r1 anon_before_kb=$a0 anon_after_kb=$a1 file_before_kb=$f0 file_after_kb=$f1" \
        "counted=$(( $(failed_total) - c0 )) journalctl_printed=$lines late_polls=$late" | tee -a "$out"
}

results=$(mktemp)
on_exit rm -f "$results"
for run in $(seq "$RUNS"); do
    for mode in journal baseline; do
        log "run $run of $RUNS, $mode: $N lines at $FLOOD_RATE/s"
        one_run "$run" "$mode" | tee -a "$results"
    done
done
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
python3 - "$results" <<'PY' | tee -a "$out"
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in l.split()[1:]) for l in open(sys.argv[1]) if l.startswith("flood ")]
meds = {}
for mode in ("journal", "baseline"):
    rs = [r for r in rows if r["mode"] == mode]
    if not rs:
        continue
    med = meds[mode] = lambda k, rs=rs: statistics.median(float(r[k]) for r in rs)
    print("median mode=%s runs=%d exporter_cpu_s=%.2f journalctl_cpu_s=%.2f exporter_process_cpu_seconds=%.2f "
          "exporter_journal_thread_cpu_s=%.2f exporter_http_cpu_s=%.2f exporter_compiler_cpu_s=%.2f "
          "exporter_vm_thread_cpu_s=%.2f exporter_cpu_without_http_s=%.2f "
          "rss_before_kb=%.0f rss_after_kb=%.0f rss_growth_kb=%.0f anon_growth_kb=%.0f file_growth_kb=%.0f" % (
              mode, len(rs), med("exporter_cpu_s"), med("journalctl_cpu_s"), med("exporter_process_cpu_seconds"),
              med("exporter_journal_thread_cpu_s"), med("exporter_http_cpu_s"), med("exporter_compiler_cpu_s"),
              med("exporter_vm_thread_cpu_s"), med("exporter_cpu_without_http_s"),
              med("rss_before_kb"), med("rss_after_kb"),
              statistics.median(float(r["rss_after_kb"]) - float(r["rss_before_kb"]) for r in rs),
              statistics.median(float(r["anon_after_kb"]) - float(r["anon_before_kb"]) for r in rs),
              statistics.median(float(r["file_after_kb"]) - float(r["file_before_kb"]) for r in rs)))
# What following the flood cost: the exporter with its reader less the same exporter without it
# (its idle cost over the same window: timers, resyncs, the JVM's own threads), next to journalctl.
if "journal" in meds and "baseline" in meds:
    reader = meds["journal"]("exporter_cpu_s") - meds["baseline"]("exporter_cpu_s")
    jc = meds["journal"]("journalctl_cpu_s")
    print("reader_cost exporter_minus_baseline_cpu_s=%.2f journalctl_cpu_s=%.2f ratio=%.2f" % (reader, jc, reader / jc if jc else float("nan")))
PY
ct_stop
ct_release
