package io.github.sshexporter.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sshexporter.sys.Journal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthCounterTest {
    /** What reaches the metrics, as words. */
    static final class Seen implements AuthCounter.Sink {
        final List<String> events = new ArrayList<>();

        @Override
        public void outcome(AuthEvent e) {
            events.add(e.kind() + (e.method() == null ? "" : " " + e.method().label()));
        }

        @Override
        public void failedLogin() {
            events.add("failed-login");
        }

        @Override
        public void entry(AuthCounter.EntryResult result) {
            events.add("entry " + result.label());
        }

        @Override
        public void feedChosen(FailedLoginFeed feed, String reason) {
            events.add("feed " + feed.label());
        }
    }

    private static Journal.Entry root(String message) {
        return new Journal.Entry(0, message);
    }

    @Test
    void aReadableJournalFeedsFailedLoginsAndBtmpIsNotCountedToo() {
        Seen seen = new Seen();
        AuthCounter c = new AuthCounter(true, seen);
        c.started(JournalState.OK);
        assertEquals(FailedLoginFeed.JOURNAL, c.feed());
        c.journalEntry(root("Failed password for invalid user admin from 198.51.100.7 port 4242 ssh2"));
        c.btmpRecord();
        c.btmpRecord(); // sshd writes two btmp records for that one attempt
        c.journalEntry(root("Failed none for invalid user admin from 198.51.100.7 port 4242 ssh2"));
        c.journalEntry(root("Accepted publickey for alice from 2001:db8::5 port 50022 ssh2: ED25519 SHA256:abc"));
        assertEquals(List.of("feed journal",
                "entry outcome", "FAILED password", "failed-login",
                "entry outcome", "FAILED none",
                "entry outcome", "ACCEPTED publickey"), seen.events);
    }

    @Test
    void withoutAJournalBtmpFeedsFailedLoginsAndOutcomesStillCount() {
        for (JournalState state : new JournalState[] {JournalState.NO_FILES, JournalState.UNAVAILABLE, null}) {
            Seen seen = new Seen();
            AuthCounter c = new AuthCounter(true, seen);
            c.started(state);
            c.btmpRecord();
            c.journalEntry(root("Failed password for root from 192.0.2.1 port 22 ssh2"));
            assertEquals(List.of("feed btmp", "failed-login", "entry outcome", "FAILED password"), seen.events,
                    String.valueOf(state));
        }
        Seen none = new Seen();
        AuthCounter c = new AuthCounter(false, none);
        c.started(JournalState.NO_FILES);
        c.btmpRecord();
        assertEquals(List.of("feed none"), none.events);
    }

    @Test
    void theFeedIsChosenOnce() {
        Seen seen = new Seen();
        AuthCounter c = new AuthCounter(true, seen);
        c.started(JournalState.NO_FILES);
        c.started(JournalState.OK);
        assertEquals(FailedLoginFeed.BTMP, c.feed());
        assertEquals(List.of("feed btmp"), seen.events);
    }

    @Test
    void linesNotFromRootAreUntrustedWhateverTheySay() {
        Seen seen = new Seen();
        AuthCounter c = new AuthCounter(true, seen);
        c.started(JournalState.OK);
        c.journalEntry(new Journal.Entry(1000, "Failed password for root from 192.0.2.1 port 22 ssh2"));
        c.journalEntry(new Journal.Entry(-1, "Accepted password for root from 192.0.2.1 port 22 ssh2"));
        assertEquals(List.of("feed journal", "entry untrusted", "entry untrusted"), seen.events);
    }

    @Test
    void unknownAndNonOutcomeLinesAreCountedAsSuchOnly() {
        Seen seen = new Seen();
        AuthCounter c = new AuthCounter(true, seen);
        c.started(JournalState.OK);
        c.journalEntry(root("Received disconnect from 192.0.2.1 port 22:11: disconnected by user"));
        c.journalEntry(root("something sshd 12.0 will say"));
        c.journalEntry(root("x".repeat(10_000)));
        assertEquals(List.of("feed journal", "entry ignored", "entry unrecognized", "entry unrecognized"), seen.events);
    }
}
