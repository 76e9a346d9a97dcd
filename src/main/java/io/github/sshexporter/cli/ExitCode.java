package io.github.sshexporter.cli;

/** The exit statuses this program documents. */
public final class ExitCode {
    /** Normal end, including a stop by SIGTERM or SIGINT. */
    public static final int OK = 0;
    /** A runtime failure: the port cannot be bound, the C library cannot read utmpx... */
    public static final int FAILURE = 1;
    /** Bad usage: an unknown flag, a bad value, a --file that cannot ever be a utmp file. */
    public static final int USAGE = 2;

    private ExitCode() {}
}
