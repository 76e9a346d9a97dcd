package io.github.sshexporter.exposition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class PageCacheTest {
    private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final ExpositionFormatWriter OPENMETRICS = OpenMetricsTextFormatWriter.create();
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(5 * SECOND);
    private final AtomicLong liveReads = new AtomicLong();
    /** Collections of the sessions group. */
    private final AtomicLong sessionReads = new AtomicLong();
    private volatile boolean sessionsFail;
    /** Thrown by the sessions' collection when set: an error from a collector's code, not an exception. */
    private volatile Error sessionsError;
    private final MetricGroup sessions = MetricGroup.tracked("sessions");
    private final MetricGroup auth = MetricGroup.tracked("auth");
    private final MetricGroup runtime = MetricGroup.live("runtime");
    private final Gauge users;
    private final Counter failed;
    private final PageCache cache;

    PageCacheTest() {
        users = Gauge.builder().name("t_sessions").help("Sessions.").labelNames("remote_ip").register(sessions.registry());
        failed = Counter.builder().name("t_failed_total").help("Failures.").labelNames("method")
                .withoutExemplars().register(auth.registry());
        // A value read when collected, as the JVM's metrics are: a new one at every collection.
        runtime.registry().register((MultiCollector) () -> new MetricSnapshots(new GaugeSnapshot(
                new io.prometheus.metrics.model.snapshots.MetricMetadata("a_runtime_reads", "Reads."),
                List.of(new GaugeSnapshot.GaugeDataPointSnapshot(liveReads.incrementAndGet(), Labels.EMPTY, null)))));
        sessions.registry().register((MultiCollector) () -> {
            sessionReads.incrementAndGet();
            if (sessionsFail) {
                throw new IllegalStateException("collection failed");
            }
            if (sessionsError != null) {
                throw sessionsError;
            }
            return new MetricSnapshots();
        });
        users.labelValues("192.0.2.1").set(2);
        failed.labelValues("password").inc();
        cache = new PageCache(List.of(sessions, auth, runtime), SECOND, clock::get);
    }

    private String page(ExpositionFormatWriter writer) {
        return new String(cache.body(writer, EscapingScheme.DEFAULT).plain(), StandardCharsets.UTF_8);
    }

    /**
     * A page cut into its families, sorted (client_java orders the whole page by name). A family
     * starts with "# HELP" in the text format and with "# TYPE" in OpenMetrics.
     */
    private static List<String> families(String page, String start) {
        List<String> out = new ArrayList<>();
        StringBuilder family = null;
        for (String line : page.split("\n", -1)) {
            if (line.startsWith(start) || line.equals("# EOF") || line.isEmpty()) {
                if (family != null) {
                    out.add(family.toString());
                }
                family = line.startsWith(start) ? new StringBuilder() : null;
            }
            if (family != null) {
                family.append(line).append('\n');
            }
        }
        out.sort(null);
        return out;
    }

    private String whole(ExpositionFormatWriter writer) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, cache.registry().scrape(), EscapingScheme.DEFAULT);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void thePageHoldsWhatClientJavaWritesInBothFormats() throws Exception {
        for (ExpositionFormatWriter writer : List.of(TEXT, OPENMETRICS)) {
            clock.addAndGet(2 * SECOND); // the live group is read anew by both: the same reading
            String page = page(writer);
            liveReads.decrementAndGet();
            String whole = whole(writer);
            String start = writer == OPENMETRICS ? "# TYPE " : "# HELP ";
            assertEquals(families(whole, start), families(page, start), writer.getClass().getSimpleName());
            assertEquals(3, families(page, start).size());
            assertEquals(whole.length(), page.length());
        }
    }

    @Test
    void openMetricsEndsWithOneEofLine() {
        String page = page(OPENMETRICS);
        assertTrue(page.endsWith("\n# EOF\n"), page);
        assertEquals(page.length() - "# EOF\n".length(), page.indexOf("# EOF"), "one EOF, the last line: " + page);
        assertTrue(page(TEXT).indexOf("# EOF") < 0);
    }

    @Test
    void anUnchangedPageIsTheSameBytesAndTheLiveGroupIsNotReadAgainWithinItsAge() {
        byte[] first = cache.body(TEXT, EscapingScheme.DEFAULT).plain();
        long reads = liveReads.get();
        clock.addAndGet(SECOND - 1);
        assertSame(first, cache.body(TEXT, EscapingScheme.DEFAULT).plain());
        assertEquals(reads, liveReads.get());
        clock.addAndGet(1);
        String next = page(TEXT);
        assertEquals(reads + 1, liveReads.get());
        assertTrue(next.contains("a_runtime_reads " + (reads + 1) + ".0\n"), next);
    }

    @Test
    void aTrackedGroupIsRenderedAgainOnlyAfterItSaysItChanged() {
        assertTrue(page(TEXT).contains("t_failed_total{method=\"password\"} 1.0\n"));
        failed.labelValues("password").inc();
        assertTrue(page(TEXT).contains("t_failed_total{method=\"password\"} 1.0\n"), "not told: not read");
        auth.changed();
        String page = page(TEXT);
        assertTrue(page.contains("t_failed_total{method=\"password\"} 2.0\n"), page);
        assertTrue(page.contains("t_sessions{remote_ip=\"192.0.2.1\"} 2.0\n"), page);
    }

    @Test
    void aChangeMadeWhileAGroupIsCollectedIsRenderedByTheNextScrape() {
        MetricGroup racing = MetricGroup.tracked("racing");
        AtomicLong value = new AtomicLong();
        racing.registry().register((MultiCollector) () -> {
            long v = value.incrementAndGet();
            racing.changed(); // another thread changed a value just after this collection read it
            return new MetricSnapshots(new GaugeSnapshot(
                    new io.prometheus.metrics.model.snapshots.MetricMetadata("r", "R."),
                    List.of(new GaugeSnapshot.GaugeDataPointSnapshot(v, Labels.EMPTY, null))));
        });
        PageCache c = new PageCache(List.of(racing), SECOND, clock::get);
        assertTrue(new String(c.body(TEXT, EscapingScheme.DEFAULT).plain(), StandardCharsets.UTF_8).contains("r 1.0"));
        assertTrue(new String(c.body(TEXT, EscapingScheme.DEFAULT).plain(), StandardCharsets.UTF_8).contains("r 2.0"));
    }

    @Test
    void aChangeThatLeavesTheSameTextKeepsThePageAndItsCompressedBytes() {
        PageCache.Body first = cache.body(TEXT, EscapingScheme.DEFAULT);
        byte[] gzip = first.gzip();
        sessions.changed();
        PageCache.Body second = cache.body(TEXT, EscapingScheme.DEFAULT);
        assertSame(first, second);
        assertSame(gzip, second.gzip());
        users.labelValues("192.0.2.1").set(3);
        sessions.changed();
        assertNotSame(first, cache.body(TEXT, EscapingScheme.DEFAULT));
    }

    @Test
    void theCompressedBodyIsThePlainOne() throws Exception {
        PageCache.Body body = cache.body(OPENMETRICS, EscapingScheme.DEFAULT);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.gzip()))) {
            assertArrayEquals(body.plain(), in.readAllBytes());
        }
    }

    @Test
    void eachFormatAndEscapingHasItsOwnPage() {
        String text = page(TEXT);
        String om = page(OPENMETRICS);
        assertTrue(om.contains("# TYPE t_failed counter\n"), om);
        assertTrue(text.contains("# TYPE t_failed_total counter\n"), text);
        byte[] underscores = cache.body(TEXT, EscapingScheme.UNDERSCORE_ESCAPING).plain();
        assertTrue(Arrays.equals(underscores, text.getBytes(StandardCharsets.UTF_8)), "legacy names escape to themselves");
    }

    @Test
    void aPageScrapedWithinTheWindowIsRenderedAsAChangeIsPublished() {
        page(TEXT); // scraped at 5 s; the OpenMetrics page never is
        long reads = sessionReads.get();
        long live = liveReads.get();
        cache.changeStarting();
        users.labelValues("192.0.2.9").set(1);
        sessions.changed();
        clock.addAndGet(PageCache.AHEAD_NANOS - 1);
        cache.changeDone();
        assertEquals(reads + 1, sessionReads.get(), "rendered by the publisher, the text page only");
        assertEquals(live, liveReads.get(), "the live groups are left to the scrape");
        assertTrue(page(TEXT).contains("t_sessions{remote_ip=\"192.0.2.9\"} 1.0"));
        assertEquals(reads + 1, sessionReads.get(), "the scrape found it rendered");
    }

    @Test
    void aPageNotScrapedWithinTheWindowIsRenderedByItsNextScrape() {
        page(TEXT);
        long reads = sessionReads.get();
        cache.changeStarting();
        users.labelValues("192.0.2.9").set(1);
        sessions.changed();
        clock.addAndGet(PageCache.AHEAD_NANOS);
        cache.changeDone();
        assertEquals(reads, sessionReads.get(), "not rendered ahead");
        assertTrue(page(TEXT).contains("t_sessions{remote_ip=\"192.0.2.9\"} 1.0"));
        assertEquals(reads + 1, sessionReads.get());
    }

    @Test
    void aFailedRenderingAheadStillOpensTheGate() {
        page(TEXT);
        cache.changeStarting();
        assertTrue(cache.changeGate().closed());
        sessionsFail = true;
        sessions.changed();
        cache.changeDone();
        assertTrue(!cache.changeGate().closed(), "scrapes are not kept waiting");
        sessionsFail = false;
        assertTrue(page(TEXT).contains("t_sessions{remote_ip=\"192.0.2.1\"} 2.0"));
        // An error (not an exception) neither: it is logged, and the session thread goes on.
        cache.changeStarting();
        sessionsError = new NoClassDefFoundError("a collector's class");
        sessions.changed();
        cache.changeDone();
        assertTrue(!cache.changeGate().closed(), "scrapes are not kept waiting after an error either");
        sessionsError = null;
        assertTrue(page(TEXT).contains("t_sessions{remote_ip=\"192.0.2.1\"} 2.0"));
    }
}
