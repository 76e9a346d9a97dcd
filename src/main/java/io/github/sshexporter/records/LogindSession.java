package io.github.sshexporter.records;

/**
 * One systemd-logind session as plain Java values (see {@code sd-login(3)}). Text fields are
 * empty when logind has no value for them.
 *
 * @param kind             what decides whether the session is wanted, read first
 * @param uid              the user's id, or -1 when unknown
 * @param user             the user's name (logind's own, else from the uid, else the uid)
 * @param remoteHost       {@code REMOTE_HOST}: the client address or name (sshd: the address)
 * @param remoteUser       {@code REMOTE_USER}
 * @param tty              the terminal, e.g. {@code tty1}; empty for sshd sessions
 * @param active           whether it is the active session of its seat (or, seatless, whether logind says so)
 * @param leader           PID of the session leader, 0 when unknown
 * @param startTimeMicros  when the session started, microseconds since the epoch, 0 when unknown
 */
public record LogindSession(Kind kind, long uid, String user, String remoteHost, String remoteUser,
                            String tty, boolean active, int leader, long startTimeMicros) {

    /**
     * @param id            the session id, e.g. {@code 3} or {@code c1}
     * @param service       the PAM service that opened it, e.g. {@code sshd}, {@code login}
     * @param sessionClass  {@code user}, {@code greeter}, {@code lock-screen}, {@code background},
     *                      {@code manager} (systemd 256+), ...
     * @param type          {@code tty}, {@code x11}, {@code wayland}, {@code mir}, {@code unspecified}
     * @param state         {@code online}, {@code active}, {@code closing} (systemd 257+ also {@code opening})
     */
    public record Kind(String id, String service, String sessionClass, String type, String state) {}
}
