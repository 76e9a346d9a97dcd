# sshd-like lines written into a booted container's journal at a steady rate, for suite
# 62-journal and bench/journal-flood.sh. Source it after nspawn.sh (it writes through `ct`).
# shellcheck shell=bash

# journal_unlimited: before ct_boot, turn journald's rate limit off in $CT_ROOT: a flood of
# 30,000 lines from one writer would otherwise be cut at its burst (10,000 per 30 s per unit),
# and the truth (lines written) would no longer be what the journal holds.
journal_unlimited() {
    mkdir -p "$CT_ROOT/etc/systemd/journald.conf.d" &&
        printf '[Journal]\nRateLimitIntervalSec=0\nRateLimitBurst=0\n' \
            >"$CT_ROOT/etc/systemd/journald.conf.d/nt-no-rate-limit.conf"
}

# flood_sshd COUNT RATE USER-PREFIX [TAG]: COUNT lines "Failed password for invalid user
# PREFIXi from 192.0.2.(i%250) port i ssh2" (i from 1), RATE a second (in batches every 10 ms),
# written as root into the container's journal by one `logger -t TAG` (default sshd-session)
# reading them from a pipe: entries with _UID=0, SYSLOG_IDENTIFIER=TAG. The writer blocks when
# journald falls behind (a datagram socket), so no line is lost on the way. Prints
# "written=N seconds=S" (the writer's time) on stderr; false when logger failed.
flood_sshd() {
    local count="$1" rate="$2" prefix="$3" tag="${4:-sshd-session}"
    python3 - "$count" "$rate" "$prefix" <<'PY' | ct logger -t "$tag"
import sys, time
count, rate, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out, per_tick, t0, i = sys.stdout, max(1, rate // 100), time.monotonic(), 0
while i < count:
    n = min(per_tick, count - i)
    out.write("".join("Failed password for invalid user %s%d from 192.0.2.%d port %d ssh2\n"
                      % (prefix, j, j % 250, j) for j in range(i + 1, i + n + 1)))
    out.flush()
    i += n
    delay = t0 + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
print("written=%d seconds=%.2f" % (i, time.monotonic() - t0), file=sys.stderr)
PY
    local rc=("${PIPESTATUS[@]}")
    [ "${rc[0]}" = 0 ] && [ "${rc[1]}" = 0 ]
}
