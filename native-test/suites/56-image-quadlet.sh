#!/usr/bin/env bash
# The image under a real systemd, as Podman Quadlet runs it: a booted Debian 13 root
# (native-test/nspawn.sh) with Debian 13's podman (5.4: Quadlet needs 4.4 or later; this
# machine's is 4.3) installed into its throwaway overlay, the image (packaging/image/build.sh, on
# this machine) loaded inside, and the shipped packaging/image/ssh-exporter.container with the
# edit its comment documents for a host without utmp (the /run/utmp volume deleted) and a
# drop-in giving it the journal's group; the unit starts at boot. Debian 13 has no utmp: sessions come from logind
# through the /run/systemd mount, sshd's journal lines through /var/log. A real ssh session must
# be counted, by logind and by the journal, not stale (the unit runs in the container's host pid
# namespace); stop must be clean. Then the DaemonSet's Pod spec (the same edit) under
# `podman kube play`, where this podman applies hostPID.
#
# What booting podman here takes (each found by its failure without it): this kind of machine
# has hybrid cgroups, so the container gets a pure cgroup2 (SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1)
# under a cgroup of this run's, which the cleanup removes; nspawn's seccomp filter must let crun
# make keyrings (@keyring) and its device filter (bpf); the root is an overlay, so podman's
# storage is vfs; no pids controller reaches the container, so no pids limit. Podman inside is
# only ever driven through systemd units or plain commands that need none of that.
. "$NATIVE_TEST_DIR/lib.sh"
. "$NATIVE_TEST_DIR/nspawn.sh"

ct_need || finish
need buildah buildah --no-install-recommends || finish
need unzip unzip || finish
need ssh openssh-client || finish
need curl curl || finish
jar=$(exporter_jar) || { fail "exporter jar" "could not be built"; finish; }

