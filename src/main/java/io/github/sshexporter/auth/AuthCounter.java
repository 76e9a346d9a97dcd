package io.github.sshexporter.auth;

import io.github.sshexporter.sys.Journal;

/**
 * The one place that decides what the authentication counters count. Fed by the journal thread
 * (sshd's log lines) and the login-log thread (btmp's records); only the chosen feed of failed
 * logins reaches the {@link Sink}, so nothing is counted from both.
 *
 * <ul>
 *   <li>The failed-login feed is chosen once, when both have started: the journal when it could
 *       be read then (it says what failed and how, on every systemd host; Debian 13's sshd no
 *       longer writes btmp), else btmp, else none.</li>
 *   <li>From the journal, one failed attempt is one {@code Failed METHOD for ...} line whose
 *       method is not {@code none} (a client asking which methods there are, not an attempt).
 *       From btmp, one record; OpenSSH writes two for an unknown user who tries a password (one
 *       for the unknown user, one for the password), and {@code lastb} shows both: they are not
 *       told apart, so btmp counts such an attempt twice.</li>
 *   <li>Only entries that journald says came from root ({@code _UID=0}, a field the sender cannot
 *       set) count: sshd logs as root, while any local user can write an {@code sshd} line with
 *       {@code logger}.</li>
 * </ul>
 */
public final class AuthCounter {
    /** Where the counts go (the metrics). Called with this object's lock held. */
    public interface Sink {
        void outcome(AuthEvent event);

        void failedLogin();

        void entry(EntryResult result);

        /** Once: the failed-login feed chosen and why. */
        void feedChosen(FailedLoginFeed feed, String reason);
    }

    /** How a journal entry was taken, for {@code ssh_exporter_journal_entries_total{result}}. */
    public enum EntryResult {
        /** An authentication outcome, counted. */
        OUTCOME,
        /** One of sshd's lines that is not an outcome. */
        IGNORED,
        /** A line this exporter does not know: a newer OpenSSH, a patch, or not sshd's text. */
        UNRECOGNIZED,
        /** Not from root: not sshd's, whatever it says. */
        UNTRUSTED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final boolean btmpFollowed;
    private final Sink sink;
    private FailedLoginFeed feed = FailedLoginFeed.NONE;
    private boolean chosen;

    public AuthCounter(boolean btmpFollowed, Sink sink) {
        this.btmpFollowed = btmpFollowed;
        this.sink = sink;
    }

    public synchronized FailedLoginFeed feed() {
        return feed;
    }

    /**
     * Both inputs have started: chooses the failed-login feed, once.
     *
     * @param journal the journal's state then, or null when it is not followed ({@code --no-collector.auth})
     */
    public synchronized void started(JournalState journal) {
        if (chosen) {
            return;
        }
        chosen = true;
        String reason;
        if (journal == JournalState.OK) {
            feed = FailedLoginFeed.JOURNAL;
            reason = "the systemd journal is readable: sshd logs every failed attempt there";
        } else if (btmpFollowed) {
            feed = FailedLoginFeed.BTMP;
            reason = journal == null ? "the journal is not followed (--no-collector.auth)"
                    : "the systemd journal cannot be read (" + journal.label() + ")";
        } else {
            feed = FailedLoginFeed.NONE;
            reason = "neither the journal nor btmp can be read";
        }
        sink.feedChosen(feed, reason);
    }

    /** A record appended to btmp. */
    public synchronized void btmpRecord() {
        if (feed == FailedLoginFeed.BTMP) {
            sink.failedLogin();
        }
    }

    /** One entry of the journal with an sshd identifier. */
    public synchronized void journalEntry(Journal.Entry entry) {
        if (entry.uid() != 0) {
            sink.entry(EntryResult.UNTRUSTED);
            return;
        }
        AuthEvent event = SshdMessage.parse(entry.message());
        if (event.kind() == AuthKind.UNRECOGNIZED) {
            sink.entry(EntryResult.UNRECOGNIZED);
            return;
        }
        if (event.kind() == AuthKind.IGNORED) {
            sink.entry(EntryResult.IGNORED);
            return;
        }
        sink.entry(EntryResult.OUTCOME);
        sink.outcome(event);
        if (feed == FailedLoginFeed.JOURNAL && event.kind() == AuthKind.FAILED && event.method() != AuthMethod.NONE) {
            sink.failedLogin();
        }
    }
}
