package io.github.sshexporter.sessions;

/**
 * How soon a refresh on a change may start: refreshes take at most {@code 1 / SHARE} of one core
 * in the long run (a big utmp costs glibc tens of milliseconds per pass, and a churning file
 * must not turn into a busy loop), yet a few changes close together on a small file are each
 * published at once. A token bucket of CPU time: it fills at {@code 1 / SHARE} of the wall time
 * that passes, up to {@code burst}, and each refresh takes its CPU time out of it. A refresh may
 * start while the bucket is not empty; after one that emptied it, the next waits until it is
 * refilled to zero. With no burst this is a gap of {@code SHARE - 1} times the last refresh's
 * cost after its end. Pure logic: the caller gives the clock.
 */
final class RefreshBudget {
    /** Refreshes take at most 1 / SHARE of a core under constant churn. */
    static final long SHARE = 9;

    private final long burstNanos;
    private long credit;
    private long creditAt;

    /**
     * @param burstNanos CPU time that close changes may take at once before they are paced
     * @param now        the wall clock now, in nanoseconds (any origin, as {@link System#nanoTime()})
     */
    RefreshBudget(long burstNanos, long now) {
        this.burstNanos = burstNanos;
        this.credit = burstNanos;
        this.creditAt = now;
    }

    /** Nanoseconds from {@code now} until a refresh may start: 0 when it may start at once. */
    long waitNanos(long now) {
        refill(now);
        return credit >= 0 ? 0 : -credit * SHARE;
    }

    /**
     * A refresh ran from {@code startNanos} to {@code endNanos} (wall clock) and used
     * {@code cpuNanos} of CPU time: charged at its start, so that the bucket refills during the
     * refresh itself as during any other time.
     */
    void spent(long cpuNanos, long startNanos, long endNanos) {
        refill(startNanos);
        credit -= Math.max(0, cpuNanos);
        refill(endNanos);
    }

    private void refill(long now) {
        long elapsed = now - creditAt;
        if (elapsed > 0) {
            credit = Math.min(burstNanos, credit + elapsed / SHARE);
            creditAt = now;
        }
    }
}
