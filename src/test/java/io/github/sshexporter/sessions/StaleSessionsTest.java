package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StaleSessionsTest {
    private final Set<Integer> dead = new HashSet<>();
    private int probes;

    private final SessionLoop.PidProbe pids = pid -> {
        probes++;
        return !dead.contains(pid);
    };

    private static Session s(int pid) {
        return new Session("u", "pts/" + pid, "192.0.2.1", "192.0.2.1", 1000, pid);
    }

    private static Snapshot full(Session... sessions) {
        return new Snapshot(SourceState.OK, "", List.of(sessions), sessions.length);
    }

    private static Snapshot delta(List<Session> all, List<Session> removed, List<Session> added) {
        return new Snapshot(SourceState.OK, "", all, all.size(), new Snapshot.Delta(removed, added));
    }

    @Test
    void withoutExcludingStaleRecordsAreCountedAndTheSnapshotPassesUnchanged() {
        dead.add(2);
        StaleSessions stale = new StaleSessions(pids, false);
        Snapshot in = full(s(1), s(2));
        StaleSessions.Filtered f = stale.apply(in, true);
        assertEquals(1, f.stale());
        assertEquals(in, f.snapshot());
    }

    @Test
    void excludingLeavesStaleRecordsOutOfTheListAndTheDelta() {
        dead.add(2);
        StaleSessions stale = new StaleSessions(pids, true);
        StaleSessions.Filtered f = stale.apply(delta(List.of(s(1), s(2)), List.of(), List.of(s(1), s(2))), false);
        assertEquals(List.of(s(1)), f.snapshot().sessions());
        assertEquals(List.of(s(1)), f.snapshot().delta().added());
        assertEquals(1, f.stale());
        // The stale record leaving: it was never counted, so it is no removal either.
        f = stale.apply(delta(List.of(s(1)), List.of(s(2)), List.of()), false);
        assertEquals(List.of(), f.snapshot().delta().removed());
        assertEquals(0, f.stale());
    }

    @Test
    void aResyncOfAFullListGivesNoDeltaSoTheCallerDiffsTheList() {
        StaleSessions stale = new StaleSessions(pids, true);
        StaleSessions.Filtered f = stale.apply(delta(List.of(s(1)), List.of(), List.of(s(1))), true);
        assertNull(f.snapshot().delta());
        assertEquals(List.of(s(1)), f.snapshot().sessions());
    }

    @Test
    void aDeathIsSeenWithinTheProbeSlicesAndKnownStaleRecordsAreNotAskedAgain() {
        StaleSessions stale = new StaleSessions(pids, false);
        List<Session> all = List.of(s(4), s(5), s(6), s(7));
        stale.apply(delta(all, List.of(), all), false);
        dead.add(6);
        int resyncs = 0;
        int count = 0;
        while (count == 0 && resyncs < 10) {
            count = stale.apply(delta(all, List.of(), List.of()), true).stale();
            resyncs++;
        }
        assertEquals(1, count);
        assertEquals(true, resyncs <= StaleSessions.PROBE_SLICES, "seen after " + resyncs);
        probes = 0;
        for (int i = 0; i < StaleSessions.PROBE_SLICES; i++) {
            stale.apply(delta(all, List.of(), List.of()), true);
        }
        assertEquals(3, probes, "each live session once per round, the stale one never");
    }

    @Test
    void aSourceWithoutDeltasIsProbedWholeEveryTime() {
        StaleSessions stale = new StaleSessions(pids, false);
        dead.add(1);
        assertEquals(1, stale.apply(full(s(1), s(2)), false).stale());
        dead.clear();
        assertEquals(0, stale.apply(full(s(1), s(2)), false).stale());
    }
}
