package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.ActivityMetrics;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.sessions.LoginActivity;
import io.github.sshexporter.sessions.Session;

/** Login activity from wtmp/btmp into counters, and the state of those files into logs and gauges. */
final class ActivityReporter implements LoginActivity {
    private final ActivityMetrics activity;
    private final HealthMetrics health;

    ActivityReporter(ActivityMetrics activity, HealthMetrics health) {
        this.activity = activity;
        this.health = health;
    }

    @Override
    public void opened(Session session) {
        activity.opened(session);
    }

    @Override
    public void closed(Session session, double durationSeconds) {
        activity.closed(session, durationSeconds);
    }

    @Override
    public void failedLogin(Session attempt) {
        activity.failedLogins(1);
        // Per-address detail stays out of the metrics (attackers would explode the series); it is here.
        Log.debug("failed login", "user", attempt.user(), "remote_ip", attempt.remoteIp(), "tty", attempt.tty());
    }

    @Override
    public void databaseState(String name, String path, boolean readable, String detail) {
        if ("internal".equals(name)) {
            Log.error("reading login logs failed", "error", detail);
            return;
        }
        health.fileReadable(name, path, readable);
        if ("wtmp".equals(name)) {
            health.eventsSource(readable);
        }
        if (readable) {
            Log.info("following login log", "file", name, "path", path);
        } else {
            Log.warn(name.equals("btmp")
                    ? "cannot read btmp; failed logins are not counted until it is readable"
                    : "cannot read wtmp; session counters fall back to utmp snapshots",
                    "file", name, "path", path, "cause", detail);
        }
    }
}
