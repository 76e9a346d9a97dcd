package io.github.sshexporter.sessions;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the user asked to feed the session counters ({@code --sessions.events-source}). */
public enum CounterMode {
    /** wtmp where it is a complete record (a utmp host with a readable wtmp), else the session source's snapshots. */
    AUTO,
    /** wtmp, whatever the session source (nothing is counted while it cannot be read). */
    WTMP,
    /** The session source's snapshots (utmp or logind), never wtmp. */
    SNAPSHOTS;

    /** The flag's spelling. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every spelling, for help texts and errors: {@code auto, wtmp, snapshots}. */
    public static String labels() {
        return Arrays.stream(values()).map(CounterMode::label).collect(Collectors.joining(", "));
    }

    /** The mode a flag value names, or null. */
    public static CounterMode parse(String text) {
        for (CounterMode m : values()) {
            if (m.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }
}
