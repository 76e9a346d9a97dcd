# %postun: $1 = 0 after an erase, 1 or more after an upgrade (the new files are in place).
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart ssh-exporter.service >/dev/null 2>&1 || :
    fi
fi
# After an erase: the unit's CacheDirectory= (the class-data sharing archive; a
# link to /var/cache/private/ssh-exporter under DynamicUser=yes).
if [ "$1" -eq 0 ]; then
    rm -rf /var/cache/ssh-exporter /var/cache/private/ssh-exporter
fi
exit 0
