package io.github.sshexporter.auth;

import java.util.List;
import java.util.Set;

/**
 * Reads OpenSSH sshd's log messages (the {@code MESSAGE} of a journal entry whose
 * {@code SYSLOG_IDENTIFIER} is one of {@link #SYSLOG_IDENTIFIERS}) as authentication outcomes.
 * Written against OpenSSH 7.4 to 10.0.
 *
 * <h2>The user name is the client's</h2>
 * sshd writes the user name the client sent, unquoted, between fixed words, so it can hold spaces and
 * sshd's own words ({@code x from 10.1.2.3 port 22 ssh2}). The kind and method are therefore read from
 * the fixed start of a message and the address and port from sshd's fixed suffix, never by searching
 * through the user name:
 * <ul>
 *   <li>Where the endpoint ends the message ({@code Invalid user U from A port P},
 *       {@code Connection closed by invalid user U A port P}), it is read backwards from the end; an
 *       address holds no space, so the user cannot reach it.</li>
 *   <li>{@code auth_log()}'s {@code ... for U from A port P ssh2} can be followed by {@code ": "} and
 *       details that hold client text too (a certificate's key ID, the hostbased client user). But
 *       sshd cuts the user name at its first ':' (the {@code user:style} syntax) before it logs it, so
 *       the real {@code " from "} is the last one before the first ':' after the user's start (which is
 *       either in an IPv6 address or the one after {@code ssh2}); without a ':' the suffix ends the
 *       message.</li>
 * </ul>
 * The method of a {@code Failed} message is the name the client sent (sshd logs an unknown one as
 * given), so a hostile client can make a failure's method (and its {@code invalid user} flag, by a method
 * name holding {@code " for "}) say what it likes; the kind, address and port stay sshd's.
 *
 * <p>sshd escapes unprintable and non-ASCII bytes ({@code \303\251}) and limits a message to 1023
 * bytes. A message with control characters, longer than {@link #MAX_LENGTH}, or of a known form that does
 * not parse strictly is {@link AuthKind#UNRECOGNIZED}; nothing here throws.
 *
 * <h2>One event, one outcome</h2>
 * When MaxAuthTries is reached sshd logs {@code maximum authentication attempts exceeded for ...} and
 * then {@code Disconnecting ...: Too many authentication failures}; the first is
 * {@link AuthKind#TOO_MANY_FAILURES} (it is logged at level error, so also under {@code LogLevel ERROR},
 * and names the user and the invalid-user flag in every release) and the second is
 * {@link AuthKind#IGNORED}. The same goes for {@code Received disconnect from ...} (the next line,
 * {@code Disconnected from ...}, is the outcome), {@code Postponed} (a key offered without a
 * signature), {@code PAM: Authentication failure ...} and the PAM modules' own lines (the {@code Failed}
 * line is the outcome).
 */
public final class SshdMessage {
    /** The journal's {@code SYSLOG_IDENTIFIER} of sshd (all releases), sshd-session (9.8+) and sshd-auth (10.0+). */
    public static final Set<String> SYSLOG_IDENTIFIERS = Set.of("sshd", "sshd-session", "sshd-auth");

    /** Longer messages are {@link AuthKind#UNRECOGNIZED}: sshd's own are at most 1023 bytes. */
    public static final int MAX_LENGTH = 2048;

    private static final String PREAUTH = " [preauth]";
    private static final String POSTAUTH = " [postauth]";
    private static final String INVALID_USER = "invalid user ";
    private static final String AUTHENTICATING_USER = "authenticating user ";
    private static final String USER = "user ";
    private static final String FROM = " from ";
    private static final String PORT = " port ";
    private static final String SSH2 = " ssh2";
    private static final String NOT_ALLOWED = " not allowed because ";
    private static final int MAX_PORT_DIGITS = 5;

    /** allowed_user()'s reasons that follow "User U from HOST". */
    private static final List<String> NOT_ALLOWED_FROM_HOST = List.of(
            "listed in DenyUsers",
            "not listed in AllowUsers",
            "not in any group",
            "a group is listed in DenyGroups",
            "none of user's groups are listed in AllowGroups");

