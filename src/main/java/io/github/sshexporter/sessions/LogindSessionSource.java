package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.LoginMonitor;
import io.github.sshexporter.sys.Logind;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.Wake;
import java.util.ArrayList;
import java.util.List;

/**
 * Sessions from systemd-logind, through libsystemd's sd-login: those {@link LogindRule} counts,
 * watched through an sd-login monitor.
 */
public final class LogindSessionSource implements SessionSource {
    private static final int ENOENT = 2;

    private final Logind logind;
    private final LoginMonitor monitor;

    private LogindSessionSource(Logind logind, LoginMonitor monitor) {
        this.logind = logind;
        this.monitor = monitor;
    }

    /** Fails, with one line, when libsystemd cannot be loaded or logind's sessions cannot be watched. */
    public static LogindSessionSource open() throws NativeException {
        Logind logind = Logind.open();
        return new LogindSessionSource(logind, LoginMonitor.open());
    }

    @Override
    public String name() {
        return "logind";
    }

    @Override
    public String location() {
        return Logind.SESSIONS_DIR.toString();
    }

    @Override
    public Snapshot read() {
        Logind.Listing listing = logind.read(LogindRule::counts);
        if (!listing.ok()) {
            return Snapshot.failed(listing.errno() == ENOENT ? SourceState.MISSING : SourceState.UNREADABLE,
                    listing.detail());
        }
        List<Session> sessions = new ArrayList<>(listing.sessions().size());
        listing.sessions().forEach(s -> sessions.add(LogindRule.toSession(s)));
        return new Snapshot(SourceState.OK, "", sessions, listing.listed());
    }

    @Override
    public Wake awaitChange(long timeoutMillis) {
        return monitor.await(timeoutMillis);
    }

    @Override
    public void wakeUp() {
        monitor.wakeUp();
    }

    @Override
    public void close() {
        monitor.close();
    }
}
