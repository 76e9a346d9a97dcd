package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.NativeTools;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sd-journal binding on real journal files, written by systemd's own systemd-journal-remote
 * from journal export format into a temp directory (never the machine's journal).
 */
class JournalNativeTest {
    private static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");
    private static final List<String> SSHD = List.of("sshd", "sshd-session", "sshd-auth");

    @TempDir
    Path dir;
    private int files;
    private long clock = 1_800_000_000_000_000L;

    /** One export-format entry; a byte[] value is written in the binary form (any bytes). */
    private byte[] entry(String identifier, String uid, Object message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        clock += 1000;
        text(out, "__REALTIME_TIMESTAMP=" + clock + "\n__MONOTONIC_TIMESTAMP=" + clock + "\n_BOOT_ID=0123456789abcdef0123456789abcdef\n");
        text(out, "_TRANSPORT=syslog\nSYSLOG_IDENTIFIER=" + identifier + "\n");
        if (uid != null) {
            text(out, "_UID=" + uid + "\n");
        }
        if (message instanceof byte[] raw) {
            text(out, "MESSAGE\n");
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(raw.length).array());
            out.writeBytes(raw);
            text(out, "\n");
        } else {
            text(out, "MESSAGE=" + message + "\n");
        }
        text(out, "\n");
        return out.toByteArray();
    }

    private static void text(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes entries as a new journal file in the directory, as journald does on rotation. */
    private void write(byte[]... entries) throws Exception {
        assertTrue(Files.isExecutable(JOURNAL_REMOTE), JOURNAL_REMOTE + " is missing: apt-get install systemd-journal-remote");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            all.writeBytes(e);
        }
        Path file = dir.resolve("remote-" + files++ + ".journal");
        NativeTools.Result r = NativeTools.run(List.of(JOURNAL_REMOTE.toString(), "-o", file.toString(), "-"),
                all.toByteArray());
        assertEquals(0, r.exitCode(), r.stderr());
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
                    new Journal.Entry("sshd-session", 0, "Failed password for root from 192.0.2.1 port 22 ssh2"),
                    new Journal.Entry("sshd", 1000, "a user's logger line"),
                    new Journal.Entry("sshd-auth", -1, "no uid")), got);
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
