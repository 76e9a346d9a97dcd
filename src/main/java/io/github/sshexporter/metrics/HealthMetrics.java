package io.github.sshexporter.metrics;

import io.github.sshexporter.exposition.MetricGroup;
import io.github.sshexporter.exposition.MetricPage;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import io.github.sshexporter.sessions.CounterFeed;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.snapshots.Unit;

/** The exporter's own health: build, refreshes, errors, which files it can read. */
public final class HealthMetrics {
    /** Causes of refresh errors; all are exposed from the start, at zero. */
    public static final String[] ERROR_CAUSES = {"missing", "unreadable", "too_large", "incomplete", "internal"};

    private final MetricGroup group;
    /** The three gauges every refresh sets: a group of their own. */
    private final MetricGroup refresh;
    /** Each file's readability as last set: told to the group only when it changes. */
    private final Map<String, Boolean> readable = new HashMap<>();
    private final Gauge lastRefresh;
    private final Gauge lastRefreshDuration;
    private final Counter refreshErrors;
    private final Gauge fileReadable;
    private final Gauge recordsScanned;
    private final Gauge eventsSource;

    /** Registers its metrics on {@code page}, in two groups. */
    public HealthMetrics(MetricPage page, String version, String javaVersion, String libc) {
        this.group = page.tracked("health");
        this.refresh = page.tracked("refresh");
        var registry = group.registry();
        var perRefresh = refresh.registry();
        Info.builder().name("ssh_exporter_build_info")
                .help("Build and runtime of this exporter; the value is always 1.")
                .labelNames("version", "java_version", "libc")
                .register(registry).setLabelValues(version, javaVersion, libc);
        lastRefresh = Gauge.builder().name("ssh_exporter_last_refresh_timestamp_seconds")
                .help("When the last read of the session source finished, seconds since the epoch.")
                .unit(Unit.SECONDS).withoutExemplars().register(perRefresh);
        lastRefreshDuration = Gauge.builder().name("ssh_exporter_last_refresh_duration_seconds")
                .help("How long the last read and reconcile of the session source took.")
                .unit(Unit.SECONDS).withoutExemplars().register(perRefresh);
        refreshErrors = Counter.builder().name("ssh_exporter_refresh_errors_total")
                .help("Reads of the session source that failed, by cause (missing, unreadable, too_large, incomplete, internal).")
                .labelNames("cause").withoutExemplars().register(registry);
        for (String cause : ERROR_CAUSES) {
            refreshErrors.labelValues(cause);
        }
        fileReadable = Gauge.builder().name("ssh_exporter_file_readable")
                .help("1 when the exporter could read the login database at its last attempt, else 0.")
                .labelNames("file", "path").withoutExemplars().register(registry);
        recordsScanned = Gauge.builder().name("ssh_exporter_records_scanned")
                .help("Records the last read of the session source went through.")
                .withoutExemplars().register(perRefresh);
        eventsSource = Gauge.builder().name("ssh_exporter_session_events_source")
                .help("1 on what feeds ssh_sessions_opened_total, ssh_sessions_closed_total and "
                        + "ssh_session_duration_seconds: wtmp (a utmp host), utmp or logind (snapshots of the "
                        + "session source), none (no session source yet).")
                .labelNames("source").withoutExemplars().register(registry);
    }

    public void refreshed(long epochMillis, long nanos, int records) {
        lastRefresh.set(epochMillis / 1000.0);
        lastRefreshDuration.set(nanos / 1e9);
        recordsScanned.set(records);
        refresh.changed();
    }

    public void refreshError(String cause) {
        refreshErrors.labelValues(cause).inc();
        group.changed();
    }

    public void fileReadable(String file, String path, boolean readable) {
        fileReadable.labelValues(file, path).set(readable ? 1 : 0);
        if (!Objects.equals(this.readable.put(file + '\0' + path, readable), readable)) {
            group.changed();
        }
    }

    public void eventsSource(CounterFeed feed) {
        for (CounterFeed f : CounterFeed.values()) {
            eventsSource.labelValues(f.label()).set(f == feed ? 1 : 0);
        }
        group.changed();
    }
}
