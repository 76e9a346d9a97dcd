package io.github.sshexporter.metrics;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code ssh_exporter_source_info{source="utmp"} 1}: which session source is in use ({@code utmp},
 * {@code logind}, or {@code none} while {@code --source auto} is still waiting for either). The
 * name is read at scrape time from a plain field of the source; no native call is made.
 */
public final class SourceInfo implements Collector {
    /** The metric's name without the {@code _info} suffix, which the client adds. */
    public static final String NAME = "ssh_exporter_source";

    private static final MetricMetadata META = new MetricMetadata(NAME,
            "The session source in use: utmp, logind, or none while waiting for either (--source).");

    private final Supplier<String> source;

    public SourceInfo(Supplier<String> source) {
        this.source = source;
    }

    @Override
    public MetricSnapshot collect() {
        return new InfoSnapshot(META, List.of(new InfoDataPointSnapshot(Labels.of("source", source.get()))));
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}
