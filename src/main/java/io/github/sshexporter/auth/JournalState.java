package io.github.sshexporter.auth;

import java.util.Locale;

/** Whether the systemd journal can be followed, served as {@code ssh_exporter_journal_state{state}}. */
public enum JournalState {
    /** Journal files are open and followed. */
    OK,
    /** sd-journal opened no file: the journal is empty, or unreadable to this user (no systemd-journal group). */
    NO_FILES,
    /** No journal here: libsystemd missing, or sd_journal_open failed (a container without systemd). */
    UNAVAILABLE,
    /** Reading failed (sd_journal_next said why); retried at the next change or resync. */
    ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
