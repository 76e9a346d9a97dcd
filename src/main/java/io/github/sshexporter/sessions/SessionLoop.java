package io.github.sshexporter.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that reads sessions. It blocks on the source (inotify, for utmp) with the
 * resync interval as timeout; a change or the timeout both lead to the same step: read one full
 * snapshot, reconcile, tell the listener. Nothing else ever calls into the source's native code.
 */
public final class SessionLoop {
    /** How soon to try again after a read that stopped early. */
    static final long RETRY_MILLIS = 50;

    private final SessionSource source;
    private final long intervalMillis;
    private final RefreshListener listener;
    private final PidProbe pids;
    private final boolean excludeStale;
    private final Reconciler reconciler = new Reconciler();
    private final CountDownLatch firstRefresh = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopping;

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
        this.source = source;
        this.intervalMillis = intervalMillis;
        this.listener = listener;
        this.pids = pids;
        this.excludeStale = excludeStale;
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
        return refresh();
    }

    private void run() {
        try {
            boolean retry = !refresh();
            firstRefresh.countDown();
            while (!stopping) {
                SessionSource.Wake wake = source.awaitChange(retry ? RETRY_MILLIS : intervalMillis);
                if (stopping) {
                    break;
                }
                if (wake == SessionSource.Wake.WOKEN && !retry) {
                    continue;
                }
                retry = !refresh();
            }
        } finally {
            firstRefresh.countDown();
            source.close();
            finished.countDown();
        }
    }

    /** One read + reconcile; false when the read stopped early and should be retried soon. */
    private boolean refresh() {
        long start = System.nanoTime();
        try {
            Snapshot snapshot = source.read();
            if (snapshot.state() == SourceState.INCOMPLETE) {
                listener.onRefresh(new RefreshListener.Refresh(snapshot, null, 0, System.nanoTime() - start));
                return false;
            }
            int stale = 0;
            List<Session> live = excludeStale ? new ArrayList<>(snapshot.sessions().size()) : null;
            for (Session s : snapshot.sessions()) {
                if (pids.exists(s.pid())) {
                    if (live != null) {
                        live.add(s);
                    }
                } else {
                    stale++;
                }
            }
            if (live != null && stale > 0) {
                snapshot = new Snapshot(snapshot.state(), snapshot.detail(), live, snapshot.recordsRead());
            }
            Reconciler.Changes changes = reconciler.reconcile(snapshot.sessions());
            listener.onRefresh(new RefreshListener.Refresh(snapshot, changes, stale, System.nanoTime() - start));
            return true;
        } catch (RuntimeException e) {
            // Not retried at once: a persistent fault must not turn into a busy loop.
            listener.onRefreshError(e);
            return true;
        }
    }
}
