package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.NativeTools;
import io.github.sshexporter.testing.TestPki;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short form of the soak (bench/soak is the long one): under the packaged JVM flags, open
 * descriptors, inotify watches, threads and RSS measured after the first tenth of the churn and
 * at its end must be flat, while every change is still counted exactly.
 */
class LeakIT {
    /** 1,000 here; bench/soak runs the same test with more (-Dleak.rounds=N). */
    private static final int ROUNDS = Integer.getInteger("leak.rounds", 1_000);
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final Pattern THREADS = Pattern.compile("Threads:\\s+(\\d+)");

    @TempDir
    Path dir;
    private ExporterProcess exporter;

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    /** What a leak would grow. */
    record Usage(int fds, int inotifyWatches, int threads, long rssKb, List<String> fdTargets) {
        static Usage of(long pid) throws Exception {
            Path proc = Path.of("/proc", String.valueOf(pid));
            int watches = 0;
            List<String> targets = new java.util.ArrayList<>();
            try (var s = Files.list(proc.resolve("fd"))) {
                for (Path fd : s.toList()) {
                    try {
                        targets.add(Files.readSymbolicLink(fd).toString().replaceAll("\\[\\d+]", "[]"));
                    } catch (java.io.IOException e) {
                        // Closed while listed.
                    }
                }
            }
            java.util.Collections.sort(targets);
            try (var s = Files.list(proc.resolve("fdinfo"))) {
                for (Path p : s.toList()) {
                    try {
                        watches += (int) Files.readAllLines(p).stream().filter(l -> l.startsWith("inotify wd:")).count();
                    } catch (java.io.IOException e) {
                        // A descriptor closed while listed.
                    }
                }
            }
            String status = Files.readString(proc.resolve("status"));
            return new Usage(targets.size(), watches, number(THREADS, status), number(RSS, status), targets);
        }

        private static int number(Pattern p, String text) {
            Matcher m = p.matcher(text);
            assertTrue(m.find(), p.pattern());
            return Integer.parseInt(m.group(1));
        }
    }

    /** The usage once connections just closed by the client are closed by the server too (the same twice, 300 ms apart). */
    private static Usage settled(long pid) throws Exception {
        Usage last = Usage.of(pid);
        for (int i = 0; i < 30; i++) {
            Thread.sleep(300);
            Usage now = Usage.of(pid);
            if (now.fds() == last.fds() && now.threads() == last.threads()) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /**
     * The usage after a full collection: the heap the collector gives back (it grows and shrinks
     * within -Xmx with the garbage of the last seconds) is not counted as a leak.
     */
    private static Usage collected(long pid) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, "jcmd " + pid + " GC.run");
        return Usage.of(pid); // with the JVM's attach listener thread from the first call on: both counts have it
    }

    /**
     * The usage once the request pool is back to {@code threads}: it grows while all its threads
     * are busy (here, with handshakes that never finish) and retires the extra ones after 30 s idle.
     */
    private static Usage retired(long pid, int threads) throws Exception {
        long deadline = System.nanoTime() + 45_000_000_000L;
        Usage now = settled(pid);
        while (now.threads() > threads && System.nanoTime() < deadline) {
            Thread.sleep(1_000);
            now = Usage.of(pid);
        }
        return now;
    }

    private static void assertFlat(Usage tenth, Usage end) {
        assertFlat("tenth", tenth, end);
    }

    /** {@code base}: when {@code first} was measured (after the first tenth, or half, of the rounds). */
    private static void assertFlat(String base, Usage first, Usage end) {
        // For bench/soak, which reads these lines off the test's output.
        System.out.printf("leak rounds=%d %s fds=%d watches=%d threads=%d rss_kb=%d end fds=%d watches=%d threads=%d rss_kb=%d%n",
                ROUNDS, base, first.fds(), first.inotifyWatches(), first.threads(), first.rssKb(),
                end.fds(), end.inotifyWatches(), end.threads(), end.rssKb());
        String both = "after the first " + base + " " + first + ", at the end " + end;
        assertEquals(first.fds(), end.fds(), "open descriptors: " + both);
        assertEquals(first.inotifyWatches(), end.inotifyWatches(), "inotify watches: " + both);
        assertTrue(end.threads() <= first.threads(), "threads: " + both);
        assertTrue(end.rssKb() <= first.rssKb() + 4096, "RSS within 4 MB: " + both);
    }

