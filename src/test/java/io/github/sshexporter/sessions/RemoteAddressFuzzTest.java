package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The remote_ip rules on random input, with fixed seeds (a failing seed becomes a test of its own
 * in {@link RemoteAddressTest}): whatever utmp's host text or address bytes hold, the label is
 * one word, stable when fed back, and an address label is the address itself.
 */
class RemoteAddressFuzzTest {
    /** Pieces of real ut_host values: addresses, displays, screen and tmux forms, names, and junk. */
    private static final String[] PIECES = {
        "203.0.113.7", "10.0.0.5", "::1", "2001:db8::1", "[2001:db8::2]", "fe80::1%eth0", "::ffff:192.0.2.1",
        ":0", ":0.0", ":pts/1:S.0", "tmux(123).%0", "via", "mosh", "[12345]", "host.example.org", " ", "  ",
        ":", ".", "[", "]", "%", "0", "255", "256", "1.2.3", "1.2.3.4.5", "01.02.03.04", "\t", "\u00e9", "\uFFFD",
    };

    private static String randomHost(Random random) {
        StringBuilder b = new StringBuilder();
        int parts = random.nextInt(5);
        for (int i = 0; i < parts; i++) {
            if (random.nextInt(4) == 0) {
                b.append((char) (0x20 + random.nextInt(0x5f)));
            } else {
                b.append(PIECES[random.nextInt(PIECES.length)]);
            }
        }
        return b.toString();
    }

    @Test
    void hostTextAlwaysGivesOneStableWord() {
        fuzzHostText(5_952L);
    }

    static void fuzzHostText(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            String host = randomHost(random);
            String label = RemoteAddress.fromHostText(host);
            assertNotNull(label, host);
            assertFalse(label.isEmpty(), () -> "empty label for '" + host + "'");
            assertTrue(label.chars().noneMatch(Character::isWhitespace), () -> "'" + label + "' from '" + host + "'");
            assertEquals(label, RemoteAddress.fromHostText(label), () -> "not stable: '" + host + "' -> '" + label + "'");
            assertTrue(label.equals(RemoteAddress.LOCAL) || host.contains(label) || RemoteAddress.leadingAddress(label) != null,
                    () -> "'" + label + "' is neither in '" + host + "' nor an address");
        }
    }

    @Test
    void addressBytesAlwaysGiveTheAddressItself() throws Exception {
        fuzzAddressBytes(4_291L);
    }

    static void fuzzAddressBytes(long seed) throws Exception {
        Random random = new Random(seed);
        byte[] a = new byte[16];
        for (int i = 0; i < 20_000; i++) {
            java.util.Arrays.fill(a, (byte) 0);
            switch (random.nextInt(3)) {
                case 0 -> random.nextBytes(a);
                case 1 -> { // IPv4 in the first four bytes, as glibc's login() writes it
                    for (int b = 0; b < 4; b++) {
                        a[b] = (byte) random.nextInt(256);
                    }
                }
                default -> { // IPv4-mapped
                    a[10] = (byte) 0xff;
                    a[11] = (byte) 0xff;
                    for (int b = 12; b < 16; b++) {
                        a[b] = (byte) random.nextInt(256);
                    }
                }
            }
            String label = RemoteAddress.label("ignored.example.org", a);
            if (java.util.Arrays.equals(a, new byte[16])) {
                assertEquals("ignored.example.org", label);
                continue;
            }
            byte[] parsed = InetAddress.getByName(label).getAddress();
            if (parsed.length == 4) {
                byte[] v4 = IpLiteral.isIpv4Mapped(a) ? java.util.Arrays.copyOfRange(a, 12, 16) : java.util.Arrays.copyOf(a, 4);
                assertArrayEquals(v4, parsed, label);
            } else {
                assertArrayEquals(a, parsed, label);
            }
            assertEquals(label, RemoteAddress.fromHostText(label), "an address label reads back as itself");
        }
    }
}
