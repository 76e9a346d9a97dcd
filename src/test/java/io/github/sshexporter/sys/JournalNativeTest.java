package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.JournalFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sd-journal binding on real journal files in a temp directory ({@link JournalFiles}), never the machine's journal. */
class JournalNativeTest {
    private static final List<String> SSHD = List.of("sshd", "sshd-session", "sshd-auth");

    @TempDir
    Path dir;
    private JournalFiles journal;

    @BeforeEach
    void files() {
        journal = new JournalFiles(dir);
    }

    private byte[] entry(String identifier, String uid, Object message) {
        return journal.entry(identifier, uid, message);
    }

    private void write(byte[]... entries) throws Exception {
        journal.write(entries);
    }

    private static List<Journal.Entry> readAll(Journal j) {
        List<Journal.Entry> out = new ArrayList<>();
        Journal.Batch b;
        do {
            b = j.read(out::add);
            assertEquals(0, b.errno());
        } while (b.more());
        return out;
    }

    /** What the journal gets within 5 s, as a follower sees it: a read after every wake-up. */
    private static List<Journal.Entry> follow(Journal j, int expected) {
        List<Journal.Entry> out = new ArrayList<>();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (out.size() < expected && System.nanoTime() < deadline) {
            j.await(100);
            out.addAll(readAll(j));
        }
        return out;
    }

    @Test
    void startsAtTheTailAndFollowsNewFilesWithTheirFields() throws Exception {
        write(entry("sshd-session", "0", "history, not read"));
        try (Journal j = Journal.openDirectory(dir, SSHD)) {
            assertTrue(j.hasFiles());
            assertEquals(List.of(), readAll(j), "history is not read");
            write(entry("sshd-session", "0", "Failed password for root from 192.0.2.1 port 22 ssh2"),
                    entry("cron", "0", "not sshd: not matched"),
                    entry("sshd", "1000", "a user's logger line"),
                    entry("sshd-auth", null, "no uid"));
            List<Journal.Entry> got = follow(j, 3);
            assertEquals(List.of(
                    new Journal.Entry(0, "Failed password for root from 192.0.2.1 port 22 ssh2"),
                    new Journal.Entry(1000, "a user's logger line"),
                    new Journal.Entry(-1, "no uid")), got);
            assertEquals(List.of(), readAll(j), "nothing twice");
        }
    }

    @Test
    void oddMessagesNeverThrowAndAreCut() throws Exception {
        try (Journal j = Journal.openDirectory(dir, SSHD)) {
            byte[] invalid = {'a', (byte) 0xff, (byte) 0xfe, 'b', 0, 'c'};
            byte[] huge = "x".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
            write(entry("sshd", "0", invalid), entry("sshd", "0", huge));
            List<Journal.Entry> got = follow(j, 2);
            assertEquals(2, got.size(), () -> got.stream().map(e -> e.message().length() + ":" + e.message().substring(0, Math.min(8, e.message().length()))).toList().toString());
            assertEquals("a\uFFFD\uFFFDb\u0000c", got.get(0).message());
            assertEquals(Journal.MAX_MESSAGE_BYTES, got.get(1).message().length());
        }
    }

    @Test
    void anEmptyOrUnreadableDirectoryHasNoFilesAndWaitsQuietly() throws Exception {
        try (Journal j = Journal.openDirectory(dir, SSHD)) {
            assertFalse(j.hasFiles());
            assertEquals(Wake.TIMEOUT, j.await(50));
            j.wakeUp();
            assertEquals(Wake.WOKEN, j.await(5_000));
        }
    }

    @Test
    void filesAreLookedAtAgainOnlyAfterATimeoutOrAChangeOfFiles() throws Exception {
        write(entry("sshd", "0", "history"));
        try (Journal j = Journal.openDirectory(dir, SSHD)) {
            assertTrue(j.filesMayHaveChanged(), "not yet asked");
            assertTrue(j.hasFiles());
            assertFalse(j.filesMayHaveChanged(), "asked just now");
            assertEquals(Wake.TIMEOUT, j.await(50));
            assertTrue(j.filesMayHaveChanged(), "a timeout may hide a rotation");
        }
    }

    @Test
    void aPauseEndsAtItsTimeOrAtAWakeUp() throws Exception {
        try (Journal j = Journal.openDirectory(dir, SSHD)) {
            long t0 = System.nanoTime();
            assertEquals(Wake.TIMEOUT, j.pause(30));
            assertTrue(System.nanoTime() - t0 >= 30_000_000L, "paused the whole time");
            j.wakeUp();
            assertEquals(Wake.WOKEN, j.pause(60_000));
        }
    }

    @Test
    void corruptAndTruncatedJournalFilesAreSkippedAndTheRestIsFollowed() throws Exception {
        write(entry("sshd", "0", "before"));
        Path first = dir.resolve("remote-0.journal");
        // One file cut in half (a crash mid-write), one that is garbage with a journal's name.
        byte[] whole = java.nio.file.Files.readAllBytes(first);
        java.nio.file.Files.write(dir.resolve("cut.journal"), java.util.Arrays.copyOf(whole, whole.length / 2));
        byte[] garbage = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(garbage);
        java.nio.file.Files.write(dir.resolve("garbage.journal"), garbage);
        try (Journal j = Journal.openDirectory(dir, SSHD)) {
            assertEquals(List.of(), readAll(j));
            write(entry("sshd", "0", "after"));
            List<Journal.Entry> got = follow(j, 1);
            assertEquals(List.of(new Journal.Entry(0, "after")), got);
        }
    }

    @Test
    void malformedUidsAreNeverRoot() {
        assertEquals(0, Journal.uid("0"));
        assertEquals(1000, Journal.uid("1000"));
        assertEquals(-1, Journal.uid(""));
        assertEquals(-1, Journal.uid(null));
        assertEquals(-1, Journal.uid("0x0"));
        assertEquals(-1, Journal.uid("-0"));
        assertEquals(-1, Journal.uid("99999999999"));
    }
}
