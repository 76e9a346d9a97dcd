package io.github.sshexporter.app;

import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.metrics.ActivityMetrics;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.sessions.CounterMode;
import io.github.sshexporter.sessions.RefreshListener;
import io.github.sshexporter.sessions.SessionCounter;
import io.github.sshexporter.sessions.SessionLoop;
import io.github.sshexporter.sessions.SourceMode;
import io.github.sshexporter.sessions.UtmpSessionSource;
import java.nio.file.Path;

/**
 * The exporter's own session loop for the benchmarks: the metrics, the counter and the reporter
 * as {@link Exporter#run} makes them (in this package to reach them), for a utmp file without
 * login logs. Not a copy of the reporter: {@link Exporter#sessionLoop} itself.
 */
public final class BenchWiring {
    private BenchWiring() {}

    public static SessionLoop utmpLoop(Path utmp) throws Exception {
        return utmpLoop(utmp, null);
    }

    /** The same, with {@code after} told each refresh once the exporter's reporter has handled it. */
    public static SessionLoop utmpLoop(Path utmp, RefreshListener after) throws Exception {
        MetricPage page = new MetricPage();
        HealthMetrics health = new HealthMetrics(page, "bench", System.getProperty("java.version"), "glibc");
        ActivityMetrics activity = new ActivityMetrics(page);
        SessionMetrics sessions = new SessionMetrics(page, false);
        SessionCounter counter = new SessionCounter(CounterMode.AUTO, false, new CounterReporter(activity, health));
        counter.sourceChosen(SourceMode.UTMP);
        counter.loginLogsStarted();
        UtmpSessionSource source = UtmpSessionSource.open(utmp);
        // Never scraped here: nothing is rendered ahead of a scrape.
        RefreshListener reporter = Exporter.refreshReporter(source, sessions, counter, health,
                new io.github.sshexporter.exposition.PageCache(page.groups(), 0, System::nanoTime));
        RefreshListener listener = after == null ? reporter : new RefreshListener() {
            @Override
            public void onRefresh(Refresh r) {
                reporter.onRefresh(r);
                after.onRefresh(r);
            }

            @Override
            public void onRefreshError(RuntimeException e) {
                reporter.onRefreshError(e);
                after.onRefreshError(e);
            }

            // As the exporter runs it: a change's session lines are logged at its end.
            @Override
            public void changeStarting() {
                reporter.changeStarting();
            }

            @Override
            public void changeDone() {
                reporter.changeDone();
            }
        };
        return Exporter.sessionLoop(source, 15_000, listener, false);
    }
}
