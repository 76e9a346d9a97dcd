# %post: written out because not every rpm has the %systemd_post macros.
# $1 = 1 on a first installation, 2 or more on an upgrade.
if [ "$1" -eq 1 ]; then
    # Enable on first installation only: later the administrator's choice stands.
    # Works offline too (in a chroot or an image build).
    systemctl --no-reload enable ssh-exporter.service >/dev/null 2>&1 || :
    # Start only where systemd runs (not in a chroot or under another init).
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null 2>&1 || :
        systemctl start ssh-exporter.service >/dev/null 2>&1 || :
    fi
fi
exit 0
