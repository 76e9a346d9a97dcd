package io.github.sshexporter.sessions;

/** What the login logs tell besides sessions: failed logins, and whether they can be read. Called from the login-log thread. */
public interface LoginActivity {
    /** A failed login attempt was recorded (btmp): who tried, from where, on which line. */
    void failedLogin(Session attempt);

    /** A login log (wtmp, btmp) was read, or could not be: said once per change of state. */
    void databaseState(LoginLog log, String path, boolean readable, String detail);

    /** Reading the login logs threw (a bug): the thread goes on. */
    void internalError(String detail);
}
