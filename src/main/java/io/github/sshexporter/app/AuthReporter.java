package io.github.sshexporter.app;

import io.github.sshexporter.auth.AuthCounter;
import io.github.sshexporter.auth.AuthEvent;
import io.github.sshexporter.auth.FailedLoginFeed;
import io.github.sshexporter.auth.JournalLoop;
import io.github.sshexporter.auth.JournalState;
import io.github.sshexporter.auth.SshdMessage;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.ActivityMetrics;
import io.github.sshexporter.metrics.AuthMetrics;
import io.github.sshexporter.sys.Journal;

/** The journal's entries to the {@link AuthCounter}; what it decides, and the journal's state, to metrics and logs. */
final class AuthReporter implements AuthCounter.Sink, JournalLoop.Listener {
    private final AuthMetrics auth;
    private final ActivityMetrics activity;
    private AuthCounter counter;

    AuthReporter(AuthMetrics auth, ActivityMetrics activity) {
        this.auth = auth;
        this.activity = activity;
    }

    void counter(AuthCounter counter) {
        this.counter = counter;
    }

    @Override
    public void entry(Journal.Entry entry) {
        counter.journalEntry(entry);
    }

    @Override
    public void state(JournalState state, String detail) {
        auth.journalState(state);
        if (state == JournalState.OK) {
            Log.info("following the systemd journal", "identifiers", String.join(",", new java.util.TreeSet<>(SshdMessage.SYSLOG_IDENTIFIERS)));
        } else if (state == JournalState.UNAVAILABLE) {
            // A host or container without systemd: normal, not a fault to warn about.
            Log.info("no systemd journal here; authentication outcomes are not counted", "cause", detail);
        } else {
            Log.warn("cannot follow the systemd journal; authentication outcomes are not counted",
                    "state", state.label(), "cause", detail);
        }
    }

    @Override
    public void outcome(AuthEvent event) {
        auth.outcome(event);
        // The user and address are the attacker's text: logged at debug level only, never labels.
        if (!Log.enabled(Log.Level.DEBUG)) {
            return;
        }
        Log.debug("authentication", "kind", event.kind().name().toLowerCase(java.util.Locale.ROOT),
                "method", event.method() == null ? "" : event.method().label(),
                "user", event.user() == null ? "" : event.user(), "remote_ip", event.address() == null ? "" : event.address());
    }

    @Override
    public void failedLogin() {
        activity.failedLogins(1);
    }

    @Override
    public void entry(AuthCounter.EntryResult result) {
        auth.entry(result);
    }

    @Override
    public void feedChosen(FailedLoginFeed feed, String reason) {
        auth.failedLoginsSource(feed);
        Log.info("failed logins source chosen", "source", feed.label(), "reason", reason);
    }
}
