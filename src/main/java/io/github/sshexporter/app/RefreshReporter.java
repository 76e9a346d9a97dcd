package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.sessions.Reconciler;
import io.github.sshexporter.sessions.Session;
import io.github.sshexporter.sessions.SessionSource;
import io.github.sshexporter.sessions.Snapshot;
import io.github.sshexporter.sessions.SourceState;
import java.util.Objects;

/** Publishes each refresh to the metrics and logs what changed: sessions, and the source's state. */
final class RefreshReporter implements io.github.sshexporter.sessions.RefreshListener {
    private final SessionSource source;
    private final SessionMetrics metrics;
    private SourceState lastState;
    private String lastDetail;
    private String lastError;

    RefreshReporter(SessionSource source, SessionMetrics metrics) {
        this.source = source;
        this.metrics = metrics;
    }

    @Override
    public void onRefresh(Snapshot snapshot, Reconciler.Changes changes, long nanos) {
        if (changes == null) {
            Log.debug("read stopped early, retrying", "file", source.location(), "detail", snapshot.detail());
            return;
        }
        metrics.publish(changes.sessionsByRemote(), snapshot.state().readable());
        lastError = null;
        reportState(snapshot);
        if (changes.initial()) {
            Log.info("sessions read", "source", source.name(), "file", source.location(),
                    "sessions", snapshot.sessions().size(), "addresses", changes.sessionsByRemote().size(),
                    "records", snapshot.recordsRead(), "duration_ms", String.format("%.1f", nanos / 1e6));
        }
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
            case WAITING -> Log.warn("no session source yet; serving no sessions until one appears",
                    "source", source.name(), "cause", snapshot.detail());
            case INCOMPLETE -> { }
        }
    }

    @Override
    public void onRefreshError(RuntimeException error) {
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
