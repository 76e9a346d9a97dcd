package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.Logind;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which source {@code --source} leads to on this host. The decision is a pure function of a few
 * facts, so that every case is unit-tested; {@link #probe} gathers the facts.
 *
 * <p>systemd-logind counts as running when systemd is the init ({@code /run/systemd/system}
 * exists, as {@code sd_booted(3)} checks) and logind's state directories exist
 * ({@code /run/systemd/seats} or {@code /run/systemd/sessions}). Both are needed: a root that
 * once ran systemd can keep stale directories under a different init.
 */
public final class SourceSelection {
    static final Path SYSTEMD_SYSTEM = Path.of("/run/systemd/system");
    static final Path SEATS = Path.of("/run/systemd/seats");

    private SourceSelection() {}

    /** What can happen. */
    public enum Choice {
        /** Read the utmp file. */
        UTMP,
        /** Read systemd-logind. */
        LOGIND,
        /** Nothing to read yet: serve no sessions, watch for a source, decide again. */
        WAIT,
        /** Never possible here (libsystemd missing for {@code --source logind}): exit 1. */
        FAIL
    }

    /**
     * @param utmpExists      the {@code --file} exists
     * @param systemdBooted   systemd is PID 1
     * @param logindDirs      {@code /run/systemd/seats} or {@code /run/systemd/sessions} exists
     * @param libraryError    why libsystemd cannot be loaded, or null when it can
     */
    public record Facts(boolean utmpExists, boolean systemdBooted, boolean logindDirs, String libraryError) {
        boolean logindRunning() {
            return systemdBooted && logindDirs && libraryError == null;
        }

        /** Why logind cannot be read now; meaningful when {@link #logindRunning()} is false. */
        String whyNotLogind() {
            if (libraryError != null) {
                return libraryError;
            }
            if (!systemdBooted) {
                return "systemd-logind is not running: systemd is not the init here (no " + SYSTEMD_SYSTEM + ")";
            }
            return "systemd-logind is not running (no " + SEATS + " or " + Logind.SESSIONS_DIR + ")";
        }
    }

    /** The choice and why, in words for the log. */
    public record Decision(Choice choice, String reason) {}

    public static Decision decide(SourceMode mode, Path file, Facts f) {
        return switch (mode) {
            case UTMP -> new Decision(Choice.UTMP, "--source utmp");
            case LOGIND -> {
                if (f.libraryError() != null) {
                    yield new Decision(Choice.FAIL, "--source logind: " + f.libraryError());
                }
                yield f.logindRunning()
                        ? new Decision(Choice.LOGIND, "--source logind")
                        : new Decision(Choice.WAIT, f.whyNotLogind());
            }
            case AUTO -> {
                if (f.utmpExists()) {
                    yield new Decision(Choice.UTMP, file + " exists");
                }
                if (f.logindRunning()) {
                    yield new Decision(Choice.LOGIND, file + " is missing, and systemd-logind runs");
                }
                yield new Decision(Choice.WAIT, file + " is missing, and " + f.whyNotLogind());
            }
        };
    }

    /** The facts of this host now. libsystemd is only loaded when the decision may need it. */
    public static Facts probe(SourceMode mode, Path file) {
        boolean utmp = mode == SourceMode.AUTO && Files.exists(file);
        boolean booted = Files.isDirectory(SYSTEMD_SYSTEM);
        boolean dirs = Files.isDirectory(SEATS) || Files.isDirectory(Logind.SESSIONS_DIR);
        boolean needLibrary = mode == SourceMode.LOGIND || mode == SourceMode.AUTO && !utmp;
        return new Facts(utmp, booted, dirs, needLibrary ? Logind.libraryError() : null);
    }
}
