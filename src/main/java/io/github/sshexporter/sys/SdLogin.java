package io.github.sshexporter.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Direct-mapped sd-login entry points of libsystemd ({@code sd-login(3)}), loaded by soname like
 * {@link Libc}. Strings and arrays they return are malloc'ed: the caller frees them with
 * {@link Libc#free}. Session ids are passed as NUL-terminated byte arrays; out-parameters as
 * {@code Memory} of 8 bytes. Negative results are {@code -errno}.
 *
 * <p>Loading never throws: {@link #LOAD_ERROR} says why the library cannot be used, or is null.
 */
final class SdLogin {
    static final String SONAME = "libsystemd.so.0";
    static final NativeLibrary LIBRARY;
    /** Why libsystemd cannot be used (not installed, too old), or null when it can. */
    static final String LOAD_ERROR;

    static {
        Libc.isGlibc(); // Libc's static block sets jna.platform.library.path (no ldconfig fork)
        NativeLibrary library = null;
        String error = null;
        try {
            library = NativeLibrary.getInstance(SONAME);
            Native.register(SdLogin.class, library);
        } catch (UnsatisfiedLinkError e) {
            error = firstLine(e.getMessage());
        }
        LIBRARY = error == null ? library : null;
        LOAD_ERROR = error;
    }

    private SdLogin() {}

    static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    // Since systemd 209 (everything this exporter needs at least).
    static native int sd_get_sessions(Pointer sessions);

    static native int sd_session_get_uid(byte[] session, Pointer uid);

    static native int sd_session_get_type(byte[] session, Pointer type);

    static native int sd_session_get_class(byte[] session, Pointer clazz);

    static native int sd_session_get_service(byte[] session, Pointer service);

    static native int sd_session_get_remote_host(byte[] session, Pointer host);

    static native int sd_session_get_remote_user(byte[] session, Pointer user);

    static native int sd_session_get_tty(byte[] session, Pointer tty);

    static native int sd_session_get_state(byte[] session, Pointer state);

    static native int sd_session_is_active(byte[] session);

    static native int sd_login_monitor_new(byte[] category, Pointer monitor);

    static native int sd_login_monitor_get_fd(Pointer monitor);

    static native int sd_login_monitor_get_events(Pointer monitor);

    static native int sd_login_monitor_flush(Pointer monitor);

    static native Pointer sd_login_monitor_unref(Pointer monitor);

    /**
     * Added in systemd 254 (Debian 12 has 252): looked up when first used, and only bound when
     * all three exist. Older libraries get the same facts elsewhere (see {@link Logind}).
     */
    static final class Since254 {
        static final boolean AVAILABLE;

        static {
            boolean ok = false;
            if (LIBRARY != null) {
                try {
                    LIBRARY.getFunction("sd_session_get_username");
                    LIBRARY.getFunction("sd_session_get_start_time");
                    LIBRARY.getFunction("sd_session_get_leader");
                    Native.register(Since254.class, LIBRARY);
                    ok = true;
                } catch (UnsatisfiedLinkError e) {
                    ok = false;
                }
            }
            AVAILABLE = ok;
        }

        private Since254() {}

        static native int sd_session_get_username(byte[] session, Pointer username);

        static native int sd_session_get_start_time(byte[] session, Pointer usec);

        static native int sd_session_get_leader(byte[] session, Pointer leader);
    }
}
