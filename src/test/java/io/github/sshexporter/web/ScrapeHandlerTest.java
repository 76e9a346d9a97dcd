package io.github.sshexporter.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.metrics.SessionMetrics;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The telemetry path's two ways: the page cache for plain scrapes, client_java's handler for the
 * rest. A query string of no meaning sends a scrape the other way: both must answer alike.
 */
class ScrapeHandlerTest {
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
            + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
            + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

    private final MetricPage page = new MetricPage();
    private final SessionMetrics sessions = new SessionMetrics(page, false);
    private WebServer server;
    private PageCache cache;
    private String base;

    @BeforeEach
    void setUp() throws Exception {
        sessions.publish(Map.of("192.0.2.7", 2, "2001:db8::1", 1), List.of(), true, 0);
        cache = new PageCache(page.groups(), 0, System::nanoTime);
        server = WebServer.start(List.of(new ListenAddress("127.0.0.1", 0)), "/metrics",
                cache, WebConfigSource.none(), "SSH Exporter", "9.9.9");
        base = "http://127.0.0.1:" + server.bound().get(0).port();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void aScrapeDuringAChangeServesTheChange() throws Exception {
        get(base + "/metrics", "GET"); // the client's classes loaded: the next request arrives at once
        cache.changeGate().close(); // the session thread starts reading a change
        CompletableFuture<HttpResponse<byte[]>> scrape = CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return get(base + "/metrics", "GET");
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
        // The request waits at the gate, left to the thread that opens it (its bound is 100 ms:
        // publish at once when it is seen there).
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cache.changeGate().tasksLeft() == 0) {
            assertTrue(System.nanoTime() < end, "no scrape reached the gate");
            Thread.onSpinWait();
        }
        sessions.publish(Map.of("192.0.2.9", 1), List.of(), true, 0);
        cache.changeGate().open(); // the scrape is answered on this thread, before open() returns
        String body = new String(scrape.get(10, TimeUnit.SECONDS).body(),
                StandardCharsets.UTF_8);
        assertTrue(body.contains("ssh_num_sessions{remote_ip=\"192.0.2.9\"} 1.0"), body);
        assertFalse(body.contains("192.0.2.7"), body);
    }

    @Test
    void aScrapeDuringAChangeThatDoesNotEndIsServedAsThePageIsAfterItsBound() throws Exception {
        get(base + "/metrics", "GET");
        cache.changeGate().close(); // a read that never ends
        long start = System.nanoTime();
        String body = new String(get(base + "/metrics", "GET").body(), StandardCharsets.UTF_8);
        assertTrue(System.nanoTime() - start >= ScrapeHandler.CHANGE_WAIT_NANOS, "waited for the change first");
        assertTrue(body.contains("ssh_num_sessions{remote_ip=\"192.0.2.7\"} 2.0"), body);
        assertEquals(0, cache.changeGate().tasksLeft(), "taken back from the gate");
        cache.changeGate().open();
    }

    private static HttpResponse<byte[]> get(String url, String method, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] gunzip(byte[] body) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    @Test
    void bothWaysServeTheSameBytesInEveryFormatAndEncoding() throws Exception {
        String[][] requests = {
                {},
                {"Accept", PROMETHEUS_ACCEPT},
                {"Accept", "text/plain; version=0.0.4"},
                {"Accept-Encoding", "gzip"},
                {"Accept", PROMETHEUS_ACCEPT, "Accept-Encoding", "deflate, GZIP"},
        };
        for (String[] headers : requests) {
            HttpResponse<byte[]> cached = get(base + "/metrics", "GET", headers);
            HttpResponse<byte[]> other = get(base + "/metrics?via=client_java", "GET", headers);
            String what = String.join(" ", headers);
            assertEquals(200, cached.statusCode(), what);
            assertEquals(other.headers().firstValue("Content-Type"), cached.headers().firstValue("Content-Type"), what);
            assertEquals(other.headers().firstValue("Content-Encoding"), cached.headers().firstValue("Content-Encoding"), what);
            boolean gzip = cached.headers().firstValue("Content-Encoding").isPresent();
            byte[] a = gzip ? gunzip(cached.body()) : cached.body();
            byte[] b = gzip ? gunzip(other.body()) : other.body();
            assertArrayEquals(b, a, what + ": " + new String(a, StandardCharsets.UTF_8));
            assertTrue(new String(a, StandardCharsets.UTF_8).contains("ssh_num_sessions{remote_ip=\"192.0.2.7\"} 2.0\n"), what);
        }
        assertEquals(OPENMETRICS, get(base + "/metrics", "GET", "Accept", PROMETHEUS_ACCEPT)
                .headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void aPublishIsOnTheNextScrape() throws Exception {
        get(base + "/metrics", "GET");
        sessions.publish(Map.of("198.51.100.9", 4), List.of(), true, 0);
        String page = new String(get(base + "/metrics", "GET").body(), StandardCharsets.UTF_8);
        assertTrue(page.contains("ssh_num_sessions{remote_ip=\"198.51.100.9\"} 4.0\n"), page);
        assertFalse(page.contains("192.0.2.7"), page);
    }

    @Test
    void headSaysTheLengthAndSendsNoBody() throws Exception {
        HttpResponse<byte[]> full = get(base + "/metrics", "GET");
        HttpResponse<byte[]> head = get(base + "/metrics", "HEAD");
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(String.valueOf(full.body().length), head.headers().firstValue("Content-Length").orElse(""));
    }

    @Test
    void filtersDebugAndProtobufAreClientJavasOwn() throws Exception {
        String only = new String(get(base + "/metrics?name[]=ssh_stale_sessions", "GET").body(), StandardCharsets.UTF_8);
        assertTrue(only.contains("ssh_stale_sessions 0.0\n"), only);
        assertFalse(only.contains("ssh_num_sessions"), only);
        HttpResponse<byte[]> debug = get(base + "/metrics?debug=openmetrics", "GET");
        assertTrue(new String(debug.body(), StandardCharsets.UTF_8).endsWith("# EOF\n"));
        HttpResponse<byte[]> protobuf = get(base + "/metrics", "GET", "Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
        assertEquals(200, protobuf.statusCode());
        assertTrue(protobuf.headers().firstValue("Content-Type").orElse("").startsWith("application/vnd.google.protobuf"),
                protobuf.headers().toString());
    }
}
