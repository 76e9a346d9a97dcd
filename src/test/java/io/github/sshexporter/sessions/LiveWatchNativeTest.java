package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session loop on real inotify and real glibc-written files. The resync interval is an hour,
 * so every change below can only have been seen through inotify.
 */
class LiveWatchNativeTest {
    private static final long HOUR = 3_600_000;
    /** Generous for a shared, noisy machine; the exporter needs milliseconds. */
    private static final long SEEN_WITHIN = 1_000;

    @TempDir
    Path dir;

    private SessionLoop loop;
    private final Recorder recorder = new Recorder();

    /** Keeps what the loop last published, like the metrics do. */
    static final class Recorder implements RefreshListener {
        volatile SortedMap<String, Integer> byRemote = new TreeMap<>();
        volatile SourceState state;
        final AtomicInteger refreshes = new AtomicInteger();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        volatile RuntimeException error;
        /** Refreshes of a change made inside changeStarting/changeDone, and any made outside while one was open. */
        final AtomicInteger gatedRefreshes = new AtomicInteger();
        volatile boolean changeOpen;
        volatile String gateFault;
        /** Run at each change's end, after the checks (a test's extra cost). */
        volatile Runnable atChangeDone = () -> { };

        volatile int stale;

        @Override
        public void changeStarting() {
            if (changeOpen) {
                gateFault = "changeStarting twice";
            }
            changeOpen = true;
        }

        @Override
        public void changeDone() {
            if (!changeOpen) {
                gateFault = "changeDone without changeStarting";
            }
            changeOpen = false;
            atChangeDone.run();
        }

        @Override
        public void onRefresh(Refresh refresh) {
            Snapshot snapshot = refresh.snapshot();
            Reconciler.Changes changes = refresh.changes();
            stale = refresh.stale();
            if (changes != null) {
                byRemote = changes.sessionsByRemote();
                state = snapshot.state();
                if (!changes.initial()) {
                    opened.addAndGet(changes.opened().size());
                    closed.addAndGet(changes.closed().size());
                }
            }
            refreshes.incrementAndGet();
            if (changeOpen) {
                gatedRefreshes.incrementAndGet();
            }
        }

        @Override
        public void onRefreshError(RuntimeException e) {
            error = e;
        }
    }

    private Path start(Path file) throws Exception {
        return start(file, false);
    }

