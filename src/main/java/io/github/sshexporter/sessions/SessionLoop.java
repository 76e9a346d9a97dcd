package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.Wake;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    /** Live sessions are probed again over this many resyncs, a slice (by pid) at each. */
    static final int PROBE_SLICES = 4;

    private final SessionSource source;
    private final long intervalMillis;
    private final RefreshListener listener;
    private final PidProbe pids;
    private final boolean excludeStale;
    /** Measures a refresh's cost for the gap rule: the thread's CPU time where available. */
    private final LongSupplier costClock;
    private final Reconciler reconciler = new Reconciler();
    private final CountDownLatch firstRefresh = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopping;
    /** Stale sessions (process gone), with how many identical records hold each. */
    private final Map<Session, Integer> stale = new HashMap<>();
    private int staleCount;
    private int probePhase;
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
     * @param resync a timeout (or the first read): also probe every session's process anew
     */
    private boolean refresh(boolean resync) {
        long start = System.nanoTime();
        long costStart = costClock.getAsLong();
        try {
            Snapshot snapshot = resync && started ? source.resyncRead() : source.read();
            started = true;
            if (snapshot.state() == SourceState.INCOMPLETE) {
                listener.onRefresh(new RefreshListener.Refresh(snapshot, null, 0, System.nanoTime() - start));
                return false;
            }
            Snapshot.Delta delta = snapshot.delta();
            boolean full = delta == null || resync;
            Reconciler.Changes changes;
            if (!excludeStale) {
                probe(snapshot, full);
                changes = delta == null ? reconciler.reconcile(snapshot.sessions())
                        : reconciler.apply(delta.removed(), delta.added());
            } else if (full) {
                probe(snapshot, true);
                List<Session> live = new ArrayList<>(snapshot.sessions().size());
                for (Session s : snapshot.sessions()) {
                    if (!stale.containsKey(s)) {
                        live.add(s);
                    }
                }
                snapshot = new Snapshot(snapshot.state(), snapshot.detail(), live, snapshot.recordsRead());
                changes = reconciler.reconcile(live);
            } else {
                // Stale records stay out of the delta too: judge removals before forgetting them.
                List<Session> removed = new ArrayList<>(delta.removed().size());
                for (Session s : delta.removed()) {
                    if (!stale.containsKey(s)) {
                        removed.add(s);
                    }
                }
                probe(snapshot, false);
                List<Session> added = new ArrayList<>(delta.added().size());
                for (Session s : delta.added()) {
                    if (!stale.containsKey(s)) {
                        added.add(s);
                    }
                }
                List<Session> live = new ArrayList<>(snapshot.sessions().size());
                for (Session s : snapshot.sessions()) {
                    if (!stale.containsKey(s)) {
                        live.add(s);
                    }
                }
                snapshot = new Snapshot(snapshot.state(), snapshot.detail(), live, snapshot.recordsRead(),
                        new Snapshot.Delta(removed, added));
                changes = reconciler.apply(removed, added);
            }
            long nanos = System.nanoTime() - start;
            listener.onRefresh(new RefreshListener.Refresh(snapshot, changes, staleCount, nanos));
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

    /**
     * Which records are stale (their process is gone, {@code kill(pid, 0)} = ESRCH). New sessions
     * are asked about at once and gone ones are forgotten; a full probe (each resync) also asks
     * again about a quarter of the sessions not yet known stale: ten thousand kill() calls per
     * wake-up would add a third to glibc's own cost. So a session whose process dies without a
     * logout record is seen stale within {@link #PROBE_SLICES} resyncs (a minute at the default
     * interval), and stays stale until its record changes. A source without deltas (logind) is
     * probed whole at every refresh.
     */
    private void probe(Snapshot snapshot, boolean full) {
        Snapshot.Delta delta = snapshot.delta();
        if (delta == null) {
            stale.clear();
            staleCount = 0;
            for (Session s : snapshot.sessions()) {
                if (!pids.exists(s.pid())) {
                    stale.merge(s, 1, Integer::sum);
                    staleCount++;
                }
            }
            return;
        }
        for (Session s : delta.removed()) {
            Integer n = stale.get(s);
            if (n != null) {
                if (n == 1) {
                    stale.remove(s);
                } else {
                    stale.put(s, n - 1);
                }
                staleCount--;
            }
        }
        for (Session s : delta.added()) {
            // An identical record (same pid) already known stale needs no probe.
            if (stale.containsKey(s) || !pids.exists(s.pid())) {
                stale.merge(s, 1, Integer::sum);
                staleCount++;
            }
        }
        if (full) {
            // Sessions believed alive are asked again, a quarter of them (by pid) at each resync:
            // kill() on a live process costs a third of glibc's cost per record (docs/BENCHMARKS.md).
            // A process that is gone does not come back (a reused pid would only make a stale
            // record look alive), so known stale records are not asked. Collected first, so that
            // identical records that died together all count.
            int phase = probePhase;
            probePhase = (probePhase + 1) % PROBE_SLICES;
            List<Session> believedAlive = new ArrayList<>();
            for (Session s : snapshot.sessions()) {
                if (!stale.containsKey(s)) {
                    believedAlive.add(s);
                }
            }
            for (Session s : believedAlive) {
                if (Math.floorMod(s.pid(), PROBE_SLICES) == phase && !pids.exists(s.pid())) {
                    stale.merge(s, 1, Integer::sum);
                    staleCount++;
                }
            }
        }
    }
}
