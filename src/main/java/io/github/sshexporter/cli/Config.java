package io.github.sshexporter.cli;

import io.github.sshexporter.sessions.SourceMode;
import java.nio.file.Path;

/**
 * The exporter's settings after validation.
 *
 * @param host            address to listen on (as given; validated to resolve)
 * @param port            TCP port
 * @param intervalSeconds safety resync interval; changes are seen at once through inotify
 * @param file            the utmp database to read
 * @param source          where sessions come from: the utmp file, systemd-logind, or the first of them there is
 */
public record Config(String host, int port, long intervalSeconds, Path file, SourceMode source) {
    public static final SourceMode DEFAULT_SOURCE = SourceMode.AUTO;

    public Config(String host, int port, long intervalSeconds, Path file) {
        this(host, port, intervalSeconds, file, DEFAULT_SOURCE);
    }

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 9999;
    public static final long DEFAULT_INTERVAL = 15;
    public static final String DEFAULT_FILE = "/var/run/utmp";
    /** One day: longer resync intervals buy nothing and overflow poll()'s millisecond timeout soon. */
    public static final long MAX_INTERVAL = 86_400;
}
