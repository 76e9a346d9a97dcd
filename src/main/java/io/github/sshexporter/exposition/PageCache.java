package io.github.sshexporter.exposition;

import io.github.sshexporter.log.Log;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.zip.GZIPOutputStream;

/**
 * The telemetry page kept as bytes, per text format and escaping scheme: each {@link MetricGroup}
 * is collected again only when it changed (tracked) or its rendering is older than the maximum
 * age (live), and then only its families whose collection differs from the last are written
 * again. A scrape in between is a copy of bytes, whatever the JIT has compiled so far. The page
 * is the groups' renderings one after the other, in the order given, each group's families in
 * client_java's order; OpenMetrics' closing {@code # EOF} line is written once, at the end.
 * Compressed bodies are kept too, until the page changes. A change's publisher renders the pages
 * scraped since their last rendering itself, before scrapes see the change ({@link #changeDone}).
 */
public final class PageCache {
    private static final byte[] EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY = new byte[0];
    /** A page scraped within this long is rendered as soon as a change is published. */
    static final long AHEAD_NANOS = 1_000_000_000L;

    private final List<MetricGroup> groups;
    private final long liveMaxAgeNanos;
    private final LongSupplier nanoClock;
    private final Map<Key, Page> pages = new HashMap<>();
    private final ChangeGate changeGate = new ChangeGate();

    /** One page: its bytes, and the same compressed, made when first asked for. */
    public static final class Body {
        private final byte[] plain;
        private byte[] gzip;

        private Body(byte[] plain) {
            this.plain = plain;
        }

        public byte[] plain() {
            return plain;
        }

