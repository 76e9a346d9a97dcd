package io.github.sshexporter.metrics;

import io.github.sshexporter.exposition.MetricGroup;
import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.sessions.Session;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one read of the sessions says, published as one immutable {@link MetricSnapshots} per
 * refresh. A scrape only returns the last published object: it never reads files or calls native
 * code, and it never sees one series from a newer refresh next to another from an older one.
 */
public final class SessionMetrics implements MultiCollector {
    public static final String SESSIONS = "ssh_num_sessions";
    public static final String SOURCE_UP = "ssh_exporter_source_up";
    public static final String STALE = "ssh_stale_sessions";
    public static final String START_TIME = "ssh_session_start_time_seconds";

    private static final MetricMetadata SESSIONS_META = new MetricMetadata(SESSIONS,
            "Number of live login sessions (utmp USER_PROCESS records, or logind sessions) by remote address.");
    private static final MetricMetadata SOURCE_UP_META = new MetricMetadata(SOURCE_UP,
            "1 when the last read of the session source (the utmp file or systemd-logind) worked, else 0.");
    private static final MetricMetadata STALE_META = new MetricMetadata(STALE,
            "Session records in the last read whose process no longer exists (probably crashed sessions).");
    private static final MetricMetadata START_TIME_META = new MetricMetadata(START_TIME,
            "Login time of each live session, seconds since the epoch (--collector.sessions).", Unit.SECONDS);

    private final MetricGroup group;
    private final boolean perSession;
    private volatile MetricSnapshots current;
    private Map<String, Integer> lastByRemote;
    private boolean lastUp;
    private int lastStale = -1;
    /** remote_ip label sets of the last publish, reused: building Labels validates names each time. */
    private Map<String, Labels> labels = new HashMap<>();

    /**
     * Registers itself on {@code page} as a group of its own, told of each publish.
     *
     * @param perSession also serve one start-time series per live session
     */
    public SessionMetrics(MetricPage page, boolean perSession) {
        this.group = page.tracked("sessions");
        this.perSession = perSession;
        publish(Map.of(), List.of(), false, 0);
        group.registry().register(this);
    }

    /**
     * Replaces everything served.
     *
     * @param sessionsByRemote one series per remote address with at least one session
     * @param sessions         every live session (for the per-session series)
     */
    public void publish(Map<String, Integer> sessionsByRemote, List<Session> sessions, boolean sourceUp, int stale) {
        // The reconciler hands back the very same map when no session changed: nothing to rebuild.
        if (sessionsByRemote == lastByRemote && sourceUp == lastUp && stale == lastStale) {
            return;
        }
        lastByRemote = sessionsByRemote;
        lastUp = sourceUp;
        lastStale = stale;
        List<GaugeDataPointSnapshot> points = new ArrayList<>(sessionsByRemote.size());
        Map<String, Labels> nextLabels = new HashMap<>(Math.max(16, sessionsByRemote.size() * 2));
        for (Map.Entry<String, Integer> e : sessionsByRemote.entrySet()) {
            if (e.getValue() > 0) {
                Labels l = labels.get(e.getKey());
                if (l == null) {
                    l = Labels.of("remote_ip", e.getKey());
                }
                nextLabels.put(e.getKey(), l);
                points.add(new GaugeDataPointSnapshot(e.getValue(), l, null));
            }
        }
        labels = nextLabels;
        List<MetricSnapshot> all = new ArrayList<>(4);
        all.add(new GaugeSnapshot(SESSIONS_META, points));
        all.add(single(SOURCE_UP_META, sourceUp ? 1 : 0));
        all.add(single(STALE_META, stale));
        if (perSession) {
            all.add(new GaugeSnapshot(START_TIME_META, startTimes(sessions)));
        }
        current = new MetricSnapshots(all);
        group.changed();
    }

    private static List<GaugeDataPointSnapshot> startTimes(List<Session> sessions) {
        // Labels must be unique per series: identical duplicate records collapse into one series.
        Map<Labels, Double> byLabels = new java.util.LinkedHashMap<>();
        for (Session s : sessions) {
            byLabels.put(Labels.of("pid", Integer.toString(s.pid()), "remote_ip", s.remoteIp(),
                    "tty", s.tty(), "user", s.user()), s.loginTime());
        }
        List<GaugeDataPointSnapshot> out = new ArrayList<>(byLabels.size());
        byLabels.forEach((labels, value) -> out.add(new GaugeDataPointSnapshot(value, labels, null)));
        return out;
    }

    private static GaugeSnapshot single(MetricMetadata meta, double value) {
        return new GaugeSnapshot(meta, List.of(new GaugeDataPointSnapshot(value, Labels.EMPTY, null)));
    }

    @Override
    public MetricSnapshots collect() {
        return current;
    }

    @Override
    public List<String> getPrometheusNames() {
        return perSession ? List.of(SESSIONS, SOURCE_UP, STALE, START_TIME) : List.of(SESSIONS, SOURCE_UP, STALE);
    }
}
