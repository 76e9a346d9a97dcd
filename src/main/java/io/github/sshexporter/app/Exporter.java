package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.ActivityMetrics;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.sessions.LoginLogLoop;
import io.github.sshexporter.sessions.SessionLoop;
import io.github.sshexporter.sessions.UtmpSessionSource;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.Processes;
import io.github.sshexporter.sys.UtmpxFile;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
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

    private final Config config;

    public Exporter(Config config) {
        this.config = config;
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
        String host = config.host();
        int port = config.port();
        InetAddress address = resolve(host);
        long intervalMillis = config.intervalSeconds() * 1000;

        UtmpSessionSource source;
        LoginLogLoop logs;
        try {
            source = UtmpSessionSource.open(config.file());
        } catch (NativeException e) {
            throw new StartupException(e.getMessage());
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        HealthMetrics health = new HealthMetrics(registry, Version.get(),
                System.getProperty("java.version"), UtmpxFile.libcVersion());
        ActivityMetrics activity = new ActivityMetrics(registry);
        SessionMetrics sessions = new SessionMetrics(config.perSession());
        registry.register(sessions);
        if (config.jvmMetrics()) {
            JvmMetrics.builder().register(registry);
        } else {
            ProcessMetrics.builder().register(registry);
        }
        health.counterSource(false);
        try {
            logs = new LoginLogLoop(config.wtmpFile(), config.btmpFile(), intervalMillis,
                    new ActivityReporter(activity, health));
        } catch (NativeException e) {
            source.close();
            throw new StartupException(e.getMessage());
        }
        logs.start();

        SessionLoop loop = new SessionLoop(source, intervalMillis,
                new RefreshReporter(source, sessions, activity, health, logs::wtmpActive),
                Processes::exists, config.excludeStale());
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
            logs.stop(1, TimeUnit.SECONDS);
            throw new StartupException("cannot listen on " + hostPort(host, port) + ": " + reason(e));
        }
        Log.info("listening", "address", hostPort(host, server.getPort()), "file", config.file(),
                "interval_s", config.intervalSeconds(), "version", Version.get());

        signals.await();
        Log.info("stopping", "signal", signals.signal());
        loop.stop(1, TimeUnit.SECONDS);
        logs.stop(1, TimeUnit.SECONDS);
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
