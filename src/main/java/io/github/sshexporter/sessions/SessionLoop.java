package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.Wake;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The one thread that reads sessions. It blocks on the source (inotify, for utmp) with the
 * resync interval as timeout; a change or the timeout both lead to the same step: read one full
 * snapshot, reconcile, tell the listener. Nothing else ever calls into the source's native code.
 */
public final class SessionLoop {
    /** How soon to try again after a read that stopped early. */
    static final long RETRY_MILLIS = 50;
    /** CPU time that changes close together may take at once before refreshes are paced. */
    static final long BURST_MILLIS = 100;
    /** A source quiet this long after a change is refreshed without waiting for the budget. */
    static final long QUIET_MILLIS = 10;

    private final SessionSource source;
    private final long intervalMillis;
    private final RefreshListener listener;
    private final StaleSessions stale;
    /** Measures a refresh's cost for the gap rule: the thread's CPU time where available. */
    private final LongSupplier costClock;
    private final Reconciler reconciler = new Reconciler();
    private final CountDownLatch firstRefresh = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopping;
    private final RefreshBudget budget = new RefreshBudget(BURST_MILLIS * 1_000_000L, System.nanoTime());
    private boolean started;

    /** Whether a session's process still exists. */
    @FunctionalInterface
    public interface PidProbe {
        boolean exists(int pid);
    }

    public SessionLoop(SessionSource source, long intervalMillis, RefreshListener listener) {
        this(source, intervalMillis, listener, pid -> true, false);
    }

    /**
     * @param pids         tells stale records (crashed sessions) from live ones
     * @param excludeStale leave stale records out of every count (they are always counted in
     *                     the stale gauge)
     */
    public SessionLoop(SessionSource source, long intervalMillis, RefreshListener listener,
                       PidProbe pids, boolean excludeStale) {
        this(source, intervalMillis, listener, pids, excludeStale, System::nanoTime);
    }

    /**
     * @param costClock nanoseconds, read before and after each refresh to charge its cost to the
     *                  budget: the thread's CPU time, so that a refresh the scheduler preempted
     *                  on a busy host is not charged for the wait (wall time was)
     */
    public SessionLoop(SessionSource source, long intervalMillis, RefreshListener listener,
                       PidProbe pids, boolean excludeStale, LongSupplier costClock) {
        this.costClock = costClock;
        this.source = source;
        this.intervalMillis = intervalMillis;
        this.listener = listener;
        this.stale = new StaleSessions(pids, excludeStale);
        this.thread = new Thread(this::run, "session-loop");
    }

    public void start() {
        thread.start();
    }

    /** Waits for the first snapshot to be published, so that the first scrape is already exact. */
    public boolean awaitFirstRefresh(long timeout, TimeUnit unit) throws InterruptedException {
        return firstRefresh.await(timeout, unit);
    }

    /** Ends the loop and waits for it (and the source) to be closed. */
    public void stop(long timeout, TimeUnit unit) throws InterruptedException {
        stopping = true;
        source.wakeUp();
        finished.await(timeout, unit);
    }

    /**
     * One refresh on the caller's thread, as the loop does after a wake-up ({@code resync} false)
     * or a timeout ({@code resync} true). For benchmarks and tests only, and only on a loop that
     * was never started: the caller then is the one thread that reads the source.
     *
     * @return false when the read stopped early and would be retried
     */
    public boolean refreshOnce(boolean resync) {
        if (thread.isAlive()) {
            throw new IllegalStateException("the loop thread owns the source");
        }
        return refresh(resync);
    }

    private void run() {
        try {
            boolean retry = !refresh(true);
            firstRefresh.countDown();
            while (!stopping) {
                Wake wake = source.awaitChange(retry ? RETRY_MILLIS : intervalMillis);
                if (stopping) {
                    break;
                }
                if (wake == Wake.WOKEN && !retry) {
                    continue;
                }
                if (wake == Wake.CHANGED && !retry) {
                    coalesce();
                    if (stopping) {
                        break;
                    }
                }
                if (wake == Wake.TIMEOUT) {
                    retry = !refresh(true);
                    continue;
                }
                listener.changeStarting();
                try {
                    retry = !refresh(false);
                } finally {
                    changeDone();
                }
            }
        } finally {
            firstRefresh.countDown();
            source.close();
            finished.countDown();
        }
    }

    /**
     * Called on a change: returns at once while the {@link RefreshBudget} allows a refresh (an
     * isolated login, or a few close changes on a small file, are each published within a pass),
     * else waits until either it allows one or the source has been quiet for
     * {@link #QUIET_MILLIS}. Events that arrive meanwhile are drained and merged into the one
     * coming refresh: never one refresh per event. The budget keeps refreshes under constant churn
     * to a fixed share of one core; the quiet rule publishes the end of a burst without waiting
     * for the budget.
     */
    private void coalesce() {
        long now = System.nanoTime();
        long earliest = now + budget.waitNanos(now);
        long lastEvent = now;
        while (!stopping && now < earliest) {
            long waitMillis = Math.min(QUIET_MILLIS, (earliest - now + 999_999) / 1_000_000);
            Wake wake = source.awaitChange(Math.max(1, waitMillis));
            now = System.nanoTime();
            if (wake == Wake.CHANGED) {
                lastEvent = now;
            } else if (wake == Wake.WOKEN) {
                return;
            } else if (now - lastEvent >= QUIET_MILLIS * 1_000_000L) {
                return;
            }
        }
    }

    /**
     * The listener's end of a change, charged to the budget as the read is: what it does there
     * (the pages rendered ahead, the scrapes that waited answered, the log lines) is this
     * thread's work for the change, and under churn it must stay within the same share.
     */
    private void changeDone() {
        long start = System.nanoTime();
        long costStart = costClock.getAsLong();
        try {
            listener.changeDone();
        } finally {
            charge(start, costStart);
        }
    }

    /** Charges the work since {@code start} (wall clock) and {@code costStart} (cost clock) to the budget. */
    private void charge(long start, long costStart) {
        budget.spent(costClock.getAsLong() - costStart, start, System.nanoTime());
    }

    /**
     * One read + reconcile; false when the read stopped early and should be retried soon.
     *
     * @param resync a timeout (or the first read): also probe a slice of the sessions' processes anew
     */
    private boolean refresh(boolean resync) {
        long start = System.nanoTime();
        long costStart = costClock.getAsLong();
        // The first read is not charged: it is the start (cold code, the whole file), not churn,
        // and its debt would pace the changes of the next seconds.
        boolean charged = started;
        try {
            Snapshot read = resync && started ? source.resyncRead() : source.read();
            started = true;
            if (read.state() == SourceState.INCOMPLETE) {
                listener.onRefresh(new RefreshListener.Refresh(read, null, 0, System.nanoTime() - start));
                return false;
            }
            StaleSessions.Filtered filtered = stale.apply(read, resync);
            Snapshot snapshot = filtered.snapshot();
            Snapshot.Delta delta = snapshot.delta();
            Reconciler.Changes changes = delta == null ? reconciler.reconcile(snapshot.sessions())
                    : reconciler.apply(delta.removed(), delta.added());
            long nanos = System.nanoTime() - start;
            listener.onRefresh(new RefreshListener.Refresh(snapshot, changes, filtered.stale(), nanos));
            if (charged) {
                charge(start, costStart);
            }
            return true;
        } catch (RuntimeException e) {
            // Not retried at once: a persistent fault must not turn into a busy loop.
            listener.onRefreshError(e);
            charge(start, costStart);
            return true;
        }
    }
}
