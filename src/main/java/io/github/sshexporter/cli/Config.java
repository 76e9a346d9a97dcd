package io.github.sshexporter.cli;

import java.nio.file.Path;

/**
 * The exporter's settings after validation.
 *
 * @param host            address to listen on (as given; validated to resolve)
 * @param port            TCP port
 * @param intervalSeconds safety resync interval; changes are seen at once through inotify
 * @param file            the utmp database to read
 */
public record Config(String host, int port, long intervalSeconds, Path file) {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 9999;
    public static final long DEFAULT_INTERVAL = 15;
    public static final String DEFAULT_FILE = "/var/run/utmp";
    /** One day: longer resync intervals buy nothing and overflow poll()'s millisecond timeout soon. */
    public static final long MAX_INTERVAL = 86_400;
}
