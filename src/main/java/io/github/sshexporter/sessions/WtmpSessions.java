package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.UtmpxRecord;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns wtmp records into session openings and closings. A login is a USER_PROCESS record; its
 * end is the next DEAD_PROCESS record on the same line (what sshd, login and utempter write at
 * logout), or a new login on that line (the logout record was lost). The open sessions are kept
 * per line, so memory is bounded by the number of terminal lines.
 */
public final class WtmpSessions {
    private final Map<String, Session> openByLine = new HashMap<>();

    /** Learns the sessions still open from records written before the exporter started; reports nothing. */
    public void learn(UtmpxRecord record) {
        apply(record, null);
    }

    /** Applies one appended record and reports what it means. */
    public void apply(UtmpxRecord record, LoginActivity activity) {
        String line = record.line();
        if (line.isEmpty()) {
            return;
        }
        if (record.type() == UtmpxRecord.USER_PROCESS && !record.user().isEmpty()) {
            Session session = UtmpSessionSource.toSession(record);
            Session previous = openByLine.put(line, session);
            if (activity != null) {
                if (previous != null) {
                    activity.closed(previous, duration(previous, record.time()));
                }
                activity.opened(session);
            }
        } else if (record.type() == UtmpxRecord.DEAD_PROCESS) {
            Session previous = openByLine.remove(line);
            if (activity != null && previous != null) {
                activity.closed(previous, duration(previous, record.time()));
            }
        }
    }

    public int open() {
        return openByLine.size();
    }

    /** Seconds from login to logout; a clock set back gives 0, never a negative duration. */
    static double duration(Session session, double logoutTime) {
        return Math.max(0, logoutTime - session.loginTime());
    }
}