tmp=$(mktemp -d /var/tmp/nt-quadlet.XXXXXX)
on_exit rm -rf --one-file-system "$tmp"
version=$(unzip -p "$jar" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *\([^[:space:]]*\).*/\1/p')
IMAGE=localhost/ssh-exporter:$version
"$REPO_DIR/packaging/image/build.sh" "$jar" "$tmp/image.tar" >/dev/null 2>"$tmp/build.log" \
    || { fail image-builds "$(tail -5 "$tmp/build.log" | tr '\n' ' ')"; finish; }

# --- the root: Debian 13's podman (catatonit: kube play's pause image), the image, the unit ---
ct_prepare trixie || { fail container-root "cannot make a trixie root"; finish; }
t0=$(now_ms)
if ct_chroot apt-get -q update >"$tmp/apt.log" 2>&1 \
    && ct_chroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        podman catatonit >>"$tmp/apt.log" 2>&1; then
    pass "podman-installs-in-root: $(($(now_ms) - t0)) ms"
else
    fail podman-installs-in-root "$(tail -3 "$tmp/apt.log" | tr '\n' ' ')"
    finish
fi
printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
    >"$CT_ROOT/etc/containers/storage.conf"
printf '[containers]\npids_limit = 0\n' >"$CT_ROOT/etc/containers/containers.conf"
# The image goes in before boot (podman in the not yet booted root, with /proc, /dev and /sys of
# a private mount namespace), so that the unit can start at boot as it would on a host.
cp "$tmp/image.tar" "$CT_ROOT/root/image.tar"
# shellcheck disable=SC2016 # $1 is the inner sh's
if unshare -m --propagation private sh -c 'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" \
        && mount -t sysfs sysfs "$1/sys" && mount -t tmpfs tmpfs "$1/run" \
        && chroot "$1" env -i PATH=/usr/sbin:/usr/bin podman load -q -i /root/image.tar' sh "$CT_ROOT" \
        >"$tmp/load.log" 2>&1 && grep -q "$IMAGE" "$tmp/load.log"; then
    pass image-loads-into-root
else
    fail image-loads-into-root "$(tail -3 "$tmp/load.log" | tr '\n' ' ')"
fi
ssh-keygen -q -t ed25519 -N '' -C ssh-exporter-test -f "$tmp/id" || { fail ssh-key "ssh-keygen failed"; finish; }
ct_sshd_prepare tester "$tmp/id" || { fail sshd-prepare "cannot set up sshd in the root"; finish; }
PORT=$(free_port)
while [ "$PORT" = "$CT_SSH_PORT" ]; do PORT=$(free_port); done
journal_gid=$(ct_chroot getent group systemd-journal | cut -d: -f3)
unit_dir=$CT_ROOT/etc/containers/systemd
mkdir -p "$unit_dir/ssh-exporter.container.d"
# The shipped unit, with its documented edit for a host without utmp; the port is this run's.
sed -e '/^Volume=\/run\/utmp:/d' -e "s|^Exec=--web.listen-address=:9999\$|Exec=--web.listen-address=127.0.0.1:$PORT|" \
    "$REPO_DIR/packaging/image/ssh-exporter.container" >"$unit_dir/ssh-exporter.container"
edits_applied() {
    ! grep -q '^Volume=/run/utmp' "$unit_dir/ssh-exporter.container" \
        && grep -qx "Exec=--web.listen-address=127.0.0.1:$PORT" "$unit_dir/ssh-exporter.container"
}
check unit-edits-applied edits_applied
# The journal's group, as its comment says, in a drop-in (Quadlet appends PodmanArgs=).
printf '[Container]\nPodmanArgs=--group-add=%s\n' "$journal_gid" >"$unit_dir/ssh-exporter.container.d/journal.conf"

# --- boot, in a cgroup of this run's -------------------------------------------------------
CG_V2=/sys/fs/cgroup/unified UNIFIED=1
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && CG_V2=/sys/fs/cgroup UNIFIED=0
CG_NAME=nt-quadlet-$$
cg_cleanup() {
    echo $$ >"$CG_V2/cgroup.procs"
    local h
    for h in "$CG_V2" /sys/fs/cgroup/systemd; do
        [ -d "$h/$CG_NAME" ] && find "$h/$CG_NAME" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    return 0
}
if ! { mkdir "$CG_V2/$CG_NAME" && echo $$ >"$CG_V2/$CG_NAME/cgroup.procs"; }; then
    fail cgroup "cannot make $CG_V2/$CG_NAME"
    finish
fi
on_exit cg_cleanup
[ "$UNIFIED" = 1 ] && export SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
ct_boot --system-call-filter='@keyring bpf' || { fail container-boots "no booted systemd"; finish; }
unset SYSTEMD_NSPAWN_UNIFIED_HIERARCHY
pass "container-boots: systemd $(ct systemctl --version | head -n 1 | awk '{print $2}'), $(ct podman --version)"

# --- the Quadlet unit: generated, started at boot -------------------------------------------
generated() {
    ct systemctl cat ssh-exporter.service >"$tmp/unit.txt" 2>&1 || return 1
    grep -q '^ExecStart=/usr/bin/podman run ' "$tmp/unit.txt" && grep -q -- '--read-only' "$tmp/unit.txt" \
        && grep -q -- "--pid=host --group-add=43" "$tmp/unit.txt" && grep -q -- "--group-add=$journal_gid" "$tmp/unit.txt"
}
check quadlet-generates-the-service generated
check quadlet-links-wantedby ct test -L /run/systemd/generator/multi-user.target.wants/ssh-exporter.service
metrics() { curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics"; }
serving() { metrics | grep -q '^ssh_exporter_source_up 1'; }
if wait_for 60 serving; then
    pass "service-started-at-boot-serves-metrics"
else
    fail service-started-at-boot-serves-metrics "$(ct systemctl is-active ssh-exporter.service):" \
        "$(ct journalctl -u ssh-exporter.service --no-pager -o cat | tail -5 | tr '\n' ' ')"
    finish
fi
check service-started-once [ "$(ct systemctl show -p NRestarts --value ssh-exporter.service)" = 0 ]
value() { metrics | awk -v m="$1" '$1 == m { print $2 + 0 }'; }
check source-is-logind [ "$(value 'ssh_exporter_source_info{source="logind"}')" = 1 ]
check journal-state-ok [ "$(value 'ssh_exporter_journal_state{state="ok"}')" = 1 ]
CPID=$(ct podman inspect -f '{{.State.Pid}}' ssh-exporter)
check container-process-uid-65532 [ "$(ct sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$CPID/status")" = 65532 ]
check container-root-read-only [ "$(ct podman inspect -f '{{.HostConfig.ReadonlyRootfs}}' ssh-exporter)" = true ]

# --- a real ssh session: logind, the journal, not stale ---------------------------------------
ssh_session_counted metrics "$tmp/ssh.log" "${CT_SSH[@]}" -tt tester@127.0.0.1 'sleep 120'
one_session() { page_has_one_session metrics; }
accepted() { [ "$(value 'ssh_auth_accepted_total{method="publickey"}')" = 1 ]; }
check journal-counts-the-publickey-login wait_for 10 accepted
check session-not-stale-in-host-pid-namespace [ "$(value ssh_stale_sessions)" = 0 ]
kill_pid "$SSH_PID"
no_session() { page_has_no_session metrics; }
check ssh-session-gone-after-logout wait_for 30 no_session

# --- stop -----------------------------------------------------------------------------------
t0=$(now_ms)
ct systemctl stop ssh-exporter.service
took=$(($(now_ms) - t0))
st=$(ct systemctl show ssh-exporter.service -p ActiveState -p Result -p ExecMainStatus | sort | paste -sd' ')
if [ "$st" = "ActiveState=inactive ExecMainStatus=0 Result=success" ]; then
    pass "service-stops-cleanly: $took ms ($st)"
else
    fail service-stops-cleanly "$st after $took ms"
fi
stop_logged() { ct journalctl -u ssh-exporter.service --no-pager -o cat | grep -q 'msg=stopping signal=SIGTERM'; }
check stop-logged-by-exporter stop_logged
no_container() { local ids; ids=$(ct podman ps -aq) && [ -z "$ids" ]; }
check no-container-left no_container

# --- the DaemonSet's Pod spec, on a host without utmp, where hostPID applies --------------------
# Without its resources: no cgroup controller reaches this container's cgroup2 (they are all
# the machine's v1 hierarchies), so crun cannot set a memory limit here.
PORT2=$(free_port)
while [ "$PORT2" = "$CT_SSH_PORT" ] || [ "$PORT2" = "$PORT" ]; do PORT2=$(free_port); done
python3 "$NATIVE_TEST_DIR/pod_from_daemonset.py" "$REPO_DIR/packaging/image/daemonset.yaml" "nt-ds-$$" \
    --drop-volume utmp --drop-key resources --listen "127.0.0.1:$PORT2" --groups "43,$journal_gid" \
    >"$CT_ROOT/root/pod.yaml" 2>"$tmp/pod.err" || fail pod-spec-extracted "$(cat "$tmp/pod.err")"
if ct podman kube play /root/pod.yaml >"$tmp/kube.log" 2>&1; then
    pass kube-play-runs-the-pod-spec
else
    fail kube-play-runs-the-pod-spec "$(tail -5 "$tmp/kube.log" | tr '\n' ' ')"
fi
PORT=$PORT2
check kube-pod-serves-metrics wait_for 60 serving
"${CT_SSH[@]}" -tt tester@127.0.0.1 'sleep 120' </dev/null >"$tmp/ssh2.log" 2>&1 &
SSH_PID=$!
on_exit kill_pid "$SSH_PID"
check kube-pod-counts-the-session wait_for 30 one_session
check kube-pod-session-not-stale-hostpid [ "$(value ssh_stale_sessions)" = 0 ]
kill_pid "$SSH_PID"
check kube-pod-session-gone wait_for 30 no_session
ct podman kube down /root/pod.yaml >/dev/null 2>&1
check kube-down-leaves-no-container no_container
finish
