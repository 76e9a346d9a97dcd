# Shared helpers for native-test suites. Source it: . "$NATIVE_TEST_DIR/lib.sh"
# shellcheck shell=bash
set -u
: "${NATIVE_TEST_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
: "${REPO_DIR:=$(dirname "$NATIVE_TEST_DIR")}"
export NATIVE_TEST_DIR REPO_DIR
# Daemons and user tools (sshd, useradd) live in sbin, which a minimal PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

SUITE_FAILED=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: ${2:-}"; SUITE_FAILED=1; }
# check NAME COMMAND...: pass when the command exits 0.
check() { local name="$1"; shift; if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi; }
# finish: the suite's exit status.
finish() { exit "$SUITE_FAILED"; }

# Cleanup actions run in reverse order on exit or interruption, even after a failure.
CLEANUPS=()
on_exit() { CLEANUPS+=("$*"); }
run_cleanups() {
    local i
    for ((i = ${#CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${CLEANUPS[$i]}" >/dev/null 2>&1 || true; done
    CLEANUPS=()
}
trap run_cleanups EXIT
trap 'run_cleanups; exit 130' INT TERM

# kill_pid PID: TERM, then KILL after 5 s (and wait up to 2 s more for it to go); only that PID.
kill_pid() {
    local pid="$1" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || return 0
    for i in $(seq 20); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# free_port: a TCP port nobody listens on right now, at 127.0.0.1 and (where the host has it) ::1.
free_port() {
    python3 - <<'PY'
import socket
for _ in range(50):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    try:
        s6 = socket.socket(socket.AF_INET6); s6.bind(("::1", port)); s6.close()
    except OSError as e:
        if e.errno == 98: s.close(); continue  # taken on ::1: try another
    s.close(); print(port); break
PY
}

# need CMD PACKAGE [APT-OPTION...]: install PACKAGE when CMD is missing (extra options go to
# apt-get, e.g. --no-install-recommends). Waits for a dpkg lock held by someone else. Under
# CI=true a prerequisite that cannot be had is a failure, never a skip (and so it is here too).
need() {
    local cmd="$1" pkg="$2"; shift 2
    command -v "$cmd" >/dev/null 2>&1 && return 0
    local apt=(apt-get -o DPkg::Lock::Timeout=300 install -y -q "$@" "$pkg")
    # A package's own service (ssh, prometheus) must not start on the machine: where no
    # policy-rc.d says so already, say it for the length of the install.
    local policy=/usr/sbin/policy-rc.d own_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# native-test: no service starts during a test install\nexit 101\n' >"$policy"
        chmod 755 "$policy"; own_policy=1; on_exit rm -f "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1 \
        || { apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null 2>&1 \
             && DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null 2>&1; }
    [ "$own_policy" = 1 ] && rm -f "$policy"
    command -v "$cmd" >/dev/null 2>&1 && return 0
    fail "prerequisite $cmd" "package $pkg could not be installed"
    return 1
}

# packaged_java_opts: the JVM flags the packaged launcher uses when JAVA_OPTS is unset (one
# place for them: packaging/common/launcher.sh, read by packaging/common/default-java-opts).
packaged_java_opts() {
    "$REPO_DIR/packaging/common/default-java-opts"
}

# start_prometheus DIR [ARGS...]: a real Prometheus with DIR/prometheus.yml (and ARGS, e.g.
# --web.config.file), its storage and log in DIR, on 127.0.0.1 at a free port; stopped by PID
# when the suite ends. Sets PROM_URL (scheme PROM_SCHEME, default http) and PROM_PID; false (and
# a failed check) when prom_ready PROM_URL does not succeed within 60 s.
PROM_URL="" PROM_PID=""
start_prometheus() {
    local dir="$1" port
    shift
    port="$(free_port)"
    PROM_URL="${PROM_SCHEME:-http}://127.0.0.1:$port"
    prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
        --web.listen-address="127.0.0.1:$port" --log.level=warn "$@" >"$dir/prometheus.log" 2>&1 &
    PROM_PID=$!
    on_exit kill_pid "$PROM_PID"
    wait_for 60 prom_ready "$PROM_URL" && return 0
    fail "prometheus starts" "not ready at $PROM_URL: $(tail -5 "$dir/prometheus.log" | tr '\n' ' ')"
    return 1
}

# prom_ready URL: Prometheus at URL says it is ready. A suite whose Prometheus serves TLS or
# asks for a password defines its own before start_prometheus.
prom_ready() { curl -sf --max-time 2 -o /dev/null "$1/-/ready"; }

# exporter_jar: the built jar (builds it when missing).
exporter_jar() {
    local jar="${SSH_EXPORTER_JAR:-$REPO_DIR/target/ssh-exporter.jar}"
    if [ ! -f "$jar" ]; then
        (cd "$REPO_DIR" && mvn -B -q package -DskipTests) >&2 || return 1
    fi
    echo "$jar"
}

# wait_for SECONDS COMMAND...: poll every 20 ms until the command succeeds (SECONDS may be a
# fraction, e.g. 0.5). The command runs once more at the deadline; its status is returned.
wait_for() {
    local limit="$1"; shift
    local end=$(( $(date +%s%N) + $(ns_of "$limit") ))
    while [ "$(date +%s%N)" -lt "$end" ]; do "$@" && return 0; sleep 0.02; done
    "$@"
}

# ns_of SECONDS: nanoseconds in SECONDS (decimal fractions allowed).
ns_of() { awk -v s="$1" 'BEGIN { printf "%.0f\n", s * 1e9 }'; }

# now_ms: a monotonic-enough wall clock in milliseconds, for reporting latencies.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start_exporter LOG ARG...: start the exporter in the background, stdout and stderr to LOG;
# sets EXPORTER_PID and registers its stop. SSH_EXPORTER_CMD, when set, replaces
# "java -jar JAR" (word-split): it lets the harness itself be tried against a stand-in.
EXPORTER_PID=""
start_exporter() {
    local log="$1"; shift
    local cmd
    if [ -n "${SSH_EXPORTER_CMD:-}" ]; then
        read -r -a cmd <<<"$SSH_EXPORTER_CMD"
    else
        local jar; jar="$(exporter_jar)" || { fail "exporter jar" "could not be built"; return 1; }
        cmd=(java -jar "$jar")
    fi
    "${cmd[@]}" "$@" >"$log" 2>&1 &
    EXPORTER_PID=$!
    on_exit kill_pid "$EXPORTER_PID"
}

# series_of: the ssh_num_sessions samples of an exposition page (text or OpenMetrics) on stdin,
# as "remote_ip=value ..." sorted, "" for none.
series_of() {
    awk '/^ssh_num_sessions[{ ]/ {
            ip = "?"; if (match($0, /remote_ip="[^"]*"/)) ip = substr($0, RSTART + 11, RLENGTH - 12)
            v = $0; sub(/^[^}]*\} */, "", v); split(v, f, " "); print ip "=" f[1] + 0 }' \
        | LC_ALL=C sort | paste -sd' '
}

# page_has_one_session PAGE-COMMAND: the page PAGE-COMMAND prints counts exactly one session from
# 127.0.0.1.
page_has_one_session() { "$1" | grep -Eq '^ssh_num_sessions\{remote_ip="127\.0\.0\.1"\} 1(\.0)?$'; }

# page_has_no_session PAGE-COMMAND: one page, served (the session source up), with no session from
# 127.0.0.1 (a failed scrape is never "gone").
page_has_no_session() {
    local p
    p=$("$1") && grep -q '^ssh_exporter_source_up 1' <<<"$p" \
        && ! grep -q '^ssh_num_sessions{remote_ip="127.0.0.1"}' <<<"$p"
}

# ssh_session_counted PAGE-COMMAND LOG SSH-COMMAND...: runs SSH-COMMAND (a terminal session
# from 127.0.0.1 that stays open, e.g. into a container) in the background, its output to LOG, and
# checks (ssh-session-counted) that the page counts it within 30 s. Sets SSH_PID, stopped at exit.
SSH_PID=""
ssh_session_counted() {
    local page="$1" log="$2"
    shift 2
    "$@" </dev/null >"$log" 2>&1 &
    SSH_PID=$!
    on_exit kill_pid "$SSH_PID"
    if wait_for 30 page_has_one_session "$page"; then
        pass 'ssh-session-counted: ssh_num_sessions{remote_ip="127.0.0.1"} 1'
    else
        fail ssh-session-counted "metrics: $("$page" | grep ssh_num | tr '\n' ' ') ssh: $(tr '\n' ' ' <"$log")"
    fi
}
