# %preun: $1 = 0 when the package is being erased, 1 or more on an upgrade.
if [ "$1" -eq 0 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl stop ssh-exporter.service >/dev/null 2>&1 || :
    fi
    systemctl --no-reload disable ssh-exporter.service >/dev/null 2>&1 || :
fi
exit 0
