package io.github.sshexporter.sessions;

/** What happens between snapshots: logins, logouts, failed logins. Called from the loops' threads. */
public interface LoginActivity {
    /** A session began. */
    void opened(Session session);

    /**
     * A session ended.
     *
     * @param durationSeconds from the recorded login time to the recorded (or observed) logout
     *                        time; NaN when unknown
     */
    void closed(Session session, double durationSeconds);

    /** A failed login attempt was recorded (btmp): who tried, from where, on which line. */
    void failedLogin(Session attempt);

    /** A login database (wtmp, btmp) was read, or could not be. */
    void databaseState(String name, String path, boolean readable, String detail);
}
