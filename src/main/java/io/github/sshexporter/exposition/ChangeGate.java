package io.github.sshexporter.exposition;

import io.github.sshexporter.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Open unless a change is being read and published. A scrape that arrives meanwhile waits for
 * it (at most a bound) and serves the change rather than the page just before it: a poll right
 * after a login shows the login. Only changes close the gate, never a timeout's resync, so a
 * quiet host's scrapes never wait. A scrape may also leave a task that the opening thread runs
 * as it opens the gate ({@link #runWhenOpen}): then no thread sleeps and none is woken.
 */
public final class ChangeGate {
    /** Spin this long before sleeping: waking a sleeping thread costs more than a short change. */
    private static final long SPIN_NANOS = 1_000_000L;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition opened = lock.newCondition();
    private volatile boolean closed;
    /** Tasks to run as the gate opens; guarded by {@code lock}. */
    private List<Runnable> whenOpen = new ArrayList<>();

    /** A change is being read (the session thread). Always followed by {@link #open()}. */
    public void close() {
        closed = true;
    }

    /**
     * The change is published, or its read failed (the session thread). The tasks left meanwhile
     * run here, on this thread, one after the other.
     */
    public void open() {
        closed = false;
        List<Runnable> tasks = List.of();
        lock.lock();
        try {
            opened.signalAll();
            if (!whenOpen.isEmpty()) {
                tasks = whenOpen;
                whenOpen = new ArrayList<>();
            }
        } finally {
            lock.unlock();
        }
        for (Runnable task : tasks) {
            try {
                task.run();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                // One task's failure (an exception or an error from a handler's code) must
                // neither stop the others nor end the session thread.
                Log.error("task at a change's end failed", "error", e.toString());
            }
        }
    }

    /**
     * Leaves {@code task} to the thread that opens the gate, if it is closed now.
     *
     * @return false, with nothing left, when the gate is open: the caller runs the task itself
     */
    public boolean runWhenOpen(Runnable task) {
        if (!closed) {
            return false;
        }
        lock.lock();
        try {
            if (!closed) {
                return false;
            }
            whenOpen.add(task);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** How many tasks wait for the gate to open (for tests). */
    public int tasksLeft() {
        lock.lock();
        try {
            return whenOpen.size();
        } finally {
            lock.unlock();
        }
    }

    /** Takes back a task left by {@link #runWhenOpen} that has not run yet (its wait ran out). */
    public void cancel(Runnable task) {
        lock.lock();
        try {
            whenOpen.remove(task);
        } finally {
            lock.unlock();
        }
    }

    /** Whether a change is being read now. */
    public boolean closed() {
        return closed;
    }

    /**
     * Returns once the gate is open, or after {@code maxNanos}.
     *
     * @return false when the bound ran out with the gate still closed
     */
    public boolean await(long maxNanos) throws InterruptedException {
        if (!closed) {
            return true;
        }
        long start = System.nanoTime();
        while (closed && System.nanoTime() - start < Math.min(SPIN_NANOS, maxNanos)) {
            Thread.onSpinWait();
        }
        lock.lock();
        try {
            long left = maxNanos - (System.nanoTime() - start);
            while (closed && left > 0) {
                left = opened.awaitNanos(left);
            }
            return !closed;
        } finally {
            lock.unlock();
        }
    }
}