    /** Messages known to say nothing (new) about an authentication; after any "error: " or "fatal: ". */
    private static final List<String> IGNORED_PREFIXES = List.of(
            "Received disconnect from ",
            "Disconnecting ",
            "Disconnecting: ",
            "Accepted key ",
            "Accepted certificate ID ",
            "PAM: ",
            "PAM ",
            "input_userauth_request: invalid user ",
            "Server listening on ",
            "Received signal ",
            "Received SIGHUP",
            "Exiting on signal ",
            "Connection from ",
            "Starting session: ",
            "Close session: ",
            "User child is on pid ",
            "Changed root directory to ",
            "Transferred: ",
            "Set /proc/self/oom_score_adj ",
            "Authentication refused: ",
            "Root login accepted for forced command",
            "Nasty PTR record ",
            "reverse mapping checking getaddrinfo ",
            "Address ",
            "subsystem request for ",
            "drop connection #",
            "beginning MaxStartups throttling",
            "exited MaxStartups throttling",
            "kex_exchange_identification: ",
            "Protocol major versions differ",
            "ssh_dispatch_run_fatal: ",
            "Connection timed out during banner exchange",
            "Read error from remote host ",
            "Timeout, client not responding",
            "Session process ",
            "srclimit_penalise: ",
            "debug1: ",
            "debug2: ",
            "debug3: ");

    private SshdMessage() {}

    /** True when a journal entry's {@code SYSLOG_IDENTIFIER} is sshd's. */
    public static boolean isSshdIdentifier(String syslogIdentifier) {
        return syslogIdentifier != null && SYSLOG_IDENTIFIERS.contains(syslogIdentifier);
    }

    /** The outcome a message tells; never null, never throws. */
    public static AuthEvent parse(String message) {
        if (message == null) {
            return AuthEvent.UNRECOGNIZED;
        }
        String s = withoutLineEnd(message);
        if (s.length() > MAX_LENGTH || hasControlCharacter(s)) {
            return AuthEvent.UNRECOGNIZED;
        }
        try {
            AuthEvent event = classify(s);
            return event != null ? event : AuthEvent.UNRECOGNIZED;
        } catch (RuntimeException e) {
            // A parser bug must cost one line, not the feed.
            return AuthEvent.UNRECOGNIZED;
        }
    }

    /** The event, or null when a known form does not parse. */
    private static AuthEvent classify(String message) {
        String s = withoutLevel(message);
        boolean preauth = s.endsWith(PREAUTH);
        boolean postauth = s.endsWith(POSTAUTH);
        if (preauth) {
            s = s.substring(0, s.length() - PREAUTH.length());
        } else if (postauth) {
            s = s.substring(0, s.length() - POSTAUTH.length());
        }

        if (s.startsWith("Accepted ")) {
            AuthEvent event = authLog(s, "Accepted ".length(), AuthKind.ACCEPTED);
            // Verbose-level lines from the key checks: "Accepted key ED25519 SHA256:... found at ...",
            // "Accepted certificate ID ...", hostbased's "Accepted RSA public key SHA256:... from u@h".
            return event != null || !looksLikeKeyCheck(s) ? event : AuthEvent.IGNORED;
        }
        if (s.startsWith("Failed ")) {
            return authLog(s, "Failed ".length(), AuthKind.FAILED);
        }
        if (s.startsWith("Partial ")) {
            return authLog(s, "Partial ".length(), AuthKind.PARTIAL);
        }
        if (s.startsWith("Postponed ")) {
            return authLog(s, "Postponed ".length(), AuthKind.PARTIAL) != null ? AuthEvent.IGNORED : null;
        }
        if (s.startsWith("Invalid user ")) {
            return invalidUser(s);
        }
        if (s.startsWith("User ") && s.contains(NOT_ALLOWED)) {
            return notAllowed(s);
        }
        if (s.startsWith("ROOT LOGIN REFUSED FROM ")) {
            return addressOnly(s, "ROOT LOGIN REFUSED FROM ".length(), AuthKind.ROOT_REFUSED);
        }
        if (s.startsWith("maximum authentication attempts exceeded for ")) {
            return maxTries(s);
        }
        if (s.startsWith("Connection closed by ")) {
            return closed(s, "Connection closed by ".length(), true, postauth);
        }
        if (s.startsWith("Connection reset by ")) {
            return closed(s, "Connection reset by ".length(), true, postauth);
        }
        if (s.startsWith("Disconnected from ")) {
            return closed(s, "Disconnected from ".length(), preauth, postauth);
        }
        if (s.startsWith("Timeout before authentication for ")) {
            return timeout(s);
        }
        if (s.startsWith("banner exchange: Connection from ")) {
            return negotiation(s, "banner exchange: Connection from ".length());
        }
        if (s.startsWith("Unable to negotiate with ")) {
            return negotiation(s, "Unable to negotiate with ".length());
        }
        if (s.startsWith("Did not receive identification string from ")) {
            return addressOnly(s, "Did not receive identification string from ".length(),
                    AuthKind.NEGOTIATION_FAILED);
        }
        if (s.startsWith("Bad protocol version identification ")) {
            return badVersion(s);
        }
        for (String prefix : IGNORED_PREFIXES) {
            if (s.startsWith(prefix)) {
                return AuthEvent.IGNORED;
            }
        }
        if (s.startsWith("User ") || isPamModuleLine(s)) {
            return AuthEvent.IGNORED;
        }
        return AuthEvent.UNRECOGNIZED;
    }

