package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.JournalFiles;
import io.github.sshexporter.testing.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication outcomes from sshd's journal lines, through the jar, on journal files in a temp directory. */
class JournalIT {
    @TempDir
    Path dir;
    private Path btmp;
    private JournalFiles journal;
    private ExporterProcess exporter;

    @BeforeEach
    void files() throws Exception {
        Files.createDirectories(dir.resolve("journal"));
        journal = new JournalFiles(dir.resolve("journal"));
        btmp = Files.createFile(dir.resolve("btmp"));
    }

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    private void start() throws Exception {
        exporter = ExporterProcess.startListening(List.of(), List.of(), "-i", "3600", "--source", "utmp",
                "-f", Files.createFile(dir.resolve("utmp")).toString(), "--wtmp.file=", "--btmp.file", btmp.toString(),
                "--journal.directory", journal.dir().toString());
    }

    private void expect(String series, double value) {
        Await.assertEventually(5_000, value, () -> exporter.value(series), series);
    }

    @Test
    void everyOutcomeIsCountedOnceAndFailedLoginsComeFromTheJournalAlone() throws Exception {
        journal.write(journal.sshd("Failed password for root from 192.0.2.1 port 22 ssh2")); // history
        start();
        assertEquals(1.0, exporter.value("ssh_exporter_journal_state{state=\"ok\"}"));
        assertEquals(1.0, exporter.value("ssh_exporter_failed_logins_source{source=\"journal\"}"));
        journal.write(
                journal.sshd("Accepted publickey for alice from 127.0.0.1 port 50000 ssh2: ED25519 SHA256:abc"),
                journal.sshd("Accepted password for bob from ::1 port 50001 ssh2"),
                journal.sshd("Failed password for bob from ::1 port 50002 ssh2"),
                journal.sshd("Invalid user admin from 198.51.100.7 port 4242"),
                journal.sshd("Failed password for invalid user admin from 198.51.100.7 port 4242 ssh2"),
                // A hostile user name: the address, method and kind come from sshd's fixed words.
                journal.sshd("Failed password for invalid user x from 10.1.2.3 port 22 ssh2 from 198.51.100.8 port 4243 ssh2"),
                journal.sshd("Connection closed by authenticating user bob ::1 port 50003 [preauth]"),
                journal.sshd("error: maximum authentication attempts exceeded for root from 192.0.2.9 port 1 ssh2 [preauth]"),
                journal.sshd("Disconnecting authenticating user root 192.0.2.9 port 1: Too many authentication failures [preauth]"),
                journal.entry("sshd", "1000", "Failed password for root from 192.0.2.66 port 22 ssh2"),
                journal.sshd("a line of a newer sshd"));
        expect("ssh_exporter_journal_entries_total{result=\"unrecognized\"}", 1);
        assertEquals(1.0, exporter.value("ssh_auth_accepted_total{method=\"publickey\"}"));
        assertEquals(1.0, exporter.value("ssh_auth_accepted_total{method=\"password\"}"));
        assertEquals(3.0, exporter.value("ssh_auth_failed_total{method=\"password\"}"));
        assertEquals(3.0, exporter.value("ssh_failed_logins_total"));
        assertEquals(1.0, exporter.value("ssh_auth_invalid_users_total"));
        assertEquals(1.0, exporter.value("ssh_auth_preauth_disconnects_total{reason=\"closed\"}"));
        assertEquals(1.0, exporter.value("ssh_auth_too_many_failures_total"));
        assertEquals(1.0, exporter.value("ssh_exporter_journal_entries_total{result=\"untrusted\"}"));
        assertEquals(1.0, exporter.value("ssh_exporter_journal_entries_total{result=\"ignored\"}"));
        // btmp is followed, but the journal feeds the failed logins: its records count nothing.
        NativeTools.utmp(btmp, "failed", "admin", "198.51.100.7");
        Thread.sleep(300);
        assertEquals(3.0, exporter.value("ssh_failed_logins_total"));
        String page = exporter.scrape();
        assertTrue(!page.contains("10.1.2.3") && !page.contains("admin"), "no address or user in any label");
    }

    @Test
    void anEmptyJournalLeavesFailedLoginsToBtmpAndSaysSo() throws Exception {
        start();
        assertEquals(1.0, exporter.value("ssh_exporter_journal_state{state=\"no_files\"}"));
        assertEquals(1.0, exporter.value("ssh_exporter_failed_logins_source{source=\"btmp\"}"));
        NativeTools.utmp(btmp, "failed", "admin", "198.51.100.7");
        expect("ssh_failed_logins_total", 1);
        assertEquals(1, exporter.stderr().stream().filter(l -> l.contains("cannot follow the systemd journal")).count(),
                exporter.stderr().toString());
    }
}
