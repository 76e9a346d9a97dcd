package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.metrics.SourceInfo;
import io.github.sshexporter.sessions.SelectingSessionSource;
import io.github.sshexporter.sessions.SessionLoop;
import io.github.sshexporter.sessions.SourceMode;
import io.github.sshexporter.sys.NativeException;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Wires the session loop to the metrics and the HTTP server, and runs them until a stop signal. */
public final class Exporter {
    /** Scrapes are cheap (a published snapshot is serialised): two threads keep up and keep memory low. */
    private static final int HTTP_THREADS = 2;
    private static final int HTTP_QUEUE = 64;

    private final String host;
    private final int port;
    private final long intervalSeconds;
    private final Path file;
    private final SourceMode sourceMode;

    public Exporter(String host, int port, long intervalSeconds, Path file, SourceMode sourceMode) {
        this.host = host;
        this.port = port;
        this.intervalSeconds = intervalSeconds;
        this.file = file;
        this.sourceMode = sourceMode;
    }

    /** A failure the user can act on: one line, then exit 1. */
    public static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message);
        }
    }

    /** Runs until SIGTERM or SIGINT. Returns normally on a clean stop. */
    public void run() throws StartupException, InterruptedException {
        ShutdownSignals signals = new ShutdownSignals();
        signals.install();
        InetAddress address = resolve(host);

        SelectingSessionSource source;
        try {
            source = SelectingSessionSource.open(sourceMode, file, (name, location, reason) ->
                    Log.info("session source chosen", "source", name, "location", location, "reason", reason));
        } catch (NativeException e) {
            throw new StartupException(e.getMessage());
        }
        SessionMetrics metrics = new SessionMetrics();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);
        registry.register(new SourceInfo(source::name));

        SessionLoop loop = new SessionLoop(source, intervalSeconds * 1000, new RefreshReporter(source, metrics));
        loop.start();
        // Bind only once the first snapshot is published, so that the first scrape is exact.
        loop.awaitFirstRefresh(30, TimeUnit.SECONDS);

        HTTPServer server;
        try {
            server = HTTPServer.builder()
                    .inetAddress(address)
                    .port(port)
                    .registry(registry)
                    .executorService(httpExecutor())
                    .buildAndStart();
        } catch (IOException e) {
            loop.stop(1, TimeUnit.SECONDS);
            throw new StartupException("cannot listen on " + hostPort(host, port) + ": " + reason(e));
        }
        Log.info("listening", "address", hostPort(host, server.getPort()), "source", source.name(), "file", file,
                "interval_s", intervalSeconds, "version", Version.get());

        signals.await();
        Log.info("stopping", "signal", signals.signal());
        loop.stop(1, TimeUnit.SECONDS);
        server.stop();
    }

    private static InetAddress resolve(String host) throws StartupException {
        try {
            return InetAddress.getByName(host.startsWith("[") && host.endsWith("]")
                    ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            throw new StartupException("cannot listen on " + host + ": no such address or host name");
        }
    }

    private static String reason(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof BindException) {
            return message.toLowerCase(Locale.ROOT);
        }
        return message;
    }

    static String hostPort(String host, int port) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }

    private static ExecutorService httpExecutor() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(HTTP_THREADS, HTTP_THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(HTTP_QUEUE), r -> {
                    Thread t = new Thread(r, "http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }
}
