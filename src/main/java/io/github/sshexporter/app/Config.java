package io.github.sshexporter.app;

import java.nio.file.Path;

/**
 * The exporter's settings after validation.
 *
 * @param host            address to listen on (as given; validated to resolve)
 * @param port            TCP port
 * @param intervalSeconds safety resync interval; changes are seen at once through inotify
 * @param file            the utmp database to read
 * @param wtmpFile        wtmp to follow for the session counters; null: count from utmp snapshots
 * @param btmpFile        btmp to follow for failed logins; null: not counted
 * @param perSession      also serve one series per live session
 * @param excludeStale    leave records whose process is gone out of the session counts
 * @param jvmMetrics      serve the jvm_* metrics (process_* metrics are always served)
 */
public record Config(String host, int port, long intervalSeconds, Path file, Path wtmpFile, Path btmpFile,
                     boolean perSession, boolean excludeStale, boolean jvmMetrics) {
    /** Without the jvm_* choice: served, as by default. */
    public Config(String host, int port, long intervalSeconds, Path file, Path wtmpFile, Path btmpFile,
                  boolean perSession, boolean excludeStale) {
        this(host, port, intervalSeconds, file, wtmpFile, btmpFile, perSession, excludeStale, true);
    }

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 9999;
    public static final long DEFAULT_INTERVAL = 15;
    public static final String DEFAULT_FILE = "/var/run/utmp";
    public static final String DEFAULT_WTMP = "/var/log/wtmp";
    public static final String DEFAULT_BTMP = "/var/log/btmp";
    /** One day: longer resync intervals buy nothing. */
    public static final long MAX_INTERVAL = 86_400;
}