    /**
     * auth_log(): "{Accepted|Failed|Partial|Postponed} METHOD[/SUBMETHOD] for [invalid user ]USER
     * from ADDRESS port N ssh2[: DETAILS]".
     */
    private static AuthEvent authLog(String s, int methodStart, AuthKind kind) {
        int methodEnd = s.indexOf(" for ", methodStart);
        if (methodEnd <= methodStart) {
            return null;
        }
        AuthMethod method = AuthMethod.ofLogged(s.substring(methodStart, methodEnd));
        int userStart = methodEnd + " for ".length();
        Endpoint endpoint = sshSuffix(s, userStart);
        if (endpoint == null) {
            return null;
        }
        return userEvent(kind, method, s.substring(userStart, endpoint.start()), endpoint);
    }

    /** auth_maxtries_exceeded(): "maximum authentication attempts exceeded for [invalid user ]USER from A port P ssh2". */
    private static AuthEvent maxTries(String s) {
        int userStart = "maximum authentication attempts exceeded for ".length();
        Endpoint endpoint = sshSuffix(s, userStart);
        if (endpoint == null || endpoint.detailsStart() >= 0) {
            return null;
        }
        return userEvent(AuthKind.TOO_MANY_FAILURES, null, s.substring(userStart, endpoint.start()), endpoint);
    }

    private static AuthEvent userEvent(AuthKind kind, AuthMethod method, String userPart, Endpoint endpoint) {
        boolean invalid = userPart.startsWith(INVALID_USER);
        String user = invalid ? userPart.substring(INVALID_USER.length()) : userPart;
        return new AuthEvent(kind, method, invalid, user, endpoint.address(), endpoint.port());
    }

    /**
     * The " from ADDRESS port N ssh2" after the user that starts at userStart, followed by the end of
     * the message or by ": " and details. Since sshd cuts user names at ':', its " from " is the last one
     * before the first ':' from userStart on; when that fails (a ':' sshd could not have written, e.g. in
     * a client's method name) only a suffix that ends the message is taken.
     */
    private static Endpoint sshSuffix(String s, int userStart) {
        int colon = s.indexOf(':', userStart);
        if (colon >= 0) {
            Endpoint endpoint = sshSuffixFrom(s, userStart, s.lastIndexOf(FROM, colon), false);
            if (endpoint != null) {
                return endpoint;
            }
        }
        return sshSuffixFrom(s, userStart, s.lastIndexOf(FROM), true);
    }

    private static Endpoint sshSuffixFrom(String s, int userStart, int from, boolean atEnd) {
        if (from < userStart) {
            return null;
        }
        int addressStart = from + FROM.length();
        int addressEnd = s.indexOf(' ', addressStart);
        if (addressEnd < 0 || !s.startsWith(PORT, addressEnd)) {
            return null;
        }
        String address = s.substring(addressStart, addressEnd);
        int portStart = addressEnd + PORT.length();
        int portEnd = digitsFrom(s, portStart);
        int port = port(s, portStart, portEnd);
        if (port < 0 || !AddressSyntax.isAddress(address) || !s.startsWith(SSH2, portEnd)) {
            return null;
        }
        int end = portEnd + SSH2.length();
        if (end == s.length()) {
            return new Endpoint(address, port, from, -1);
        }
        if (!atEnd && s.startsWith(": ", end)) {
            return new Endpoint(address, port, from, end + 2);
        }
        return null;
    }

    /** getpwnamallow(): "Invalid user USER from ADDRESS port N". */
    private static AuthEvent invalidUser(String s) {
        int userStart = "Invalid user ".length();
        Endpoint endpoint = endpointEndingAt(s, userStart, s.length());
        if (endpoint == null) {
            return null;
        }
        int from = endpoint.start() - FROM.length();
        if (from < userStart || !s.startsWith(FROM, from)) {
            return null;
        }
        return new AuthEvent(AuthKind.INVALID_USER, null, true, s.substring(userStart, from),
                endpoint.address(), endpoint.port());
    }

