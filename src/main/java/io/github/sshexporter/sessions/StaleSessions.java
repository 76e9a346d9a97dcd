package io.github.sshexporter.sessions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which session records are stale (their process is gone, {@code kill(pid, 0)} = ESRCH), and,
 * when asked to, the snapshot without them. One pure step of the session loop: a snapshot in, the
 * snapshot to reconcile and the stale count out. Not thread-safe: the loop's thread owns it.
 *
 * <p>New sessions are asked about at once and gone ones are forgotten; a resync also asks again
 * about a slice (by pid) of the sessions not yet known stale: asking about every session at every
 * wake-up would add a third to glibc's own cost per record. So a session whose process dies
 * without a logout record is seen stale within {@link #PROBE_SLICES} resyncs, and stays stale
 * until its record changes. A source without deltas (logind) is probed whole at every refresh.
 */
final class StaleSessions {
    /** Live sessions are probed again over this many resyncs, a slice (by pid) at each. */
    static final int PROBE_SLICES = 4;

    /** The snapshot to reconcile (stale records left out when so configured), and how many are stale. */
    record Filtered(Snapshot snapshot, int stale) {}

    private final SessionLoop.PidProbe pids;
    private final boolean exclude;
    /** Stale sessions, with how many identical records hold each. */
    private final Map<Session, Integer> stale = new HashMap<>();
    private int staleCount;
    private int probePhase;

    /** @param exclude leave stale records out of the snapshot (they are always counted) */
    StaleSessions(SessionLoop.PidProbe pids, boolean exclude) {
        this.pids = pids;
        this.exclude = exclude;
    }

    /**
     * @param resync a timeout (or the first read): also ask again about a slice of the sessions
     *               believed alive. The returned snapshot keeps a delta only when it can be
     *               applied as one; else the caller diffs the full list.
     */
    Filtered apply(Snapshot snapshot, boolean resync) {
        Snapshot.Delta delta = snapshot.delta();
        boolean full = delta == null || resync;
        if (!exclude) {
            probe(snapshot, full);
            return new Filtered(snapshot, staleCount);
        }
        if (full) {
            probe(snapshot, true);
            return new Filtered(new Snapshot(snapshot.state(), snapshot.detail(), live(snapshot.sessions()),
                    snapshot.recordsRead()), staleCount);
        }
        // Removals are judged before the probe forgets them: a stale record leaving was never counted.
        List<Session> removed = live(delta.removed());
        probe(snapshot, false);
        List<Session> added = live(delta.added());
        return new Filtered(new Snapshot(snapshot.state(), snapshot.detail(), live(snapshot.sessions()),
                snapshot.recordsRead(), new Snapshot.Delta(removed, added)), staleCount);
    }

    private List<Session> live(List<Session> sessions) {
        List<Session> live = new ArrayList<>(sessions.size());
        for (Session s : sessions) {
            if (!stale.containsKey(s)) {
                live.add(s);
            }
        }
        return live;
    }

    private void markStale(Session s) {
        stale.merge(s, 1, Integer::sum);
        staleCount++;
    }

    private void probe(Snapshot snapshot, boolean full) {
        Snapshot.Delta delta = snapshot.delta();
        if (delta == null) {
            stale.clear();
            staleCount = 0;
            for (Session s : snapshot.sessions()) {
                if (!pids.exists(s.pid())) {
                    markStale(s);
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
                markStale(s);
            }
        }
        if (full) {
            // A process that is gone does not come back (a reused pid would only make a stale
            // record look alive), so known stale records are not asked. Collected first, so that
            // identical records that died together all count.
            int phase = probePhase;
            probePhase = (probePhase + 1) % PROBE_SLICES;
            for (Session s : live(snapshot.sessions())) {
                if (Math.floorMod(s.pid(), PROBE_SLICES) == phase && !pids.exists(s.pid())) {
                    markStale(s);
                }
            }
        }
    }
}
