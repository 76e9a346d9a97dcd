package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counters, durations, failed logins and self-health from the jar, on glibc-written temp files. */
class LoginActivityIT {
    private static final String OPENED_REMOTE = "ssh_sessions_opened_total{type=\"remote\"}";
    private static final String CLOSED_REMOTE = "ssh_sessions_closed_total{type=\"remote\"}";
    private static final String FAILED = "ssh_failed_logins_total";

    @TempDir
    Path dir;
    Path utmp;
    Path wtmp;
    Path btmp;
    private ExporterProcess exporter;

    @BeforeEach
    void files() throws Exception {
        utmp = Files.createFile(dir.resolve("utmp"));
        wtmp = Files.createFile(dir.resolve("wtmp"));
        btmp = Files.createFile(dir.resolve("btmp"));
    }

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    private void start(List<String> prefix, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-i", "3600", "-f", utmp.toString(), "--source", "utmp",
                "--wtmp.file", wtmp.toString(), "--btmp.file", btmp.toString()));
        args.addAll(List.of(extra));
        exporter = ExporterProcess.startListening(prefix, List.of(), args.toArray(String[]::new));
    }

    /** The exporter, with btmp made unreadable to it (mode 0600, the exporter not its owner). */
    private void startWithBtmpUnreadable() throws Exception {
        Files.setPosixFilePermissions(btmp, PosixFilePermissions.fromString("rw-------"));
        // Readable by nobody, whom the exporter runs as when the tests run as root.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        start(ExporterProcess.asNobodyWhenRoot());
    }

    /** The same exporter without login logs: the opened/closed counters then follow utmp snapshots. */
    private void startWithoutLoginLogs() throws Exception {
        exporter = ExporterProcess.startListening(List.of(), List.of(), "-i", "3600", "-f", utmp.toString(),
                "--source", "utmp", "--wtmp.file=", "--btmp.file=");
    }

    private void expect(String series, double value) {
        Await.assertEventually(1_000, value, () -> exporter.value(series), series);
    }

    /** What sshd does at login and logout: a utmp slot and a wtmp record. */
    private void sshLogin(String line, String ip, long at) {
        NativeTools.utmp(utmp, "login", line, "alice", ip, ip, "4242", Long.toString(at));
        NativeTools.utmp(wtmp, "wlogin", line, "alice", ip, ip, "4242", Long.toString(at));
    }

    private void sshLogout(String line, long at) {
        NativeTools.utmp(utmp, "logout", line);
        NativeTools.utmp(wtmp, "wlogout", line, Long.toString(at));
    }

    @Test
    void countersFollowWtmpAndCountNothingFromBeforeTheStart() throws Exception {
        NativeTools.utmp(wtmp, "wlogin", "pts/0", "old", "192.0.2.1", "192.0.2.1", "1", "1000");
        NativeTools.utmp(btmp, "failed", "root", "192.0.2.66");
        start(List.of());
        assertEquals(0.0, exporter.value(OPENED_REMOTE), "records from before the start are not counted");
        assertEquals(0.0, exporter.value(FAILED));
        assertEquals(1.0, exporter.value("ssh_exporter_session_events_source{source=\"wtmp\"}"));
        assertEquals(1.0, exporter.value("ssh_exporter_file_readable{file=\"btmp\",path=\"" + btmp + "\"}"));

        long t = 1_800_000_000L;
        sshLogin("pts/1", "203.0.113.7", t);
        expect(OPENED_REMOTE, 1);
        sshLogout("pts/1", t + 90);
        expect(CLOSED_REMOTE, 1);
        expect("ssh_session_duration_seconds_count", 1);
        // Recorded times carry microseconds: login at .123456, logout at .623456.
        assertEquals(90.5, exporter.value("ssh_session_duration_seconds_sum"), 1e-6);
        assertEquals(0.0, exporter.value("ssh_session_duration_seconds_bucket{le=\"60.0\"}"));
        assertEquals(1.0, exporter.value("ssh_session_duration_seconds_bucket{le=\"300.0\"}"));

        // A session that opened and closed without ever being in a utmp read: wtmp still has it.
        NativeTools.utmp(wtmp, "wlogin", "pts/2", "bob", "::1", "::1", "99", Long.toString(t + 100));
        NativeTools.utmp(wtmp, "wlogout", "pts/2", Long.toString(t + 101));
        expect(OPENED_REMOTE, 2);
        expect(CLOSED_REMOTE, 2);

        // A logout of the session open before the start: its real duration, from the learned login.
        NativeTools.utmp(wtmp, "wlogout", "pts/0", "4600");
        expect(CLOSED_REMOTE, 3);
        assertEquals(90.5 + 1.5 + 3600.5, exporter.value("ssh_session_duration_seconds_sum"), 1e-6);

        for (int i = 0; i < 5; i++) {
            NativeTools.utmp(btmp, "failed", "admin", "198.51.100.66");
        }
        expect(FAILED, 5);
        assertEquals(0.0, exporter.value("ssh_sessions_opened_total{type=\"local\"}"));
    }

    @Test
    void withoutWtmpCountersComeFromSnapshots() throws Exception {
        startWithoutLoginLogs();
        assertEquals(1.0, exporter.value("ssh_exporter_session_events_source{source=\"utmp\"}"));
        NativeTools.utmp(utmp, "login", "tty1", "root", "", "-", "4242");
        expect("ssh_sessions_opened_total{type=\"local\"}", 1);
        NativeTools.utmp(utmp, "logout", "tty1");
        expect("ssh_sessions_closed_total{type=\"local\"}", 1);
        expect("ssh_session_duration_seconds_count", 1);
        assertEquals(0.0, exporter.value(OPENED_REMOTE));
    }

    @Test
    void unreadableBtmpIsSaidOnceAndExposedNotFatal() throws Exception {
        startWithBtmpUnreadable();
        assertEquals(0.0, exporter.value("ssh_exporter_file_readable{file=\"btmp\",path=\"" + btmp + "\"}"));
        assertEquals(1.0, exporter.value("ssh_exporter_file_readable{file=\"wtmp\",path=\"" + wtmp + "\"}"));
        NativeTools.utmp(btmp, "failed", "root", "198.51.100.66");
        Thread.sleep(200);
        assertTrue(exporter.alive());
        assertEquals(0.0, exporter.value(FAILED));
        assertEquals(1, exporter.stderr().stream().filter(l -> l.contains("cannot read btmp")).count(),
                exporter.stderr().toString());
    }

    @Test
    void perSessionDetailStaleRecordsAndSelfHealth() throws Exception {
        NativeTools.utmp(utmp, "login", "pts/5", "carol", "203.0.113.5", "203.0.113.5",
                Long.toString(ProcessHandle.current().pid()), "1700000000");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        NativeTools.utmp(utmp, "login", "pts/6", "dave", "203.0.113.6", "203.0.113.6", Long.toString(gone.pid()));
        start(List.of(), "--collector.sessions");
        String page = exporter.scrape();
        assertEquals(1_700_000_000.123456, ExporterProcess.valueIn(page, "ssh_session_start_time_seconds{pid=\""
                + ProcessHandle.current().pid() + "\",remote_ip=\"203.0.113.5\",tty=\"pts/5\",user=\"carol\"}"));
        assertEquals(1.0, ExporterProcess.valueIn(page, "ssh_stale_sessions"));
        assertTrue(page.contains("ssh_exporter_build_info{java_version=\""), page);
        assertNotNull(ExporterProcess.valueIn(page, "process_resident_memory_bytes"));
        assertNotNull(ExporterProcess.valueIn(page, "process_open_fds"));
        assertNotNull(ExporterProcess.valueIn(page, "ssh_exporter_last_refresh_timestamp_seconds"));
        assertEquals(2.0, ExporterProcess.valueIn(page, "ssh_exporter_records_scanned"));
        assertEquals(0.0, ExporterProcess.valueIn(page, "ssh_exporter_refresh_errors_total{cause=\"missing\"}"));
        assertTrue(page.contains("jvm_memory_used_bytes"), "JVM metrics");

        NativeTools.utmp(utmp, "logout", "pts/5");
        Await.assertEventually(1_000, false, () -> exporter.scrape().contains("user=\"carol\""), "series gone");
    }

    @Test
    void missingUtmpCountsAsARefreshError() throws Exception {
        Files.delete(utmp);
        start(List.of());
        assertTrue(exporter.value("ssh_exporter_refresh_errors_total{cause=\"missing\"}") >= 1);
        assertEquals(0.0, exporter.value("ssh_exporter_file_readable{file=\"utmp\",path=\"" + utmp + "\"}"));
    }

    @Test
    void historyOfALogUnreadableAtStartIsNotCountedWhenItBecomesReadable() throws Exception {
        for (int i = 0; i < 3; i++) {
            NativeTools.utmp(btmp, "failed", "old" + i, "198.51.100.66");
        }
        startWithBtmpUnreadable();
        assertEquals(0.0, exporter.value("ssh_exporter_file_readable{file=\"btmp\",path=\"" + btmp + "\"}"));
        Files.setPosixFilePermissions(btmp, PosixFilePermissions.fromString("rw-r--r--"));
        expect("ssh_exporter_file_readable{file=\"btmp\",path=\"" + btmp + "\"}", 1);
        NativeTools.utmp(btmp, "failed", "new", "198.51.100.66");
        expect(FAILED, 1);
        Thread.sleep(100);
        assertEquals(1.0, exporter.value(FAILED), "the three records from before were not counted");
    }

    @Test
    void aUtmpFileMissingForAWhileOpensAndClosesNothing() throws Exception {
        startWithoutLoginLogs();
        NativeTools.utmp(utmp, "login", "pts/1", "alice", "203.0.113.7", "203.0.113.7", "4242");
        expect(OPENED_REMOTE, 1);
        Path aside = dir.resolve("utmp.aside");
        Files.move(utmp, aside);
        expect("ssh_exporter_source_up", 0);
        Files.move(aside, utmp);
        expect("ssh_exporter_source_up", 1);
        assertEquals(1.0, exporter.value(OPENED_REMOTE), "the return of the file opens nothing");
        assertEquals(0.0, exporter.value(CLOSED_REMOTE), "its absence closed nothing");
    }
}
