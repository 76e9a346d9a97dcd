package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.NativeTools;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged jar, run as a real process on a temp utmp file and a free port. */
class ExporterProcessIT {
    @TempDir
    Path dir;

    private ExporterProcess exporter;

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    private ExporterProcess start(Path file, String... extra) throws Exception {
        // Temp login logs too: a test never reads the machine's own wtmp/btmp.
        List<String> args = new java.util.ArrayList<>(List.of("-i", "3600", "-f", file.toString(), "--source", "utmp",
                "--wtmp.file", dir.resolve("wtmp").toString(), "--btmp.file", dir.resolve("btmp").toString()));
        args.addAll(List.of(extra));
        exporter = ExporterProcess.startListening(List.of(), List.of(), args.toArray(String[]::new));
        return exporter;
    }

    private void expect(Map<String, Integer> expected, String what) {
        Await.assertEventually(1_000, new TreeMap<>(expected), exporter::sessions, what);
    }

    @Test
    void servesLiveCountsAndRemovesEmptySeries() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "203.0.113.7", "203.0.113.7", "11");
        NativeTools.utmp(file, "login", "pts/2", "alice", "203.0.113.7", "203.0.113.7", "12");
        NativeTools.utmp(file, "login", "tty1", "root", "", "-", "13");
        start(file);
        // The first scrape is already exact: the first read happens before the port is bound.
        assertEquals(new TreeMap<>(Map.of("203.0.113.7", 2, "localhost", 1)), exporter.sessions());
        assertEquals(1.0, exporter.value("ssh_exporter_source_up"));

        NativeTools.utmp(file, "login", "pts/3", "bob", "2001:db8::1", "2001:db8::1", "14");
        expect(Map.of("203.0.113.7", 2, "localhost", 1, "2001:db8::1", 1), "IPv6 login");
        NativeTools.utmp(file, "logout", "pts/1");
        NativeTools.utmp(file, "logout", "pts/2");
        expect(Map.of("localhost", 1, "2001:db8::1", 1), "series removed at zero");
        assertFalse(exporter.scrape().contains("203.0.113.7"), "no series of zeros");

        assertTrue(Await.until(1_000, () -> exporter.stderr().stream().anyMatch(
                l -> l.contains("msg=\"session closed\" user=alice remote_ip=203.0.113.7 tty=pts/1"))),
                "one log line per closed session: " + exporter.stderr());
        assertTrue(exporter.stderr().stream().anyMatch(
                l -> l.contains("msg=\"session opened\" user=bob remote_ip=2001:db8::1 tty=pts/3")));
    }

    @Test
    void healthAndOpenMetrics() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        assertEquals(200, exporter.get("/-/healthy").statusCode());
        HttpResponse<String> om = exporter.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(om.body().trim().endsWith("# EOF"));
    }

    @Test
    void unpacksJnasStubItselfAndLeavesNothingBehind() throws Exception {
        // JNA's own unpacking (it logs "Looking in classpath ... for libjnidispatch.so" under
        // jna.debug_load) names its file through SecureRandom, which loads the JDK's security
        // providers: about 1 MB of resident memory. sys.NativeStub unpacks it first.
        Path tmp = Files.createDirectory(dir.resolve("jna-tmp"));
        Path file = Files.createFile(dir.resolve("utmp"));
        exporter = ExporterProcess.startListening(List.of(), List.of("-Djna.tmpdir=" + tmp, "-Djna.debug_load=true"),
                "-f", file.toString(), "--source", "utmp", "--wtmp.file=", "--btmp.file=");
        assertEquals(1.0, exporter.value("ssh_exporter_source_up"));
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("libc.so.6")), "JNA's debug log is on");
        assertEquals(List.of(), exporter.stderr().stream().filter(l -> l.contains("jnidispatch")).toList(),
                "JNA did not look for its stub in the jar");
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "nothing left in jna.tmpdir");
        }
    }

    @Test
    void listensOnlyOnTheGivenAddress() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        int port = Integer.parseInt(exporter.stderr().stream().filter(l -> l.contains("msg=listening")).findFirst()
                .orElseThrow().replaceAll(".*address=127\\.0\\.0\\.1:(\\d+).*", "$1"));
        String hexPort = String.format(Locale.ROOT, "%04X", port);
        List<String> listeners = listeningSockets(hexPort);
        assertEquals(List.of("0100007F:" + hexPort), listeners, "-H 127.0.0.1 binds loopback only");
    }

    /** Local addresses of LISTEN sockets on that port, from the kernel's own tables. */
    private static List<String> listeningSockets(String hexPort) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(":" + hexPort) && f[3].equals("0A")) {
                    out.add(f[1]);
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"-p abc", "-p 70000", "-i 0", "-i -1", "--no-such-flag", "-f /no/such/dir/utmp", "-f /tmp"})
    void badUsageIsOneLineAndExitTwo(String args) throws Exception {
        ExporterProcess p = ExporterProcess.runToEnd(args.split(" "));
        assertEquals(2, p.waitFor(1, TimeUnit.SECONDS));
        assertEquals(1, p.stderr().size(), "exactly one line: " + p.stderr());
        assertTrue(p.stderr().get(0).startsWith("ssh-exporter: "), p.stderr().get(0));
        assertTrue(p.stderr().get(0).contains("--help"), p.stderr().get(0));
    }

    @Test
    void helpAndVersion() throws Exception {
        ExporterProcess help = ExporterProcess.runToEnd("--help");
        assertEquals(0, help.waitFor(1, TimeUnit.SECONDS));
        String text = String.join("\n", help.stdout());
        for (String flag : new String[] {"-H,--host", "-p,--port", "-i,--interval", "-f,--file", "-V,--version"}) {
            assertTrue(text.contains(flag), flag + " in " + text);
        }
        ExporterProcess version = ExporterProcess.runToEnd("-V");
        assertEquals(0, version.waitFor(1, TimeUnit.SECONDS));
        assertTrue(version.stdout().get(0).matches("ssh-exporter \\d+\\.\\d+\\.\\d+.*"), version.stdout().toString());
    }

    @Test
    void portInUseIsOneLineAndExitOne() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ExporterProcess p = ExporterProcess.runToEnd("-H", "127.0.0.1", "-p",
                    String.valueOf(taken.getLocalPort()), "-f", file.toString(),
                    "--wtmp.file=", "--btmp.file=");
            assertEquals(1, p.waitFor(1, TimeUnit.SECONDS));
            String last = p.stderr().get(p.stderr().size() - 1);
            assertTrue(last.contains("level=error") && last.contains("cannot listen on 127.0.0.1:")
                    && last.contains("address already in use"), last);
            assertNoStackTrace(p.stderr());
        }
    }

    @Test
    void unavailableAddressIsExitOne() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        // 192.0.2.1 (TEST-NET-1) is assigned to no interface here: bind fails at once, nothing is sent.
        ExporterProcess p = ExporterProcess.runToEnd("-H", "192.0.2.1", "-p", "9", "-f", file.toString(),
                "--wtmp.file=", "--btmp.file=");
        assertEquals(1, p.waitFor(1, TimeUnit.SECONDS));
        assertTrue(p.stderr().get(p.stderr().size() - 1).contains("cannot listen on 192.0.2.1:9"), p.stderr().toString());
        assertNoStackTrace(p.stderr());
    }

    private static void assertNoStackTrace(List<String> lines) {
        for (String l : lines) {
            assertFalse(l.startsWith("\tat ") || l.contains("Exception in thread"), "stack trace: " + lines);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void stopSignalExitsZeroWithinASecond(String signal) throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        long t0 = System.nanoTime();
        exporter.signal(signal);
        assertEquals(0, exporter.waitFor(5, TimeUnit.SECONDS));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(millis < 1_000, "exited after " + millis + " ms");
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("msg=stopping signal=SIG" + signal)));
    }

    @Test
    void garbageFileIsServedWithoutDying() throws Exception {
        Path file = dir.resolve("utmp");
        byte[] junk = new byte[384 * 200 + 77];
        new Random(3).nextBytes(junk);
        Files.write(file, junk);
        start(file);
        assertNotNull(exporter.scrape());
        assertEquals(1.0, exporter.value("ssh_exporter_source_up"));
        Files.write(file, junk, java.nio.file.StandardOpenOption.APPEND);
        Thread.sleep(200);
        assertTrue(exporter.alive());
        assertEquals(200, exporter.get("/metrics").statusCode());
        assertNoStackTrace(exporter.stderr());
    }

    @Test
    void missingFileIsAStateThenPickedUp() throws Exception {
        Path file = dir.resolve("utmp");
        start(file);
        assertEquals(0.0, exporter.value("ssh_exporter_source_up"));
        assertEquals(Map.of(), exporter.sessions());
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("level=warn") && l.contains("missing")));

        Path staging = dir.resolve("utmp.tmp");
        Files.createFile(staging);
        NativeTools.utmp(staging, "login", "pts/4", "carol", "198.51.100.4", "198.51.100.4", "44");
        Files.move(staging, file);
        expect(Map.of("198.51.100.4", 1), "file appeared");
        assertEquals(1.0, exporter.value("ssh_exporter_source_up"));
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("readable again")));
    }
}
