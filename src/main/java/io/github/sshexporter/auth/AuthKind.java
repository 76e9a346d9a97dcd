package io.github.sshexporter.auth;

/** What an sshd log message says about an authentication attempt. */
public enum AuthKind {
    /** {@code Accepted METHOD for USER from ADDRESS port N ssh2}. */
    ACCEPTED,
    /** {@code Failed METHOD for [invalid user ]USER from ADDRESS port N ssh2}. */
    FAILED,
    /** {@code Partial METHOD for ...}: one method of several required ({@code AuthenticationMethods}) succeeded. */
    PARTIAL,
    /** {@code Invalid user USER from ADDRESS port N}: no such account. */
    INVALID_USER,
    /** {@code User USER [from HOST] not allowed because ...}: the account exists but may not log in. */
    NOT_ALLOWED,
    /** {@code ROOT LOGIN REFUSED FROM ADDRESS port N}: {@code PermitRootLogin} refused an authenticated root. */
    ROOT_REFUSED,
    /** {@code maximum authentication attempts exceeded for ...}: {@code MaxAuthTries} reached. */
    TOO_MANY_FAILURES,
    /** The client closed, reset or disconnected the connection before authenticating. */
    CLOSED_PREAUTH,
    /** {@code LoginGraceTime} passed before the client authenticated. */
    TIMEOUT,
    /** The client failed the banner exchange or key exchange: a scanner, or nothing in common. */
    NEGOTIATION_FAILED,
    /** A message known not to be an authentication outcome (sessions, PAM modules, a second line of one event). */
    IGNORED,
    /** A message not recognised: a release or patch this parser does not know, or not sshd's text at all. */
    UNRECOGNIZED;

    /** True for the kinds that are authentication outcomes, false for {@link #IGNORED} and {@link #UNRECOGNIZED}. */
    public boolean isOutcome() {
        return this != IGNORED && this != UNRECOGNIZED;
    }
}