    private Path start(Path file, boolean excludeStale) throws Exception {
        loop = new SessionLoop(UtmpSessionSource.open(file), HOUR, recorder,
                io.github.sshexporter.sys.Processes::exists, excludeStale);
        loop.start();
        assertTrue(loop.awaitFirstRefresh(5, TimeUnit.SECONDS));
        return file;
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.stop(2, TimeUnit.SECONDS);
        }
        assertEquals(null, recorder.error);
    }

    private void expect(Map<String, Integer> expected, String what) {
        Await.assertEventually(SEEN_WITHIN, new TreeMap<>(expected), () -> recorder.byRemote, what);
    }

    @Test
    void inPlaceWrites() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "198.51.100.1", "198.51.100.1", "11");
        expect(Map.of("198.51.100.1", 1), "login");
        NativeTools.utmp(file, "login", "pts/2", "bob", "::1", "::1", "12");
        expect(Map.of("198.51.100.1", 1, "::1", 1), "second login");
        NativeTools.utmp(file, "logout", "pts/1");
        expect(Map.of("::1", 1), "logout removes the series");
        assertEquals(SourceState.OK, recorder.state);
        // Each change was read between changeStarting and changeDone (what lets a scrape wait for it).
        assertTrue(recorder.gatedRefreshes.get() >= 3, "refreshes of changes: " + recorder.gatedRefreshes.get());
        assertEquals(null, recorder.gateFault);
        assertFalse(recorder.changeOpen);
    }

    @Test
    void aChangesEndIsChargedToTheBudgetAsItsReadIs() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        // By this cost clock only the end of a change costs anything, and each costs ten seconds:
        // after the first, a churning file is read again only once it is quiet.
        AtomicLong cost = new AtomicLong();
        recorder.atChangeDone = () -> cost.addAndGet(TimeUnit.SECONDS.toNanos(10));
        loop = new SessionLoop(UtmpSessionSource.open(file), HOUR, recorder,
                io.github.sshexporter.sys.Processes::exists, false, cost::get);
        loop.start();
        assertTrue(loop.awaitFirstRefresh(5, TimeUnit.SECONDS));
        int before = recorder.refreshes.get();
        NativeTools.utmp(file, "burst", "b", "50000", "1", "192.0.2.5");
        expect(Map.of("192.0.2.5", 1), "the burst's end");
        int refreshes = recorder.refreshes.get() - before;
        // The first change, then the burst's end once quiet; a writer descheduled for the quiet
        // time (a busy machine) adds one each time. Uncharged, the loop reads thousands of times.
        assertTrue(refreshes >= 1 && refreshes <= 50, "refreshes during 100,000 changes: " + refreshes);
    }

    @Test
    void renameOverTheWatchedFile() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "198.51.100.1", "198.51.100.1", "11");
        expect(Map.of("198.51.100.1", 1), "before replace");

        Path replacement = dir.resolve("utmp.new");
        Files.createFile(replacement);
        NativeTools.utmp(replacement, "login", "pts/5", "carol", "198.51.100.5", "198.51.100.5", "15");
        Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        expect(Map.of("198.51.100.5", 1), "replaced file read");

        // The old watch died with the old inode: the next in-place write must still be seen.
        NativeTools.utmp(file, "login", "pts/6", "dave", "198.51.100.6", "198.51.100.6", "16");
        expect(Map.of("198.51.100.5", 1, "198.51.100.6", 1), "write after replace");
    }

    @Test
    void deletedThenRecreated() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "198.51.100.1", "198.51.100.1", "11");
        expect(Map.of("198.51.100.1", 1), "login");

        Files.delete(file);
        Await.assertEventually(SEEN_WITHIN, SourceState.MISSING, () -> recorder.state, "deletion noticed");
        assertEquals(Map.of(), recorder.byRemote, "no session series while the file is missing");

        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/2", "bob", "198.51.100.2", "198.51.100.2", "12");
        expect(Map.of("198.51.100.2", 1), "recreated file");
        assertEquals(SourceState.OK, recorder.state);
        NativeTools.utmp(file, "logout", "pts/2");
        expect(Map.of(), "write to the recreated file");
    }

    @Test
    void missingAtStartThenAppears() throws Exception {
        Path file = dir.resolve("utmp");
        start(file);
        assertEquals(SourceState.MISSING, recorder.state);
        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "198.51.100.1", "198.51.100.1", "11");
        expect(Map.of("198.51.100.1", 1), "file appeared");
    }

    @Test
    void truncatedToZero() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "198.51.100.1", "198.51.100.1", "11");
        NativeTools.utmp(file, "login", "pts/2", "bob", "198.51.100.1", "198.51.100.1", "12");
        expect(Map.of("198.51.100.1", 2), "two logins");
        Files.write(file, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        expect(Map.of(), "truncation");
        NativeTools.utmp(file, "login", "pts/3", "carol", "198.51.100.3", "198.51.100.3", "13");
        expect(Map.of("198.51.100.3", 1), "write after truncation");
    }

    @Test
    void otherFilesInTheDirectoryDoNotCauseReads() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        int before = recorder.refreshes.get();
        for (int i = 0; i < 50; i++) {
            Files.writeString(dir.resolve("other-" + i), "x");
        }
        NativeTools.utmp(file, "login", "pts/1", "alice", "198.51.100.1", "198.51.100.1", "11");
        expect(Map.of("198.51.100.1", 1), "login");
        assertTrue(recorder.refreshes.get() - before <= 3,
                "refreshes caused: " + (recorder.refreshes.get() - before));
    }

    @Test
    void burstOfConcurrentWritersEndsExact() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        start(file);
        // 4 writers x 250 login/logout cycles = 2,000 logins and 2,000 logouts, on separate lines,
        // each leaving a known number of sessions open at the end.
        int[] keep = {3, 0, 7, 5};
        List<Process> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            writers.add(NativeTools.utmpAsync(file, "burst", "w" + w + "/", "250", String.valueOf(keep[w]),
                    "10.0.0." + (w + 1)));
        }
        for (Process p : writers) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        }
        expect(Map.of("10.0.0.1", 3, "10.0.0.3", 7, "10.0.0.4", 5), "final state after the burst");
        assertTrue(recorder.refreshes.get() < 4_000 + 50, "refreshes are coalesced, not one per event");
    }

    /** A pid that certainly belonged to a process that has exited. */
    private static String deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return Long.toString(p.pid());
    }

    /** A utmp file with a live session (this JVM), a crashed one (a dead pid), and init's (pid 1). */
    private Path liveCrashedAndInit() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/1", "alive", "198.51.100.1", "198.51.100.1",
                Long.toString(ProcessHandle.current().pid()));
        NativeTools.utmp(file, "login", "pts/2", "crashed", "198.51.100.2", "198.51.100.2", deadPid());
        NativeTools.utmp(file, "login", "pts/3", "init", "198.51.100.3", "198.51.100.3", "1");
        return file;
    }

    @Test
    void staleRecordsAreCountedAndKeptByDefault() throws Exception {
        start(liveCrashedAndInit());
        assertEquals(1, recorder.stale);
        assertEquals(Map.of("198.51.100.1", 1, "198.51.100.2", 1, "198.51.100.3", 1), recorder.byRemote);
    }

    @Test
    void staleRecordsCanBeExcluded() throws Exception {
        start(liveCrashedAndInit(), true);
        assertEquals(1, recorder.stale);
        assertEquals(Map.of("198.51.100.1", 1, "198.51.100.3", 1), recorder.byRemote);
    }
}
