package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.sessions.CounterMode;
import io.github.sshexporter.sessions.SourceMode;
import io.github.sshexporter.web.ListenAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * The exporter's settings after validation.
 *
 * @param listen          addresses to serve on (at least one)
 * @param intervalSeconds safety resync interval; changes are seen at once through inotify
 * @param file            the utmp database to read
 * @param source          where sessions come from: the utmp file, systemd-logind, or the first of them there is
 * @param wtmpFile        wtmp to follow for the session counters; null: count from utmp snapshots
 * @param btmpFile        btmp to follow for failed logins; null: not counted
 * @param perSession      also serve one series per live session
 * @param excludeStale    leave records whose process is gone out of the session counts
 * @param telemetryPath   where metrics are served
 * @param webConfigFile   the exporter-toolkit web config (TLS, basic auth), or null for none
 * @param logLevel        the lowest level logged
 * @param logFormat       logfmt or JSON lines
 * @param jvmMetrics      serve the jvm_* metrics (process_* metrics are always served)
 * @param eventsSource    what feeds the opened/closed counters and durations
 * @param journal         follow sshd's lines in the systemd journal (authentication outcomes)
 * @param journalDirectory read the journal files in this directory instead of the system journal; null: the system's
 */
public record Config(List<ListenAddress> listen, long intervalSeconds, Path file, SourceMode source,
                     Path wtmpFile, Path btmpFile,
                     boolean perSession, boolean excludeStale, String telemetryPath, Path webConfigFile,
                     Log.Level logLevel, Log.Format logFormat, boolean jvmMetrics,
                     CounterMode eventsSource, boolean journal, Path journalDirectory) {
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

    public Config {
        listen = List.copyOf(listen);
    }
}
