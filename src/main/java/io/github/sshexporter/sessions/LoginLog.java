package io.github.sshexporter.sessions;

import java.util.Locale;

/** The two append-only login logs the exporter follows. */
public enum LoginLog {
    /** Logins and logouts. */
    WTMP,
    /** Failed logins. */
    BTMP;

    /** The {@code file} label and log spelling: {@code wtmp}, {@code btmp}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
