package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.sessions.CounterMode;
import io.github.sshexporter.sessions.SourceMode;
import io.github.sshexporter.web.ListenAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The exporter's settings after validation, one group per concern: a new flag touches the parser
 * and one of these records.
 */
public record Config(Web web, Sources sources, LoginLogs logs, Logging logging, Collectors collectors) {
    public static final SourceMode DEFAULT_SOURCE = SourceMode.AUTO;
    public static final CounterMode DEFAULT_EVENTS_SOURCE = CounterMode.AUTO;
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 9999;
    public static final long DEFAULT_INTERVAL = 15;
    public static final String DEFAULT_FILE = "/var/run/utmp";
    public static final String DEFAULT_WTMP = "/var/log/wtmp";
    public static final String DEFAULT_BTMP = "/var/log/btmp";
    public static final String DEFAULT_TELEMETRY_PATH = "/metrics";
    /** One day: longer resync intervals buy nothing. */
    public static final long MAX_INTERVAL = 86_400;

    /**
     * Serving.
     *
     * @param listen        addresses to serve on (at least one)
     * @param telemetryPath where metrics are served
     * @param configFile    the exporter-toolkit web config (TLS, basic auth), or null for none
     */
    public record Web(List<ListenAddress> listen, String telemetryPath, Path configFile) {
        public Web {
            listen = List.copyOf(listen);
        }
    }

    /**
     * Where live sessions come from.
     *
     * @param source          the utmp file, systemd-logind, or the first of them there is
     * @param file            the utmp database to read
     * @param intervalSeconds safety resync interval; changes are seen at once through inotify
     * @param excludeStale    leave records whose process is gone out of the session counts
     */
    public record Sources(SourceMode source, Path file, long intervalSeconds, boolean excludeStale) {}

    /**
     * What happened: the login logs and the journal.
     *
     * @param wtmpFile         wtmp to follow for the session counters; null: not followed
     * @param btmpFile         btmp to follow for failed logins; null: not followed
     * @param eventsSource     what feeds the opened/closed counters and durations
     * @param journal          follow sshd's lines in the systemd journal (authentication outcomes)
     * @param journalDirectory the journal files in this directory instead of the system journal; null: the system's
     */
    public record LoginLogs(Path wtmpFile, Path btmpFile, CounterMode eventsSource, boolean journal,
                            Path journalDirectory) {}

    /**
     * @param level  the lowest level logged
     * @param format logfmt or JSON lines
     */
    public record Logging(Log.Level level, Log.Format format) {}

    /**
     * @param perSession also serve one series per live session
     * @param jvm        serve the jvm_* metrics (process_* metrics are always served)
     */
    public record Collectors(boolean perSession, boolean jvm) {}
}
