package io.github.sshexporter.sessions;

/**
 * One live login session, as plain values. Two sessions are the same when every field is.
 *
 * @param user        login name
 * @param tty         terminal line, e.g. {@code pts/3}
 * @param host        host text as the login program recorded it
 * @param remoteIp    the {@code remote_ip} label: address, host name or {@code localhost}
 * @param loginTime   login time, seconds since the epoch, with the recorded microseconds
 * @param pid         process id of the session leader
 */
public record Session(String user, String tty, String host, String remoteIp, double loginTime, int pid) {
}