    /** One scrape on a connection of its own, closed after the response, as Prometheus's first scrape or curl does. */
    private static String scrape(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 200 OK"), () -> response.substring(0, Math.min(response.length(), 80)));
            return response;
        }
    }

    private static double opened(String response) {
        Double v = ExporterProcess.valueIn(response, "ssh_sessions_opened_total{type=\"remote\"}");
        return v == null ? -1 : v;
    }

    private static byte[] oneRecord(Path file) throws Exception {
        byte[] all = Files.readAllBytes(file);
        assertEquals(384, all.length, "one x86_64 record");
        return all;
    }

    @Test
    void renamesRotationsAndScrapesLeakNothing() throws Exception {
        Path utmp = dir.resolve("utmp");
        Path wtmp = dir.resolve("wtmp");
        // Two utmp files to alternate (by rename, as systemd and login programs replace it) and one
        // wtmp login record to append after each rotation, all written by glibc once.
        byte[][] utmps = new byte[2][];
        for (int i = 0; i < 2; i++) {
            Path t = dir.resolve("template" + i);
            Files.createFile(t);
            NativeTools.utmp(t, "login", "pts/" + i, "user", "198.51.100." + (i + 1), "198.51.100." + (i + 1), "4" + i);
            utmps[i] = Files.readAllBytes(t);
        }
        Path w = dir.resolve("wtemplate");
        Files.createFile(w);
        NativeTools.run(List.of(NativeTools.program("utmpx_writer").toString(), w.toString(), "wlogin", "pts/9", "user",
                "203.0.113.9", "203.0.113.9", "99", String.valueOf(System.currentTimeMillis() / 1000)));
        byte[] login = oneRecord(w);
        Files.write(utmp, utmps[1]);
        Files.createFile(wtmp);
        exporter = ExporterProcess.startListening(List.of(), ExporterProcess.packagedJavaOpts(), "-i", "3600", "-f", utmp.toString(),
                "--source", "utmp", "--wtmp.file", wtmp.toString(), "--btmp.file=");
        Usage tenth = null;
        for (int round = 0; round < ROUNDS; round++) {
            Path staging = dir.resolve("utmp.new");
            Files.write(staging, utmps[round % 2]);
            Files.move(staging, utmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(wtmp, dir.resolve("wtmp.1"), StandardCopyOption.REPLACE_EXISTING);
            Files.createFile(wtmp);
            Files.write(wtmp, login, StandardOpenOption.APPEND);
            for (int s = 0; s < 10; s++) {
                scrape(exporter.port());
            }
            // A rotated file is replaced by the next rotation at once (logrotate keeps it a day): a
            // login in a file the follower never saw before it was gone cannot be counted by anyone.
            // So each round's file is seen before the next rotation, and counted exactly once.
            double want = round + 1;
            long deadline = System.nanoTime() + 5_000_000_000L;
            double opened;
            while ((opened = opened(scrape(exporter.port()))) != want && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(want, opened, "round " + round + ": one login per rotated wtmp, none twice");
            if (round == ROUNDS / 10) {
                tenth = settled(exporter.pid());
            }
        }
        // Measured before the checks below, whose keep-alive client holds a connection open. A
        // client that connects again the moment a response ends can find the thread that sent it
        // not yet returned to the pool, which then starts another: bounded, and retired when idle.
        Usage end = retired(exporter.pid(), tenth.threads());
        String last = "198.51.100." + ((ROUNDS - 1) % 2 + 1);
        Await.assertEventually(2_000, Map.of(last, 1), exporter::sessions, "the last utmp file's session");
        Await.assertEventually(2_000, (double) ROUNDS, () -> exporter.value("ssh_sessions_opened_total{type=\"remote\"}"),
                "one login per rotated wtmp, none twice");
        assertFlat(tenth, end);
    }

    @Test
    void tlsHandshakesDroppedHalfWayLeakNothing() throws Exception {
        TestPki pki = new TestPki(dir);
        pki.ca("ca");
        pki.leaf("server", "ca", TestPki.KeyForm.PKCS8, false);
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
        Files.createFile(dir.resolve("utmp"));
        exporter = ExporterProcess.startListening(List.of(), ExporterProcess.packagedJavaOpts(), "-i", "3600", "-f",
                dir.resolve("utmp").toString(), "--source", "utmp", "--wtmp.file=", "--btmp.file=",
                "--web.config.file", web.toString());
        // The start of a TLS 1.2/1.3 ClientHello record: a handshake that never completes.
        byte[] partialHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03, 1, 2, 3, 4};
        int idleThreads = settled(exporter.pid()).threads();
        // Measured after each half, in the same state: the request pool back to its idle size (a
        // pool thread still alive holds its stack and TLS buffers), after a full collection. The
        // first half warms up what a handshake costs once (compiled code, the heap's size, the
        // pool's growth: about 2 MB, then flat over thousands of rounds); a leak grows with the second.
        Usage half = null;
        for (int i = 0; i < ROUNDS; i++) {
            try (Socket s = new Socket("127.0.0.1", exporter.port())) {
                OutputStream out = s.getOutputStream();
                out.write(partialHello, 0, 1 + i % partialHello.length);
                out.flush();
            }
            if (i == ROUNDS / 2) {
                retired(exporter.pid(), idleThreads);
                half = collected(exporter.pid());
            }
        }
        assertTrue(exporter.alive());
        retired(exporter.pid(), idleThreads + 1); // + the JVM's attach listener, from the first collection on
        assertFlat("half", half, collected(exporter.pid()));
    }
}
