package io.github.sshexporter.sys;

/** Whether a process id is alive, the way who(1) decides that a utmp record is stale. */
public final class Processes {
    private static final int ESRCH = 3;

    private Processes() {}

    /**
     * False only when {@code kill(pid, 0)} says ESRCH. EPERM means the process exists but belongs
     * to someone else (the usual case for an unprivileged exporter). kill() is not affected by
     * hidden /proc entries, unlike a /proc lookup. Non-positive pids are never probed: kill(0, 0)
     * and kill(-1, 0) would address process groups.
     */
    public static boolean exists(int pid) {
        if (pid <= 0) {
            return true;
        }
        return Libc.kill(pid, 0) == 0 || Libc.errno() != ESRCH;
    }

    /**
     * CPU time the calling thread has used, in nanoseconds (CLOCK_THREAD_CPUTIME_ID); where that
     * clock fails, {@link System#nanoTime()}, so that a caller measuring a duration still gets one.
     */
    public static long threadCpuNanos() {
        long[] ts = new long[2];
        return Libc.clock_gettime(Libc.CLOCK_THREAD_CPUTIME_ID, ts) == 0 ? ts[0] * 1_000_000_000L + ts[1]
                : System.nanoTime();
    }
}
