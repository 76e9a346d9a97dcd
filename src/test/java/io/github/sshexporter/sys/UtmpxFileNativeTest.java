package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.records.UtmpxRecord;
import io.github.sshexporter.testing.NativeTools;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records written by glibc's own pututxline, read back through the JNA binding. */
class UtmpxFileNativeTest {
    @TempDir
    Path dir;

    private static List<UtmpxRecord> readAll(UtmpxFile f, UtmpxFile.Scan[] scan) {
        List<UtmpxRecord> out = new ArrayList<>();
        scan[0] = f.scan(t -> true, out::add);
        return out;
    }

    @Test
    void everyFieldRoundTripsThroughGlibc() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/17", "alice", "203.0.113.7", "203.0.113.7", "4242", "4000000000");
        NativeTools.utmp(file, "login", "pts/18", "bob", "2001:db8::1", "2001:db8::1", "4243", "1700000000");
        NativeTools.utmp(file, "login", "tty1", "carol", "", "-", "4244", "1700000001");
        NativeTools.utmp(file, "logout", "pts/18");

        UtmpxFile f = UtmpxFile.bind(file);
        UtmpxFile.Scan[] scan = new UtmpxFile.Scan[1];
        List<UtmpxRecord> records = readAll(f, scan);
        assertTrue(scan[0].ok(), scan[0].toString());
        assertEquals(3, records.size());

        UtmpxRecord alice = records.get(0);
        assertEquals(UtmpxRecord.USER_PROCESS, alice.type());
        assertEquals(4242, alice.pid());
        assertEquals("pts/17", alice.line());
        assertEquals("s/17", alice.id());
        assertEquals("alice", alice.user());
        assertEquals("203.0.113.7", alice.host());
        assertArrayEquals(new byte[] {(byte) 203, 0, 113, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, alice.address());
        assertEquals(4_000_000_000L, alice.seconds(), "tv_sec past 2038 read as unsigned");
        assertEquals(123456, alice.micros());

        UtmpxRecord bob = records.get(1);
        assertEquals(UtmpxRecord.DEAD_PROCESS, bob.type());
        assertEquals("pts/18", bob.line());

        UtmpxRecord carol = records.get(2);
        assertEquals("carol", carol.user());
        assertEquals("", carol.host());
        assertArrayEquals(new byte[16], carol.address());
    }

