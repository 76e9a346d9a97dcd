# %postun: $1 = 0 after an erase, 1 or more after an upgrade (the new files are in place).
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart ssh-exporter.service >/dev/null 2>&1 || :
    fi
fi
exit 0
