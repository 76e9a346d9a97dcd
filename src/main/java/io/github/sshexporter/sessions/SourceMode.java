package io.github.sshexporter.sessions;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which session source the user asked for ({@code --source}). */
public enum SourceMode {
    /** The utmp file when it exists, else systemd-logind when it runs, else wait for either. */
    AUTO,
    /** The utmp file, even while it is missing. */
    UTMP,
    /** systemd-logind through libsystemd, waiting for logind while it does not run. */
    LOGIND;

    /** The flag's spelling: {@code auto}, {@code utmp}, {@code logind}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every spelling, for help and error texts: {@code auto, utmp, logind}. */
    public static String labels() {
        return Arrays.stream(values()).map(SourceMode::label).collect(Collectors.joining(", "));
    }

    /** The mode a flag value names, or null. */
    public static SourceMode parse(String text) {
        for (SourceMode m : values()) {
            if (m.label().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }
}
