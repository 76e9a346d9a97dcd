package io.github.sshexporter.exposition;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Metric families kept and rendered together: a registry of their own, and either a count of
 * the changes made to them (a tracked group: whoever changes a value says so with
 * {@link #changed()}) or none (a live group: values read from the runtime when collected, such as
 * the JVM's and the process's own metrics). {@link PageCache} renders a tracked group again only
 * when its count has moved, and a live group when its last rendering is older than the cache's
 * maximum age.
 */
public final class MetricGroup {
    private final String name;
    private final boolean live;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final AtomicLong changes = new AtomicLong();

    private MetricGroup(String name, boolean live) {
        this.name = name;
        this.live = live;
    }

    /** A group whose values change only through calls that end with {@link #changed()}. */
    static MetricGroup tracked(String name) {
        return new MetricGroup(name, false);
    }

    /** A group whose values are read when it is collected. */
    static MetricGroup live(String name) {
        return new MetricGroup(name, true);
    }

    public String name() {
        return name;
    }

    public boolean live() {
        return live;
    }

    /** Where this group's metrics are registered. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Call after every change of a value of this group (not needed for a live group). */
    public void changed() {
        changes.incrementAndGet();
    }

    /** How many changes were announced so far. */
    long changes() {
        return changes.get();
    }
}
