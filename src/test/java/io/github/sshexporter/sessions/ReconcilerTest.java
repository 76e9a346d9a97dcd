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
}
