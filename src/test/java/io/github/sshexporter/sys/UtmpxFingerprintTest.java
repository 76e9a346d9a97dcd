package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-slot fingerprint that stands in for a copy of each record's bytes. */
class UtmpxFingerprintTest {
    private static long fingerprint(byte[] record) {
        return UtmpxFile.fingerprint(ByteBuffer.wrap(record).order(ByteOrder.nativeOrder()).asLongBuffer(), 0,
                new long[record.length / 8]);
    }

    @Test
    void everySingleBitFlipChangesTheFingerprint() {
        for (int size : new int[] {384, 400}) {
            byte[] bytes = new byte[size];
            new Random(size).nextBytes(bytes);
            long original = fingerprint(bytes);
            for (int i = 0; i < size; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    bytes[i] ^= (byte) (1 << bit);
                    assertNotEquals(original, fingerprint(bytes),
                            "size " + size + ", byte " + i + ", bit " + bit);
                    bytes[i] ^= (byte) (1 << bit);
                }
            }
            assertEquals(original, fingerprint(bytes));
        }
    }

    @Test
    void wordsSwappedOrMovedChangeTheFingerprint() {
        byte[] bytes = new byte[384];
        new Random(1).nextBytes(bytes);
        Set<Long> seen = new HashSet<>();
        seen.add(fingerprint(bytes));
        // Swap word 0 with each other word: the order of the words counts, not just their values.
        for (int w = 1; w < 48; w++) {
            byte[] swapped = bytes.clone();
            System.arraycopy(bytes, w * 8, swapped, 0, 8);
            System.arraycopy(bytes, 0, swapped, w * 8, 8);
            seen.add(fingerprint(swapped));
        }
        assertEquals(48, seen.size());
    }

    @Test
    void manyDistinctRecordsHaveDistinctFingerprints() {
        // Records as sshd writes them differ in a few fields (pid, line, time): 100,000 of them.
        Set<Long> seen = new HashSet<>();
        ByteBuffer b = ByteBuffer.allocate(384);
        for (int n = 0; n < 100_000; n++) {
            b.putShort(0, (short) 7).putInt(4, 1000 + n).put(8, (byte) ('0' + n % 10)).putLong(344, 1_700_000_000L + n / 7);
            seen.add(fingerprint(b.array()));
        }
        assertEquals(100_000, seen.size());
    }
}
