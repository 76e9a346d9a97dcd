package io.github.sshexporter.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.github.sshexporter.records.LogindSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads systemd-logind's sessions through libsystemd's sd-login API. Like {@link UtmpxFile},
 * an instance belongs to one thread (it reuses its out-parameter buffers).
 *
 * <p>systemd 254 added {@code sd_session_get_username}, {@code sd_session_get_start_time} and
 * {@code sd_session_get_leader}. With an older library (Debian 12 has 252) the same three facts
 * are read from where those functions read them: the {@code USER=}, {@code REALTIME=} and
 * {@code LEADER=} keys of logind's {@code /run/systemd/sessions/ID} file; the user name from the
 * uid ({@code getpwuid_r}) when that key is missing too.
 */
public final class Logind {
    /** Where logind keeps one file per session; what sd-login reads and what its monitor watches. */
    public static final Path SESSIONS_DIR = Path.of("/run/systemd/sessions");

    private static final int ENOENT = 2;
    private static final int ENXIO = 6;

    private final Memory out = new Memory(8);
    private final Memory passwd = new Memory(48); // sizeof(struct passwd) on 64-bit glibc; pw_name at 0
    private Memory passwdBuffer = new Memory(16 * 1024);
    private final boolean since254;

    private Logind() {
        this.since254 = SdLogin.Since254.AVAILABLE;
    }

    /** Why libsystemd's sd-login cannot be used here, or null when it can. Loads it once. */
    public static String libraryError() {
        try {
            String error = SdLogin.LOAD_ERROR;
            return error == null ? null : "cannot load " + SdLogin.SONAME + ": " + error;
        } catch (LinkageError e) {
            return "cannot load " + SdLogin.SONAME + " through JNA: " + SdLogin.firstLine(e.getMessage());
        }
    }

    /** Fails, with one line, when libsystemd cannot be loaded. */
    public static Logind open() throws NativeException {
        String error = libraryError();
        if (error != null) {
            throw new NativeException(error);
        }
        return new Logind();
    }

    /** True when the library has the systemd 254 getters (else the session files fill in). */
    public boolean hasSince254() {
        return since254;
    }

    /**
     * What one read found.
     *
     * @param errno     0 when the sessions could be listed, else why not
     * @param sessions  the wanted sessions, in logind's order
     * @param listed    how many sessions logind listed in all
     */
    public record Listing(int errno, List<LogindSession> sessions, int listed) {
        public boolean ok() {
            return errno == 0;
        }

        /** The errno as text. */
        public String detail() {
            return errno == 0 ? "" : "sd_get_sessions: " + Errno.describe(errno);
        }
    }

    /**
     * Lists every session and reads in full those whose {@link LogindSession.Kind} {@code wanted}
     * accepts. A session that ends while it is being read is left out.
     */
    public Listing read(Predicate<LogindSession.Kind> wanted) {
        out.setPointer(0, null);
        int n = SdLogin.sd_get_sessions(out);
        if (n < 0) {
            return new Listing(-n, List.of(), 0);
        }
        Pointer array = out.getPointer(0);
        List<String> ids = new ArrayList<>(Math.max(n, 0));
        if (array != null) {
            try {
                for (int i = 0; i < n; i++) {
                    Pointer p = array.getPointer((long) i * Native.POINTER_SIZE);
                    if (p == null) {
                        break;
                    }
                    ids.add(p.getString(0, StandardCharsets.UTF_8.name()));
                    Libc.free(p);
                }
            } finally {
                Libc.free(array);
            }
        }
        List<LogindSession> sessions = new ArrayList<>();
        for (String id : ids) {
            LogindSession s = session(id, wanted);
            if (s != null) {
                sessions.add(s);
            }
        }
        return new Listing(0, sessions, ids.size());
    }

