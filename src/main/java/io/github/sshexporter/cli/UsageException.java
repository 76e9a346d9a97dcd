package io.github.sshexporter.cli;

/** Bad command-line input: one line for stderr, exit status 2. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
