package io.github.sshexporter.sessions;

import static io.github.sshexporter.sessions.WtmpSessionsTest.login;
import static io.github.sshexporter.sessions.WtmpSessionsTest.logout;
import static io.github.sshexporter.sessions.WtmpSessionsTest.reboot;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SessionCounterTest {
    /** What reaches the metrics, as "opened ip" / "closed ip 12.0" / "feed wtmp". */
    static final class Seen implements SessionCounter.Sink {
        final List<String> events = new ArrayList<>();
        final List<String> reasons = new ArrayList<>();

        @Override
        public void opened(Session s) {
            events.add("opened " + s.remoteIp());
        }

        @Override
        public void closed(Session s, double duration) {
            events.add("closed " + s.remoteIp() + " " + duration);
        }

        @Override
        public void feedChosen(CounterFeed feed, String reason) {
            events.add("feed " + feed.label());
            reasons.add(reason);
        }
    }

    private static final SortedMap<String, Integer> NO_SERIES = new TreeMap<>();

    private static Session session(String ip, String tty, double start) {
        return new Session("alice", tty, ip, ip, start, 42);
    }

    private static Reconciler.Changes changes(List<Session> opened, List<Session> closed) {
        return new Reconciler.Changes(opened, closed, NO_SERIES, false);
    }

    private static SessionCounter started(CounterMode mode, boolean wtmpReadable, SourceMode source, Seen seen) {
        SessionCounter c = new SessionCounter(mode, true, seen);
        c.wtmpReadable(wtmpReadable);
        c.sourceChosen(source);
        c.loginLogsStarted();
        return c;
    }

    @Test
    void aLogindHostCountsLogindSessionsAndNeverWtmp() {
        Seen seen = new Seen();
        SessionCounter c = started(CounterMode.AUTO, true, SourceMode.LOGIND, seen);
        assertEquals(CounterFeed.LOGIND, c.feed());
        // Debian 13: sshd appends a login to wtmp, never a logout.
        c.wtmpAppended(login("pts/0", "alice", "127.0.0.1", 1000));
        c.wtmpAppended(login("pts/0", "alice", "127.0.0.1", 1050));
        Session s = session("127.0.0.1", "", 1000.25);
        c.snapshot(changes(List.of(s), List.of()), true, 1000.3);
        c.snapshot(changes(List.of(), List.of(s)), true, 1003.5);
        assertEquals(List.of("feed logind", "opened 127.0.0.1", "closed 127.0.0.1 3.25"), seen.events);
    }

    @Test
    void aUtmpHostWithReadableWtmpCountsWtmpAndNeverTheSnapshots() {
        Seen seen = new Seen();
        SessionCounter c = started(CounterMode.AUTO, true, SourceMode.UTMP, seen);
        assertEquals(CounterFeed.WTMP, c.feed());
        Session s = session("203.0.113.7", "pts/1", 1000);
        c.snapshot(changes(List.of(s), List.of()), true, 1001);
        c.wtmpAppended(login("pts/1", "alice", "203.0.113.7", 1000));
        c.snapshot(changes(List.of(), List.of(s)), true, 1100);
        c.wtmpAppended(logout("pts/1", 1090));
        assertEquals(List.of("feed wtmp", "opened 203.0.113.7", "closed 203.0.113.7 90.0"), seen.events);
    }

    @Test
    void theFeedIsChosenOnceSoARotationNeverSwitchesIt() {
        Seen seen = new Seen();
        SessionCounter c = started(CounterMode.AUTO, true, SourceMode.UTMP, seen);
        c.wtmpReadable(false); // wtmp renamed away, the new one not there yet
        Session s = session("203.0.113.7", "pts/1", 1000);
        c.snapshot(changes(List.of(s), List.of()), true, 1001);
        c.wtmpReadable(true);
        c.wtmpAppended(login("pts/1", "alice", "203.0.113.7", 1000));
        c.sourceChosen(SourceMode.UTMP);
        assertEquals(List.of("feed wtmp", "opened 203.0.113.7"), seen.events);
    }

    @Test
    void aUtmpHostWithoutReadableWtmpCountsSnapshots() {
        Seen seen = new Seen();
        SessionCounter c = started(CounterMode.AUTO, false, SourceMode.UTMP, seen);
        assertEquals(CounterFeed.UTMP, c.feed());
        c.wtmpReadable(true);
        c.wtmpAppended(login("pts/1", "alice", "203.0.113.7", 1000));
        Session s = session("203.0.113.7", "pts/1", 1000);
        c.snapshot(changes(List.of(s), List.of()), true, 1001);
        c.snapshot(changes(List.of(), List.of(s)), true, 1060);
        assertEquals(List.of("feed utmp", "opened 203.0.113.7", "closed 203.0.113.7 60.0"), seen.events);
        SessionCounter off = new SessionCounter(CounterMode.AUTO, false, new Seen());
        off.loginLogsStarted();
        off.sourceChosen(SourceMode.UTMP);
        assertEquals(CounterFeed.UTMP, off.feed());
    }

    @Test
    void nothingIsCountedBeforeASourceIsChosenNorFromTheFirstReadNorAcrossABadRead() {
        Seen seen = new Seen();
        SessionCounter c = new SessionCounter(CounterMode.AUTO, true, seen);
        c.wtmpReadable(true);
        c.loginLogsStarted();
        Session s = session("203.0.113.7", "pts/1", 1000);
        c.wtmpAppended(login("pts/1", "alice", "203.0.113.7", 1000));
        c.snapshot(changes(List.of(s), List.of()), true, 1001);
        assertEquals(CounterFeed.NONE, c.feed());
        c.sourceChosen(SourceMode.LOGIND);
        c.snapshot(new Reconciler.Changes(List.of(s), List.of(), NO_SERIES, true), true, 1001);
        c.snapshot(changes(List.of(), List.of(s)), false, 1002);
        assertEquals(List.of("feed logind"), seen.events);
    }

    @Test
    void aSourceChosenBeforeTheLoginLogsStartedWaitsForWtmpsState() {
        Seen seen = new Seen();
        SessionCounter c = new SessionCounter(CounterMode.AUTO, true, seen);
        c.sourceChosen(SourceMode.UTMP);
        assertEquals(CounterFeed.NONE, c.feed());
        c.wtmpReadable(true);
        c.loginLogsStarted();
        assertEquals(CounterFeed.WTMP, c.feed());
        assertEquals(List.of("feed wtmp"), seen.events);
    }

    @Test
    void aSessionOpenAtStartKeepsItsTrueDuration() {
        Seen seen = new Seen();
        SessionCounter c = started(CounterMode.AUTO, true, SourceMode.LOGIND, seen);
        Session s = session("::1", "", 500.5);
        c.snapshot(new Reconciler.Changes(List.of(s), List.of(), NO_SERIES, true), true, 1000);
        c.snapshot(changes(List.of(), List.of(s)), true, 1006);
        assertEquals(List.of("feed logind", "closed ::1 505.5"), seen.events);

        Seen wtmpSeen = new Seen();
        SessionCounter w = new SessionCounter(CounterMode.AUTO, true, wtmpSeen);
        w.wtmpHistory(login("pts/2", "bob", "198.51.100.2", 400));
        w.wtmpReadable(true);
        w.loginLogsStarted();
        w.sourceChosen(SourceMode.UTMP);
        w.wtmpAppended(logout("pts/2", 4000));
        assertEquals(List.of("feed wtmp", "closed 198.51.100.2 3600.0"), wtmpSeen.events);
    }

    @Test
    void aCrashInTheHistoryClosesNothingLater() {
        Seen seen = new Seen();
        SessionCounter c = new SessionCounter(CounterMode.AUTO, true, seen);
        c.wtmpHistory(login("pts/0", "a", "198.51.100.1", 100));
        c.wtmpHistory(reboot(300));
        c.wtmpReadable(true);
        c.loginLogsStarted();
        c.sourceChosen(SourceMode.UTMP);
        c.wtmpAppended(login("pts/0", "b", "198.51.100.2", 1000));
        assertEquals(List.of("feed wtmp", "opened 198.51.100.2"), seen.events);
    }

    @Test
    void aSnapshotRecordReplacedByANewLoginOnItsLineIsClosedWithoutADuration() {
        Seen seen = new Seen();
        SessionCounter c = started(CounterMode.SNAPSHOTS, true, SourceMode.UTMP, seen);
        assertEquals(CounterFeed.UTMP, c.feed());
        Session old = session("198.51.100.1", "pts/3", 100);
        Session other = session("198.51.100.3", "pts/4", 100);
        Session next = session("198.51.100.2", "pts/3", 900);
        c.snapshot(changes(List.of(next), List.of(old, other)), true, 1000);
        assertEquals(List.of("feed utmp", "opened 198.51.100.2", "closed 198.51.100.1 NaN",
                "closed 198.51.100.3 900.0"), seen.events);
    }

    @Test
    void forcedFeedsAreObeyedAndSaySo() {
        Seen seen = new Seen();
        SessionCounter w = started(CounterMode.WTMP, false, SourceMode.LOGIND, seen);
        assertEquals(CounterFeed.WTMP, w.feed());
        SessionCounter s = started(CounterMode.SNAPSHOTS, true, SourceMode.LOGIND, seen);
        assertEquals(CounterFeed.LOGIND, s.feed());
        assertEquals(List.of("asked for (--sessions.events-source wtmp)",
                "asked for (--sessions.events-source snapshots)"), seen.reasons);
    }
}
