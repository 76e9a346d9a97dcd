package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** kill(pid, 0) and the thread CPU clock, through the real libc. */
class ProcessesNativeTest {
    @Test
    void ourOwnProcessExistsAndAReapedOneDoesNot() throws Exception {
        assertTrue(Processes.exists((int) ProcessHandle.current().pid()));
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertFalse(Processes.exists((int) p.pid()), "reaped child " + p.pid());
    }

    @Test
    void threadCpuTimeCountsWorkAndNotSleep() throws Exception {
        long before = Processes.threadCpuNanos();
        Thread.sleep(200);
        long slept = Processes.threadCpuNanos() - before;
        assertTrue(before > 0 && slept < 50_000_000L, "a 200 ms sleep used " + slept / 1e6 + " ms of CPU");

        long start = Processes.threadCpuNanos();
        long wallStart = System.nanoTime();
        long x = 0;
        while (System.nanoTime() - wallStart < 100_000_000L) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime()); // work the JIT cannot drop
        }
        long used = Processes.threadCpuNanos() - start;
        // At least a little (a loaded 2-core machine still gives a spinning thread some), never more than wall time.
        assertTrue(used > 5_000_000L && used <= System.nanoTime() - wallStart + 5_000_000L,
                "100 ms of spinning used " + used / 1e6 + " ms of CPU (" + x + ")");
    }
}
