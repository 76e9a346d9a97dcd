package io.github.sshexporter.sessions;

import io.github.sshexporter.records.LogindSession;
import java.util.Set;

/**
 * Which systemd-logind sessions are login sessions in the sense of the utmp source, and how they
 * become {@link Session}s. Pure: unit-tested without logind.
 *
 * <ol>
 *   <li>A session that is {@code closing} (its user logged out; leftover processes keep it in
 *       logind's list) or still {@code opening} is not counted: utmp has no live record for it
 *       either.</li>
 *   <li>Every session opened by sshd (PAM service {@code sshd}, or {@code sshd-session} should a
 *       build name it after OpenSSH 9.8's session binary) is counted, whatever its type or class.
 *       Unlike utmp this includes {@code ssh host cmd}, {@code scp} and {@code sftp}: pam_systemd
 *       registers them all the same (type {@code tty}, no terminal), so logind cannot tell them
 *       apart from sessions with a terminal.</li>
 *   <li>Other sessions count when they are interactive logins, as those utmp records are: class
 *       {@code user} (or systemd 256's {@code user-early}, {@code user-incomplete}...) and type
 *       {@code tty}, {@code x11}, {@code wayland} or {@code mir} (a console
 *       {@code login}, a display manager's session). Not counted: greeters, lock screens,
 *       {@code background} (cron) and {@code manager} ({@code user@.service}) sessions, and
 *       type {@code unspecified} ones.</li>
 * </ol>
 *
 * <p>The {@code remote_ip} label comes from {@code REMOTE_HOST} by the same rules as utmp's host
 * text ({@link RemoteAddress}): sshd records the client address there; local sessions have
 * none and are {@code localhost}.
 */
public final class LogindRule {
    static final Set<String> SSHD_SERVICES = Set.of("sshd", "sshd-session");
    private static final Set<String> INTERACTIVE_TYPES = Set.of("tty", "x11", "wayland", "mir");
    private static final Set<String> NOT_LIVE_STATES = Set.of("closing", "opening");

    private LogindRule() {}

    /** True when the session counts as a login session. */
    public static boolean counts(LogindSession.Kind k) {
        if (NOT_LIVE_STATES.contains(k.state())) {
            return false;
        }
        if (SSHD_SERVICES.contains(k.service())) {
            return true;
        }
        String c = k.sessionClass();
        return ("user".equals(c) || c.startsWith("user-")) && INTERACTIVE_TYPES.contains(k.type());
    }

    /** The session as the reconciler and the metrics see it. */
    public static Session toSession(LogindSession s) {
        // Microseconds kept: a session's duration is measured from this start.
        double seconds = s.startTimeMicros() > 0 ? s.startTimeMicros() / 1e6 : 0;
        return new Session(s.user(), s.tty(), s.remoteHost(), RemoteAddress.label(s.remoteHost(), null),
                seconds, s.leader());
    }
}
