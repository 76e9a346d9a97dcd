package io.github.sshexporter.auth;

import java.util.Objects;

/**
 * One sshd log message, read as an authentication outcome.
 *
 * <p>{@code kind}, {@code method}, {@code invalidUser}, {@code address} and {@code port} come only from
 * the fixed words of sshd's message. {@code user} is whatever stands between them: the client chose it,
 * it may contain spaces and sshd's own words, and it belongs in no metric label.
 *
 * @param kind what the message says; {@link AuthKind#IGNORED} or {@link AuthKind#UNRECOGNIZED} when it
 *     is not an outcome (then every other field is empty)
 * @param method for {@code ACCEPTED}, {@code FAILED} and {@code PARTIAL}; else null
 * @param invalidUser true when sshd wrote "invalid user" (no such account)
 * @param user the user name as logged (sshd escapes unprintable bytes), or null when the message has none
 * @param address the remote address as logged: an IP literal, or a host name in the messages that
 *     follow {@code UseDNS}; null when the message has none
 * @param port the remote port, or {@link #NO_PORT}
 */
public record AuthEvent(AuthKind kind, AuthMethod method, boolean invalidUser, String user, String address, int port) {
    public static final int NO_PORT = -1;

    static final AuthEvent IGNORED = new AuthEvent(AuthKind.IGNORED, null, false, null, null, NO_PORT);
    static final AuthEvent UNRECOGNIZED = new AuthEvent(AuthKind.UNRECOGNIZED, null, false, null, null, NO_PORT);

    public AuthEvent {
        Objects.requireNonNull(kind, "kind");
        if (port < NO_PORT || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
    }

    /** See {@link AuthKind#isOutcome()}. */
    public boolean isOutcome() {
        return kind.isOutcome();
    }
}
