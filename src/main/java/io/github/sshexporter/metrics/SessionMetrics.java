package io.github.sshexporter.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The session metrics, published as one immutable {@link MetricSnapshots} per refresh. A scrape
 * only returns the last published object: it never reads files or calls native code, and it
 * never sees one series from a newer refresh next to another from an older one.
 */
public final class SessionMetrics implements MultiCollector {
    public static final String SESSIONS = "ssh_num_sessions";
    public static final String SOURCE_UP = "ssh_exporter_source_up";

    private static final MetricMetadata SESSIONS_META = new MetricMetadata(SESSIONS,
            "Number of live login sessions (utmp USER_PROCESS records, or logind sessions) by remote address.");
    private static final MetricMetadata SOURCE_UP_META = new MetricMetadata(SOURCE_UP,
            "1 when the last read of the session source (the utmp file or systemd-logind) worked, else 0.");

    private volatile MetricSnapshots current;

    public SessionMetrics() {
        publish(Map.of(), false);
    }

    /** Replaces everything served: one series per remote address with at least one session. */
    public void publish(Map<String, Integer> sessionsByRemote, boolean sourceUp) {
        List<GaugeDataPointSnapshot> points = new ArrayList<>(sessionsByRemote.size());
        for (Map.Entry<String, Integer> e : sessionsByRemote.entrySet()) {
            if (e.getValue() > 0) {
                points.add(new GaugeDataPointSnapshot(e.getValue(), Labels.of("remote_ip", e.getKey()), null));
            }
        }
        GaugeSnapshot up = new GaugeSnapshot(SOURCE_UP_META,
                List.of(new GaugeDataPointSnapshot(sourceUp ? 1 : 0, Labels.EMPTY, null)));
        current = new MetricSnapshots(new GaugeSnapshot(SESSIONS_META, points), up);
    }

    @Override
    public MetricSnapshots collect() {
        return current;
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(SESSIONS, SOURCE_UP);
    }
}
