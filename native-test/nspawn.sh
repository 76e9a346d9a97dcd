# A real systemd (with systemd-logind, journald and sshd) in a container, for native-test suites.
# Source it after lib.sh: . "$NATIVE_TEST_DIR/nspawn.sh"
# shellcheck shell=bash
#
# The root is the cached Debian minbase of native-test/rootfs.sh (shared with the packaging
# suites). Each run boots a throwaway overlay of it with systemd-nspawn; the cache is never written.
#
# Pitfalls handled here: nspawn mounts a tmpfs over the container's /tmp (files go to /root or
# /var/tmp); killing systemd-nspawn alone leaves the container's init running (it is powered off
# through its init, SIGRTMIN+4, then killed by PID if it does not stop); the container shares
# the host's network (every port it listens on is a free loopback port picked here).

. "$NATIVE_TEST_DIR/rootfs.sh"
CT_DIR="" CT_ROOT="" CT_PID="" CT_INIT="" CT_RELEASE=""

# ct_need: installs what booting a root takes (systemd-nspawn, debootstrap, nsenter) when missing;
# fails as need does.
ct_need() {
    need systemd-nspawn systemd-container && need debootstrap debootstrap && need nsenter util-linux
}

# ct_prepare RELEASE: a throwaway overlay of the cached root at $CT_ROOT (not booted yet), so
# that the suite can configure it (files, users, units) before ct_boot.
ct_prepare() {
    CT_RELEASE="$1"
    CT_DIR=$(mktemp -d /var/tmp/nt-ct.XXXXXX) || return 1
    on_exit ct_release
    rootfs_overlay "$1" "$CT_DIR" || return 1
    CT_ROOT="$CT_DIR/root"
}

# ct_chroot CMD...: run CMD in the prepared (not yet booted) root.
ct_chroot() {
    chroot "$CT_ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}

# ct_sshd_prepare USER KEY: before ct_boot, a login USER (home directory, KEY.pub authorized) and
# sshd as ssh.service (not socket-activated) on 127.0.0.1 and ::1 at a free port of the shared
# network, keys only, no DNS. Sets CT_SSH_PORT and CT_SSH, the client command up to its options:
#   "${CT_SSH[@]}" -tt USER@ADDR COMMAND
# (KEY only, the container's own host key pinned for both addresses, no user ssh config).
CT_SSH_PORT="" CT_SSH=()
ct_sshd_prepare() {
    local user="$1" key="$2"
    CT_SSH_PORT=$(free_port)
    ct_chroot useradd -m -s /bin/sh "$user" || return 1
    install -d -m 700 "$CT_ROOT/home/$user/.ssh"
    install -m 600 "$key.pub" "$CT_ROOT/home/$user/.ssh/authorized_keys"
    ct_chroot chown -R "$user:" "/home/$user/.ssh" || return 1
    printf 'Port %s\nListenAddress 127.0.0.1\nListenAddress ::1\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUseDNS no\nMaxStartups 100\nPrintMotd no\n' \
        "$CT_SSH_PORT" >"$CT_ROOT/etc/ssh/sshd_config.d/nt-sshd.conf"
    ln -sf /dev/null "$CT_ROOT/etc/systemd/system/ssh.socket"
    ln -sf /usr/lib/systemd/system/ssh.service "$CT_ROOT/etc/systemd/system/multi-user.target.wants/ssh.service"
    echo "[127.0.0.1]:$CT_SSH_PORT,[::1]:$CT_SSH_PORT $(cut -d' ' -f1,2 "$CT_ROOT/etc/ssh/ssh_host_ed25519_key.pub")" \
        >"$CT_DIR/known_hosts" || return 1
    # shellcheck disable=SC2034 # for the suites
    CT_SSH=(ssh -F /dev/null -i "$key" -o IdentitiesOnly=yes -o BatchMode=yes
        -o UserKnownHostsFile="$CT_DIR/known_hosts" -o StrictHostKeyChecking=yes -o ConnectTimeout=10
        -o LogLevel=ERROR -p "$CT_SSH_PORT")
}

# ct_boot [NSPAWN-OPTION...]: boots $CT_ROOT; sets CT_PID (systemd-nspawn) and CT_INIT (the
# container's PID 1, as the host sees it). Waits until systemd reports the boot finished.
ct_boot() {
    systemd-nspawn -D "$CT_ROOT" -b --register=no --keep-unit -M "nt-$CT_RELEASE-$$" \
        --console=passive "$@" >"$CT_DIR/nspawn.log" 2>&1 &
    CT_PID=$!
    on_exit ct_stop
    local i p
    # nspawn's children come and go while it sets up: the init is the child that runs systemd.
    for i in $(seq 200); do
        for p in $(ps -o pid= --ppid "$CT_PID" 2>/dev/null); do
            [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ] && { CT_INIT=$p; break 2; }
        done
        kill -0 "$CT_PID" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$CT_INIT" ]; then
        echo "container did not start: $(tail -5 "$CT_DIR/nspawn.log" | tr '\n' ' ')" >&2
        return 1
    fi
    # "running" or "degraded": the boot is over either way (a degraded unit is the suite's to judge).
    if ! wait_for 60 ct_booted; then
        echo "container did not finish booting: $(ct systemctl is-system-running 2>&1);" \
            "jobs: $(ct systemctl list-jobs --no-legend 2>&1 | head -5 | tr '\n' ' ')" >&2
        return 1
    fi
}

ct_booted() {
    case "$(ct systemctl is-system-running 2>/dev/null)" in running | degraded) return 0 ;; esac
    return 1
}

# ct CMD...: run CMD inside the booted container (its mount, PID, UTS and IPC namespaces; the
# network is the host's anyway), as root, in a clean environment.
ct() {
    nsenter -t "$CT_INIT" -m -p -u -i -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"
}

# ct_stop: power the container off through its init, then make sure nothing of it is left.
ct_stop() {
    local i
    if [ -n "$CT_INIT" ] && kill -0 "$CT_INIT" 2>/dev/null; then
        kill -RTMIN+4 "$CT_INIT" 2>/dev/null
        for i in $(seq 150); do kill -0 "$CT_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$CT_INIT" 2>/dev/null && kill -KILL "$CT_INIT" 2>/dev/null
    fi
    [ -n "$CT_PID" ] && kill_pid "$CT_PID"
    [ -n "$CT_PID" ] && wait "$CT_PID" 2>/dev/null
    CT_PID="" CT_INIT=""
}

# ct_release: unmount and delete the overlay (after ct_stop).
ct_release() {
    [ -n "$CT_DIR" ] || return 0
    rootfs_release "$CT_DIR" || true
    CT_DIR="" CT_ROOT=""
}
