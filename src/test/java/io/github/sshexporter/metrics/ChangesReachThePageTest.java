package io.github.sshexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.github.sshexporter.auth.AuthCounter;
import io.github.sshexporter.auth.AuthEvent;
import io.github.sshexporter.auth.AuthKind;
import io.github.sshexporter.auth.AuthMethod;
import io.github.sshexporter.auth.FailedLoginFeed;
import io.github.sshexporter.auth.JournalState;
import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.sessions.CounterFeed;
import io.github.sshexporter.sessions.Session;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The page is kept as bytes until a group says it changed: every method that changes a value
 * must say so, or scrapes would serve the old value. Each is called here and the next page must
 * differ; a public method added to a metrics class and not listed here fails the last test.
 */
class ChangesReachThePageTest {
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final Session ALICE = new Session("alice", "pts/1", "192.0.2.1", "192.0.2.1", 1000, 42);

    private final MetricPage page = new MetricPage();
    private final AuthMetrics auth = new AuthMetrics(page);
    private final HealthMetrics health = new HealthMetrics(page, "1", "17", "glibc");
    private final ActivityMetrics activity = new ActivityMetrics(page);
    private final SessionMetrics sessions = new SessionMetrics(page, true);
    private final SourceInfo source = new SourceInfo(page, "none");
    private final PageCache cache = new PageCache(page.groups(), 0, System::nanoTime);

    private String page() {
        return new String(cache.body(TEXT, EscapingScheme.DEFAULT).plain(), StandardCharsets.UTF_8);
    }

    private void changes(String what, Runnable change) {
        String before = page();
        change.run();
        assertNotEquals(before, page(), what + " did not reach the page");
    }

    @Test
    void everyChangeReachesTheNextPage() {
        for (AuthKind k : AuthKind.values()) {
            if (k == AuthKind.PARTIAL || k == AuthKind.IGNORED || k == AuthKind.UNRECOGNIZED) {
                continue; // counted nowhere
            }
            changes("outcome " + k, () -> auth.outcome(new AuthEvent(k, AuthMethod.PASSWORD, false, "u", "192.0.2.1", 22)));
        }
        changes("entry", () -> auth.entry(AuthCounter.EntryResult.UNRECOGNIZED));
        changes("journalState", () -> auth.journalState(JournalState.OK));
        changes("failedLoginsSource", () -> auth.failedLoginsSource(FailedLoginFeed.JOURNAL));
        changes("refreshed", () -> health.refreshed(1_700_000_000_000L, 1_000, 3));
        changes("refreshError", () -> health.refreshError("missing"));
        changes("fileReadable", () -> health.fileReadable("utmp", "/run/utmp", true));
        changes("eventsSource", () -> health.eventsSource(CounterFeed.WTMP));
        changes("opened", () -> activity.opened(ALICE));
        changes("closed", () -> activity.closed(ALICE, 5));
        changes("failedLogins", () -> activity.failedLogins(2));
        changes("publish", () -> sessions.publish(Map.of("192.0.2.1", 1), List.of(ALICE), true, 0));
        changes("show", () -> source.show("utmp"));
    }

    @Test
    void everyPublicMethodThatChangesAValueIsListed() {
        Set<String> listed = Set.of("outcome", "entry", "journalState", "failedLoginsSource", "refreshed",
                "refreshError", "fileReadable", "eventsSource", "opened", "closed", "failedLogins", "publish", "show");
        Set<String> reads = Set.of("collect", "getPrometheusNames", "getPrometheusName");
        Set<String> found = new TreeSet<>();
        for (Class<?> c : List.of(AuthMetrics.class, HealthMetrics.class, ActivityMetrics.class, SessionMetrics.class,
                SourceInfo.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !reads.contains(m.getName())) {
                    found.add(m.getName());
                }
            }
        }
        assertEquals(new TreeSet<>(listed), found);
    }
}
