package io.github.sshexporter.app;

import io.github.sshexporter.auth.AuthCounter;
import io.github.sshexporter.auth.JournalLoop;
import io.github.sshexporter.auth.SshdMessage;
import io.github.sshexporter.exposition.MetricGroup;
import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.ActivityMetrics;
import io.github.sshexporter.metrics.AuthMetrics;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.sessions.LoginLogLoop;
import io.github.sshexporter.metrics.SourceInfo;
import io.github.sshexporter.sessions.SelectingSessionSource;
import io.github.sshexporter.sessions.SessionCounter;
import io.github.sshexporter.sessions.SessionLoop;
import io.github.sshexporter.sessions.RefreshListener;
import io.github.sshexporter.sessions.SessionSource;
import io.github.sshexporter.sessions.CounterFeed;
import io.github.sshexporter.sessions.SourceMode;
import io.github.sshexporter.sys.Journal;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.Processes;
import io.github.sshexporter.sys.UtmpxFile;
import io.github.sshexporter.web.ListenAddress;
import io.github.sshexporter.web.WebConfigSource;
import io.github.sshexporter.web.WebServer;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** Wires the session loop to the metrics and the web server, and runs them until a stop signal. */
public final class Exporter {
    /**
     * How long one reading of the JVM's and the process's own metrics serves scrapes: a poller
     * asking many times a second gets bytes, not a walk of the JVM's MXBeans each time, while a
     * Prometheus scraping every few seconds still gets fresh values.
     */
    static final long RUNTIME_METRICS_MAX_AGE_MILLIS = 1000;

    private final Config config;
    private final WebConfigSource web;

    public Exporter(Config config, WebConfigSource web) {
        this.config = config;
        this.web = web;
    }

