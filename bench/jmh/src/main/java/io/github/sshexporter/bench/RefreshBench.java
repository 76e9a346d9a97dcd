package io.github.sshexporter.bench;

import io.github.sshexporter.sessions.SessionLoop;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Figure 1: one full refresh (read + reconcile + publish) against the bare C loop over the same
 * glibc-written file, in the same JVM, on the same thread.
 *
 * <p>{@code event}: before each pass one record is flipped with pututxline (a login or logout),
 * as one inotify wake-up would find the file. {@code resync}: nothing changed, the refresh a
 * timeout makes when the file looks touched (its mtime is renewed before each pass; an old,
 * untouched file is not read at resync at all). The C loop runs over the very same file states.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RefreshBench {
    /** Fixture file (written by bench/run with utmpx_writer fill COUNT ADDRESSES). */
    @Param({"u10k"})
    public String file;

    @Param({"event", "resync"})
    public String mode;

    private SessionLoop loop;
    private int toggles;

    @Setup(Level.Trial)
    public void open() throws Exception {
        Path path = Path.of(System.getProperty("bench.dir", "."), file);
        loop = Passes.exporterLoop(path);
    }

    @Setup(Level.Invocation)
    public void change() {
        if (mode.equals("event") && CLoop.utmpx_loop_toggle(path(), toggles++ & 7) != 0) {
            throw new IllegalStateException("pututxline failed");
        }
        if (mode.equals("resync")) {
            // A new mtime: the resync must read (an unchanged, old file is not read at all).
            try {
                java.nio.file.Files.setLastModifiedTime(Path.of(path()),
                        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private String path() {
        return Path.of(System.getProperty("bench.dir", "."), file).toString();
    }

    @Benchmark
    public boolean exporter() {
        return loop.refreshOnce(mode.equals("resync"));
    }

    @Benchmark
    public long cLoop() {
        return CLoop.utmpx_loop_pass(path());
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        loop.stop(1, TimeUnit.SECONDS);
    }
}