    /**
     * allowed_user(): "User USER from HOST not allowed because REASON" (HOST is a name under UseDNS,
     * and there is no port) for the AllowUsers/DenyUsers/AllowGroups/DenyGroups reasons, else
     * "User USER not allowed because account is locked", "... because shell S does not exist",
     * "... is not executable", and do_nologin()'s "... because /etc/nologin exists".
     */
    private static AuthEvent notAllowed(String s) {
        int userStart = "User ".length();
        for (String reason : NOT_ALLOWED_FROM_HOST) {
            if (!s.endsWith(NOT_ALLOWED + reason)) {
                continue;
            }
            int hostEnd = s.length() - (NOT_ALLOWED + reason).length();
            int hostStart = s.lastIndexOf(' ', hostEnd - 1) + 1;
            int from = hostStart - FROM.length();
            if (hostStart == 0 || from < userStart || !s.startsWith(FROM, from)) {
                return null;
            }
            String host = s.substring(hostStart, hostEnd);
            if (!AddressSyntax.isAddress(host)) {
                return null;
            }
            return new AuthEvent(AuthKind.NOT_ALLOWED, null, false, s.substring(userStart, from), host,
                    AuthEvent.NO_PORT);
        }
        int because = s.indexOf(NOT_ALLOWED, userStart);
        if (because < userStart) {
            return null;
        }
        String reason = s.substring(because + NOT_ALLOWED.length());
        boolean known = reason.equals("account is locked")
                || reason.startsWith("shell ") && (reason.endsWith(" does not exist") || reason.endsWith(" is not executable"))
                || reason.startsWith("/") && reason.endsWith(" exists");
        return known
                ? new AuthEvent(AuthKind.NOT_ALLOWED, null, false, s.substring(userStart, because), null, AuthEvent.NO_PORT)
                : null;
    }

    /** "PREFIX ADDRESS port N" with nothing between prefix and address. */
    private static AuthEvent addressOnly(String s, int addressStart, AuthKind kind) {
        Endpoint endpoint = endpointEndingAt(s, addressStart, s.length());
        if (endpoint == null || endpoint.start() != addressStart) {
            return null;
        }
        return new AuthEvent(kind, null, false, null, endpoint.address(), endpoint.port());
    }

    /**
     * sshpkt_fatal()'s "Connection closed by ID", "Connection reset by ID", "Disconnected from ID",
     * ID being "[PREAMBLE ]ADDRESS port N" and the preamble (7.5+) "authenticating user USER" or
     * "invalid user USER" before authentication, "user USER" after it. Without a preamble (7.4, or
     * before the client named a user) a disconnect is before authentication only with "[preauth]",
     * closed and reset unless "[postauth]".
     */
    private static AuthEvent closed(String s, int idStart, boolean preauthWithoutPreamble, boolean postauth) {
        Endpoint endpoint = endpointEndingAt(s, idStart, s.length());
        if (endpoint == null) {
            return null;
        }
        if (endpoint.start() == idStart) {
            return preauthWithoutPreamble && !postauth
                    ? new AuthEvent(AuthKind.CLOSED_PREAUTH, null, false, null, endpoint.address(), endpoint.port())
                    : AuthEvent.IGNORED;
        }
        // The preamble and the space that separates it from the address.
        String preamble = s.substring(idStart, endpoint.start() - 1);
        boolean invalid = preamble.startsWith(INVALID_USER);
        if (invalid || preamble.startsWith(AUTHENTICATING_USER)) {
            String user = preamble.substring(invalid ? INVALID_USER.length() : AUTHENTICATING_USER.length());
            return new AuthEvent(AuthKind.CLOSED_PREAUTH, null, invalid, user, endpoint.address(), endpoint.port());
        }
        return preamble.startsWith(USER) ? AuthEvent.IGNORED : null;
    }

    /**
     * Up to 9.7 (grace_alarm_handler, logged as fatal): "Timeout before authentication for ADDRESS port N";
     * 9.8+ (the listener): "Timeout before authentication for connection from ADDRESS to LOCAL, pid = N".
     */
    private static AuthEvent timeout(String s) {
        int start = "Timeout before authentication for ".length();
        String listener = "connection from ";
        if (!s.startsWith(listener, start)) {
            return addressOnly(s, start, AuthKind.TIMEOUT);
        }
        int addressStart = start + listener.length();
        int addressEnd = addressStart;
        while (addressEnd < s.length() && s.charAt(addressEnd) != ' ' && s.charAt(addressEnd) != ',') {
            addressEnd++;
        }
        String address = s.substring(addressStart, addressEnd);
        if (!AddressSyntax.isAddress(address) || !(s.startsWith(" to ", addressEnd) || s.startsWith(", pid = ", addressEnd))) {
            return null;
        }
        return new AuthEvent(AuthKind.TIMEOUT, null, false, null, address, AuthEvent.NO_PORT);
    }