    /** A failure the user can act on: one line, then exit 1. */
    public static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message);
        }
    }

    /**
     * What the exporter does with each refresh: published, counted and logged. Also what
     * bench/jmh measures (with {@link #sessionLoop}), so that it measures this path.
     */
    static RefreshListener refreshReporter(SessionSource source, SessionMetrics sessions, SessionCounter counter,
            HealthMetrics health, PageCache page) {
        return new RefreshReporter(source, sessions, counter, health, page);
    }

    /** The session loop as the exporter runs it. */
    static SessionLoop sessionLoop(SessionSource source, long intervalMillis, RefreshListener reporter, boolean excludeStale) {
        return new SessionLoop(source, intervalMillis, reporter, Processes::exists, excludeStale, Processes::threadCpuNanos);
    }

    /** Runs until SIGTERM or SIGINT. Returns normally on a clean stop. */
    public void run() throws StartupException, InterruptedException {
        ShutdownSignals signals = new ShutdownSignals();
        signals.install();
        for (ListenAddress a : config.web().listen()) {
            try {
                a.socketAddress();
            } catch (UnknownHostException e) {
                throw new StartupException("cannot listen on " + a + ": no such address or host name");
            }
        }
        long intervalMillis = config.sources().intervalSeconds() * 1000;

        // Each group of the page is rendered again only when it changed (PageCache); the runtime's
        // own metrics at most once per RUNTIME_METRICS_MAX_AGE_MILLIS.
        MetricPage page = new MetricPage();
        SessionMetrics sessions = new SessionMetrics(page, config.collectors().perSession());
        SourceInfo sourceInfo = new SourceInfo(page, "none");
        ActivityMetrics activity = new ActivityMetrics(page);
        AuthMetrics authMetrics = new AuthMetrics(page);
        HealthMetrics health = new HealthMetrics(page, Version.get(),
                System.getProperty("java.version"), UtmpxFile.libcVersion());
        MetricGroup runtime = page.live("runtime");
        if (config.collectors().jvm()) {
            registerJvmMetrics(runtime.registry());
        }
        ProcessMetrics.builder().register(runtime.registry());
        PageCache pageCache = new PageCache(page.groups(),
                TimeUnit.MILLISECONDS.toNanos(RUNTIME_METRICS_MAX_AGE_MILLIS), System::nanoTime);
        health.eventsSource(CounterFeed.NONE);
        SessionCounter counter = new SessionCounter(config.logs().eventsSource(), config.logs().wtmpFile() != null,
                new CounterReporter(activity, health));

        SelectingSessionSource source;
        try {
            source = SelectingSessionSource.open(config.sources().source(), config.sources().file(), (kind, location, reason) -> {
                Log.info("session source chosen", "source", kind.label(), "location", location, "reason", reason);
                counter.sourceChosen(kind);
                sourceInfo.show(kind.label());
            });
        } catch (NativeException e) {
            throw new StartupException(e.getMessage());
        }
        sourceInfo.show(source.name());
        AuthReporter authReporter = new AuthReporter(authMetrics, activity);
        AuthCounter auth = new AuthCounter(config.logs().btmpFile() != null, authReporter);
        authReporter.counter(auth);
        LoginLogLoop logs;
        try {
            logs = new LoginLogLoop(config.logs().wtmpFile(), config.logs().btmpFile(), intervalMillis, counter,
                    new ActivityReporter(auth, health));
        } catch (NativeException e) {
            source.close();
            throw new StartupException(e.getMessage());
        }
        logs.start();
        // Now that wtmp's state is known, the counters' feed can be chosen for the source.
        counter.loginLogsStarted();
        JournalLoop journal = null;
        if (config.logs().journal()) {
            Path dir = config.logs().journalDirectory();
            journal = new JournalLoop(dir == null ? () -> Journal.openSystem(SshdMessage.SYSLOG_IDENTIFIERS)
                    : () -> Journal.openDirectory(dir, SshdMessage.SYSLOG_IDENTIFIERS), intervalMillis, authReporter);
            journal.start();
        }
        auth.started(journal == null ? null : journal.state());

        SessionLoop loop = sessionLoop(source, intervalMillis, refreshReporter(source, sessions, counter, health, pageCache),
                config.sources().excludeStale());
        loop.start();
        // Bind only once the first snapshot is published, so that the first scrape is exact.
        loop.awaitFirstRefresh(30, TimeUnit.SECONDS);

        WebServer server;
        try {
            server = WebServer.start(config.web().listen(), config.web().telemetryPath(), pageCache, web, "SSH Exporter",
                    Version.get());
        } catch (WebServer.BindFailure e) {
            stop(loop, logs, journal);
            throw new StartupException("cannot listen on " + e.address() + ": " + reason(e));
        } catch (IOException e) {
            stop(loop, logs, journal);
            throw new StartupException("cannot start the web server: " + reason(e));
        }
        if (web.file() != null) {
            Log.info("web config loaded", "file", web.file(), "tls", web.tlsEnabled(),
                    "users", web.config().users().size(), "certificate", web.certificateSubject());
        }
        for (WebServer.Bound b : server.bound()) {
            Log.info("listening", "address", b.display(), "tls", b.tls(), "telemetry_path", config.web().telemetryPath(),
                    "source", source.name(), "file", config.sources().file(), "interval_s", config.sources().intervalSeconds(),
                    "version", Version.get());
        }

        signals.await();
        Log.info("stopping", "signal", signals.signal());
        stop(loop, logs, journal);
        server.close();
    }

    private static void stop(SessionLoop loop, LoginLogLoop logs, JournalLoop journal) throws InterruptedException {
        loop.stop(1, TimeUnit.SECONDS);
        logs.stop(1, TimeUnit.SECONDS);
        if (journal != null) {
            journal.stop(1, TimeUnit.SECONDS);
        }
    }

    private static String reason(IOException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof BindException || e.getCause() instanceof BindException) {
            return message.toLowerCase(Locale.ROOT);
        }
        return message;
    }

    /**
     * client_java's JVM collectors except two: JvmMemoryPoolAllocationMetrics (a listener on every
     * garbage collection) and JvmNativeMemoryMetrics (asks the platform MBean server for a Native
     * Memory Tracking report on every scrape, empty unless NMT is on). Those two load the JMX
     * server and notification machinery, a large share of the exporter's resident memory
     * (docs/BENCHMARKS.md, measured with bench/memory.py).
     */
    private static void registerJvmMetrics(PrometheusRegistry registry) {
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
    }
}
