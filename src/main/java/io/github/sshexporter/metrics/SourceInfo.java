package io.github.sshexporter.metrics;

import io.github.sshexporter.exposition.MetricGroup;
import io.github.sshexporter.exposition.MetricPage;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * {@code ssh_exporter_source_info{source="utmp"} 1}: which session source is in use ({@code utmp},
 * {@code logind}, or {@code none} while {@code --source auto} is still waiting for either). Set
 * when the source is chosen; a scrape reads a plain field.
 */
public final class SourceInfo implements Collector {
    /** The metric's name without the {@code _info} suffix, which the client adds. */
    public static final String NAME = "ssh_exporter_source";

    private static final MetricMetadata META = new MetricMetadata(NAME,
            "The session source in use: utmp, logind, or none while waiting for either (--source).");

    private final MetricGroup group;
    private volatile String source;

    /** Registers itself on {@code page}, showing {@code source} until {@link #show} is told another. */
    public SourceInfo(MetricPage page, String source) {
        this.group = page.tracked("source");
        this.source = source;
        group.registry().register(this);
    }

    /** The source now in use. */
    public void show(String source) {
        this.source = source;
        group.changed();
    }

    @Override
    public MetricSnapshot collect() {
        return new InfoSnapshot(META, List.of(new InfoDataPointSnapshot(Labels.of("source", source))));
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}