    @Test
    void ipv6AddressBytesAreInNetworkOrder() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/1", "dave", "x", "2001:db8::abcd", "1");
        List<UtmpxRecord> records = readAll(UtmpxFile.bind(file), new UtmpxFile.Scan[1]);
        assertArrayEquals(InetAddress.getByName("2001:db8::abcd").getAddress(), records.get(0).address());
    }

    @Test
    void missingAndUnreadableFilesAreStatesNotErrors() throws Exception {
        Path file = dir.resolve("absent");
        UtmpxFile f = UtmpxFile.bind(file);
        assertEquals(UtmpxFile.Status.MISSING, f.scan(t -> true, r -> { }).status());

        Path directory = dir.resolve("adir");
        Files.createDirectory(directory);
        assertEquals(UtmpxFile.Status.UNREADABLE, UtmpxFile.bind(directory).scan(t -> true, r -> { }).status());
    }

    @Test
    void unreadableForAnUnprivilegedUser() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        UtmpxFile.Status status = UtmpxFile.bind(file).scan(t -> true, r -> { }).status();
        if ("root".equals(System.getProperty("user.name"))) {
            // root reads anything: the exporter must simply read it (an empty file).
            assertEquals(UtmpxFile.Status.OK, status);
        } else {
            assertEquals(UtmpxFile.Status.UNREADABLE, status);
        }
    }

    @Test
    void randomBytesAndPartialRecordsNeverThrow() throws Exception {
        Path file = dir.resolve("garbage");
        byte[] junk = new byte[384 * 50 + 100];
        new Random(1).nextBytes(junk);
        Files.write(file, junk);
        UtmpxFile f = UtmpxFile.bind(file);
        UtmpxFile.Scan[] scan = new UtmpxFile.Scan[1];
        List<UtmpxRecord> records = readAll(f, scan);
        assertEquals(50, records.size(), "whole records only; the 100-byte tail is ignored");
        assertTrue(scan[0].ok(), scan[0].toString());
    }

    @Test
    void aFileOfManyReadsIsReadWholeInOrder() throws Exception {
        Path file = dir.resolve("utmp");
        int count = UtmpxFile.CHUNK_RECORDS * 3 + 5; // whole reads and a short last one
        Files.createFile(file);
        NativeTools.utmp(file, "fill", String.valueOf(count), "7");
        UtmpxFile.Scan[] scan = new UtmpxFile.Scan[1];
        List<UtmpxRecord> records = readAll(UtmpxFile.bind(file), scan);
        assertTrue(scan[0].ok(), scan[0].toString());
        assertEquals(count, records.size());
        for (int i = 0; i < count; i++) {
            assertEquals("pts/" + i, records.get(i).line(), "record " + i);
            assertEquals(10000 + i, records.get(i).pid(), "record " + i);
        }
    }

    @Test
    void aWriterHoldingGlibcsLockMakesThePassIncompleteAndTheNextOneReadsAll() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "fill", "3", "1");
        UtmpxFile f = UtmpxFile.bind(file);
        UtmpxFile.Scan locked = whileLocked(file, () -> f.scan(t -> true, r -> { }));
        assertEquals(UtmpxFile.Status.INCOMPLETE, locked.status(), locked.toString());
        assertTrue(locked.detail().contains("locked"), locked.detail());
        UtmpxFile.Scan[] scan = new UtmpxFile.Scan[1];
        assertEquals(3, readAll(f, scan).size());
        assertTrue(scan[0].ok(), scan[0].toString());
    }

    @Test
    void aPassCutShortByTheLockKeepsTheFingerprints() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "fill", "3", "1");
        UtmpxFile f = UtmpxFile.bind(file);
        List<Integer> changed = new java.util.ArrayList<>();
        assertTrue(f.scanChanges(f.stat(), t -> true, (slot, r) -> changed.add(slot)).ok());
        assertEquals(List.of(0, 1, 2), changed);
        UtmpxFile.Scan locked = whileLocked(file, () -> f.scanChanges(f.stat(), t -> true, (slot, r) -> changed.add(slot)));
        assertEquals(UtmpxFile.Status.INCOMPLETE, locked.status(), locked.toString());
        assertTrue(f.scanChanges(f.stat(), t -> true, (slot, r) -> changed.add(slot)).ok());
        assertEquals(List.of(0, 1, 2), changed, "no slot changed, so none reported again");
    }

    @Test
    void aWriterThatLetsGoSoonIsWaitedFor() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "fill", "3", "1");
        UtmpxFile f = UtmpxFile.bind(file);
        // Held for 10 ms of the 20 the pass tries for (still held when the pass starts: the holder
        // says "locked" first): the pass must wait for the lock, not give up.
        UtmpxFile.Scan scan = whileLocked(file, "10", () -> f.scan(t -> true, r -> { }));
        assertTrue(scan.ok(), scan.toString());
        assertEquals(3, scan.recordsRead());
    }

    private static UtmpxFile.Scan whileLocked(Path file, java.util.function.Supplier<UtmpxFile.Scan> pass) throws Exception {
        return whileLocked(file, "3000", pass);
    }

    /** {@code pass} run while another process (utmpx_writer hold) keeps glibc's write lock on {@code file}. */
    private static UtmpxFile.Scan whileLocked(Path file, String holdMillis, java.util.function.Supplier<UtmpxFile.Scan> pass)
            throws Exception {
        Process holder = NativeTools.utmpAsync(file, "hold", holdMillis);
        try {
            assertEquals("locked", new java.io.BufferedReader(new java.io.InputStreamReader(
                    holder.getInputStream(), java.nio.charset.StandardCharsets.UTF_8)).readLine());
            return pass.get();
        } finally {
            holder.destroy();
            assertTrue(holder.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    @Test
    void emptyFileHasNoRecords() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        UtmpxFile.Scan scan = UtmpxFile.bind(file).scan(t -> true, r -> { });
        assertTrue(scan.ok());
        assertEquals(0, scan.recordsRead());
    }
}
