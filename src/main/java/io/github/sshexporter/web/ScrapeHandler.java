package io.github.sshexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.sshexporter.exposition.ChangeGate;
import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.web.plain.PlainServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterFilterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * The telemetry path. A plain scrape (no query, the text format or OpenMetrics) is served from
 * the {@link PageCache}'s bytes; anything else (a {@code name[]} filter, {@code debug}, the
 * protobuf format, client_java's metric filter properties) goes to client_java's own
 * {@link MetricsHandler} over the same metrics. Content negotiation, escaping and compression
 * follow client_java's rules, so that both paths answer alike.
 */
final class ScrapeHandler implements HttpHandler {
    /** How long a scrape waits for a change being read (a refresh of 10,000 sessions fits). */
    static final long CHANGE_WAIT_NANOS = PlainServer.READY_WAIT_NANOS;

    private final PageCache cache;
    private final HttpHandler fallback;
    private final ExpositionFormats formats;
    private final boolean preferUncompressed;
    private final boolean filtered;

    ScrapeHandler(PageCache cache) {
        this(cache, PrometheusProperties.get());
    }

    ScrapeHandler(PageCache cache, PrometheusProperties properties) {
        this.cache = cache;
        this.fallback = new MetricsHandler(properties, cache.registry());
        this.formats = ExpositionFormats.init(properties);
        this.preferUncompressed = properties.getExporterHttpServerProperties().isPreferUncompressedResponse();
        ExporterFilterProperties f = properties.getExporterFilterProperties();
        this.filtered = f.getAllowedMetricNames() != null || f.getExcludedMetricNames() != null
                || f.getAllowedMetricNamePrefixes() != null || f.getExcludedMetricNamePrefixes() != null;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        // The plain listener never waits on its selector thread (it serves every connection): a
        // scrape that comes while a change is read is run by the session thread as it publishes
        // the change. A request thread (TLS) waits here.
        if (!Boolean.TRUE.equals(exchange.getAttribute(PlainServer.MUST_NOT_WAIT))) {
            try {
                cache.changeGate().await(CHANGE_WAIT_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        ExpositionFormatWriter writer = cachedWriter(exchange.getRequestURI().getRawQuery(), accept);
        if (writer == null) {
            fallback.handle(exchange);
            return;
        }
        PageCache.Body body = cache.body(writer, EscapingScheme.fromAcceptHeader(accept));
        boolean gzip = !preferUncompressed && acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
        byte[] bytes = gzip ? body.gzip() : body.plain();
        exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
        if (gzip) {
            exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Closed while a change is read: a scrape then waits for it. */
    ChangeGate changeGate() {
        return cache.changeGate();
    }

    /** Whether a scrape with this query and Accept header is served from the page cache. */
    boolean fromCache(String rawQuery, String accept) {
        return cachedWriter(rawQuery, accept) != null;
    }

    /** The writer of a scrape served from the page cache, or null when client_java serves it. */
    private ExpositionFormatWriter cachedWriter(String rawQuery, String accept) {
        ExpositionFormatWriter writer = filtered || rawQuery != null ? null : formats.findWriter(accept);
        // Exactly these two classes: their output is known to join (another writer, such as
        // OpenMetrics 2.0 where properties enable it, goes the other way).
        if (writer == null || writer.getClass() != OpenMetricsTextFormatWriter.class
                && writer.getClass() != PrometheusTextFormatWriter.class) {
            return null;
        }
        return writer;
    }

    /** client_java's rule: any Accept-Encoding value listing gzip, in any case. */
    static boolean acceptsGzip(List<String> headers) {
        if (headers == null) {
            return false;
        }
        for (String header : headers) {
            for (String encoding : header.split(",")) {
                if (encoding.trim().equalsIgnoreCase("gzip")) {
                    return true;
                }
            }
        }
        return false;
    }
}
