package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import io.github.sshexporter.sys.Wake;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Stale records (their process is gone) as the session loop probes them: pure logic, fake pids. */
class SessionLoopStaleTest {
    private final Set<Integer> alive = new HashSet<>();
    private final List<Integer> probed = new ArrayList<>();
    private final FakeSource source = new FakeSource();
    private int stale = -1;
    private Map<String, Integer> counted = Map.of();

    private SessionLoop loop(boolean excludeStale) {
        RefreshListener listener = new RefreshListener() {
            @Override
            public void onRefresh(Refresh refresh) {
                stale = refresh.stale();
                counted = new TreeMap<>(refresh.changes().sessionsByRemote());
            }

            @Override
            public void onRefreshError(RuntimeException e) {
                throw e;
            }
        };
        return new SessionLoop(source, 15_000, listener, pid -> {
            probed.add(pid);
            return alive.contains(pid);
        }, excludeStale);
    }

    private static Session session(int pid, String ip) {
        return new Session("u", "pts/" + pid, ip, ip, 1.0, pid);
    }

    /** Resyncs until the stale count is {@code expected}; how many it took. */
    private int resyncsUntilStale(SessionLoop loop, int expected) {
        for (int n = 1; n <= 10; n++) {
            loop.refreshOnce(true);
            if (stale == expected) {
                return n;
            }
        }
        return Integer.MAX_VALUE;
    }

    @Test
    void aNewSessionIsProbedAtOnceAndOneThatDiesIsSeenWithinFourResyncs() {
        SessionLoop loop = loop(false);
        alive.addAll(List.of(1, 2));
        source.add(session(1, "192.0.2.1"), session(2, "192.0.2.2"), session(9, "192.0.2.9"));
        loop.refreshOnce(true);
        assertEquals(1, stale, "pid 9 is gone from the first read on");
        alive.remove(2);
        source.add(session(3, "192.0.2.3")); // an event: only the new session is asked about
        alive.add(3);
        probed.clear();
        loop.refreshOnce(false);
        assertEquals(List.of(3), probed);
        assertEquals(1, stale);
        int resyncs = resyncsUntilStale(loop, 2);
        assertTrue(resyncs <= StaleSessions.PROBE_SLICES, "seen after " + resyncs + " resyncs");
    }

    @Test
    void resyncsProbeEachLiveSessionOncePerRoundAndNeverOneKnownStale() {
        SessionLoop loop = loop(false);
        alive.addAll(List.of(1, 2, 3, 4, 5));
        source.add(session(1, "192.0.2.1"), session(2, "192.0.2.2"), session(3, "192.0.2.3"),
                session(4, "192.0.2.4"), session(5, "192.0.2.5"), session(7, "192.0.2.7"), session(8, "192.0.2.8"));
        loop.refreshOnce(true);
        assertEquals(2, stale);
        probed.clear();
        for (int i = 0; i < 2 * StaleSessions.PROBE_SLICES; i++) {
            loop.refreshOnce(true);
        }
        probed.sort(null);
        assertEquals(List.of(1, 1, 2, 2, 3, 3, 4, 4, 5, 5), probed, "each live pid twice in two rounds, 7 and 8 never");
        assertEquals(2, stale);
    }

    @Test
    void identicalRecordsThatDieTogetherAllCountAndLeaveOneByOne() {
        SessionLoop loop = loop(true);
        alive.add(5);
        Session twin = session(5, "192.0.2.5");
        source.add(twin, twin);
        loop.refreshOnce(true);
        assertEquals(Map.of("192.0.2.5", 2), counted);
        alive.remove(5);
        assertTrue(resyncsUntilStale(loop, 2) <= StaleSessions.PROBE_SLICES);
        assertEquals(Map.of(), counted, "stale records left out of the counts");
        source.add(twin); // a third identical record: its process is known gone, no probe needed
        probed.clear();
        loop.refreshOnce(false);
        assertEquals(3, stale);
        assertEquals(List.of(), probed);
        source.remove(twin);
        loop.refreshOnce(false);
        assertEquals(2, stale);
        source.remove(twin);
        source.remove(twin);
        loop.refreshOnce(true);
        assertEquals(0, stale);
    }

    /** Hands out exact deltas, as the utmp source does. */
    private static final class FakeSource implements SessionSource {
        private final List<Session> sessions = new ArrayList<>();
        private final List<Session> added = new ArrayList<>();
        private final List<Session> removed = new ArrayList<>();

        void add(Session... s) {
            sessions.addAll(List.of(s));
            added.addAll(List.of(s));
        }

        void remove(Session s) {
            sessions.remove(s);
            removed.add(s);
        }

        @Override
        public Snapshot read() {
            Snapshot.Delta delta = new Snapshot.Delta(List.copyOf(removed), List.copyOf(added));
            removed.clear();
            added.clear();
            return new Snapshot(SourceState.OK, "", List.copyOf(sessions), sessions.size(), delta);
        }

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public String location() {
            return "-";
        }

        @Override
        public Wake awaitChange(long timeoutMillis) {
            return Wake.TIMEOUT;
        }

        @Override
        public void wakeUp() {
        }

        @Override
        public void close() {
        }
    }
}
