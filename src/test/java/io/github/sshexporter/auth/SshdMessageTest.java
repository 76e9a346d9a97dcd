package io.github.sshexporter.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SshdMessageTest {
    private static final String ED25519 = "ED25519 SHA256:p9rsXbTG0QbLJtJjB9Yq7uXQn8P2u0mQ+2rF0dYk3xE";
    private static final String RSA = "RSA SHA256:1hY8kPj3HfM6YtQk0sJYyN6cVbGz3m5Zl9bq3l2xK8w";

    /** kind, method, invalidUser, user, address, port; "-" for null / no port. */
    private static void assertEvent(String line, AuthKind kind, AuthMethod method, boolean invalid, String user,
            String address, int port) {
        AuthEvent event = SshdMessage.parse(line);
        assertEquals(new AuthEvent(kind, method, invalid, user, address, port), event, line);
    }

    private static AuthKind kind(String line) {
        return SshdMessage.parse(line).kind();
    }

    // Real lines, as journald's MESSAGE holds them, release by release.

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        // 7.4 (Debian 9, RHEL 7): no user in the connection's log id yet.
        "Accepted password for alice from 192.0.2.10 port 52144 ssh2|ACCEPTED|PASSWORD|false|alice|192.0.2.10|52144",
        "Accepted publickey for alice from 192.0.2.10 port 52144 ssh2: " + RSA + "|ACCEPTED|PUBLICKEY|false|alice|192.0.2.10|52144",
        "Failed password for root from 203.0.113.5 port 40022 ssh2|FAILED|PASSWORD|false|root|203.0.113.5|40022",
        "Failed password for invalid user admin from 203.0.113.5 port 40022 ssh2|FAILED|PASSWORD|true|admin|203.0.113.5|40022",
        "Invalid user admin from 203.0.113.5 port 40022|INVALID_USER|-|true|admin|203.0.113.5|40022",
        "Connection closed by 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|false|-|203.0.113.5|40022",
        "Disconnected from 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|false|-|203.0.113.5|40022",
        "error: maximum authentication attempts exceeded for root from 203.0.113.5 port 40022 ssh2 [preauth]|TOO_MANY_FAILURES|-|false|root|203.0.113.5|40022",
        "fatal: Timeout before authentication for 203.0.113.9 port 33333|TIMEOUT|-|false|-|203.0.113.9|33333",
        "Did not receive identification string from 203.0.113.9 port 33333|NEGOTIATION_FAILED|-|false|-|203.0.113.9|33333",
        "Bad protocol version identification 'GET / HTTP/1.1' from 203.0.113.9 port 33333|NEGOTIATION_FAILED|-|false|-|203.0.113.9|33333",
        "Unable to negotiate with 203.0.113.9 port 33333: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1 [preauth]|NEGOTIATION_FAILED|-|false|-|203.0.113.9|33333",
        "User bob from 192.0.2.10 not allowed because not listed in AllowUsers|NOT_ALLOWED|-|false|bob|192.0.2.10|-1",
        "ROOT LOGIN REFUSED FROM 203.0.113.5 port 40022|ROOT_REFUSED|-|false|-|203.0.113.5|40022",
        // 8.4 (Debian 11): "authenticating user" / "invalid user" in the log id.
        "Connection closed by authenticating user root 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|false|root|203.0.113.5|40022",
        "Connection closed by invalid user admin 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|true|admin|203.0.113.5|40022",
        "Disconnected from invalid user admin 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|true|admin|203.0.113.5|40022",
        "Disconnected from authenticating user root 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|false|root|203.0.113.5|40022",
        "error: maximum authentication attempts exceeded for invalid user admin from 203.0.113.5 port 40022 ssh2 [preauth]|TOO_MANY_FAILURES|-|true|admin|203.0.113.5|40022",
        "Failed none for invalid user admin from 203.0.113.5 port 40022 ssh2|FAILED|NONE|true|admin|203.0.113.5|40022",
        "Accepted keyboard-interactive/pam for alice from 2001:db8::5 port 50000 ssh2|ACCEPTED|KEYBOARD_INTERACTIVE|false|alice|2001:db8::5|50000",
        "Failed keyboard-interactive/pam for invalid user oracle from 203.0.113.5 port 40022 ssh2|FAILED|KEYBOARD_INTERACTIVE|true|oracle|203.0.113.5|40022",
        "banner exchange: Connection from 203.0.113.9 port 33333: invalid format|NEGOTIATION_FAILED|-|false|-|203.0.113.9|33333",
        "Connection closed by 203.0.113.9 port 33333|CLOSED_PREAUTH|-|false|-|203.0.113.9|33333",
        // 9.2 (Debian 12) and 9.6 (Ubuntu 24.04).
        "Accepted publickey for alice from 192.0.2.10 port 52144 ssh2: " + ED25519 + "|ACCEPTED|PUBLICKEY|false|alice|192.0.2.10|52144",
        "Partial publickey for alice from 192.0.2.10 port 52144 ssh2: " + ED25519 + "|PARTIAL|PUBLICKEY|false|alice|192.0.2.10|52144",
        "Failed publickey for root from 203.0.113.5 port 40022 ssh2: " + RSA + "|FAILED|PUBLICKEY|false|root|203.0.113.5|40022",
        "Failed publickey for invalid user git from ::1 port 40022 ssh2: " + RSA + "|FAILED|PUBLICKEY|true|git|::1|40022",
        "Accepted publickey for alice from 192.0.2.10 port 52144 ssh2: ED25519-CERT SHA256:k1 ID alice@corp (serial 12) CA ED25519 SHA256:ca1|ACCEPTED|PUBLICKEY|false|alice|192.0.2.10|52144",
        "Accepted gssapi-with-mic for alice from 192.0.2.10 port 52144 ssh2: alice@EXAMPLE.COM|ACCEPTED|GSSAPI_WITH_MIC|false|alice|192.0.2.10|52144",
        "Accepted hostbased for alice from 192.0.2.10 port 52144 ssh2: " + ED25519 + ", client user \"alice\", client host \"ws1.example.org\"|ACCEPTED|HOSTBASED|false|alice|192.0.2.10|52144",
        "Connection reset by 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|false|-|203.0.113.5|40022",
        "Connection reset by authenticating user root 203.0.113.5 port 40022 [preauth]|CLOSED_PREAUTH|-|false|root|203.0.113.5|40022",
        "Connection closed by invalid user admin fe80::1%eth0 port 40022 [preauth]|CLOSED_PREAUTH|-|true|admin|fe80::1%eth0|40022",
        "User bob not allowed because account is locked|NOT_ALLOWED|-|false|bob|-|-1",
        "User bob not allowed because shell /bin/nosuchshell does not exist|NOT_ALLOWED|-|false|bob|-|-1",
        "User bob not allowed because /etc/nologin exists|NOT_ALLOWED|-|false|bob|-|-1",
        "User bob from client.example.org not allowed because a group is listed in DenyGroups|NOT_ALLOWED|-|false|bob|client.example.org|-1",
        "User bob from 2001:db8::7 not allowed because none of user's groups are listed in AllowGroups|NOT_ALLOWED|-|false|bob|2001:db8::7|-1",
        "fatal: Timeout before authentication for 2001:db8::9 port 33333|TIMEOUT|-|false|-|2001:db8::9|33333",
        // 10.0 (sshd-session, sshd-auth, the listener sshd).
        "Timeout before authentication for connection from 203.0.113.9 to 192.0.2.1, pid = 4242|TIMEOUT|-|false|-|203.0.113.9|-1",
        "Failed publickey-hostbound-v00@openssh.com for invalid user git from 203.0.113.5 port 40022 ssh2: " + ED25519 + "|FAILED|PUBLICKEY|true|git|203.0.113.5|40022",
        "Failed password for invalid user admin from 203.0.113.5 port 40022 ssh2|FAILED|PASSWORD|true|admin|203.0.113.5|40022",
        "Accepted publickey for alice from 2001:db8:0:1::20 port 52144 ssh2: " + ED25519 + "|ACCEPTED|PUBLICKEY|false|alice|2001:db8:0:1::20|52144",
        "Failed gssapi-keyex for invalid user x from 203.0.113.5 port 40022 ssh2|FAILED|OTHER|true|x|203.0.113.5|40022",
        "Failed password for invalid user  from 203.0.113.5 port 40022 ssh2|FAILED|PASSWORD|true|''|203.0.113.5|40022",
    })
    void realLines(String line, AuthKind kind, AuthMethod method, boolean invalid, String user, String address, int port) {
        assertEvent(line, kind, method, invalid, user, address, port);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "Postponed publickey for alice from 192.0.2.10 port 52144 ssh2 [preauth]",
        "Postponed keyboard-interactive/pam for invalid user x from 203.0.113.5 port 40022 ssh2 [preauth]",
        "Received disconnect from 203.0.113.5 port 40022:11: Bye Bye [preauth]",
        "Received disconnect from 192.0.2.10 port 52144:11: disconnected by user",
        "Disconnected from user alice 192.0.2.10 port 52144",
        "Disconnected from 192.0.2.10 port 52144",
        "Disconnecting: Too many authentication failures [preauth]",
        "Disconnecting authenticating user root 203.0.113.5 port 40022: Too many authentication failures [preauth]",
        "Disconnecting invalid user admin 203.0.113.5 port 40022: Too many authentication failures [preauth]",
        "error: PAM: Authentication failure for illegal user admin from 203.0.113.5",
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.5  user=root",
        "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
        "pam_unix(sshd:session): session closed for user alice",
        "pam_systemd(sshd:session): Failed to create session: Connection timed out",
        "Server listening on 0.0.0.0 port 22.",
        "Server listening on :: port 22.",
        "Received signal 15; terminating.",
        "input_userauth_request: invalid user admin [preauth]",
        "error: kex_exchange_identification: Connection closed by remote host",
        "error: kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.1\"",
        "Accepted key ED25519 SHA256:abc found at /home/alice/.ssh/authorized_keys:3",
        "Connection from 192.0.2.10 port 52144 on 192.0.2.1 port 22 rdomain \"\"",
        "drop connection #0 from [203.0.113.5]:40022 on [192.0.2.1]:22 penalty: failed authentication",
        "User child is on pid 1234",
        "Starting session: shell on pts/0 for alice from 192.0.2.10 port 52144 id 0",
        "debug1: PAM: password authentication accepted for alice",
    })
    void notOutcomes(String line) {
        assertEquals(AuthEvent.IGNORED, SshdMessage.parse(line), line);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {
        "",
        " ",
        "hello world",
        "Accepted",
        "Accepted password for alice",
        "Accepted password for alice from 192.0.2.10",
        "Accepted password for alice from 192.0.2.10 port",
        "Accepted password for alice from 192.0.2.10 port 52144",
        "Accepted password for alice from 192.0.2.10 port 52144 ssh1",
        "Accepted password for alice from 192.0.2.10 port 52144 ssh2 and more",
        "Accepted password for alice from 192.0.2.10 port 65536 ssh2",
        "Accepted password for alice from 192.0.2.10 port 052144 ssh2",
        "Accepted password for alice from 999.1.1.1 port 22 ssh2",
        "Accepted password for alice from 1.2.3 port 22 ssh2",
        "Accepted password for alice from 1::2::3 port 22 ssh2",
        "Accepted password for alice from evil!host port 22 ssh2",
        "Accepted password for alice from -host port 22 ssh2",
        "Accepted password for alice from  port 22 ssh2",
        "Accepted password for from 1.2.3.4 port 22 ssh2",
        "Accepted  for alice from 1.2.3.4 port 22 ssh2",
        "Invalid user",
        "Invalid user x from 1.2.3.4",
        "Invalid user x 1.2.3.4 port 5",
        "Invalid user from 1.2.3.4 port 5",
        "Connection closed by 1.2.3.4",
        "Connection closed by somebody 1.2.3.4 port 5 [preauth]",
        "Connection closed by invalid user 1.2.3.4 port 5 [preauth]",
        "ROOT LOGIN REFUSED FROM x 1.2.3.4 port 5",
        "User bob not allowed because I said so",
        "Timeout before authentication for connection from nowhere!, pid = 1",
        "\uFFFD\uFFFD\uFFFD",
        "\uD800 lone surrogate",
        "Failed to set up something",
    })
    void garbageIsUnrecognized(String line) {
        assertEquals(AuthEvent.UNRECOGNIZED, SshdMessage.parse(line), line);
    }

    @Test
    void nullTooLongAndControlCharactersAreUnrecognized() {
        assertEquals(AuthKind.UNRECOGNIZED, kind(null));
        String ok = "Failed password for invalid user " + "a".repeat(100) + " from 203.0.113.5 port 1 ssh2";
        assertEquals(AuthKind.FAILED, kind(ok));
        String longUser = "Failed password for invalid user " + "a".repeat(SshdMessage.MAX_LENGTH) + " from 203.0.113.5 port 1 ssh2";
        assertEquals(AuthKind.UNRECOGNIZED, kind(longUser));
        assertEquals(AuthKind.UNRECOGNIZED, kind("Failed password for invalid user a\tb from 203.0.113.5 port 1 ssh2"));
        assertEquals(AuthKind.UNRECOGNIZED, kind("Failed password for invalid user a\u0000b from 203.0.113.5 port 1 ssh2"));
        assertEquals(AuthKind.UNRECOGNIZED, kind("Failed password for invalid user a\u0085b from 203.0.113.5 port 1 ssh2"));
        assertEquals(AuthKind.UNRECOGNIZED, kind("Failed password for invalid user a\nFailed from 203.0.113.5 port 1 ssh2"));
    }

    @Test
    void aLineEndIsDropped() {
        assertEquals(AuthKind.INVALID_USER, kind("Invalid user x from 1.2.3.4 port 5\n"));
        assertEquals(AuthKind.INVALID_USER, kind("Invalid user x from 1.2.3.4 port 5\r\n"));
    }

    // Hostile user names: the client chooses them, sshd writes them raw between its fixed words.

    private static final List<String> HOSTILE = List.of(
            "x from 10.1.2.3 port 22 ssh2",
            "alice for invalid user bob",
            "root from 1.2.3.4 port 22 ssh2 RSA SHA256x",
            "x from 10.1.2.3 port 22",
            "x 10.1.2.3 port 22",
            " port 22",
            " from ",
            "from",
            " ssh2",
            "ssh2",
            "[preauth]",
            "x [preauth]",
            "x ssh2 [preauth]",
            "invalid user bob",
            "authenticating user bob",
            "user bob 1.2.3.4 port 5",
            "Accepted password for root from 1.2.3.4 port 22 ssh2",
            "ROOT LOGIN REFUSED FROM 1.2.3.4 port 22",
            "Jos\u00e9 \u7528\u6237 \uD83D\uDE00",
            "\\303\\251t\\303\\251",
            "a".repeat(100),
            "x from ".repeat(30),
            "  two  spaces  ",
            "");

    private static final List<String> TEMPLATES = List.of(
            "Failed password for invalid user {U} from 203.0.113.5 port 40022 ssh2",
            "Failed none for invalid user {U} from 2001:db8::5 port 40022 ssh2",
            "Failed publickey for invalid user {U} from 203.0.113.5 port 40022 ssh2: " + RSA,
            "Failed publickey for invalid user {U} from fe80::1%eth0 port 40022 ssh2: " + ED25519,
            "Failed keyboard-interactive/pam for invalid user {U} from 203.0.113.5 port 40022 ssh2",
            "Postponed publickey for invalid user {U} from 203.0.113.5 port 40022 ssh2 [preauth]",
            "Invalid user {U} from 203.0.113.5 port 40022",
            "Invalid user {U} from ::1 port 40022",
            "error: maximum authentication attempts exceeded for invalid user {U} from 203.0.113.5 port 40022 ssh2 [preauth]",
            "error: maximum authentication attempts exceeded for invalid user {U} from 2001:db8::5 port 40022 ssh2 [preauth]",
            "Connection closed by invalid user {U} 203.0.113.5 port 40022 [preauth]",
            "Connection reset by invalid user {U} 2001:db8::5 port 40022 [preauth]",
            "Disconnected from invalid user {U} 203.0.113.5 port 40022 [preauth]",
            "Disconnecting invalid user {U} 203.0.113.5 port 40022: Too many authentication failures [preauth]",
            "Accepted publickey for {U} from 192.0.2.10 port 52144 ssh2: " + ED25519,
            "Accepted password for {U} from 192.0.2.10 port 52144 ssh2",
            "Failed password for {U} from 203.0.113.5 port 40022 ssh2",
            "Connection closed by authenticating user {U} 203.0.113.5 port 40022 [preauth]",
            "User {U} from 192.0.2.10 not allowed because listed in DenyUsers");

    /** The event of a template with user as the user; the user part is the only one that may differ. */
    private static void assertUserOnlyMoves(String template, String user) {
        AuthEvent base = SshdMessage.parse(template.replace("{U}", "alice"));
        AuthEvent event = SshdMessage.parse(template.replace("{U}", user));
        String line = template.replace("{U}", user);
        assertEquals(base.kind(), event.kind(), line);
        assertEquals(base.method(), event.method(), line);
        assertEquals(base.invalidUser(), event.invalidUser(), line);
        assertEquals(base.address(), event.address(), line);
        assertEquals(base.port(), event.port(), line);
        if (base.user() != null) {
            assertEquals(user, event.user(), line);
        }
    }

    @Test
    void hostileNamesMoveNothing() {
        for (String template : TEMPLATES) {
            assertTrue(SshdMessage.parse(template.replace("{U}", "alice")).kind() != AuthKind.UNRECOGNIZED, template);
            for (String user : HOSTILE) {
                if (isValidUserTemplate(template) && user.startsWith("invalid user ")) {
                    continue; // sshd writes "invalid user" for any name that is not an account
                }
                assertUserOnlyMoves(template, user);
            }
        }
    }

    @Test
    void aFakeSuffixInTheUserDoesNotMoveTheAddress() {
        assertEvent("Failed password for invalid user x from 10.1.2.3 port 22 ssh2 from 203.0.113.5 port 40022 ssh2",
                AuthKind.FAILED, AuthMethod.PASSWORD, true, "x from 10.1.2.3 port 22 ssh2", "203.0.113.5", 40022);
        assertEvent("Failed password for alice for invalid user bob from 203.0.113.5 port 40022 ssh2",
                AuthKind.FAILED, AuthMethod.PASSWORD, false, "alice for invalid user bob", "203.0.113.5", 40022);
        assertEvent("Invalid user x from 10.1.2.3 port 22 from 203.0.113.5 port 40022",
                AuthKind.INVALID_USER, null, true, "x from 10.1.2.3 port 22", "203.0.113.5", 40022);
    }

    @Test
    void detailsAfterTheSuffixCannotMoveItEither() {
        // A certificate's key ID is the client's text too; it comes after sshd's suffix and the ':'.
        assertEvent("Failed publickey for invalid user x from 203.0.113.5 port 40022 ssh2: ED25519-CERT SHA256:k"
                        + " ID y from 10.1.2.3 port 22 ssh2 (serial 1) CA ED25519 SHA256:c",
                AuthKind.FAILED, AuthMethod.PUBLICKEY, true, "x", "203.0.113.5", 40022);
        assertEvent("Failed publickey for invalid user x from 10.9.9.9 port 1 ssh2 from 2001:db8::5 port 40022 ssh2: ED25519-CERT"
                        + " SHA256:k ID y from 10.1.2.3 port 22 ssh2: RSA SHA256:z (serial 1) CA ED25519 SHA256:c",
                AuthKind.FAILED, AuthMethod.PUBLICKEY, true, "x from 10.9.9.9 port 1 ssh2", "2001:db8::5", 40022);
    }

    @Test
    void aClientsMethodNameIsOtherAndCannotMoveTheAddress() {
        // sshd logs a method it does not know as the client sent it.
        assertEvent("Failed x:y for invalid user z from 203.0.113.5 port 40022 ssh2",
                AuthKind.FAILED, AuthMethod.OTHER, true, "z", "203.0.113.5", 40022);
        AuthEvent event = SshdMessage.parse(
                "Failed a for b:c from 10.1.2.3 port 1 ssh2 for invalid user z from 203.0.113.5 port 40022 ssh2");
        assertEquals(AuthKind.FAILED, event.kind());
        assertEquals(AuthMethod.OTHER, event.method());
        assertEquals("203.0.113.5", event.address());
        assertEquals(40022, event.port());
    }

    @Test
    void aUserWithAColonFallsBackToTheSuffixAtTheEnd() {
        // sshd cuts "user:style" at the ':', so this is not its text; it still parses where unambiguous.
        assertEvent("Failed password for invalid user a:b from 203.0.113.5 port 40022 ssh2",
                AuthKind.FAILED, AuthMethod.PASSWORD, true, "a:b", "203.0.113.5", 40022);
    }

    @Test
    void aHundredCharacterUserEscapedBySshdStillParses() {
        // %.100s then strnvis(): up to four characters a byte.
        String escaped = "\\303\\251".repeat(50);
        assertEvent("Invalid user " + escaped + " from 203.0.113.5 port 40022",
                AuthKind.INVALID_USER, null, true, escaped, "203.0.113.5", 40022);
    }

    @Test
    void methods() {
        assertEquals(AuthMethod.KEYBOARD_INTERACTIVE, AuthMethod.ofLogged("keyboard-interactive/bsdauth"));
        assertEquals(AuthMethod.KEYBOARD_INTERACTIVE, AuthMethod.ofLogged("keyboard-interactive"));
        assertEquals(AuthMethod.OTHER, AuthMethod.ofLogged("password/x"));
        assertEquals(AuthMethod.OTHER, AuthMethod.ofLogged("Password"));
        assertEquals(AuthMethod.OTHER, AuthMethod.ofLogged(""));
        assertEquals("gssapi-with-mic", AuthMethod.GSSAPI_WITH_MIC.label());
        assertEquals("other", AuthMethod.OTHER.label());
    }

    @Test
    void identifiersAndOutcomes() {
        assertTrue(SshdMessage.isSshdIdentifier("sshd"));
        assertTrue(SshdMessage.isSshdIdentifier("sshd-session"));
        assertTrue(SshdMessage.isSshdIdentifier("sshd-auth"));
        assertFalse(SshdMessage.isSshdIdentifier("sshd-keygen"));
        assertFalse(SshdMessage.isSshdIdentifier(null));
        assertTrue(SshdMessage.parse("Invalid user x from 1.2.3.4 port 5").isOutcome());
        assertFalse(AuthEvent.IGNORED.isOutcome());
        assertFalse(AuthEvent.UNRECOGNIZED.isOutcome());
    }

    // Fuzzing with fixed seeds: a failure reproduces, and a failing case found is kept above.

    private static final String ALPHABET = " abcxyz019.:-_/%[]@\"'\\\u00e9\u7528";
    private static final String[] WORDS = {
        " from ", " port ", " ssh2", " [preauth]", " for ", "invalid user ", " 10.1.2.3", "::1", " port 22 ssh2",
        " from 10.1.2.3 port 22 ssh2", "authenticating user ", "ssh2 ", " by ", "\uD83D\uDE00"
    };

    private static boolean isValidUserTemplate(String template) {
        return !template.contains("nvalid user {U}");
    }

    private static String mutateName(Random random, String name) {
        StringBuilder b = new StringBuilder(name);
        int edits = 1 + random.nextInt(6);
        for (int i = 0; i < edits; i++) {
            int at = b.length() == 0 ? 0 : random.nextInt(b.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> b.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> {
                    if (at < b.length()) {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (at < b.length()) {
                        b.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    }
                }
                default -> b.insert(at, WORDS[random.nextInt(WORDS.length)]);
            }
        }
        // sshd cuts user names at the first ':' ("user:style"); cut the same way.
        int colon = b.indexOf(":");
        return colon < 0 ? b.toString() : b.substring(0, colon);
    }

    @Test
    void fuzzTheUserPositionMovesNothingElse() {
        fuzzUserPosition(20250611L);
    }

    static void fuzzUserPosition(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 4000; i++) {
            String template = TEMPLATES.get(random.nextInt(TEMPLATES.size()));
            String start = random.nextBoolean() ? "alice" : HOSTILE.get(random.nextInt(HOSTILE.size()));
            String user = mutateName(random, start);
            if (isValidUserTemplate(template) && user.startsWith("invalid user ")) {
                continue;
            }
            assertUserOnlyMoves(template, user);
        }
    }

    @Test
    void fuzzAnyMutationNeverThrowsAndOnlyYieldsValidEndpoints() {
        fuzzAnyMutation(7_4_10_0L);
    }

    static void fuzzAnyMutation(long seed) {
        Random random = new Random(seed);
        String[] lines = TEMPLATES.stream().map(t -> t.replace("{U}", "alice")).toArray(String[]::new);
        for (int i = 0; i < 5000; i++) {
            StringBuilder b = new StringBuilder(lines[random.nextInt(lines.length)]);
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits; e++) {
                int at = random.nextInt(b.length() + 1);
                int op = random.nextInt(4);
                char c = (char) random.nextInt(random.nextBoolean() ? 0x80 : 0x10000);
                if (op == 0) {
                    b.insert(at, c);
                } else if (op == 1 && at < b.length()) {
                    b.deleteCharAt(at);
                } else if (op == 2 && at < b.length()) {
                    b.setCharAt(at, c);
                } else {
                    b.insert(at, WORDS[random.nextInt(WORDS.length)]);
                }
            }
            String line = b.toString();
            AuthEvent event = SshdMessage.parse(line);
            assertNotNull(event, line);
            if (event.address() != null) {
                assertTrue(AddressSyntax.isAddress(event.address()), line);
                assertFalse(event.address().contains(" "), line);
            }
            if (!event.isOutcome()) {
                assertNull(event.address(), line);
                assertEquals(AuthEvent.NO_PORT, event.port(), line);
            }
        }
    }
}
