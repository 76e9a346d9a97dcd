package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.NativeTools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wtmp-fed counters ({@code --source utmp}, wtmp readable at start) of the jar, checked against
 * what util-linux {@code last} makes of the same glibc-written files, with the exporter's own rule
 * asserted where the two differ on purpose:
 *
 * <ul>
 *   <li><b>lost logout</b>: a login on a line whose session has no logout. {@code last} takes the new
 *       login's time as the old session's logout; the exporter counts the old session closed with
 *       no duration.</li>
 * </ul>
 *
 * Where they agree: a DEAD_PROCESS record or a USER_PROCESS record without a user name (a "ghost")
 * is a logout of its line, with the recorded times' difference as duration; a reboot or shutdown
 * record ends every open session ({@code last}: "crash", "down"), closed without a duration; a
 * session open at start ({@code last} on the file as it was then: "still logged in" / "gone - no
 * logout") that ends later is counted closed, with its duration from the historical login.
 *
 * <p>{@code last --time-format iso} prints whole seconds: every record the generators write has a
 * second of its own, so a time {@code last} prints names one record, whose microseconds give the
 * exact duration.
 */
class WtmpHistoryIT {
    private static final String[] TYPES = {"remote", "local"};
    /** ActivityMetrics' bounds. */
    private static final double[] BUCKETS = {1, 10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 8 * 3600,
        24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600};
    private static final long T0 = 1_800_000_000L;

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

    private void start() throws Exception {
        exporter = ExporterProcess.startListening(List.of(), List.of(), "-i", "3600", "-f", utmp.toString(),
                "--source", "utmp", "--wtmp.file", wtmp.toString(), "--btmp.file", btmp.toString());
        assertEquals(1.0, exporter.value("ssh_exporter_session_events_source{source=\"wtmp\"}"));
    }

    // ------------------------------------------------------------------ records

    enum Kind { LOGIN, DEAD, GHOST, BOOT, SHUTDOWN }

    /** One wtmp record as written; host and addr "-" mean empty. */
    record Rec(Kind kind, String line, String user, String host, String addr, int pid, long sec, int usec) {
        double time() {
            return sec + usec / 1e6;
        }

        String type() {
            return "-".equals(host) && "-".equals(addr) ? "local" : "remote";
        }

        /** A line of utmpx_writer's {@code wbatch}. */
        String command() {
            return switch (kind) {
                case LOGIN -> "user " + line + " " + user + " " + host + " " + addr + " " + pid + " " + sec + " " + usec;
                case DEAD -> "dead " + line + " " + sec + " " + usec;
                case GHOST -> "ghost " + line + " " + sec + " " + usec;
                case BOOT -> "boot " + sec + " " + usec;
                case SHUTDOWN -> "shutdown " + sec + " " + usec;
            };
        }

        static Rec login(String line, String user, String host, String addr, int pid, long sec, int usec) {
            return new Rec(Kind.LOGIN, line, user, host, addr, pid, sec, usec);
        }

        static Rec of(Kind kind, String line, long sec, int usec) {
            return new Rec(kind, line, "", "-", "-", 0, sec, usec);
        }
    }

    /** Appends records (and "rotate TO" steps) with glibc's updwtmpx, in one utmpx_writer process. */
    private static void append(Path file, List<String> commands) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(NativeTools.program("utmpx_writer").toString(), file.toString(), "wbatch")
                .redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "utmpx_writer wbatch hangs");
        assertEquals(0, p.exitValue(), "utmpx_writer wbatch: " + out + "\n" + commands);
    }

    private static void appendRecords(Path file, List<Rec> records) throws IOException, InterruptedException {
        if (!records.isEmpty()) {
            append(file, records.stream().map(Rec::command).toList());
        }
    }

    // ------------------------------------------------------------------ what last says

    enum End { LOGOUT, CRASH, DOWN, OPEN }

    /** One session line of {@code last}; {@code logout} is set for {@link End#LOGOUT}. */
    record LastSession(String user, String line, long login, End end, long logout) {}

    private static final Pattern LAST_LINE =
            Pattern.compile("^(\\S+)\\s+(\\S+)\\s+(\\d{4}-\\d\\d-\\d\\dT\\S+)\\s*(.*?)\\s*$");
    private static final Pattern LOGOUT_TIME = Pattern.compile("^- (\\d{4}-\\d\\d-\\d\\dT\\S+)\\s+\\(.*\\)$");

    /** {@code last -f FILE --time-format iso -w -R} (in UTC), its sessions (reboot lines left out). */
    static List<LastSession> last(Path file) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("last", "-f", file.toString(), "--time-format", "iso", "-w", "-R");
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "last hangs");
        assertEquals(0, p.exitValue(), "last: " + err);
        List<LastSession> sessions = new ArrayList<>();
        for (String text : out.split("\n")) {
            if (text.isBlank() || text.startsWith(file.getFileName() + " begins")
                    || text.matches("^(reboot|shutdown)\\s+system (boot|down)\\s.*")) {
                continue;
            }
            Matcher m = LAST_LINE.matcher(text);
            if (!m.matches()) {
                fail("unexpected line from last: " + text);
            }
            long login = epoch(m.group(3));
            String rest = m.group(4);
            Matcher out2 = LOGOUT_TIME.matcher(rest);
            LastSession s;
            if (out2.matches()) {
                s = new LastSession(m.group(1), m.group(2), login, End.LOGOUT, epoch(out2.group(1)));
            } else if (rest.startsWith("- crash")) {
                s = new LastSession(m.group(1), m.group(2), login, End.CRASH, 0);
            } else if (rest.startsWith("- down")) {
                s = new LastSession(m.group(1), m.group(2), login, End.DOWN, 0);
            } else if (rest.equals("still logged in") || rest.equals("gone - no logout")) {
                s = new LastSession(m.group(1), m.group(2), login, End.OPEN, 0);
            } else {
                throw new AssertionError("unexpected end in last's line: " + text);
            }
            sessions.add(s);
        }
        return sessions;
    }

    private static long epoch(String iso) {
        return OffsetDateTime.parse(iso).toEpochSecond();
    }

    // ------------------------------------------------------------------ the expectation

    /** What the exporter must serve, and which cases it took to get there. */
    static final class Expected {
        final Map<String, Integer> opened = new TreeMap<>(Map.of("remote", 0, "local", 0));
        final Map<String, Integer> closed = new TreeMap<>(Map.of("remote", 0, "local", 0));
        final List<Double> durations = new ArrayList<>();
        final Map<String, Integer> cases = new TreeMap<>();

        void note(String c) {
            cases.merge(c, 1, Integer::sum);
        }

        int openedTotal() {
            return opened.values().stream().mapToInt(Integer::intValue).sum();
        }

        @Override
        public String toString() {
            return "opened " + opened + ", closed " + closed + ", " + durations.size() + " durations, cases " + cases;
        }
    }

    /**
     * The counters for the records from {@code boundary} on, from {@code last} on the whole file and
     * {@code last} on the file as it was at start (for the sessions open then).
     *
     * @param written every record written, by its second (each has its own)
     */
    static Expected expected(List<LastSession> whole, List<LastSession> atStart, long boundary,
            Map<Long, Rec> written) {
        Set<String> openAtStart = new HashSet<>();
        for (LastSession s : atStart) {
            if (s.end() == End.OPEN) {
                openAtStart.add(s.line() + "@" + s.login());
            }
        }
        Expected e = new Expected();
        for (LastSession s : whole) {
            Rec login = written.get(s.login());
            assertNotNull(login, "last shows a login at " + s.login() + " that was not written: " + s);
            assertEquals(Kind.LOGIN, login.kind(), "last's login " + s);
            assertEquals(login.line(), s.line(), "last's login " + s);
            boolean live = s.login() >= boundary;
            boolean fromHistory = openAtStart.contains(s.line() + "@" + s.login());
            assertTrue(!(live && fromHistory), "a live login cannot be open at start: " + s);
            if (live) {
                e.opened.merge(login.type(), 1, Integer::sum);
            }
            if (!live && !fromHistory) {
                continue; // ended before the start: learned, not counted
            }
            String when = fromHistory ? "history session " : "live session ";
            switch (s.end()) {
                case OPEN -> e.note(when + "still open");
                case CRASH, DOWN -> {
                    // last: "crash"/"down"; the exporter: closed, no duration (no end of its own was recorded).
                    e.closed.merge(login.type(), 1, Integer::sum);
                    e.note(when + "ended by " + s.end());
                }
                case LOGOUT -> {
                    Rec out = written.get(s.logout());
                    assertNotNull(out, "last shows a logout at " + s.logout() + " that was not written: " + s);
                    e.closed.merge(login.type(), 1, Integer::sum);
                    if (out.kind() == Kind.LOGIN) {
                        // last and the exporter differ (lost logout): last takes the next login on
                        // the line as the logout; the exporter closes the session without a duration.
                        e.note(when + "lost logout");
                    } else {
                        e.durations.add(out.time() - login.time());
                        e.note(when + (out.kind() == Kind.GHOST ? "ghost logout" : "logout"));
                    }
                }
            }
        }
        return e;
    }

    /** Waits until the counters reach {@code e}, lets more records (a double count) show, and checks all. */
    private void assertServed(Expected e, String context) throws InterruptedException {
        Await.until(10_000, () -> {
            String page = exporter.scrape();
            for (String type : TYPES) {
                if (!Double.valueOf(e.opened.get(type)).equals(opened(page, type))
                        || !Double.valueOf(e.closed.get(type)).equals(closed(page, type))) {
                    return false;
                }
            }
            return Double.valueOf(e.durations.size()).equals(
                    ExporterProcess.valueIn(page, "ssh_session_duration_seconds_count"));
        });
        Thread.sleep(300);
        String page = exporter.scrape();
        for (String type : TYPES) {
            assertEquals((double) e.opened.get(type), opened(page, type), context + ": opened " + type + "; " + e);
            assertEquals((double) e.closed.get(type), closed(page, type), context + ": closed " + type + "; " + e);
        }
        assertEquals((double) e.durations.size(), ExporterProcess.valueIn(page, "ssh_session_duration_seconds_count"),
                context + ": durations observed; expected " + e.durations);
        for (double bound : BUCKETS) {
            long n = e.durations.stream().filter(d -> d <= bound).count();
            assertEquals((double) n, ExporterProcess.valueIn(page, "ssh_session_duration_seconds_bucket{le=\""
                    + bound + "\"}"), context + ": durations <= " + bound + "; expected " + e.durations);
        }
        assertEquals((double) e.durations.size(),
                ExporterProcess.valueIn(page, "ssh_session_duration_seconds_bucket{le=\"+Inf\"}"), context);
        double sum = e.durations.stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(sum, ExporterProcess.valueIn(page, "ssh_session_duration_seconds_sum"), 1e-3,
                context + ": duration sum; expected " + e.durations);
    }

    private static Double opened(String page, String type) {
        return ExporterProcess.valueIn(page, "ssh_sessions_opened_total{type=\"" + type + "\"}");
    }

    private static Double closed(String page, String type) {
        return ExporterProcess.valueIn(page, "ssh_sessions_closed_total{type=\"" + type + "\"}");
    }

    // ------------------------------------------------------------------ 1. randomized histories

    /** Lines and where their sessions come from (host, ut_addr_v6; "-" empty): remote and local. */
    private static final String[][] LINES = {
        {"pts/0", "203.0.113.10", "203.0.113.10"}, {"pts/1", "198.51.100.20", "198.51.100.20"},
        {"pts/2", "2001:db8::5", "2001:db8::5"}, {"pts/3", "host.example", "-"},
        {"pts/4", "203.0.113.11", "-"}, {"pts/5", "2001:db8::6", "-"}, {"pts/6", "198.51.100.21", "-"},
        {"tty1", "-", "-"}, {"tty2", "-", "-"},
    };
    private static final long[] GAPS = {3, 40, 400, 4_000, 40_000};

    /**
     * Random wtmp traffic: logins (also on a line still open: a lost logout), logouts, ghost
     * logouts, stray logouts, reboots with sessions open (crashes), shutdowns followed by a boot.
     * Every record gets a second of its own, later than the one before.
     */
    static final class Traffic {
        final Random random;
        final Map<String, Rec> open = new HashMap<>();
        final Map<Long, Rec> written = new HashMap<>();
        long sec = T0;
        int pid = 1000;

        Traffic(long seed) {
            random = new Random(seed);
        }

        private long nextSecond() {
            sec += 1 + random.nextInt((int) GAPS[random.nextInt(GAPS.length)]);
            return sec;
        }

        private int usec() {
            return random.nextInt(1_000_000);
        }

        List<Rec> next(int count) {
            List<Rec> out = new ArrayList<>();
            while (out.size() < count) {
                int r = random.nextInt(100);
                List<String> openLines = new ArrayList<>(open.keySet());
                openLines.sort(null);
                if (r < 25 && !openLines.isEmpty()) {
                    out.add(logout(openLines.get(random.nextInt(openLines.size())), Kind.DEAD));
                } else if (r < 32 && !openLines.isEmpty()) {
                    out.add(logout(openLines.get(random.nextInt(openLines.size())), Kind.GHOST));
                } else if (r < 36) {
                    // A logout on a line with nothing open (a second logout): it ends nothing.
                    String line = LINES[random.nextInt(LINES.length)][0];
                    if (!open.containsKey(line)) {
                        out.add(record(Rec.of(random.nextBoolean() ? Kind.DEAD : Kind.GHOST, line, nextSecond(), usec())));
                    }
                } else if (r < 38) {
                    out.add(record(Rec.of(Kind.BOOT, "~", nextSecond(), usec())));
                    open.clear();
                } else if (r < 40) {
                    out.add(record(Rec.of(Kind.SHUTDOWN, "~", nextSecond(), usec())));
                    open.clear();
                    out.add(record(Rec.of(Kind.BOOT, "~", nextSecond(), usec())));
                } else {
                    String[] l = LINES[random.nextInt(LINES.length)];
                    for (int tries = 0; tries < 3 && open.containsKey(l[0]); tries++) {
                        l = LINES[random.nextInt(LINES.length)]; // mostly a free line; else a lost logout
                    }
                    Rec login = record(Rec.login(l[0], "user" + random.nextInt(5), l[1], l[2], pid++, nextSecond(), usec()));
                    open.put(l[0], login); // a session still open there has lost its logout
                    out.add(login);
                }
            }
            return out;
        }

        private Rec logout(String line, Kind kind) {
            Rec login = open.remove(line);
            long s = nextSecond();
            int u = usec();
            double d = s + u / 1e6 - login.time();
            for (double b : BUCKETS) {
                if (Math.abs(d - b) < 0.01) {
                    u = (u + 500_000) % 1_000_000; // keep clear of a bucket bound
                }
            }
            return record(Rec.of(kind, line, s, u));
        }

        private Rec record(Rec r) {
            written.put(r.sec(), r);
            return r;
        }
    }

    private static final long[] SEEDS = {10L, 13L, 18L, 26L};

    /** One seed's run: the history before the start, the live part after, and what last says. */
    private record Run(List<Rec> history, List<List<Rec>> live, Traffic traffic) {
        long boundary() {
            return live.get(0).get(0).sec();
        }
    }

    private static Run plan(long seed) {
        Traffic t = new Traffic(seed);
        List<Rec> history = t.next(60 + t.random.nextInt(30));
        List<List<Rec>> live = new ArrayList<>();
        int total = 70 + t.random.nextInt(30);
        for (int n = 0; n < total; ) {
            int chunk = 1 + t.random.nextInt(6);
            live.add(t.next(chunk));
            n += chunk;
        }
        return new Run(history, live, t);
    }

    private static Expected expectedFromLast(Path whole, Path atStart, Run run) throws Exception {
        return expected(last(whole), last(atStart), run.boundary(), run.traffic().written);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {10L, 13L, 18L, 26L}) // = SEEDS
    void randomHistoryThenLiveRecordsCountAsLastReadsThem(long seed) throws Exception {
        Run run = plan(seed);
        appendRecords(wtmp, run.history());
        Path atStart = Files.copy(wtmp, dir.resolve("wtmp.at-start"));
        start();
        for (List<Rec> chunk : run.live()) {
            appendRecords(wtmp, chunk);
        }
        Expected e = expectedFromLast(wtmp, atStart, run);
        assertTrue(e.openedTotal() > 0, "seed " + seed + " has live logins: " + e);
        assertServed(e, "seed " + seed);
    }

    /** The seeds are worth running: between them, the live part holds every case. */
    @Test
    void theSeedsCoverEveryCase() throws Exception {
        Map<String, Integer> cases = new TreeMap<>();
        for (long seed : SEEDS) {
            Run run = plan(seed);
            Path whole = dir.resolve("plan-" + seed);
            Path atStart = dir.resolve("plan-" + seed + ".at-start");
            Files.createFile(whole);
            appendRecords(whole, run.history());
            Files.copy(whole, atStart);
            for (List<Rec> chunk : run.live()) {
                appendRecords(whole, chunk);
            }
            expectedFromLast(whole, atStart, run).cases.forEach((k, v) -> cases.merge(k, v, Integer::sum));
        }
        for (String when : new String[] {"history session ", "live session "}) {
            for (String c : new String[] {"logout", "ghost logout", "lost logout", "ended by CRASH", "ended by DOWN"}) {
                assertTrue(cases.getOrDefault(when + c, 0) > 0, "no '" + when + c + "' in " + cases);
            }
        }
    }

    // ------------------------------------------------------------------ 2. crash before the start

    @Test
    void aSessionEndedByARebootBeforeTheStartIsNotClosedByTheNextLoginOnItsLine() throws Exception {
        List<Rec> history = List.of(
                Rec.login("pts/0", "alice", "203.0.113.7", "203.0.113.7", 100, T0, 123_456),
                Rec.login("pts/1", "bob", "203.0.113.8", "203.0.113.8", 101, T0 + 10, 500_000),
                Rec.of(Kind.BOOT, "~", T0 + 100, 0),
                Rec.login("pts/2", "carol", "203.0.113.9", "203.0.113.9", 102, T0 + 200, 0),
                Rec.of(Kind.SHUTDOWN, "~", T0 + 300, 0),
                Rec.of(Kind.BOOT, "~", T0 + 310, 0));
        appendRecords(wtmp, history);
        List<LastSession> before = last(wtmp);
        assertEquals(List.of(End.DOWN, End.CRASH, End.CRASH), before.stream().map(LastSession::end).toList(),
                "last's view of the history: " + before);
        start();
        List<Rec> live = List.of(
                Rec.login("pts/0", "dave", "198.51.100.1", "198.51.100.1", 200, T0 + 1000, 0),
                Rec.login("pts/1", "erin", "198.51.100.2", "198.51.100.2", 201, T0 + 1001, 0),
                Rec.login("pts/2", "frank", "198.51.100.3", "198.51.100.3", 202, T0 + 1002, 0));
        appendRecords(wtmp, live);
        Await.assertEventually(5_000, 3.0, () -> exporter.value("ssh_sessions_opened_total{type=\"remote\"}"), "opened");
        Thread.sleep(300);
        assertEquals(0.0, exporter.value("ssh_sessions_closed_total{type=\"remote\"}"),
                "the sessions the reboot and the shutdown ended before the start are not closed again");
        assertEquals(0.0, exporter.value("ssh_session_duration_seconds_count"));

        appendRecords(wtmp, List.of(Rec.of(Kind.DEAD, "pts/0", T0 + 1100, 250_000)));
        Await.assertEventually(5_000, 1.0, () -> exporter.value("ssh_sessions_closed_total{type=\"remote\"}"), "closed");
        assertEquals(1.0, exporter.value("ssh_session_duration_seconds_count"));
        assertEquals(100.25, exporter.value("ssh_session_duration_seconds_sum"), 1e-6,
                "the duration of dave's session, not of alice's");
    }

    // ------------------------------------------------------------------ 3. rotation racing logins

    @Test
    void rotationRacingLoginsNeitherDropsNorRepeatsARecord() throws Exception {
        Random random = new Random(99);
        Map<Long, Rec> written = new HashMap<>();
        List<Rec> history = List.of(
                Rec.login("pts/9", "old", "203.0.113.99", "203.0.113.99", 90, T0, 111_111),
                Rec.login("pts/8", "older", "203.0.113.98", "203.0.113.98", 91, T0 + 5, 0),
                Rec.of(Kind.DEAD, "pts/8", T0 + 50, 0));
        history.forEach(r -> written.put(r.sec(), r));
        appendRecords(wtmp, history);
        Path atStart = Files.copy(wtmp, dir.resolve("wtmp.at-start"));
        Path rotated = dir.resolve("wtmp.1");
        start();

        long boundary = T0 + 1000;
        long sec = boundary;
        List<Path> generations = new ArrayList<>();
        int loginsWritten = 0;
        int perFileLastLogins = 0;
        String pacing = null;
        Set<String> open = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            if (Files.exists(rotated)) {
                // wtmp.1 is final (nothing writes to a rotated file): keep it before it is overwritten.
                Path generation = Files.copy(rotated, dir.resolve("generation-" + generations.size()));
                generations.add(generation);
                perFileLastLogins += liveLogins(last(generation), boundary);
            }
            List<String> commands = new ArrayList<>();
            List<Rec> records = new ArrayList<>();
            String oldLine = "pts/" + (10 + i % 4);
            String newLine = "pts/" + (20 + i % 4);
            // just before the rename: a login appended to the file about to be rotated
            records.add(Rec.login(oldLine, "u" + i, "198.51.100." + (i + 1), "198.51.100." + (i + 1), 3000 + i,
                    ++sec, random.nextInt(1_000_000)));
            commands.add(records.get(records.size() - 1).command());
            commands.add("rotate " + rotated);
            // at once, into the new file: a login, often its logout, sometimes the old file's logout
            records.add(Rec.login(newLine, "v" + i, "203.0.113." + (i + 1), "203.0.113." + (i + 1), 4000 + i,
                    ++sec, random.nextInt(1_000_000)));
            commands.add(records.get(records.size() - 1).command());
            if (random.nextInt(3) > 0) {
                records.add(Rec.of(Kind.DEAD, newLine, sec += 1 + random.nextInt(100), random.nextInt(1_000_000)));
                commands.add(records.get(records.size() - 1).command());
            }
            if (random.nextBoolean()) {
                records.add(Rec.of(Kind.DEAD, oldLine, sec += 1 + random.nextInt(100), random.nextInt(1_000_000)));
                commands.add(records.get(records.size() - 1).command());
            }
            if (i == 7) {
                records.add(Rec.of(Kind.DEAD, "pts/9", sec += 1, 611_111)); // the session open at start
                commands.add(records.get(records.size() - 1).command());
            }
            records.forEach(r -> written.put(r.sec(), r));
            loginsWritten += 2;
            append(wtmp, commands);
            // Pace the rotations as logrotate would (not twice within one read): wait until the
            // exporter has counted what was written, but do not judge it here.
            int expectedSoFar = loginsWritten;
            if (pacing == null && !Await.until(3_000,
                    () -> Double.valueOf(expectedSoFar).equals(exporter.value("ssh_sessions_opened_total{type=\"remote\"}")))) {
                pacing = "after rotation " + i + " the exporter served opened "
                        + exporter.value("ssh_sessions_opened_total{type=\"remote\"}") + ", " + expectedSoFar + " written";
            }
        }
        perFileLastLogins += liveLogins(last(rotated), boundary) + liveLogins(last(wtmp), boundary);
        assertEquals(loginsWritten, perFileLastLogins, "last -f on each file, together: every login once");

        // last's view across the rotations: the generations in order, one after the other.
        Path all = dir.resolve("all-generations");
        Files.copy(generations.get(0), all);
        for (Path p : generations.subList(1, generations.size())) {
            Files.write(all, Files.readAllBytes(p), StandardOpenOption.APPEND);
        }
        Files.write(all, Files.readAllBytes(rotated), StandardOpenOption.APPEND);
        Files.write(all, Files.readAllBytes(wtmp), StandardOpenOption.APPEND);
        Expected e = expected(last(all), last(atStart), boundary, written);
        assertEquals(perFileLastLogins, e.openedTotal());
        assertServed(e, "rotation" + (pacing == null ? "" : " (" + pacing + ")"));
    }

    private static int liveLogins(List<LastSession> sessions, long boundary) {
        return (int) sessions.stream().filter(s -> s.login() >= boundary).count();
    }

    // ------------------------------------------------------------------ 4. an empty user name

    @Test
    void aUserProcessRecordWithoutAUserIsNoSessionInUtmpAndALogoutInWtmp() throws Exception {
        String self = Long.toString(ProcessHandle.current().pid());
        NativeTools.utmp(utmp, "login", "pts/1", "alice", "203.0.113.7", "203.0.113.7", self);
        NativeTools.utmp(utmp, "login", "pts/2", "", "203.0.113.8", "203.0.113.8", self);
        start();
        assertEquals(Map.of("203.0.113.7", 1), exporter.sessions(), "who(1) hides the record without a user");

        NativeTools.utmp(utmp, "login", "pts/3", "", "203.0.113.9", "203.0.113.9", self);
        NativeTools.utmp(utmp, "login", "pts/4", "bob", "203.0.113.10", "203.0.113.10", self);
        Await.assertEventually(2_000, Map.of("203.0.113.7", 1, "203.0.113.10", 1), exporter::sessions,
                "sessions after one more record without a user and one with");

        List<Rec> records = List.of(
                Rec.login("pts/5", "carol", "198.51.100.5", "198.51.100.5", 300, T0, 100_000),
                Rec.of(Kind.GHOST, "pts/5", T0 + 30, 350_000));
        Map<Long, Rec> written = new HashMap<>();
        records.forEach(r -> written.put(r.sec(), r));
        Path atStart = Files.copy(wtmp, dir.resolve("wtmp.at-start"));
        appendRecords(wtmp, records);
        List<LastSession> sessions = last(wtmp);
        assertEquals(List.of(new LastSession("carol", "pts/5", T0, End.LOGOUT, T0 + 30)), sessions,
                "last takes the ghost record as the logout too");
        Expected e = expected(sessions, last(atStart), T0, written);
        assertEquals(List.of(30.25), e.durations);
        assertServed(e, "ghost logout");
    }
}
