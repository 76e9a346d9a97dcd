package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
    private static Session s(String ip, String tty) {
        return new Session("u", tty, ip, ip, 1_700_000_000L, 100);
    }

    @Test
    void firstSnapshotIsInitialAndCountsPerAddress() {
        Reconciler r = new Reconciler();
        Reconciler.Changes c = r.reconcile(List.of(s("10.0.0.1", "pts/0"), s("10.0.0.1", "pts/1"), s("::1", "pts/2")));
        assertTrue(c.initial());
        assertEquals(Map.of("10.0.0.1", 2, "::1", 1), c.sessionsByRemote());
        assertEquals(3, c.opened().size());
        assertFalse(r.reconcile(List.of()).initial());
    }

    @Test
    void addressWithNoSessionsLeftDisappears() {
        Reconciler r = new Reconciler();
        r.reconcile(List.of(s("10.0.0.1", "pts/0"), s("10.0.0.2", "pts/1")));
        Reconciler.Changes c = r.reconcile(List.of(s("10.0.0.2", "pts/1")));
        assertEquals(Map.of("10.0.0.2", 1), c.sessionsByRemote());
        assertEquals(List.of(s("10.0.0.1", "pts/0")), c.closed());
        assertEquals(List.of(), c.opened());
    }

    @Test
    void sameTtyReusedBySomeoneElseIsACloseAndAnOpen() {
        Reconciler r = new Reconciler();
        r.reconcile(List.of(s("10.0.0.1", "pts/0")));
        Reconciler.Changes c = r.reconcile(List.of(s("10.0.0.9", "pts/0")));
        assertEquals(List.of(s("10.0.0.9", "pts/0")), c.opened());
        assertEquals(List.of(s("10.0.0.1", "pts/0")), c.closed());
    }

    @Test
    void duplicateRecordsCountTwice() {
        Reconciler r = new Reconciler();
        Session dup = s("10.0.0.1", "pts/0");
        r.reconcile(List.of(dup));
        Reconciler.Changes c = r.reconcile(List.of(dup, dup));
        assertEquals(Map.of("10.0.0.1", 2), c.sessionsByRemote());
        assertEquals(List.of(dup), c.opened());
    }

    @Test
    void unchangedSnapshotHasNoChanges() {
        Reconciler r = new Reconciler();
        List<Session> all = List.of(s("10.0.0.1", "pts/0"), s("10.0.0.2", "pts/1"));
        r.reconcile(all);
        Reconciler.Changes c = r.reconcile(new ArrayList<>(all));
        assertTrue(c.opened().isEmpty());
        assertTrue(c.closed().isEmpty());
    }

    @Test
    void randomSequencesAlwaysEndExactWhateverWasSkipped() {
        Random random = new Random(42);
        Reconciler r = new Reconciler();
        for (int round = 0; round < 200; round++) {
            List<Session> snapshot = new ArrayList<>();
            Map<String, Integer> expected = new TreeMap<>();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++) {
                String ip = "10.0.0." + random.nextInt(5);
                snapshot.add(s(ip, "pts/" + random.nextInt(40)));
                expected.merge(ip, 1, Integer::sum);
            }
            Reconciler.Changes c = r.reconcile(snapshot);
            assertEquals(expected, c.sessionsByRemote(), "round " + round);
            assertFalse(c.sessionsByRemote().containsValue(0));
        }
    }

    /** Deltas (what a slot-tracking source hands out) give exactly what full diffs give. */
    @Test
    void deltasAgreeWithFullDiffs() {
        Random random = new Random(7);
        Reconciler full = new Reconciler();
        Reconciler delta = new Reconciler();
        Session[] slots = new Session[40];
        full.reconcile(List.of());
        delta.apply(List.of(), List.of());
        for (int round = 0; round < 500; round++) {
            List<Session> removed = new ArrayList<>();
            List<Session> added = new ArrayList<>();
            for (int k = random.nextInt(6); k > 0; k--) {
                int i = random.nextInt(slots.length);
                // Few distinct values, so that duplicates and rewrites with the same value happen.
                Session next = random.nextInt(3) == 0 ? null : s("10.0.0." + random.nextInt(3), "pts/" + random.nextInt(4));
                if (slots[i] != null) {
                    removed.add(slots[i]);
                }
                if (next != null) {
                    added.add(next);
                }
                slots[i] = next;
            }
            List<Session> now = new ArrayList<>();
            for (Session x : slots) {
                if (x != null) {
                    now.add(x);
                }
            }
            Reconciler.Changes a = full.reconcile(now);
            Reconciler.Changes b = delta.apply(removed, added);
            assertEquals(a.sessionsByRemote(), b.sessionsByRemote(), "round " + round);
            assertEquals(counts(a.opened()), counts(b.opened()), "opened, round " + round);
            assertEquals(counts(a.closed()), counts(b.closed()), "closed, round " + round);
        }
    }

    @Test
    void unchangedDeltaHandsBackTheSameMap() {
        Reconciler r = new Reconciler();
        Reconciler.Changes first = r.apply(List.of(), List.of(s("10.0.0.1", "pts/0")));
        Reconciler.Changes again = r.apply(List.of(s("10.0.0.1", "pts/0")), List.of(s("10.0.0.1", "pts/0")));
        assertTrue(again.opened().isEmpty() && again.closed().isEmpty());
        assertTrue(first.sessionsByRemote() == again.sessionsByRemote());
    }

    private static Map<Session, Integer> counts(List<Session> list) {
        Map<Session, Integer> m = new java.util.HashMap<>();
        list.forEach(x -> m.merge(x, 1, Integer::sum));
        return m;
    }
}
