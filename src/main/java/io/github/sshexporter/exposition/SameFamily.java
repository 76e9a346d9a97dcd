package io.github.sshexporter.exposition;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/**
 * Whether two collections of one metric family are written alike, so that the bytes of the
 * first can serve for the second: the same metadata object, and the same points (labels,
 * timestamps, values) in the same order. Only the point types this exporter serves are compared
 * (counters, gauges, info, classic histograms, without exemplars); any other says "not the same",
 * which costs a rendering and is never wrong.
 */
final class SameFamily {
    private SameFamily() {}

    static boolean same(MetricSnapshot a, MetricSnapshot b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a.getClass() != b.getClass() || a.getMetadata() != b.getMetadata()) {
            return false;
        }
        List<? extends DataPointSnapshot> pa = a.getDataPoints();
        List<? extends DataPointSnapshot> pb = b.getDataPoints();
        if (pa.size() != pb.size()) {
            return false;
        }
        for (int i = 0; i < pa.size(); i++) {
            if (!samePoint(pa.get(i), pb.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean samePoint(DataPointSnapshot a, DataPointSnapshot b) {
        if (a.getClass() != b.getClass() || !a.getLabels().equals(b.getLabels())
                || a.hasCreatedTimestamp() != b.hasCreatedTimestamp()
                || a.getCreatedTimestampMillis() != b.getCreatedTimestampMillis()
                || a.hasScrapeTimestamp() != b.hasScrapeTimestamp()
                || a.getScrapeTimestampMillis() != b.getScrapeTimestampMillis()) {
            return false;
        }
        if (a instanceof CounterDataPointSnapshot ca) {
            CounterDataPointSnapshot cb = (CounterDataPointSnapshot) b;
            return ca.getExemplar() == null && cb.getExemplar() == null
                    && Double.compare(ca.getValue(), cb.getValue()) == 0;
        }
        if (a instanceof GaugeDataPointSnapshot ga) {
            GaugeDataPointSnapshot gb = (GaugeDataPointSnapshot) b;
            return ga.getExemplar() == null && gb.getExemplar() == null
                    && Double.compare(ga.getValue(), gb.getValue()) == 0;
        }
        if (a instanceof InfoDataPointSnapshot) {
            return true; // labels only
        }
        if (a instanceof HistogramDataPointSnapshot ha) {
            return sameHistogram(ha, (HistogramDataPointSnapshot) b);
        }
        return false;
    }

    private static boolean sameHistogram(HistogramDataPointSnapshot a, HistogramDataPointSnapshot b) {
        if (a.hasNativeHistogramData() || b.hasNativeHistogramData()
                || a.getExemplars().size() != 0 || b.getExemplars().size() != 0
                || a.hasCount() != b.hasCount() || a.getCount() != b.getCount()
                || a.hasSum() != b.hasSum() || Double.compare(a.getSum(), b.getSum()) != 0) {
            return false;
        }
        ClassicHistogramBuckets ba = a.getClassicBuckets();
        ClassicHistogramBuckets bb = b.getClassicBuckets();
        if (ba.size() != bb.size()) {
            return false;
        }
        for (int i = 0; i < ba.size(); i++) {
            if (ba.getCount(i) != bb.getCount(i) || Double.compare(ba.getUpperBound(i), bb.getUpperBound(i)) != 0) {
                return false;
            }
        }
        return true;
    }
}
