package io.github.sshexporter.app;

import io.github.sshexporter.auth.AuthCounter;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.sessions.LoginActivity;
import io.github.sshexporter.sessions.LoginLog;
import io.github.sshexporter.sessions.Session;

/** Failed logins from btmp to the {@link AuthCounter}, and the state of the login logs into logs and gauges. */
final class ActivityReporter implements LoginActivity {
    private final AuthCounter auth;
    private final HealthMetrics health;

    ActivityReporter(AuthCounter auth, HealthMetrics health) {
        this.auth = auth;
        this.health = health;
    }

    @Override
    public void failedLogin(Session attempt) {
        auth.btmpRecord();
        // Per-address detail stays out of the metrics (attackers would explode the series); it is here.
        Log.debug("failed login", "user", attempt.user(), "remote_ip", attempt.remoteIp(), "tty", attempt.tty());
    }

    @Override
    public void databaseState(LoginLog log, String path, boolean readable, String detail) {
        health.fileReadable(log.label(), path, readable);
        if (readable) {
            Log.info("following login log", "file", log.label(), "path", path);
        } else {
            Log.warn(log == LoginLog.BTMP
                    ? "cannot read btmp; failed logins it records are not seen until it is readable"
                    : "cannot read wtmp; logins and logouts it records are not seen until it is readable",
                    "file", log.label(), "path", path, "cause", detail);
        }
    }

    @Override
    public void internalError(String detail) {
        Log.error("reading login logs failed", "error", detail);
    }
}
