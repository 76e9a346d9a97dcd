package io.github.sshexporter.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder on random bytes and on mutated real records, both layouts, fixed seeds (a failing
 * seed becomes a test of its own in {@link UtmpxDecoderTest}): it never throws, no field reads
 * past its own bytes, and a byte changed in one field changes that field only.
 */
class UtmpxDecoderFuzzTest {
    /** A login record as sshd's login() fills it, in the given layout. */
    static byte[] realRecord(UtmpxLayout layout, Random random) {
        byte[] r = new byte[layout.size];
        r[0] = (byte) UtmpxRecord.USER_PROCESS;
        int pid = 1000 + random.nextInt(1 << 20);
        for (int i = 0; i < 4; i++) {
            r[4 + i] = (byte) (pid >>> (8 * i));
        }
        put(r, layout.line, "pts/" + random.nextInt(100));
        put(r, layout.id, "ts/" + random.nextInt(10));
        put(r, layout.user, "user" + random.nextInt(1000));
        put(r, layout.host, "198.51.100." + random.nextInt(256));
        long seconds = random.nextBoolean() ? 1_700_000_000L + random.nextInt(1 << 28) : 4_102_444_800L; // 2100: past 2038
        for (int i = 0; i < layout.tvFieldSize; i++) {
            r[layout.tv + i] = (byte) (seconds >>> (8 * i));
        }
        r[layout.addr] = (byte) 198;
        r[layout.addr + 1] = 51;
        r[layout.addr + 2] = 100;
        r[layout.addr + 3] = (byte) random.nextInt(256);
        return r;
    }

    private static void put(byte[] r, int offset, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, r, offset, b.length);
    }

    private static void assertSane(UtmpxLayout layout, byte[] bytes, UtmpxRecord r) {
        assertTrue(r.line().indexOf('\0') < 0 && r.user().indexOf('\0') < 0 && r.host().indexOf('\0') < 0 && r.id().indexOf('\0') < 0);
        assertTrue(r.line().length() <= UtmpxLayout.LINE_SIZE && r.id().length() <= UtmpxLayout.ID_SIZE
                && r.user().length() <= UtmpxLayout.USER_SIZE && r.host().length() <= UtmpxLayout.HOST_SIZE);
        assertArrayEquals(Arrays.copyOfRange(bytes, layout.addr, layout.addr + UtmpxLayout.ADDR_SIZE), r.address());
        if (layout.tvFieldSize == 4) {
            assertTrue(r.seconds() >= 0 && r.seconds() <= 0xffffffffL, "unsigned 32-bit tv_sec");
        }
    }

    @Test
    void randomBytesNeverThrowAndStayInTheirFields() {
        fuzzRandom(2_038L);
    }

    static void fuzzRandom(long seed) {
        Random random = new Random(seed);
        for (UtmpxLayout layout : UtmpxLayout.values()) {
            UtmpxDecoder d = new UtmpxDecoder(layout);
            byte[] g = new byte[layout.size];
            for (int i = 0; i < 20_000; i++) {
                random.nextBytes(g);
                // Sometimes NULs at random, so that short fields occur too.
                for (int z = random.nextInt(8); z > 0; z--) {
                    g[random.nextInt(g.length)] = 0;
                }
                assertSane(layout, g, d.decode(g));
            }
        }
    }

    @Test
    void aByteChangedInOneFieldChangesThatFieldOnly() {
        fuzzMutations(1_970L);
    }

    static void fuzzMutations(long seed) {
        Random random = new Random(seed);
        for (UtmpxLayout layout : UtmpxLayout.values()) {
            UtmpxDecoder d = new UtmpxDecoder(layout);
            int[][] fields = {
                {layout.line, UtmpxLayout.LINE_SIZE}, {layout.id, UtmpxLayout.ID_SIZE},
                {layout.user, UtmpxLayout.USER_SIZE}, {layout.host, UtmpxLayout.HOST_SIZE},
            };
            for (int i = 0; i < 10_000; i++) {
                byte[] real = realRecord(layout, random);
                UtmpxRecord before = d.decode(real);
                int f = random.nextInt(fields.length);
                byte[] mutated = real.clone();
                int at = fields[f][0] + random.nextInt(fields[f][1]);
                mutated[at] = (byte) (1 + random.nextInt(255)); // never NUL: the field grows or changes
                UtmpxRecord after = d.decode(mutated);
                assertSane(layout, mutated, after);
                String[] b = {before.line(), before.id(), before.user(), before.host()};
                String[] a = {after.line(), after.id(), after.user(), after.host()};
                for (int other = 0; other < fields.length; other++) {
                    if (other != f) {
                        assertEquals(b[other], a[other], "field " + other + " changed by a byte at " + at);
                    }
                }
                assertEquals(before.type(), after.type());
                assertEquals(before.pid(), after.pid());
                assertEquals(before.seconds(), after.seconds());
                assertArrayEquals(before.address(), after.address());
                assertFalse(after.seconds() < 0, "times past 2038 stay positive");
            }
        }
    }
}
