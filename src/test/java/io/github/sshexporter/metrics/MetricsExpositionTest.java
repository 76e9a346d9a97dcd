package io.github.sshexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the metrics classes serve, rendered through client_java's own text writer, as a scrape sees it. */
class MetricsExpositionTest {
    /** The page as a scrape gets it: every group of it, through client_java's own text writer. */
    private static String render(MetricPage metrics) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, new PageCache(metrics.groups(), 0, System::nanoTime).registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Session session(String ip, double start) {
        return new Session("alice", "pts/1", ip, ip, start, 42);
    }

    @Test
    void sessionSeriesAreExactlyThePublishedCountsAndGoneOnesAreRemoved() throws Exception {
        MetricPage metrics = new MetricPage();
        SessionMetrics sessions = new SessionMetrics(metrics, true);
        sessions.publish(Map.of("203.0.113.7", 2, "::1", 1), List.of(session("203.0.113.7", 1000.5)), true, 1);
        String page = render(metrics);
        assertTrue(page.contains("ssh_num_sessions{remote_ip=\"203.0.113.7\"} 2.0\n"), page);
        assertTrue(page.contains("ssh_num_sessions{remote_ip=\"::1\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_exporter_source_up 1.0\n"), page);
        assertTrue(page.contains("ssh_stale_sessions 1.0\n"), page);
        assertTrue(page.contains("ssh_session_start_time_seconds{pid=\"42\",remote_ip=\"203.0.113.7\",tty=\"pts/1\",user=\"alice\"} 1000.5\n"), page);
        sessions.publish(Map.of("::1", 1), List.of(), false, 0);
        page = render(metrics);
        assertFalse(page.contains("203.0.113.7"), "a series at 0 is removed, not kept: " + page);
        assertTrue(page.contains("ssh_exporter_source_up 0.0\n"), page);
    }

    @Test
    void countersDurationsAndFeedsRender() throws Exception {
        MetricPage metrics = new MetricPage();
        ActivityMetrics activity = new ActivityMetrics(metrics);
        HealthMetrics health = new HealthMetrics(metrics, "1.2.3", "17", "glibc 2.36");
        activity.opened(session("203.0.113.7", 0));
        activity.closed(session("203.0.113.7", 0), 12.5);
        activity.closed(session("localhost", 0), Double.NaN); // closed, no duration
        health.eventsSource(CounterFeed.LOGIND);
        String page = render(metrics);
        assertTrue(page.contains("ssh_sessions_opened_total{type=\"remote\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_sessions_opened_total{type=\"local\"} 0.0\n"), page);
        assertTrue(page.contains("ssh_sessions_closed_total{type=\"local\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_session_duration_seconds_count 1\n"), page);
        assertTrue(page.contains("ssh_session_duration_seconds_sum 12.5\n"), page);
        assertTrue(page.contains("ssh_session_duration_seconds_bucket{le=\"30.0\"} 1\n"), page);
        assertTrue(page.contains("ssh_session_duration_seconds_bucket{le=\"10.0\"} 0\n"), page);
        for (CounterFeed f : CounterFeed.values()) {
            assertTrue(page.contains("ssh_exporter_session_events_source{source=\"" + f.label() + "\"} "
                    + (f == CounterFeed.LOGIND ? "1.0" : "0.0") + "\n"), page);
        }
    }

    @Test
    void authMetricsStartAtZeroForEveryFixedLabelAndCountOutcomes() throws Exception {
        MetricPage metrics = new MetricPage();
        AuthMetrics auth = new AuthMetrics(metrics);
        String page = render(metrics);
        for (AuthMethod m : AuthMethod.values()) {
            assertTrue(page.contains("ssh_auth_failed_total{method=\"" + m.label() + "\"} 0.0\n"), page);
        }
        assertTrue(page.contains("ssh_exporter_journal_state{state=\"off\"} 1.0\n"), page);
        auth.outcome(new AuthEvent(AuthKind.ACCEPTED, AuthMethod.KEYBOARD_INTERACTIVE, false, "u", "192.0.2.1", 1));
        auth.outcome(new AuthEvent(AuthKind.ROOT_REFUSED, null, false, "root", "192.0.2.1", 1));
        auth.outcome(new AuthEvent(AuthKind.TIMEOUT, null, false, null, "192.0.2.1", 1));
        auth.entry(AuthCounter.EntryResult.UNTRUSTED);
        auth.journalState(JournalState.NO_FILES);
        auth.failedLoginsSource(FailedLoginFeed.BTMP);
        page = render(metrics);
        assertTrue(page.contains("ssh_auth_accepted_total{method=\"keyboard-interactive\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_auth_refused_total{reason=\"root\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_auth_preauth_disconnects_total{reason=\"timeout\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_exporter_journal_entries_total{result=\"untrusted\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_exporter_journal_state{state=\"no_files\"} 1.0\n"), page);
        assertTrue(page.contains("ssh_exporter_journal_state{state=\"off\"} 0.0\n"), page);
        assertTrue(page.contains("ssh_exporter_failed_logins_source{source=\"btmp\"} 1.0\n"), page);
        assertEquals(-1, page.indexOf("192.0.2.1"), "no address in any label");
    }
}
