package io.github.sshexporter.records;

/**
 * One utmpx record as plain Java values.
 *
 * @param type       ut_type (USER_PROCESS = 7, DEAD_PROCESS = 8, ...), any short value
 * @param pid        ut_pid
 * @param line       ut_line, e.g. {@code pts/3}
 * @param id         ut_id
 * @param user       ut_user
 * @param host       ut_host as written (address, DNS name, X display, empty)
 * @param address    ut_addr_v6 as 16 raw bytes in network order (IPv4 in the first four)
 * @param seconds    ut_tv.tv_sec, read as unsigned
 * @param micros     ut_tv.tv_usec
 */
public record UtmpxRecord(int type, int pid, String line, String id, String user, String host,
                          byte[] address, long seconds, long micros) {
    public static final int EMPTY = 0;
    public static final int BOOT_TIME = 2;
    public static final int LOGIN_PROCESS = 6;
    public static final int USER_PROCESS = 7;
    public static final int DEAD_PROCESS = 8;

    /** ut_tv as seconds since the epoch, microseconds included. */
    public double time() {
        return seconds + micros / 1e6;
    }
}
