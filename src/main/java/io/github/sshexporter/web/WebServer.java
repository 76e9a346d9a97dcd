package io.github.sshexporter.web;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.github.sshexporter.exposition.ChangeGate;
import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.web.plain.PlainServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The HTTP(S) side: one server per listen address (the exporter's own {@link PlainServer} for
 * plain HTTP, the JDK's for TLS), all sharing one small thread pool, one handler and one web
 * config. Limits against hostile clients are set explicitly (see {@link #LIMITS}) and apply to
 * both; each can be overridden with {@code -D} in JAVA_OPTS.
 */
public final class WebServer implements AutoCloseable {
    /**
     * The JDK server's knobs (read once, when its classes load), as this exporter sets them; the
     * plain listeners read the same. Times in seconds unless the name says otherwise.
     */
    public static final Map<String, String> LIMITS = limits();

    /**
     * Request threads: two stay; more start only while all are busy, up to {@link #MAX_THREADS},
     * and retire after 30 s idle. The JDK (TLS) server reads a request on a request thread, so a
     * client that trickles its request holds one for up to maxReqTime: the headroom is what lets hundreds
     * of such clients at once not delay a scrape. A thread inside a TLS handshake holds about 80 KB
     * of engine buffers while it lasts: the launcher's heap cap fits all of them at once (suite 41).
     */
    public static final int CORE_THREADS = 2;
    public static final int MAX_THREADS = 256;
    private static final long THREAD_STACK_BYTES = 256 * 1024;
    /** Requests that wait for a thread beyond that; more are closed at once. */
    public static final int QUEUE = 128;

    private static Map<String, String> limits() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("jdk.httpserver.maxConnections", "512");               // open connections; more are closed at once
        m.put("sun.net.httpserver.maxIdleConnections", "32");        // keep-alive connections kept between requests
        m.put("sun.net.httpserver.idleInterval", "90");              // a keep-alive connection is closed after this idle
        m.put("sun.net.httpserver.maxReqTime", "5");                 // request (TLS handshake + headers) must arrive within
        m.put("sun.net.httpserver.maxRspTime", "10");                // response must be taken by the client within
        m.put("sun.net.httpserver.maxReqHeaders", "100");            // header lines per request
        m.put("sun.net.httpserver.maxReqHeaderSize", "16384");       // header bytes per request
        m.put("sun.net.httpserver.clockTick", "1000");               // ms between idle-connection sweeps
        m.put("sun.net.httpserver.timerMillis", "500");              // ms between request/response time checks
        m.put("sun.net.httpserver.nodelay", "true");                 // no Nagle delay on small responses
        return java.util.Collections.unmodifiableMap(m);
    }

    /** A listening server and the address it serves. */
    public record Bound(ListenAddress address, int port, boolean tls) {
        public String display() {
            return address.display(port);
        }
    }

    private static Logger jdkLogger; // held: JUL keeps loggers weakly

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<PlainServer> plainServers = new ArrayList<>();
    private final List<Bound> bound = new ArrayList<>();
    private final ThreadPoolExecutor executor;

    private WebServer(ThreadPoolExecutor executor) {
        this.executor = executor;
    }

    /** A listen address that could not be bound. */
    public static final class BindFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient ListenAddress address;

        BindFailure(ListenAddress address, IOException cause) {
            super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
            this.address = address;
        }

        public ListenAddress address() {
            return address;
        }
    }

    /** Binds every address (all or none) and starts serving. */
    public static WebServer start(List<ListenAddress> addresses, String telemetryPath, PageCache page,
            WebConfigSource config, String name, String version) throws IOException {
        applyLimits();
        WebServer web = new WebServer(new RequestPool(CORE_THREADS, MAX_THREADS, QUEUE, THREAD_STACK_BYTES));
        WebHandler handler = new WebHandler(config, telemetryPath, new ScrapeHandler(page), name, version);
        SwitchingSslContext ssl = config.tlsEnabled() ? new SwitchingSslContext(config::tls) : null;
        try {
            for (ListenAddress a : addresses) {
                HttpServer server;
                try {
                    InetSocketAddress socket = a.socketAddress();
                    if (ssl == null) {
                        PlainServer plain = PlainServer.start(socket, 128, handler, web.executor, handler::route,
                                readiness(page.changeGate()), PlainServer.Limits.of(effectiveLimits()));
                        web.plainServers.add(plain);
                        web.bound.add(new Bound(a, plain.port(), false));
                        continue;
                    }
                    HttpsServer https = HttpsServer.create(socket, 128);
                    https.setHttpsConfigurator(SwitchingSslContext.configurator(ssl, config::tls));
                    server = https;
                } catch (IOException e) {
                    throw new BindFailure(a, e);
                }
                server.createContext("/", handler);
                server.setExecutor(web.executor);
                server.start();
                web.servers.add(server);
                web.bound.add(new Bound(a, server.getAddress().getPort(), ssl != null));
            }
        } catch (IOException | RuntimeException e) {
            web.close();
            throw e;
        }
        return web;
    }

    /** A scrape that comes during a change is run as the change's publisher opens the gate. */
    private static PlainServer.Readiness readiness(ChangeGate gate) {
        return new PlainServer.Readiness() {
            @Override
            public boolean runWhenReady(Runnable task) {
                return gate.runWhenOpen(task);
            }

            @Override
            public void cancel(Runnable task) {
                gate.cancel(task);
            }
        };
    }

    public List<Bound> bound() {
        return List.copyOf(bound);
    }

    @Override
    public void close() {
        for (HttpServer s : servers) {
            s.stop(0);
        }
        for (PlainServer s : plainServers) {
            s.close();
        }
        executor.shutdownNow();
    }

    /** The limits in force: each as the operator set it (-D), else as {@link #LIMITS} says. */
    private static Map<String, String> effectiveLimits() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : LIMITS.entrySet()) {
            String set = System.getProperty(e.getKey(), e.getValue());
            if (e.getValue().matches("[0-9]+") && !set.matches("[1-9][0-9]{0,8}")) {
                Log.warn("ignoring a bad http limit", "property", e.getKey(), "value", set, "using", e.getValue());
                set = e.getValue();
            }
            m.put(e.getKey(), set);
        }
        return m;
    }

    /** Sets the JDK server's limits unless the operator set them (-D); only before its first use. */
    static void applyLimits() {
        for (Map.Entry<String, String> e : LIMITS.entrySet()) {
            if (System.getProperty(e.getKey()) == null) {
                System.setProperty(e.getKey(), e.getValue());
            }
        }
        // The JDK server logs through java.util.logging in its own multi-line format: keep stderr
        // logfmt. With --log.level=debug its messages come through as debug lines.
        if (jdkLogger == null) {
            jdkLogger = Logger.getLogger("com.sun.net.httpserver");
            jdkLogger.setUseParentHandlers(false);
            if (Log.enabled(Log.Level.DEBUG)) {
                jdkLogger.setLevel(Level.FINE);
                jdkLogger.addHandler(new Handler() {
                    @Override
                    public void publish(LogRecord r) {
                        String message = r.getMessage();
                        if (r.getParameters() != null && message != null) {
                            message = java.text.MessageFormat.format(message, r.getParameters());
                        }
                        Log.debug("jdk http server", "detail", message,
                                "error", r.getThrown() == null ? "" : r.getThrown().toString());
                    }

                    @Override
                    public void flush() {}

                    @Override
                    public void close() {}
                });
            } else {
                jdkLogger.setLevel(Level.OFF);
            }
        }
    }
}
