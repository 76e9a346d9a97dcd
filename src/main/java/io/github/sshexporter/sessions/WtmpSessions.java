package io.github.sshexporter.sessions;

import io.github.sshexporter.records.UtmpxRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns wtmp records into session openings and closings, reading records the way util-linux
 * {@code last} does, except for one rule (the third below).
 *
 * <ul>
 *   <li>A login is a USER_PROCESS record with a user name, keyed by its line. A USER_PROCESS
 *       record without a user name is a logout, as for {@code last} (which calls such records
 *       ghosts); so is a DEAD_PROCESS record. A logout ends the session open on its line, and
 *       its recorded time minus the login's is the duration.</li>
 *   <li>A reboot (BOOT_TIME, or {@code ~}/{@code reboot}) or a shutdown ({@code ~}/{@code shutdown})
 *       record ends every session still open: {@code last} shows them as {@code crash} or
 *       {@code down}. They are closed, but their own end was never recorded, so no duration.</li>
 *   <li>A login on a line whose session has no logout closes that session without a duration.
 *       {@code last} takes the new login's time as the old session's logout; that is the time
 *       between two logins, not a session length (on Debian 13 sshd writes no logout at all).</li>
 * </ul>
 *
 * <p>The open sessions are kept per line, so memory is bounded by the number of lines.
 */
public final class WtmpSessions {
    /** What the records mean; {@code durationSeconds} is NaN when the session's own end was not recorded. */
    public interface Events {
        void opened(Session session);

        void closed(Session session, double durationSeconds);
    }

    private final Map<String, Session> openByLine = new HashMap<>();

    /** Applies one record; {@code events} null to only learn (records from before the start). */
    public void apply(UtmpxRecord record, Events events) {
        String line = record.line();
        if (line.isEmpty()) {
            return;
        }
        switch (kind(record)) {
            case LOGIN -> {
                Session session = UtmpSessionSource.toSession(record);
                Session previous = openByLine.put(line, session);
                if (events != null) {
                    if (previous != null) {
                        events.closed(previous, Double.NaN);
                    }
                    events.opened(session);
                }
            }
            case LOGOUT -> {
                Session previous = openByLine.remove(line);
                if (events != null && previous != null) {
                    events.closed(previous, duration(previous, record.time()));
                }
            }
            case SYSTEM_DOWN -> {
                List<Session> ended = new ArrayList<>(openByLine.values());
                openByLine.clear();
                if (events != null) {
                    ended.forEach(s -> events.closed(s, Double.NaN));
                }
            }
            case OTHER -> { }
        }
    }

    /** Sessions open now, as far as the records tell. */
    public int open() {
        return openByLine.size();
    }

    enum Kind { LOGIN, LOGOUT, SYSTEM_DOWN, OTHER }

    static Kind kind(UtmpxRecord r) {
        if (r.type() == UtmpxRecord.BOOT_TIME) {
            return Kind.SYSTEM_DOWN;
        }
        if (r.line().startsWith("~")) {
            return "reboot".equals(r.user()) || "shutdown".equals(r.user()) ? Kind.SYSTEM_DOWN : Kind.OTHER;
        }
        if (r.type() == UtmpxRecord.USER_PROCESS) {
            return r.user().isEmpty() ? Kind.LOGOUT : Kind.LOGIN;
        }
        return r.type() == UtmpxRecord.DEAD_PROCESS ? Kind.LOGOUT : Kind.OTHER;
    }

    /** Seconds from login to logout; a clock set back gives 0, never a negative duration. */
    static double duration(Session session, double logoutTime) {
        return Math.max(0, logoutTime - session.loginTime());
    }
}
