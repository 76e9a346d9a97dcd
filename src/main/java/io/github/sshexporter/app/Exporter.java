package io.github.sshexporter.app;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.sessions.SessionLoop;
import io.github.sshexporter.sessions.UtmpSessionSource;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.web.ListenAddress;
import io.github.sshexporter.web.WebConfigSource;
import io.github.sshexporter.web.WebServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Wires the session loop to the metrics and the web server, and runs them until a stop signal. */
public final class Exporter {
    private final List<ListenAddress> listen;
    private final String telemetryPath;
    private final long intervalSeconds;
    private final Path file;
    private final WebConfigSource web;

    public Exporter(List<ListenAddress> listen, String telemetryPath, long intervalSeconds, Path file,
            WebConfigSource web) {
        this.listen = List.copyOf(listen);
        this.telemetryPath = telemetryPath;
        this.intervalSeconds = intervalSeconds;
        this.file = file;
        this.web = web;
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
        for (ListenAddress a : listen) {
            try {
                a.socketAddress();
            } catch (UnknownHostException e) {
                throw new StartupException("cannot listen on " + a + ": no such address or host name");
            }
        }

        UtmpSessionSource source;
        try {
            source = UtmpSessionSource.open(file);
        } catch (NativeException e) {
            throw new StartupException(e.getMessage());
        }
        SessionMetrics metrics = new SessionMetrics();
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(metrics);

        SessionLoop loop = new SessionLoop(source, intervalSeconds * 1000, new RefreshReporter(source, metrics));
        loop.start();
        // Bind only once the first snapshot is published, so that the first scrape is exact.
        loop.awaitFirstRefresh(30, TimeUnit.SECONDS);

        WebServer server;
        try {
            server = WebServer.start(listen, telemetryPath, registry, web, "SSH Exporter", Version.get());
        } catch (WebServer.BindFailure e) {
            loop.stop(1, TimeUnit.SECONDS);
            throw new StartupException("cannot listen on " + e.address() + ": " + reason(e));
        } catch (IOException e) {
            loop.stop(1, TimeUnit.SECONDS);
            throw new StartupException("cannot start the web server: " + reason(e));
        }
        if (web.file() != null) {
            Log.info("web config loaded", "file", web.file(), "tls", web.tlsEnabled(),
                    "users", web.config().users().size(), "certificate", web.certificateSubject());
        }
        for (WebServer.Bound b : server.bound()) {
            Log.info("listening", "address", b.display(), "tls", b.tls(), "telemetry_path", telemetryPath,
                    "file", file, "interval_s", intervalSeconds, "version", Version.get());
        }

        signals.await();
        Log.info("stopping", "signal", signals.signal());
        loop.stop(1, TimeUnit.SECONDS);
        server.close();
    }

    private static String reason(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof BindException || e.getCause() instanceof BindException) {
            return message.toLowerCase(Locale.ROOT);
        }
        return message;
    }

}
