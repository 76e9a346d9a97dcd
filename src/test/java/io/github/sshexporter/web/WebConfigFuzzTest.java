package io.github.sshexporter.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The web config reader on mutated valid files, with a fixed seed (a failing seed becomes a test
 * of its own in {@link WebConfigTest}): every input is either a config or a
 * {@link WebConfigException} (the exit-2 line), never another exception, and never a hang.
 */
class WebConfigFuzzTest {
    private static final Path DIR = Path.of("/etc/ssh-exporter");

    private static final String[] VALID = {
        WebConfigTest.TOOLKIT_EXAMPLE,
        WebConfigTest.EVERY_TLS_FIELD,
        "basic_auth_users: {bob: \"$2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m\"}\n",
    };

    /** YAML's own syntax, and the constructs a strict reader must refuse (anchors, tags, merges). */
    private static final String[] TOKENS = {
        ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "\"", "'", "#", "&a ", "*a", "!!str ", "!!binary ", "<<: ",
        "? ", "|", ">", "\n", "\n  ", "  ", "\t", "---\n", "...\n", "%YAML 1.2\n", "~", "null", "true", "1e309",
        "-1", "0x10", "99999999999999999999", "1s", "1h", "-5m", "\u0000", "\uFEFF", "\u00e9", "\\u0000",
        "cert_file", "key_file", "tls_server_config", "basic_auth_users", "rate_limit", "burst", "interval",
    };

    private static String mutate(Random random, String text) {
        StringBuilder b = new StringBuilder(text);
        int edits = 1 + random.nextInt(6);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(b.length() + 1);
            switch (random.nextInt(5)) {
                case 0 -> b.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
                case 1 -> {
                    if (at < b.length()) {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    if (at < b.length()) {
                        b.setCharAt(at, (char) random.nextInt(0x80));
                    }
                }
                case 3 -> { // a line repeated: duplicate keys
                    int start = b.lastIndexOf("\n", Math.max(0, at - 1)) + 1;
                    int end = b.indexOf("\n", at);
                    if (end > start) {
                        b.insert(end + 1, b.substring(start, end + 1));
                    }
                }
                default -> b.insert(at, "  ".repeat(random.nextInt(4)));
            }
        }
        return b.toString();
    }

    @Test
    void mutatedFilesAreAConfigOrOneError() {
        fuzz(0x5EED_0001L, 4_000);
    }

    @Test
    void aliasBombsAndDeepNestingAreRefusedQuickly() {
        String bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" + "d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        assertOneOutcome(bomb);
        assertOneOutcome("[".repeat(10_000) + "]".repeat(10_000));
        assertOneOutcome("a:\n" + " ".repeat(100_000) + "b: c\n");
    }

    static void fuzz(long seed, int cases) {
        Random random = new Random(seed);
        for (int i = 0; i < cases; i++) {
            assertOneOutcome(mutate(random, VALID[random.nextInt(VALID.length)]));
        }
    }

    private static void assertOneOutcome(String yaml) {
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            try {
                WebConfig.parse(yaml, DIR, "web.yml");
            } catch (WebConfigException e) {
                String message = e.getMessage();
                assertFalse(message == null || message.isBlank() || message.contains("\n"),
                        () -> "one line, not: " + message + " for " + yaml);
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("not a WebConfigException: " + e + " for:\n" + yaml, e);
            }
        }, () -> "hung on:\n" + yaml);
    }
}
