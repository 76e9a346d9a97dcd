package io.github.sshexporter.app;

import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.sessions.Reconciler;
import io.github.sshexporter.sessions.RefreshListener;
import io.github.sshexporter.sessions.Session;
import io.github.sshexporter.sessions.SessionCounter;
import io.github.sshexporter.sessions.SessionSource;
import io.github.sshexporter.sessions.Snapshot;
import io.github.sshexporter.sessions.SourceState;
import java.util.Locale;
import java.util.Objects;

/**
 * Publishes each refresh to the metrics and logs what changed: sessions, and the source's state.
 * The diff goes to the {@link SessionCounter}, which decides whether it counts.
 */
final class RefreshReporter implements RefreshListener {
    private final SessionSource source;
    private final SessionMetrics sessions;
    private final SessionCounter counter;
    private final HealthMetrics health;
    private final PageCache page;
    private SourceState lastState;
    private String lastDetail;
    private String lastError;
    /** Inside a change (between changeStarting and changeDone): its session lines wait for its end. */
    private boolean inChange;
    private Reconciler.Changes unlogged;

    RefreshReporter(SessionSource source, SessionMetrics sessions, SessionCounter counter, HealthMetrics health,
                    PageCache page) {
        this.page = page;
        this.source = source;
        this.sessions = sessions;
        this.counter = counter;
        this.health = health;
    }

    /** Scrapes that arrive while a change is read wait for it to be published. */
    @Override
    public void changeStarting() {
        inChange = true;
        page.changeStarting();
    }

    /**
     * The scraped pages are rendered with the change, then the scrapes that waited are served;
     * then the change's session lines are logged (a scrape need not wait for the log).
     */
    @Override
    public void changeDone() {
        try {
            page.changeDone();
        } finally {
            inChange = false;
            logSessions();
        }
    }

    @Override
    public void onRefresh(Refresh refresh) {
        Snapshot snapshot = refresh.snapshot();
        Reconciler.Changes changes = refresh.changes();
        if (changes == null) {
            health.refreshError("incomplete");
            Log.debug("read stopped early, retrying", "file", source.location(), "detail", snapshot.detail());
            return;
        }
        boolean up = snapshot.state().readable();
        sessions.publish(changes.sessionsByRemote(), snapshot.sessions(), up, refresh.stale());
        health.refreshed(System.currentTimeMillis(), refresh.nanos(), snapshot.recordsRead());
        if (source.readsUtmpFile()) {
            health.fileReadable("utmp", source.location(), up);
        }
        if (!up) {
            // Waiting for a source to appear is, for the error counter, a missing source.
            SourceState state = snapshot.state();
            health.refreshError(state == SourceState.WAITING ? "missing" : state.name().toLowerCase(Locale.ROOT));
        }
        lastError = null;
        boolean wasReadable = lastState == SourceState.OK;
        reportState(snapshot);
        if (changes.initial()) {
            Log.info("sessions read", "source", source.name(), "file", source.location(),
                    "sessions", snapshot.sessions().size(), "addresses", changes.sessionsByRemote().size(),
                    "stale", refresh.stale(), "records", snapshot.recordsRead(),
                    "duration_ms", String.format(Locale.ROOT, "%.1f", refresh.nanos() / 1e6));
        }
        // The difference across a spell without a readable source is not logins and logouts: the
        // file going missing does not close every session, and its return does not open them.
        counter.snapshot(changes, up && wasReadable, System.currentTimeMillis() / 1000.0);
        logSessions();
        unlogged = changes;
        if (!inChange) {
            logSessions();
        }
    }

    private void logSessions() {
        Reconciler.Changes changes = unlogged;
        if (changes == null) {
            return;
        }
        unlogged = null;
        Log.Level level = changes.initial() ? Log.Level.DEBUG : Log.Level.INFO;
        for (Session s : changes.opened()) {
            logSession(level, "session opened", s);
        }
        for (Session s : changes.closed()) {
            logSession(level, "session closed", s);
        }
    }

    private static void logSession(Log.Level level, String message, Session s) {
        Log.log(level, message, "user", s.user(), "remote_ip", s.remoteIp(), "tty", s.tty(), "pid", s.pid());
    }

    /** Once per change of state, not once per read: a missing file is not news every 15 s. */
    private void reportState(Snapshot snapshot) {
        SourceState state = snapshot.state();
        if (state == lastState && Objects.equals(snapshot.detail(), lastDetail)) {
            return;
        }
        boolean wasBad = lastState != null && lastState != SourceState.OK;
        lastState = state;
        lastDetail = snapshot.detail();
        switch (state) {
            case OK -> {
                if (wasBad) {
                    Log.info("session database readable again", "source", source.name(), "file", source.location());
                }
            }
            case MISSING -> Log.warn("session database missing; serving no sessions until it appears",
                    "file", source.location());
            case UNREADABLE -> Log.warn("session database unreadable; serving no sessions until that changes",
                    "file", source.location(), "cause", snapshot.detail());
            case TOO_LARGE -> Log.warn("session database too large; serving no sessions until that changes",
                    "file", source.location(), "cause", snapshot.detail());
            case WAITING -> Log.warn("no session source yet; serving no sessions until one appears",
                    "source", source.name(), "cause", snapshot.detail());
            case INCOMPLETE -> { }
        }
    }

    @Override
    public void onRefreshError(RuntimeException error) {
        health.refreshError("internal");
        String text = error.toString();
        if (!text.equals(lastError)) {
            Log.error("refresh failed", "file", source.location(), "error", text);
            lastError = text;
        }
        if (Log.enabled(Log.Level.DEBUG)) {
            error.printStackTrace();
        }
    }
}