    /**
     * "banner exchange: Connection from ID: ERROR" (8.0+) and "Unable to negotiate with ID: ERROR. Their
     * offer: ..." (ID with the address and port; in 7.4 "ADDRESS port N" too). The ID ends at the first
     * " port N: ", which no user name can fake since sshd cuts user names at ':'.
     */
    private static AuthEvent negotiation(String s, int idStart) {
        for (int at = s.indexOf(PORT, idStart); at >= 0; at = s.indexOf(PORT, at + 1)) {
            int portEnd = digitsFrom(s, at + PORT.length());
            if (portEnd == at + PORT.length() || !s.startsWith(": ", portEnd)) {
                continue;
            }
            Endpoint endpoint = endpointEndingAt(s, idStart, portEnd);
            if (endpoint == null) {
                return null;
            }
            return new AuthEvent(AuthKind.NEGOTIATION_FAILED, null, false, null, endpoint.address(), endpoint.port());
        }
        return null;
    }

    /** Up to 7.9: "Bad protocol version identification 'CLIENT TEXT' from ADDRESS port N". */
    private static AuthEvent badVersion(String s) {
        int textStart = "Bad protocol version identification ".length();
        Endpoint endpoint = endpointEndingAt(s, textStart, s.length());
        if (endpoint == null) {
            return null;
        }
        int from = endpoint.start() - FROM.length();
        if (from < textStart || !s.startsWith(FROM, from)) {
            return null;
        }
        return new AuthEvent(AuthKind.NEGOTIATION_FAILED, null, false, null, endpoint.address(), endpoint.port());
    }

    /**
     * "ADDRESS port N" ending at end, the address being the word before " port " and starting no
     * earlier than lower; null unless both are valid. Endpoint.start is where the address starts.
     */
    private static Endpoint endpointEndingAt(String s, int lower, int end) {
        int portStart = end;
        while (portStart > lower && end - portStart < MAX_PORT_DIGITS + 1 && AddressSyntax.isDigit(s.charAt(portStart - 1))) {
            portStart--;
        }
        int port = port(s, portStart, end);
        int keyword = portStart - PORT.length();
        if (port < 0 || keyword < lower || !s.startsWith(PORT, keyword)) {
            return null;
        }
        int addressStart = keyword;
        while (addressStart > lower && s.charAt(addressStart - 1) != ' ') {
            addressStart--;
        }
        String address = s.substring(addressStart, keyword);
        return AddressSyntax.isAddress(address) ? new Endpoint(address, port, addressStart, -1) : null;
    }

    private static int digitsFrom(String s, int start) {
        int end = start;
        while (end < s.length() && end - start <= MAX_PORT_DIGITS && AddressSyntax.isDigit(s.charAt(end))) {
            end++;
        }
        return end;
    }

    /** The port written as s[start, end): 0 to 65535 in at most five digits, no leading zero; else -1. */
    private static int port(String s, int start, int end) {
        int length = end - start;
        if (length < 1 || length > MAX_PORT_DIGITS || length > 1 && s.charAt(start) == '0') {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!AddressSyntax.isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= 65535 ? value : -1;
    }

    private static boolean looksLikeKeyCheck(String s) {
        return s.startsWith("Accepted key ") || s.startsWith("Accepted certificate ID ") || s.contains(" public key ");
    }

    /** A PAM module's own line, e.g. "pam_unix(sshd:auth): authentication failure; ...". */
    private static boolean isPamModuleLine(String s) {
        if (!s.startsWith("pam_")) {
            return false;
        }
        for (int i = 4; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == ':') {
                return i > 4;
            }
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return false;
    }

    /** do_log() puts "error: " and "fatal: " before messages of those levels when not on stderr. */
    private static String withoutLevel(String s) {
        if (s.startsWith("error: ")) {
            return s.substring("error: ".length());
        }
        if (s.startsWith("fatal: ")) {
            return s.substring("fatal: ".length());
        }
        return s;
    }

    /** sshd -e writes "\r\n"; a journal reader may keep part of it. */
    private static String withoutLineEnd(String s) {
        int end = s.length();
        if (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
        }
        if (end > 0 && s.charAt(end - 1) == '\r') {
            end--;
        }
        return s.substring(0, end);
    }

    /** C0 and C1 controls and DEL: sshd's log escapes them, so a message with one is not sshd's own. */
    private static boolean hasControlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                return true;
            }
        }
        return false;
    }

    /**
     * A parsed " from ADDRESS port N": start is where the suffix (or the address) starts, detailsStart
     * where the details after "ssh2: " start, or -1.
     */
    private record Endpoint(String address, int port, int start, int detailsStart) {}
}
