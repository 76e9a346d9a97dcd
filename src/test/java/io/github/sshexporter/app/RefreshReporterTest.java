package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.ActivityMetrics;
import io.github.sshexporter.metrics.HealthMetrics;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.sessions.CounterMode;
import io.github.sshexporter.sessions.Reconciler;
import io.github.sshexporter.sessions.RefreshListener;
import io.github.sshexporter.sessions.Session;
import io.github.sshexporter.sessions.SessionCounter;
import io.github.sshexporter.sessions.SessionSource;
import io.github.sshexporter.sessions.Snapshot;
import io.github.sshexporter.sessions.SourceState;
import io.github.sshexporter.sys.Wake;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The order of a change's steps: published, the page opened to scrapes, then the session lines logged. */
class RefreshReporterTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final MetricPage page = new MetricPage();
    private final HealthMetrics health = new HealthMetrics(page, "t", "17", "glibc");
    private final PageCache cache = new PageCache(page.groups(), 0, System::nanoTime);
    private final Reconciler reconciler = new Reconciler();
    private final RefreshReporter reporter;

    RefreshReporterTest() {
        SessionMetrics sessions = new SessionMetrics(page, false);
        SessionCounter counter = new SessionCounter(CounterMode.AUTO, false,
                new CounterReporter(new ActivityMetrics(page), health));
        reporter = new RefreshReporter(new NoSource(), sessions, counter, health, cache);
        Log.setOutput(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        Log.setOutput(System.err);
    }

    private void refresh(List<Session> sessions) {
        reporter.onRefresh(new RefreshListener.Refresh(new Snapshot(SourceState.OK, "", sessions, sessions.size()),
                reconciler.reconcile(sessions), 0, 1000));
    }

    private String logged() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aChangesSessionLinesAreLoggedOnceItsPageIsOpenToScrapes() {
        refresh(List.of());
        Session s = new Session("alice", "pts/1", "192.0.2.7", "192.0.2.7", 1.0e9, 4242);
        reporter.changeStarting();
        refresh(List.of(s));
        assertTrue(cache.changeGate().closed());
        assertFalse(logged().contains("session opened"), "not while scrapes wait for the change: " + logged());
        reporter.changeDone();
        assertFalse(cache.changeGate().closed());
        assertTrue(logged().contains("session opened"), logged());
        refresh(List.of()); // a resync outside any change: logged at once
        assertTrue(logged().contains("session closed"), logged());
    }

    private static final class NoSource implements SessionSource {
        @Override
        public String name() {
            return "test";
        }

        @Override
        public String location() {
            return "-";
        }

        @Override
        public Snapshot read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Wake awaitChange(long timeoutMillis) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void wakeUp() {
        }

        @Override
        public void close() {
        }
    }
}
