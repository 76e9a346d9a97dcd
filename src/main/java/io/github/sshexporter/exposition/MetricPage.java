package io.github.sshexporter.exposition;

import java.util.ArrayList;
import java.util.List;

/**
 * The telemetry page's {@link MetricGroup}s, in the order they are made (and written). A
 * metrics class makes a group for each set of families that changes on its own: a change then
 * collects and writes again only that set.
 */
public final class MetricPage {
    private final List<MetricGroup> groups = new ArrayList<>();

    public synchronized MetricGroup tracked(String name) {
        return add(MetricGroup.tracked(name));
    }

    public synchronized MetricGroup live(String name) {
        return add(MetricGroup.live(name));
    }

    public synchronized List<MetricGroup> groups() {
        return List.copyOf(groups);
    }

    private MetricGroup add(MetricGroup group) {
        groups.add(group);
        return group;
    }
}
