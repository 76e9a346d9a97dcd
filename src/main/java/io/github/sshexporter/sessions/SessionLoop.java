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
    /** Minimum gap between two refreshes on changes, in multiples of the last refresh's duration. */
    static final long GAP_FACTOR = 8;
    /** A source quiet this long after a change is refreshed without waiting out the gap. */
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
    private long lastRefreshNanos;
    private boolean started;
    private long lastRefreshEnd = System.nanoTime();

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
     * @param costClock nanoseconds, read before and after each refresh to size the gap before the
     *                  next one: the thread's CPU time, so that a refresh the scheduler preempted
     *                  on a busy host does not stretch the gap (wall time did)
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
                retry = !refresh(wake == Wake.TIMEOUT);
            }
        } finally {
            firstRefresh.countDown();
            source.close();
            finished.countDown();
        }
    }

    /**
     * Called on a change: returns at once when the last refresh ended long enough ago (an isolated
     * login is published within a pass), else waits until either the minimum gap has passed or
     * the source has been quiet for {@link #QUIET_MILLIS}. Events that arrive meanwhile are
     * drained and merged into the one coming refresh: never one refresh per event.
     *
     * <p>The gap is {@link #GAP_FACTOR} times the last refresh's cost (its CPU time), so that under constant
     * churn refreshes take at most 1 / (1 + GAP_FACTOR) of one core (a big utmp costs glibc tens
     * of milliseconds per pass); the quiet rule publishes the end of a burst without
     * waiting for the whole gap.
     */
    private void coalesce() {
        long now = System.nanoTime();
        long earliest = lastRefreshEnd + GAP_FACTOR * lastRefreshNanos;
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
     * One read + reconcile; false when the read stopped early and should be retried soon.
     *
     * @param resync a timeout (or the first read): also probe a slice of the sessions' processes anew
     */
    private boolean refresh(boolean resync) {
        long start = System.nanoTime();
        long costStart = costClock.getAsLong();
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
            lastRefreshNanos = costClock.getAsLong() - costStart;
            lastRefreshEnd = System.nanoTime();
            return true;
        } catch (RuntimeException e) {
            // Not retried at once: a persistent fault must not turn into a busy loop.
            listener.onRefreshError(e);
            lastRefreshEnd = System.nanoTime();
            return true;
        }
    }
}
