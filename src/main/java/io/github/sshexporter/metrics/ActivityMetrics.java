package io.github.sshexporter.metrics;

import io.github.sshexporter.exposition.MetricGroup;
import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.sessions.RemoteAddress;
import io.github.sshexporter.sessions.Session;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Logins, logouts, session durations and failed logins since the exporter started. No label has
 * unbounded values: a per-address counter would grow without limit on a public host.
 */
public final class ActivityMetrics {
    public static final String REMOTE = "remote";
    public static final String LOCAL = "local";

    /** From one second to a week: interactive sessions span all of it. */
    static final double[] DURATION_BUCKETS = {1, 10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 8 * 3600,
        24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600};

    /** Groups that change apart: opened and closed counts, durations, failed logins. */
    private final MetricGroup counts;
    private final MetricGroup durations;
    private final MetricGroup failures;
    private final Counter opened;
    private final Counter closed;
    private final Histogram duration;
    private final Counter failed;

    /** Registers its metrics on {@code page}, in three groups. */
    public ActivityMetrics(MetricPage page) {
        this.counts = page.tracked("activity");
        this.durations = page.tracked("durations");
        this.failures = page.tracked("failed logins");
        var registry = counts.registry();
        opened = Counter.builder().name("ssh_sessions_opened_total")
                .help("Login sessions opened since the exporter started, by type (remote: from a network "
                        + "address or host name; local: console, X, screen/tmux).")
                .labelNames("type").withoutExemplars().register(registry);
        closed = Counter.builder().name("ssh_sessions_closed_total")
                .help("Login sessions closed since the exporter started, by type.")
                .labelNames("type").withoutExemplars().register(registry);
        duration = Histogram.builder().name("ssh_session_duration_seconds")
                .help("Duration of closed sessions whose own end was recorded or seen, from the recorded start "
                        + "(wtmp, utmp or logind) to the recorded logout or the moment the session was seen gone.")
                .unit(Unit.SECONDS).classicOnly().classicUpperBounds(DURATION_BUCKETS).withoutExemplars()
                .register(durations.registry());
        failed = Counter.builder().name("ssh_failed_logins_total")
                .help("Failed authentication attempts since the exporter started: sshd's Failed lines in the "
                        + "journal, or btmp's records where the journal cannot be read (ssh_exporter_failed_logins_source).")
                .withoutExemplars().register(failures.registry());
        for (String type : new String[] {REMOTE, LOCAL}) {
            opened.labelValues(type);
            closed.labelValues(type);
        }
        failed.inc(0);
    }

    public static String type(Session s) {
        return RemoteAddress.LOCAL.equals(s.remoteIp()) ? LOCAL : REMOTE;
    }

    public void opened(Session s) {
        opened.labelValues(type(s)).inc();
        counts.changed();
    }

    public void closed(Session s, double durationSeconds) {
        closed.labelValues(type(s)).inc();
        if (!Double.isNaN(durationSeconds)) {
            duration.observe(durationSeconds);
            durations.changed();
        }
        counts.changed();
    }

    public void failedLogins(int count) {
        failed.inc(count);
        failures.changed();
    }
}
