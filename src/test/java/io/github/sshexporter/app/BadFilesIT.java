package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.NativeTools;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that are not session databases, given where one is expected, under the packaged JVM
 * flags (a 32 MB heap): each is one log line and a state on {@code /metrics}, never a hang, a
 * stack trace or an exit, and the exporter is exact again once the real file is back.
 */
class BadFilesIT {
    @TempDir
    Path dir;
    private Path utmp;
    private ExporterProcess exporter;

    @BeforeEach
    void files() throws Exception {
        // Readable by nobody, whom the exporter runs as when the tests run as root.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        utmp = dir.resolve("utmp");
    }

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    private void start(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-i", "3600", "-f", utmp.toString(), "--source", "utmp"));
        if (Arrays.stream(extra).noneMatch(a -> a.startsWith("--wtmp.file"))) {
            args.add("--wtmp.file="); // never the machine's own login logs
        }
        if (Arrays.stream(extra).noneMatch(a -> a.startsWith("--btmp.file"))) {
            args.add("--btmp.file=");
        }
        args.addAll(List.of(extra));
        exporter = ExporterProcess.startListening(ExporterProcess.asNobodyWhenRoot(), ExporterProcess.packagedJavaOpts(), args.toArray(String[]::new));
    }

    /** A real utmp file with one session, renamed over whatever is at the path. */
    private void restoreRealFile() throws Exception {
        Path staging = dir.resolve("utmp.new");
        Files.deleteIfExists(staging);
        Files.createFile(staging);
        NativeTools.utmp(staging, "login", "pts/7", "erin", "203.0.113.7", "203.0.113.7", "77");
        Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-r--r--"));
        if (Files.isDirectory(utmp)) {
            Files.delete(utmp);
        }
        Files.move(staging, utmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void expectExactAgain() {
        Await.assertEventually(2_000, Map.of("203.0.113.7", 1), exporter::sessions, "sessions once the real file is back");
        Await.assertEventually(2_000, 1.0, () -> exporter.value("ssh_exporter_source_up"), "source up again");
    }

    private void expectServingDown(String cause) {
        Await.assertEventually(2_000, 0.0, () -> exporter.value("ssh_exporter_source_up"), "source down");
        assertEquals(Map.of(), exporter.sessions());
        String errors = "ssh_exporter_refresh_errors_total{cause=\"" + cause + "\"}";
        Await.assertEventually(2_000, true, () -> exporter.value(errors) != null && exporter.value(errors) >= 1,
                "refresh error counted as " + cause);
    }

    private void expectOneLineNoTrace(String text) {
        expectLinesNoTrace(1, text);
    }

    private void expectLinesNoTrace(long count, String text) {
        Await.until(2_000, () -> exporter.stderr().stream().anyMatch(l -> l.contains(text)));
        List<String> lines = exporter.stderr();
        assertEquals(count, lines.stream().filter(l -> l.contains(text)).count(), () -> count + " line(s) with '" + text + "': " + lines);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception") || l.contains("Error:")),
                () -> "no stack trace: " + lines);
        assertTrue(exporter.alive(), "still running");
    }

    @Test
    void aSparseGigabyteIsTooLargeNotAHeapFull() throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(utmp.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        Files.setPosixFilePermissions(utmp, PosixFilePermissions.fromString("rw-r--r--"));
        start();
        expectServingDown("too_large");
        expectOneLineNoTrace("msg=\"session database too large");
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("holds 2796202 records, more than the 10000")),
                exporter.stderr().toString());
        restoreRealFile();
        expectExactAgain();
    }

    @Test
    void theLargestFileReadIsServedInFullAndOneMoreRecordIsTooLarge() throws Exception {
        // The worst case within the limit: every record a live session from an address of its own.
        String pid = String.valueOf(ProcessHandle.current().pid());
        // Appended by glibc's updwtmpx (pututxline's search for a free slot would make 10,000 quadratic).
        StringBuilder batch = new StringBuilder();
        long now = System.currentTimeMillis() / 1000;
        for (int i = 0; i < 10_000; i++) {
            String address = "10.0." + (i >> 8) + "." + (i & 255);
            batch.append("user pts/").append(i).append(" user ").append(address).append(' ').append(address)
                    .append(' ').append(pid).append(' ').append(now).append(" 0\n");
        }
        Files.createFile(utmp);
        NativeTools.Result wrote = NativeTools.run(List.of(NativeTools.program("utmpx_writer").toString(), utmp.toString(), "wbatch"),
                batch.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0, wrote.exitCode(), wrote.stderr());
        Files.setPosixFilePermissions(utmp, PosixFilePermissions.fromString("rw-r--r--"));
        start();
        Await.assertEventually(10_000, 10_000, () -> exporter.sessions().values().stream().mapToInt(Integer::intValue).sum(),
                "every session of a 10,000-record file, in the packaged heap");
        assertEquals(1.0, exporter.value("ssh_exporter_source_up"));
        NativeTools.utmp(utmp, "login", "pts/extra", "gina", "203.0.113.9", "203.0.113.9", pid);
        expectServingDown("too_large");
        expectOneLineNoTrace("msg=\"session database too large");
        NativeTools.utmp(utmp, "logout", "pts/extra");
        assertTrue(exporter.alive());
    }

    @Test
    void aSparseGigabyteAsWtmpIsFollowedFromItsEndWithoutFillingTheHeap() throws Exception {
        restoreRealFile();
        Path wtmp = dir.resolve("wtmp");
        try (RandomAccessFile f = new RandomAccessFile(wtmp.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        Files.setPosixFilePermissions(wtmp, PosixFilePermissions.fromString("rw-r--r--"));
        start("--wtmp.file", wtmp.toString());
        expectExactAgain();
        NativeTools.run(List.of(NativeTools.program("utmpx_writer").toString(), wtmp.toString(), "wuser", "pts/9", "hal",
                "203.0.113.10", "203.0.113.10", "99", String.valueOf(System.currentTimeMillis() / 1000), "0"));
        Await.assertEventually(5_000, 1.0, () -> exporter.value("ssh_sessions_opened_total{type=\"remote\"}"),
                "the login appended after a gigabyte of zeros");
        assertTrue(exporter.alive());
        assertFalse(exporter.stderr().stream().anyMatch(l -> l.contains("level=error")), exporter.stderr().toString());
    }

    @Test
    void aFifoIsNotReadAndNeverBlocks() throws Exception {
        assertEquals(0, NativeTools.run(List.of("mkfifo", utmp.toString())).exitCode());
        expectNotARegularFileThenExact();
    }

    /** Started on what is at the path: not opened, one line, then exact once the real file is renamed over it. */
    private void expectNotARegularFileThenExact() throws Exception {
        start();
        expectServingDown("unreadable");
        expectOneLineNoTrace("not a regular file");
        restoreRealFile();
        expectExactAgain();
    }

    @Test
    void aSymlinkToDevZeroIsNotRead() throws Exception {
        Files.createSymbolicLink(utmp, Path.of("/dev/zero"));
        expectNotARegularFileThenExact();
    }

    @Test
    void aDirectorySwappedInForTheFileAndBack() throws Exception {
        restoreRealFile();
        start();
        expectExactAgain();
        Path aside = dir.resolve("utmp.aside");
        Files.move(utmp, aside);
        Files.createDirectory(utmp);
        Await.assertEventually(5_000, 0.0, () -> exporter.value("ssh_exporter_source_up"), "source down");
        expectOneLineNoTrace("not a regular file");
        restoreRealFile();
        expectExactAgain();
    }

    @Test
    void permissionsFlippingBetweenReads() throws Exception {
        restoreRealFile();
        start();
        expectExactAgain();
        for (int i = 0; i < 3; i++) {
            Files.setPosixFilePermissions(utmp, PosixFilePermissions.fromString("---------"));
            NativeTools.utmp(utmp, "login", "pts/8", "frank", "203.0.113.8", "203.0.113.8", String.valueOf(80 + i));
            expectServingDown("unreadable");
            Files.setPosixFilePermissions(utmp, PosixFilePermissions.fromString("rw-r--r--"));
            NativeTools.utmp(utmp, "logout", "pts/8");
            expectExactAgain();
        }
        expectLinesNoTrace(3, "session database unreadable");
        assertEquals(3, exporter.stderr().stream().filter(l -> l.contains("readable again")).count(), exporter.stderr().toString());
    }

    @Test
    void anSqliteDatabaseGivenAsWtmpIsOneLineNotLogins() throws Exception {
        restoreRealFile();
        Path db = dir.resolve("wtmp.db");
        NativeTools.Result made = NativeTools.run(List.of("python3", "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
                        + " c.execute('CREATE TABLE wtmp(ID INTEGER PRIMARY KEY, Type INTEGER, User TEXT, Login INTEGER,"
                        + " Logout INTEGER, TTY TEXT, RemoteHost TEXT, Service TEXT)');"
                        + " c.executemany('INSERT INTO wtmp(Type, User, Login, TTY, RemoteHost, Service) VALUES (3, ?, ?, ?, ?, ?)',"
                        + " [('u%d' % i, 1700000000000000 + i, 'pts/%d' % i, '192.0.2.%d' % (i % 250), 'sshd') for i in range(2000)]);"
                        + " c.commit()", db.toString()));
        assertEquals(0, made.exitCode(), made.stderr());
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
        start("--wtmp.file", db.toString(), "--btmp.file=");
        expectExactAgain();
        Await.assertEventually(2_000, 0.0, () -> exporter.value("ssh_exporter_file_readable{file=\"wtmp\",path=\"" + db + "\"}"),
                "wtmp served as unreadable");
        expectOneLineNoTrace("an SQLite database");
        assertEquals(0.0, exporter.value("ssh_sessions_opened_total{type=\"remote\"}"), "no login made up from its pages");
        assertFalse(exporter.stderr().stream().anyMatch(l -> l.contains("level=error")), exporter.stderr().toString());
    }
}
