package io.github.sshexporter.metrics;

import io.github.sshexporter.auth.AuthCounter;
import io.github.sshexporter.auth.AuthEvent;
import io.github.sshexporter.auth.AuthMethod;
import io.github.sshexporter.auth.FailedLoginFeed;
import io.github.sshexporter.auth.JournalState;
import io.github.sshexporter.exposition.MetricGroup;
import io.github.sshexporter.exposition.MetricPage;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Gauge;

/**
 * How logins authenticate and fail, from sshd's lines in the journal. Labels come from fixed
 * sets only (method, reason): never a user name or an address, which attackers choose.
 */
public final class AuthMetrics {
    /** Groups that change apart: outcomes, journal entries read, the feeds' states. */
    private final MetricGroup group;
    private final MetricGroup entryGroup;
    private final MetricGroup stateGroup;
    private final Counter accepted;
    private final Counter failed;
    private final Counter invalidUsers;
    private final Counter refused;
    private final Counter tooManyFailures;
    private final Counter preauth;
    private final Counter entries;
    private final Gauge journalState;
    private final Gauge failedLoginsSource;
    // The fixed label sets' data points, looked up once: a flood increments them thousands of times a second.
    private final CounterDataPoint[] acceptedBy = new CounterDataPoint[AuthMethod.values().length];
    private final CounterDataPoint[] failedBy = new CounterDataPoint[AuthMethod.values().length];
    private final CounterDataPoint[] entriesBy = new CounterDataPoint[AuthCounter.EntryResult.values().length];
    private final CounterDataPoint notAllowed;
    private final CounterDataPoint rootRefused;
    private final CounterDataPoint closed;
    private final CounterDataPoint timeout;
    private final CounterDataPoint negotiation;

    /** Registers its metrics on {@code page}, in three groups. */
    public AuthMetrics(MetricPage page) {
        this.group = page.tracked("auth");
        this.entryGroup = page.tracked("journal entries");
        this.stateGroup = page.tracked("auth feeds");
        var registry = group.registry();
        accepted = Counter.builder().name("ssh_auth_accepted_total")
                .help("Successful authentications logged by sshd, by method (password, publickey, "
                        + "keyboard-interactive, hostbased, gssapi-with-mic, none, other).")
                .labelNames("method").withoutExemplars().register(registry);
        failed = Counter.builder().name("ssh_auth_failed_total")
                .help("Failed authentication attempts logged by sshd, by method (none: a client asking "
                        + "which methods there are).")
                .labelNames("method").withoutExemplars().register(registry);
        invalidUsers = Counter.builder().name("ssh_auth_invalid_users_total")
                .help("Connections that named a user who does not exist (sshd: Invalid user).")
                .withoutExemplars().register(registry);
        refused = Counter.builder().name("ssh_auth_refused_total")
                .help("Logins refused for an existing user, by reason (not_allowed: AllowUsers, DenyGroups, "
                        + "a locked account or missing shell; root: PermitRootLogin).")
                .labelNames("reason").withoutExemplars().register(registry);
        tooManyFailures = Counter.builder().name("ssh_auth_too_many_failures_total")
                .help("Connections cut for too many authentication failures (MaxAuthTries).")
                .withoutExemplars().register(registry);
        preauth = Counter.builder().name("ssh_auth_preauth_disconnects_total")
                .help("Connections that ended before authenticating, by reason (closed: by the client; "
                        + "timeout: LoginGraceTime; negotiation: banner or key exchange failed).")
                .labelNames("reason").withoutExemplars().register(registry);
        entries = Counter.builder().name("ssh_exporter_journal_entries_total")
                .help("Journal entries with an sshd identifier read, by result (outcome, ignored, "
                        + "unrecognized: a line this exporter does not know; untrusted: not from root).")
                .labelNames("result").withoutExemplars().register(entryGroup.registry());
        journalState = Gauge.builder().name("ssh_exporter_journal_state")
                .help("1 on the state of the systemd journal reader: ok, no_files (empty, or unreadable to "
                        + "the exporter), unavailable (no journal here), error, off (not followed).")
                .labelNames("state").withoutExemplars().register(stateGroup.registry());
        failedLoginsSource = Gauge.builder().name("ssh_exporter_failed_logins_source")
                .help("1 on what feeds ssh_failed_logins_total: journal, btmp or none.")
                .labelNames("source").withoutExemplars().register(stateGroup.registry());
        for (AuthMethod m : AuthMethod.values()) {
            acceptedBy[m.ordinal()] = accepted.labelValues(m.label());
            failedBy[m.ordinal()] = failed.labelValues(m.label());
        }
        notAllowed = refused.labelValues("not_allowed");
        rootRefused = refused.labelValues("root");
        closed = preauth.labelValues("closed");
        timeout = preauth.labelValues("timeout");
        negotiation = preauth.labelValues("negotiation");
        for (AuthCounter.EntryResult r : AuthCounter.EntryResult.values()) {
            entriesBy[r.ordinal()] = entries.labelValues(r.label());
        }
        invalidUsers.inc(0);
        tooManyFailures.inc(0);
        journalState(null);
        failedLoginsSource(FailedLoginFeed.NONE);
    }

    public void outcome(AuthEvent e) {
        switch (e.kind()) {
            case ACCEPTED -> acceptedBy[e.method().ordinal()].inc();
            case FAILED -> failedBy[e.method().ordinal()].inc();
            case INVALID_USER -> invalidUsers.inc();
            case NOT_ALLOWED -> notAllowed.inc();
            case ROOT_REFUSED -> rootRefused.inc();
            case TOO_MANY_FAILURES -> tooManyFailures.inc();
            case CLOSED_PREAUTH -> closed.inc();
            case TIMEOUT -> timeout.inc();
            case NEGOTIATION_FAILED -> negotiation.inc();
            case PARTIAL, IGNORED, UNRECOGNIZED -> {
                return;
            }
        }
        group.changed();
    }

    public void entry(AuthCounter.EntryResult result) {
        entriesBy[result.ordinal()].inc();
        entryGroup.changed();
    }

    /** @param state null: the journal is not followed */
    public void journalState(JournalState state) {
        for (JournalState s : JournalState.values()) {
            journalState.labelValues(s.label()).set(s == state ? 1 : 0);
        }
        journalState.labelValues("off").set(state == null ? 1 : 0);
        stateGroup.changed();
    }

    public void failedLoginsSource(FailedLoginFeed feed) {
        for (FailedLoginFeed f : FailedLoginFeed.values()) {
            failedLoginsSource.labelValues(f.label()).set(f == feed ? 1 : 0);
        }
        stateGroup.changed();
    }
}
