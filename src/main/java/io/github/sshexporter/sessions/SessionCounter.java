package io.github.sshexporter.sessions;

import io.github.sshexporter.records.UtmpxRecord;
import java.util.HashSet;
import java.util.Set;

/**
 * The one place that decides what the opened/closed counters and the duration histogram count.
 * Fed by two threads: the login-log thread (wtmp records) and the session loop (the reconciled
 * diff of each snapshot); only the chosen feed reaches the {@link Sink}, so nothing is counted
 * from both.
 *
 * <p>Which feed, chosen once when the session source is chosen (a rotation or a spell of an
 * unreadable wtmp never switches it, so no event is seen twice):
 * <ul>
 *   <li>{@code auto}: on a utmp host, wtmp when it is readable then (it sees every session,
 *       also one shorter than a read, with recorded times), else the utmp snapshots. On a logind
 *       host, logind's snapshots: there sshd writes no logout to wtmp (glibc's {@code logout()}
 *       fails without utmp) and terminal-less sessions not at all.</li>
 *   <li>{@code wtmp} or {@code snapshots}: as asked.</li>
 *   <li>No session source yet: nothing is counted.</li>
 * </ul>
 *
 * <p>Counting rules, the same for every feed:
 * <ul>
 *   <li>A session opened while the exporter runs is counted opened once. Sessions open at the
 *       first read, or across a spell without a readable source, are not.</li>
 *   <li>A session that ends while the exporter runs is counted closed once, also one that was
 *       open at start.</li>
 *   <li>A duration is observed only for a session whose own end was recorded (a wtmp logout) or
 *       seen (gone from a snapshot), from its recorded start: wtmp's or utmp's login time,
 *       logind's own start time. A session ended by a reboot or shutdown record, or replaced by a
 *       new login on its line without a logout, is closed without a duration.</li>
 * </ul>
 */
public final class SessionCounter {
    /** Where the counts go (the metrics). Called with this object's lock held. */
    public interface Sink {
        void opened(Session session);

        /** @param durationSeconds NaN when the session's own end was not recorded or seen */
        void closed(Session session, double durationSeconds);

        /** Once: the feed chosen and why. */
        void feedChosen(CounterFeed feed, String reason);
    }

    private final CounterMode mode;
    private final boolean wtmpFollowed;
    private final Sink sink;
    private final WtmpSessions wtmp = new WtmpSessions();
    private CounterFeed feed = CounterFeed.NONE;
    private boolean chosen;
    private boolean wtmpReadable;
    private boolean logsStarted;
    private SourceMode pendingSource;

    /** @param wtmpFollowed whether a wtmp file is followed at all ({@code --wtmp.file} not empty) */
    public SessionCounter(CounterMode mode, boolean wtmpFollowed, Sink sink) {
        this.mode = mode;
        this.wtmpFollowed = wtmpFollowed;
        this.sink = sink;
    }

    public synchronized CounterFeed feed() {
        return feed;
    }

    // ---- the login-log thread

    /** Whether the last attempt to read wtmp worked. */
    public synchronized void wtmpReadable(boolean readable) {
        wtmpReadable = readable;
    }

    /** A wtmp record written before the exporter started (or before wtmp was first readable): learned, not counted. */
    public synchronized void wtmpHistory(UtmpxRecord record) {
        wtmp.apply(record, null);
    }

    /** A wtmp record appended while the exporter runs. */
    public synchronized void wtmpAppended(UtmpxRecord record) {
        wtmp.apply(record, feed == CounterFeed.WTMP ? wtmpEvents : null);
    }

    // ---- the session loop's thread (or the start-up thread, for a source chosen at once)

    /**
     * The login logs' history has been read (or found unreadable): what wtmp's state is now is
     * known. A source chosen before this is decided for now.
     */
    public synchronized void loginLogsStarted() {
        logsStarted = true;
        if (pendingSource != null) {
            sourceChosen(pendingSource);
        }
    }

    /** The session source is chosen: choose the feed, once (as soon as wtmp's state is known). */
    public synchronized void sourceChosen(SourceMode source) {
        if (chosen) {
            return;
        }
        if (!logsStarted) {
            pendingSource = source;
            return;
        }
        chosen = true;
        String reason;
        if (mode == CounterMode.WTMP) {
            feed = CounterFeed.WTMP;
            reason = "asked for (--sessions.events-source wtmp)";
        } else if (mode == CounterMode.SNAPSHOTS) {
            feed = snapshotsOf(source);
            reason = "asked for (--sessions.events-source snapshots)";
        } else if (source == SourceMode.LOGIND) {
            feed = CounterFeed.LOGIND;
            reason = "the session source is logind: wtmp is incomplete on such hosts (no logouts, "
                    + "no sessions without a terminal)";
        } else if (!wtmpFollowed) {
            feed = CounterFeed.UTMP;
            reason = "no wtmp file is followed (--wtmp.file is empty)";
        } else if (!wtmpReadable) {
            feed = CounterFeed.UTMP;
            reason = "wtmp could not be read when the session source was chosen";
        } else {
            feed = CounterFeed.WTMP;
            reason = "the session source is utmp and wtmp is readable: it records every login and logout";
        }
        sink.feedChosen(feed, reason);
    }

    private static CounterFeed snapshotsOf(SourceMode source) {
        return source == SourceMode.LOGIND ? CounterFeed.LOGIND : CounterFeed.UTMP;
    }

    /**
     * One refresh's reconciled diff.
     *
     * @param comparable  false when this snapshot or the one before it was not a good read: the
     *                    difference across such a spell is not logins and logouts
     * @param nowSeconds  when the snapshot was read: the end of the sessions seen gone
     */
    public synchronized void snapshot(Reconciler.Changes changes, boolean comparable, double nowSeconds) {
        if (feed != CounterFeed.UTMP && feed != CounterFeed.LOGIND) {
            return;
        }
        if (changes.initial() || !comparable) {
            return;
        }
        Set<String> linesTaken = new HashSet<>();
        for (Session s : changes.opened()) {
            if (!s.tty().isEmpty()) {
                linesTaken.add(s.tty());
            }
            sink.opened(s);
        }
        for (Session s : changes.closed()) {
            // A record overwritten by a new login on its line: the old session's end was not seen.
            boolean replaced = !s.tty().isEmpty() && linesTaken.contains(s.tty());
            sink.closed(s, replaced ? Double.NaN : WtmpSessions.duration(s, nowSeconds));
        }
    }

    /** wtmp's meaning, passed on only while wtmp is the feed. */
    private final WtmpSessions.Events wtmpEvents = new WtmpSessions.Events() {
        @Override
        public void opened(Session session) {
            sink.opened(session);
        }

        @Override
        public void closed(Session session, double durationSeconds) {
            sink.closed(session, durationSeconds);
        }
    };
}
