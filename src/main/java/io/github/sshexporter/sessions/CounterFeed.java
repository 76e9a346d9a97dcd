package io.github.sshexporter.sessions;

import java.util.Locale;

/**
 * What feeds the opened/closed counters and the duration histogram, served as
 * {@code ssh_exporter_session_events_source{source}}.
 */
public enum CounterFeed {
    /** wtmp's login and logout records: every session, with recorded times (a utmp host). */
    WTMP,
    /** Diffs of two utmp reads: the end is when a record was seen gone. */
    UTMP,
    /** Diffs of two reads of systemd-logind's sessions: logind's start time, the end when seen gone. */
    LOGIND,
    /** Nothing yet: no session source has been chosen. */
    NONE;

    /** The label value: {@code wtmp}, {@code utmp}, {@code logind}, {@code none}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
