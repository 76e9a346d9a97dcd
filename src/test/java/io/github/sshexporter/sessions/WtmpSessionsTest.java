package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sshexporter.records.UtmpxRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WtmpSessionsTest {
    private static final byte[] NO_ADDRESS = new byte[16];

    static UtmpxRecord login(String line, String user, String host, long at) {
        return new UtmpxRecord(UtmpxRecord.USER_PROCESS, 100, line, "", user, host, NO_ADDRESS, at, 0);
    }

    static UtmpxRecord logout(String line, long at) {
        return new UtmpxRecord(UtmpxRecord.DEAD_PROCESS, 100, line, "", "", "", NO_ADDRESS, at, 0);
    }

    static UtmpxRecord reboot(long at) {
        return new UtmpxRecord(UtmpxRecord.BOOT_TIME, 0, "~", "~~", "reboot", "6.1.0", NO_ADDRESS, at, 0);
    }

    static UtmpxRecord shutdown(long at) {
        return new UtmpxRecord(1, 0, "~", "~~", "shutdown", "6.1.0", NO_ADDRESS, at, 0);
    }

    /** Records what it is told, as "opened ip" / "closed ip 12.0" (NaN: no duration). */
    static final class Events implements WtmpSessions.Events {
        final List<String> seen = new ArrayList<>();

        @Override
        public void opened(Session s) {
            seen.add("opened " + s.remoteIp());
        }

        @Override
        public void closed(Session s, double duration) {
            seen.add("closed " + s.remoteIp() + " " + duration);
        }
    }

    @Test
    void loginThenLogoutOnTheSameLineIsOneSessionWithItsDuration() {
        WtmpSessions w = new WtmpSessions();
        Events e = new Events();
        w.apply(login("pts/1", "alice", "203.0.113.7", 1000), e);
        w.apply(logout("pts/1", 1042), e);
        assertEquals(List.of("opened 203.0.113.7", "closed 203.0.113.7 42.0"), e.seen);
        assertEquals(0, w.open());
    }

    @Test
    void sessionsLearnedAtStartAreClosedWithTheirRealLoginTime() {
        WtmpSessions w = new WtmpSessions();
        w.apply(login("pts/2", "bob", "", 500), null);
        Events e = new Events();
        w.apply(logout("pts/2", 4100), e);
        assertEquals(List.of("closed localhost 3600.0"), e.seen);
    }

    @Test
    void logoutsOfUnknownLinesAndNonSessionRecordsCountNothing() {
        WtmpSessions w = new WtmpSessions();
        Events e = new Events();
        w.apply(logout("tty1", 10), e); // getty respawn: never a USER_PROCESS we saw
        w.apply(reboot(10), e);
        w.apply(new UtmpxRecord(UtmpxRecord.LOGIN_PROCESS, 9, "tty1", "1", "LOGIN", "", NO_ADDRESS, 10, 0), e);
        w.apply(new UtmpxRecord(1, 0, "~", "~~", "runlevel", "6.1.0", NO_ADDRESS, 10, 0), e);
        w.apply(new UtmpxRecord(-77, 9, "x", "", "junk", "", NO_ADDRESS, 10, 0), e);
        w.apply(login("", "nobody", "192.0.2.9", 10), e); // no line: nothing to pair it with
        assertEquals(List.of(), e.seen);
        assertEquals(0, w.open());
    }

    @Test
    void aNewLoginOnABusyLineClosesTheLostSessionWithoutADuration() {
        WtmpSessions w = new WtmpSessions();
        Events e = new Events();
        w.apply(login("pts/3", "a", "198.51.100.1", 100), e);
        w.apply(login("pts/3", "b", "198.51.100.2", 160), e);
        assertEquals(List.of("opened 198.51.100.1", "closed 198.51.100.1 NaN", "opened 198.51.100.2"), e.seen);
        assertEquals(1, w.open());
    }

    @Test
    void aRebootInTheHistoryEndsEverySessionOpenBeforeIt() {
        WtmpSessions w = new WtmpSessions();
        w.apply(login("pts/0", "a", "198.51.100.1", 100), null);
        w.apply(login("pts/1", "b", "198.51.100.2", 200), null);
        w.apply(reboot(300), null); // a crash: no logouts, then a boot
        assertEquals(0, w.open());
        Events e = new Events();
        // The first login on pts/0 after the start closes nothing: that session ended with the crash.
        w.apply(login("pts/0", "c", "198.51.100.3", 400), e);
        w.apply(logout("pts/1", 500), e);
        assertEquals(List.of("opened 198.51.100.3"), e.seen);
    }

    @Test
    void aRebootOrShutdownWhileFollowingClosesOpenSessionsWithoutADuration() {
        for (UtmpxRecord down : List.of(reboot(300), shutdown(300))) {
            WtmpSessions w = new WtmpSessions();
            Events e = new Events();
            w.apply(login("pts/0", "a", "198.51.100.1", 100), e);
            w.apply(down, e);
            assertEquals(List.of("opened 198.51.100.1", "closed 198.51.100.1 NaN"), e.seen, down.user());
            assertEquals(0, w.open());
        }
    }

    @Test
    void aUserProcessRecordWithoutAUserIsALogoutAsForLast() {
        WtmpSessions w = new WtmpSessions();
        Events e = new Events();
        w.apply(login("pts/5", "a", "198.51.100.1", 100), e);
        w.apply(login("pts/5", "", "", 130), e);
        assertEquals(List.of("opened 198.51.100.1", "closed 198.51.100.1 30.0"), e.seen);
    }

    @Test
    void clockSetBackNeverGivesANegativeDuration() {
        WtmpSessions w = new WtmpSessions();
        Events e = new Events();
        w.apply(login("pts/4", "a", "", 1000), e);
        w.apply(logout("pts/4", 900), e);
        assertEquals("closed localhost 0.0", e.seen.get(1));
    }
}
