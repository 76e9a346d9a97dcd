package io.github.sshexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.web.plain.PlainServer;
import io.github.sshexporter.web.plain.RequestHead;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Every request, in the toolkit's order: rate limit, configured headers, basic auth; then the
 * routes: the telemetry path, {@code /} (landing page), {@code /-/healthy}; anything else 404,
 * methods other than GET and HEAD 405.
 */
final class WebHandler implements HttpHandler {
    static final String HEALTHY_PATH = "/-/healthy";

    private final WebConfigSource source;
    private final String telemetryPath;
    private final ScrapeHandler metrics;
    private final byte[] landingPage;
    private final BasicAuth auth = new BasicAuth();
    private volatile RateLimiter limiter;

    WebHandler(WebConfigSource source, String telemetryPath, ScrapeHandler metrics, String name, String version) {
        this.source = source;
        this.telemetryPath = telemetryPath;
        this.metrics = metrics;
        this.landingPage = landingPage(name, version, telemetryPath).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Where the plain listener handles a request. On its selector thread whatever costs little;
     * on a request thread a password check (bcrypt, by design slow) and a scrape client_java
     * renders (a filter, protobuf). A scrape of the kept page that comes while a change is read
     * waits for the change ({@link ScrapeHandler#changeGate()}).
     */
    PlainServer.Route route(RequestHead head) {
        if (!source.config().users().isEmpty()) {
            return PlainServer.Route.POOL;
        }
        if (!head.uri().getRawPath().equals(telemetryPath) || !head.method().equals("GET") && !head.method().equals("HEAD")) {
            return PlainServer.Route.SELECTOR;
        }
        if (!metrics.fromCache(head.uri().getRawQuery(), head.headers().getFirst("Accept"))) {
            return PlainServer.Route.POOL;
        }
        return metrics.changeGate().closed() ? PlainServer.Route.WHEN_READY : PlainServer.Route.SELECTOR;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            serve(exchange);
        } catch (IOException e) {
            Log.debug("http exchange failed", "remote", exchange.getRemoteAddress(), "error", e.toString());
        } catch (RuntimeException e) {
            Log.error("http request failed", "path", exchange.getRequestURI().getRawPath(), "error", e.toString());
            try {
                respond(exchange, 500, "text/plain; charset=utf-8", "Internal Server Error\n");
            } catch (IOException | RuntimeException ignored) {
                // headers were sent already, or the client is gone
            }
        } finally {
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        WebConfig config = source.config();
        RateLimiter rl = limiter(config);
        if (rl != null && !rl.allow()) {
            respond(exchange, 429, "text/plain; charset=utf-8", "Too Many Requests\n");
            return;
        }
        for (Map.Entry<String, String> h : config.headers().entrySet()) {
            exchange.getResponseHeaders().set(h.getKey(), h.getValue());
        }
        if (!config.users().isEmpty()) {
            switch (auth.check(config.users(), exchange.getRequestHeaders().getFirst("Authorization"))) {
                case OK -> { }
                case DENIED -> {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic");
                    respond(exchange, 401, "text/plain; charset=utf-8", "Unauthorized\n");
                    return;
                }
                case BUSY -> {
                    exchange.getResponseHeaders().set("Retry-After", "1");
                    respond(exchange, 429, "text/plain; charset=utf-8", "Too Many Requests\n");
                    return;
                }
            }
        }
        String path = exchange.getRequestURI().getRawPath();
        boolean landing = path.equals("/") && !telemetryPath.equals("/");
        if (!path.equals(telemetryPath) && !path.equals(HEALTHY_PATH) && !landing) {
            respond(exchange, 404, "text/plain; charset=utf-8", "404 page not found\n");
            return;
        }
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, "text/plain; charset=utf-8", "Method Not Allowed\n");
            return;
        }
        if (path.equals(telemetryPath)) {
            metrics.handle(exchange);
        } else if (landing) {
            respond(exchange, 200, "text/html; charset=utf-8", landingPage);
        } else {
            respond(exchange, 200, "text/plain; charset=utf-8", "Exporter is healthy.\n");
        }
    }

    private RateLimiter limiter(WebConfig config) {
        WebConfig.RateLimit want = config.rateLimit();
        RateLimiter have = limiter;
        if (want == null) {
            limiter = null;
            return null;
        }
        if (have == null || !have.limit().equals(want)) {
            have = new RateLimiter(want);
            limiter = have;
        }
        return have;
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        respond(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static String landingPage(String name, String version, String telemetryPath) {
        String metricsHref = escape(telemetryPath.substring(1));
        return "<!DOCTYPE html>\n"
                + "<html lang=\"en\">\n"
                + "<head>\n"
                + "<meta charset=\"UTF-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
                + "<title>" + escape(name) + "</title>\n"
                + "<style>body{font-family:sans-serif;margin:2em}h1{font-size:1.5em}</style>\n"
                + "</head>\n"
                + "<body>\n"
                + "<header><h1>" + escape(name) + "</h1></header>\n"
                + "<main>\n"
                + "<h2>Prometheus exporter for login (SSH) sessions</h2>\n"
                + "<div>Version: " + escape(version) + "</div>\n"
                + "<ul>\n"
                + "<li><a href=\"" + metricsHref + "\">Metrics</a>: " + escape(telemetryPath) + "</li>\n"
                + "<li><a href=\"-/healthy\">Health</a>: /-/healthy</li>\n"
                + "</ul>\n"
                + "</main>\n"
                + "</body>\n"
                + "</html>\n";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