        /** The same, gzip-compressed (compressed once per page). */
        public synchronized byte[] gzip() {
            if (gzip == null) {
                ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 4 + 64);
                try (GZIPOutputStream z = new GZIPOutputStream(out, 8192)) {
                    z.write(plain);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
                }
                gzip = out.toByteArray();
            }
            return gzip;
        }
    }

    private record Key(ExpositionFormatWriter writer, EscapingScheme scheme) {}

    /** One family's last collection and its bytes in one format. */
    private record Family(MetricSnapshot snapshot, byte[] bytes) {}

    /** A group's last rendering in one format: what it was made from, its families, and its bytes. */
    private record Rendering(long changes, long renderedAt, Map<String, Family> families, byte[] bytes) {}

    private static final class Page {
        final Key key;
        final Rendering[] parts;
        Body body;
        /** When a scrape last took it ({@link #nanoClock}); none yet: never rendered ahead. */
        long servedAt;
        boolean served;

        Page(Key key, int groups) {
            this.key = key;
            parts = new Rendering[groups];
        }
    }

    /**
     * @param groups          the page's groups, in the order they are written
     * @param liveMaxAgeNanos how long a live group's rendering serves scrapes
     * @param nanoClock       a monotonic clock in nanoseconds ({@link System#nanoTime()})
     */
    public PageCache(List<MetricGroup> groups, long liveMaxAgeNanos, LongSupplier nanoClock) {
        this.groups = List.copyOf(groups);
        this.liveMaxAgeNanos = liveMaxAgeNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * The page as {@code writer} writes it (a text format: the Prometheus text format or
     * OpenMetrics), rendering again what changed since the last call.
     */
    public synchronized Body body(ExpositionFormatWriter writer, EscapingScheme scheme) {
        Page page = pages.computeIfAbsent(new Key(writer, scheme), k -> new Page(k, groups.size()));
        Body body = update(page, true);
        page.served = true;
        page.servedAt = nanoClock.getAsLong();
        return body;
    }

    /** A change is being read (the session thread): scrapes wait for it ({@link #changeGate()}). */
    public void changeStarting() {
        changeGate.close();
    }

    /**
     * The change is published, or its read failed (the session thread). The tracked groups that
     * changed are rendered now, on this thread, in each page a scrape took within the last
     * {@link #AHEAD_NANOS} (someone is watching it closely); then the gate opens and the scrapes
     * that waited are served bytes. A page scraped less often (Prometheus every 15 s) is rendered
     * by its next scrape, as before: changes in between cost nothing more. The runtime's live
     * groups are left to the scrape.
     */
    public void changeDone() {
        try {
            renderAhead();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            // As a scrape's rendering failure: logged, and the session thread goes on.
            Log.error("rendering the page ahead failed", "error", e.toString());
        } finally {
            changeGate.open();
        }
    }

    private synchronized void renderAhead() {
        long now = nanoClock.getAsLong();
        for (Page page : pages.values()) {
            if (page.served && now - page.servedAt < AHEAD_NANOS) {
                update(page, false);
            }
        }
    }

    /** Renders what changed in the page (and the live groups past their age, if asked), then its body. */
    private Body update(Page page, boolean live) {
        ExpositionFormatWriter writer = page.key.writer();
        boolean openMetrics = writer instanceof OpenMetricsTextFormatWriter;
        boolean same = page.body != null;
        long now = nanoClock.getAsLong();
        for (int i = 0; i < groups.size(); i++) {
            MetricGroup g = groups.get(i);
            Rendering last = page.parts[i];
            if (last != null && (g.live() ? !live || now - last.renderedAt() < liveMaxAgeNanos
                    : last.changes() == g.changes())) {
                continue;
            }
            // The count is read before collecting: a change made meanwhile is rendered next time.
            long changes = g.changes();
            Rendering next = render(writer, page.key.scheme(), g.registry().scrape(), openMetrics, last, changes, now);
            if (last == null || next.bytes() != last.bytes()) {
                same = false;
            }
            page.parts[i] = next;
        }
        if (!same) {
            List<byte[]> parts = new ArrayList<>(groups.size());
            for (Rendering r : page.parts) {
                parts.add(r.bytes());
            }
            page.body = new Body(concat(parts, openMetrics ? EOF : EMPTY));
        }
        return page.body;
    }

    /** Closed while the session thread reads and publishes a change: scrapes wait for it. */
    public ChangeGate changeGate() {
        return changeGate;
    }

    /** Every group's metrics in one registry, for scrapes this cache does not serve (filters, protobuf). */
    public PrometheusRegistry registry() {
        PrometheusRegistry all = new PrometheusRegistry();
        for (MetricGroup g : groups) {
            all.register((MultiCollector) () -> g.registry().scrape());
        }
        return all;
    }

    /**
     * A group's families rendered one by one; a family collected just as last time (SameFamily)
     * keeps its bytes. When every family kept its bytes, so does the group.
     */
    private static Rendering render(ExpositionFormatWriter writer, EscapingScheme scheme, MetricSnapshots snapshots,
                                    boolean openMetrics, Rendering last, long changes, long now) {
        Map<String, Family> families = new LinkedHashMap<>();
        boolean kept = last != null && last.families().size() == snapshots.size();
        for (MetricSnapshot snapshot : snapshots) {
            String name = snapshot.getMetadata().getPrometheusName();
            Family before = last == null ? null : last.families().get(name);
            Family family = before != null && SameFamily.same(before.snapshot(), snapshot)
                    ? before : new Family(snapshot, write(writer, scheme, snapshot, openMetrics));
            kept &= family == before;
            families.put(name, family);
        }
        if (kept) {
            return new Rendering(changes, now, last.families(), last.bytes());
        }
        return new Rendering(changes, now, families, concat(families.values().stream().map(Family::bytes).toList(), EMPTY));
    }

    private static byte[] write(ExpositionFormatWriter writer, EscapingScheme scheme, MetricSnapshot snapshot,
                                boolean openMetrics) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try {
            writer.write(out, MetricSnapshots.of(snapshot), scheme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = out.toByteArray();
        if (openMetrics && endsWith(bytes, EOF)) {
            return Arrays.copyOf(bytes, bytes.length - EOF.length);
        }
        return bytes;
    }

    /** The parts one after the other, then {@code tail}. */
    private static byte[] concat(List<byte[]> parts, byte[] tail) {
        int length = tail.length;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        System.arraycopy(tail, 0, all, at, tail.length);
        return all;
    }

    private static boolean endsWith(byte[] bytes, byte[] suffix) {
        return bytes.length >= suffix.length
                && Arrays.equals(bytes, bytes.length - suffix.length, bytes.length, suffix, 0, suffix.length);
    }
}
