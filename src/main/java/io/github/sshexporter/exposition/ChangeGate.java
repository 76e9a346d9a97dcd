package io.github.sshexporter.exposition;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Open unless a change is being read and published. A scrape that arrives meanwhile waits for
 * it (at most a bound) and serves the change rather than the page just before it: a poll right
 * after a login shows the login. Only changes close the gate, never a timeout's resync, so a
 * quiet host's scrapes never wait.
 */
public final class ChangeGate {
    /** Spin this long before sleeping: waking a sleeping thread costs more than a short change. */
    private static final long SPIN_NANOS = 1_000_000L;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition opened = lock.newCondition();
    private volatile boolean closed;

    /** A change is being read (the session thread). Always followed by {@link #open()}. */
    public void close() {
        closed = true;
    }

    /** The change is published, or its read failed (the session thread). */
    public void open() {
        closed = false;
        lock.lock();
        try {
            opened.signalAll();
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
