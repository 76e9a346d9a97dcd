package io.github.sshexporter.auth;

import java.util.Locale;

/** What feeds {@code ssh_failed_logins_total}, served as {@code ssh_exporter_failed_logins_source{source}}. */
public enum FailedLoginFeed {
    /** sshd's {@code Failed METHOD for ...} lines in the systemd journal: one per failed attempt. */
    JOURNAL,
    /** btmp's records, where the journal cannot be read. */
    BTMP,
    /** Neither can be read or is followed. */
    NONE;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
