package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sshexporter.records.LogindSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogindRuleTest {
    private static LogindSession.Kind kind(String service, String clazz, String type, String state) {
        return new LogindSession.Kind("c1", service, clazz, type, state);
    }

    @ParameterizedTest(name = "service={0} class={1} type={2} state={3} -> {4}")
    @CsvSource({
        // sshd: every session, with or without a terminal (pam_systemd makes them all type tty)
        "sshd, user, tty, active, true",
        "sshd, user, tty, online, true",
        "sshd, user, unspecified, active, true",
        "sshd-session, user, tty, active, true",
        "sshd, user-light, tty, active, true",
        // logged out: leftover processes keep it listed, but utmp would show no live record
        "sshd, user, tty, closing, false",
        "sshd, user, tty, opening, false",
        // local interactive logins: console, display manager sessions
        "login, user, tty, active, true",
        "login, user, tty, online, true",
        "gdm-password, user, wayland, active, true",
        "lightdm, user, x11, online, true",
        "login, user, tty, closing, false",
        "login, user-early, tty, active, true",
        "login, user-incomplete, tty, active, true",
        "run0, user-light, unspecified, active, false",
        // not login sessions
        "gdm-launch-environment, greeter, wayland, active, false",
        "lightdm-greeter, greeter, x11, online, false",
        "systemd-user, manager, unspecified, active, false",
        "systemd-user, user, unspecified, active, false",
        "cron, background, unspecified, online, false",
        "su, user, unspecified, online, false",
        "run0, user, unspecified, active, false",
        "login, lock-screen, x11, active, false",
        "'', '', '', '', false",
    })
    void whichSessionsCount(String service, String clazz, String type, String state, boolean counts) {
        assertEquals(counts, LogindRule.counts(kind(service, clazz, type, state)));
    }

    private static LogindSession sshd(String host, String tty, int leader, long startMicros) {
        return new LogindSession(kind("sshd", "user", "tty", "active"), 1000, "alice", host, "", tty, true,
                leader, startMicros);
    }

    @ParameterizedTest(name = "REMOTE_HOST {0} -> remote_ip {1}")
    @CsvSource({
        "203.0.113.7, 203.0.113.7",
        "::1, ::1",
        "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
        "::ffff:192.0.2.4, 192.0.2.4",
        "'', localhost",
        "bastion.example.org, bastion.example.org",
    })
    void remoteIpFollowsTheUtmpRules(String host, String label) {
        assertEquals(label, LogindRule.toSession(sshd(host, "", 42, 0)).remoteIp());
    }

    @Test
    void sessionFieldsComeFromLogind() {
        Session s = LogindRule.toSession(sshd("203.0.113.7", "pts/3", 4242, 1_795_676_009_102_221L));
        // Microseconds kept: durations are measured from this start.
        assertEquals(new Session("alice", "pts/3", "203.0.113.7", "203.0.113.7", 1_795_676_009.102221, 4242), s);
        assertEquals(0, LogindRule.toSession(sshd("203.0.113.7", "", 1, 0)).loginTime(), "unknown start stays 0");
    }
}