    /** One session, or null when it is not wanted or ended under us. */
    private LogindSession session(String id, Predicate<LogindSession.Kind> wanted) {
        byte[] sid = cString(id);
        String state = string(Getter.STATE, sid);
        if (state == null) {
            return null;
        }
        String service = string(Getter.SERVICE, sid);
        String clazz = string(Getter.CLASS, sid);
        String type = string(Getter.TYPE, sid);
        if (service == null || clazz == null || type == null) {
            return null;
        }
        LogindSession.Kind kind = new LogindSession.Kind(id, service, clazz, type, state);
        if (!wanted.test(kind)) {
            return null;
        }
        String host = string(Getter.REMOTE_HOST, sid);
        String remoteUser = string(Getter.REMOTE_USER, sid);
        String tty = string(Getter.TTY, sid);
        if (host == null || remoteUser == null || tty == null) {
            return null;
        }
        out.setLong(0, 0);
        long uid = SdLogin.sd_session_get_uid(sid, out) >= 0 ? out.getInt(0) & 0xffffffffL : -1;
        boolean active = SdLogin.sd_session_is_active(sid) > 0;

        String user = null;
        int leader = 0;
        long start = 0;
        // A session that ends between these reads is gone for this listing, not a session with
        // no leader and no start: that would be a second session, counted opened and closed.
        if (since254) {
            user = since254String(sid);
            if (user == null) {
                return null;
            }
            out.setLong(0, 0);
            int r = SdLogin.Since254.sd_session_get_start_time(sid, out);
            if (gone(r)) {
                return null;
            }
            start = r >= 0 ? out.getLong(0) : 0;
            out.setLong(0, 0);
            r = SdLogin.Since254.sd_session_get_leader(sid, out);
            if (gone(r)) {
                return null;
            }
            leader = r >= 0 ? out.getInt(0) : 0;
        } else {
            Map<String, String> file = sessionFile(id);
            if (file.isEmpty()) {
                return null;
            }
            user = file.get("USER");
            leader = (int) number(file.get("LEADER"));
            start = number(file.get("REALTIME"));
        }
        if (user == null || user.isEmpty()) {
            user = uid < 0 ? "" : userName(uid);
        }
        return new LogindSession(kind, uid, user, host, remoteUser, tty, active, leader, start);
    }

    private enum Getter { STATE, SERVICE, CLASS, TYPE, REMOTE_HOST, REMOTE_USER, TTY }

    /** The value, "" when logind has none (ENODATA), null when the session is gone. */
    private String string(Getter getter, byte[] sid) {
        out.setPointer(0, null);
        int r = switch (getter) {
            case STATE -> SdLogin.sd_session_get_state(sid, out);
            case SERVICE -> SdLogin.sd_session_get_service(sid, out);
            case CLASS -> SdLogin.sd_session_get_class(sid, out);
            case TYPE -> SdLogin.sd_session_get_type(sid, out);
            case REMOTE_HOST -> SdLogin.sd_session_get_remote_host(sid, out);
            case REMOTE_USER -> SdLogin.sd_session_get_remote_user(sid, out);
            case TTY -> SdLogin.sd_session_get_tty(sid, out);
        };
        return result(r);
    }

    private String since254String(byte[] sid) {
        out.setPointer(0, null);
        return result(SdLogin.Since254.sd_session_get_username(sid, out));
    }

    private static boolean gone(int r) {
        return r == -ENXIO || r == -ENOENT;
    }

    private String result(int r) {
        if (gone(r)) {
            return null;
        }
        if (r < 0) {
            return "";
        }
        Pointer p = out.getPointer(0);
        if (p == null) {
            return "";
        }
        try {
            return p.getString(0, StandardCharsets.UTF_8.name());
        } finally {
            Libc.free(p);
        }
    }

    /** The name of a uid from the passwd database (NSS: files, systemd, LDAP...), else the number. */
    String userName(long uid) {
        while (true) {
            out.setPointer(0, null);
            int r = Libc.getpwuid_r((int) uid, passwd, passwdBuffer, passwdBuffer.size(), out);
            if (r == Libc.ERANGE && passwdBuffer.size() < 1024 * 1024) {
                passwdBuffer = new Memory(passwdBuffer.size() * 2);
                continue;
            }
            if (r == 0 && out.getPointer(0) != null) {
                Pointer name = passwd.getPointer(0);
                if (name != null) {
                    return name.getString(0, StandardCharsets.UTF_8.name());
                }
            }
            return Long.toString(uid);
        }
    }

    /** logind's KEY=VALUE file of one session (what sd-login itself parses), or nothing. */
    static Map<String, String> sessionFile(String id) {
        if (!id.matches("[A-Za-z0-9_-]+")) {
            return Map.of();
        }
        try {
            return parseEnvFile(Files.readString(SESSIONS_DIR.resolve(id), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // Gone (NoSuchFileException; the session ended under us) or unreadable (logind writes
            // them 0644): the caller takes the session as gone for this listing.
            return Map.of();
        }
    }

    /** KEY=VALUE lines; comments and anything else are skipped. Values are taken as written. */
    static Map<String, String> parseEnvFile(String text) {
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0 || line.startsWith("#")) {
                continue;
            }
            values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return values;
    }

    /** A non-negative decimal number, 0 when absent or malformed. */
    static long number(String text) {
        if (text == null || text.isEmpty() || text.length() > 19) {
            return 0;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return 0;
            }
        }
        return Long.parseLong(text);
    }

    static byte[] cString(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        byte[] c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, b.length);
        return c;
    }
}
