package io.github.sshexporter.bench;

import io.github.sshexporter.sessions.SessionLoop;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Figure 1, paired: exporter refreshes and bare C passes alternate on one thread over the same
 * file (ABAB, so that machine noise hits both alike), each timed in wall-clock and in this
 * thread's CPU time (robust on a shared machine). Warm-up pairs are dropped: at least
 * {@link #WARMUP}, and enough for 50,000 records' worth of refreshes, so that a small file is
 * measured in steady state too (its per-pass methods need thousands of calls before the JIT's
 * last tier compiles them; 15 passes over a 10-record file measured the interpreter).
 *
 * <p>Usage: Passes FILE PAIRS event|resync. Prints one line:
 * {@code records=N java_wall_ms=.. c_wall_ms=.. java_cpu_ms=.. c_cpu_ms=..} (medians).
 */
public final class Passes {
    private static final int WARMUP = 15;

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        int pairs = Integer.parseInt(args[1]);
        boolean resync = args.length > 2 && args[2].equals("resync");
        SessionLoop loop = exporterLoop(path);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] jWall = new long[pairs];
        long[] cWall = new long[pairs];
        long[] jCpu = new long[pairs];
        long[] cCpu = new long[pairs];
        long records = CLoop.utmpx_loop_pass(path.toString());
        int warmup = (int) Math.max(WARMUP, 50_000 / Math.max(1, records));
        for (int i = -warmup; i < pairs; i++) {
            if (!resync) {
                CLoop.utmpx_loop_toggle(path.toString(), i & 7);
            } else {
                // A new mtime: the resync must read (an unchanged, old file is not read at all).
                java.nio.file.Files.setLastModifiedTime(path, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
            }
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            loop.refreshOnce(resync);
            long t1 = System.nanoTime();
            long c1 = mx.getCurrentThreadCpuTime();
            if (!resync) {
                CLoop.utmpx_loop_toggle(path.toString(), (i + 3) & 7);
            }
            long c2 = mx.getCurrentThreadCpuTime();
            long t2 = System.nanoTime();
            records = CLoop.utmpx_loop_pass(path.toString());
            long t3 = System.nanoTime();
            long c3 = mx.getCurrentThreadCpuTime();
            if (i >= 0) {
                jWall[i] = t1 - t0;
                jCpu[i] = c1 - c0;
                cWall[i] = t3 - t2;
                cCpu[i] = c3 - c2;
            }
        }
        System.out.printf(java.util.Locale.ROOT,
                "records=%d java_wall_ms=%.3f c_wall_ms=%.3f java_cpu_ms=%.3f c_cpu_ms=%.3f%n",
                records, median(jWall), median(cWall), median(jCpu), median(cCpu));
        System.exit(0);
    }

    /** The exporter's own session loop and reporter ({@code app.Exporter.sessionLoop}), first read done. */
    static SessionLoop exporterLoop(Path path) throws Exception {
        SessionLoop loop = io.github.sshexporter.app.BenchWiring.utmpLoop(path);
        loop.refreshOnce(true);
        return loop;
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }
}
