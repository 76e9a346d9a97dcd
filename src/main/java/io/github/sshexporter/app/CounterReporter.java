package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.ActivityMetrics;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.sessions.CounterFeed;
import io.github.sshexporter.sessions.Session;
import io.github.sshexporter.sessions.SessionCounter;

/** What the {@link SessionCounter} decided, into the counters, the feed gauge and one log line. */
final class CounterReporter implements SessionCounter.Sink {
    private final ActivityMetrics activity;
    private final HealthMetrics health;

    CounterReporter(ActivityMetrics activity, HealthMetrics health) {
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
    public void feedChosen(CounterFeed feed, String reason) {
        health.eventsSource(feed);
        Log.info("session counters source chosen", "source", feed.label(), "reason", reason);
    }
}
