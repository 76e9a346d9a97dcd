package io.github.sshexporter.bench;

import io.github.sshexporter.sessions.RefreshListener;
import io.github.sshexporter.sessions.SessionLoop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figure 2, server side: the exporter's own session loop (inotify, coalescing) and reporter over
 * FILE (app.Exporter.sessionLoop, through app.BenchWiring); a separate process (utmp_driver) logs a session in and out EVENTS times and says
 * when each pututxline() returned (CLOCK_MONOTONIC, the clock of System.nanoTime). Latency = the
 * moment the publish holding the new value returned minus that. Events are spaced by SPACING_MS.
 *
 * <p>Usage: Latency FILE DRIVER EVENTS SPACING_MS. Prints {@code median_ms=.. p99_ms=.. max_ms=.. n=..}.
 */
public final class Latency {
    private static final String ADDRESS = "192.0.2.99";
    private static final int WARMUP = 10;

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String driver = args[1];
        int events = Integer.parseInt(args[2]);
        long spacing = Long.parseLong(args[3]);
        AtomicLong publishedAt = new AtomicLong();
        AtomicLong publishedCount = new AtomicLong(-1);
        Object lock = new Object();
        RefreshListener listener = new RefreshListener() {
            @Override
            public void onRefresh(Refresh r) {
                if (r.changes() != null) {
                    long now = System.nanoTime();
                    synchronized (lock) {
                        publishedAt.set(now);
                        publishedCount.set(r.changes().sessionsByRemote().getOrDefault(ADDRESS, 0));
                        lock.notifyAll();
                    }
                }
            }

            @Override
            public void onRefreshError(RuntimeException e) {
                e.printStackTrace();
            }
        };
        // The exporter's own reporter publishes; this listener only takes the time after it.
        SessionLoop loop = io.github.sshexporter.app.BenchWiring.utmpLoop(file, listener);
        loop.start();
        loop.awaitFirstRefresh(60, TimeUnit.SECONDS);
        Process p = new ProcessBuilder(driver, file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        PrintWriter to = new PrintWriter(p.getOutputStream(), true, StandardCharsets.US_ASCII);
        BufferedReader from = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        long[] lat = new long[events];
        // The first WARMUP login/logout pairs are not counted: the JIT compiles the refresh path.
        for (int i = -2 * WARMUP; i < events; i++) {
            boolean login = (i & 1) == 0;
            to.println(login ? "login 0 " + ADDRESS : "logout 0");
            long written = Long.parseLong(from.readLine().trim());
            long want = login ? 1 : 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            synchronized (lock) {
                // The previous state was the other value and was seen: a publish of this one came after the write
                // (it may have finished before the driver read its clock: then the latency counts as 0).
                while (publishedCount.get() != want) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new IllegalStateException("event " + i + " not published within 5 s");
                    }
                    lock.wait(Math.max(1, left / 1_000_000));
                }
                if (i >= 0) {
                    lat[i] = Math.max(0, publishedAt.get() - written);
                }
            }
            Thread.sleep(spacing);
        }
        to.println("quit");
        p.waitFor();
        loop.stop(1, TimeUnit.SECONDS);
        Arrays.sort(lat);
        System.out.printf(java.util.Locale.ROOT, "median_ms=%.3f p99_ms=%.3f max_ms=%.3f n=%d%n",
                lat[events / 2] / 1e6, lat[Math.min(events - 1, (int) Math.ceil(events * 0.99) - 1)] / 1e6,
                lat[events - 1] / 1e6, events);
        System.exit(0);
    }
}
