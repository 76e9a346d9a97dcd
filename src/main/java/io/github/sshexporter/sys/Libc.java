package io.github.sshexporter.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import io.github.sshexporter.records.UtmpxLayout;

/**
 * Direct-mapped glibc entry points. Everything else in this package wraps these; nothing outside
 * the package sees JNA. Only 64-bit targets are supported (see {@link UtmpxLayout}), so size_t
 * and ssize_t map to {@code long}. Paths are passed as NUL-terminated byte arrays so that the
 * JVM's default string encoding never gets a say.
 */
final class Libc {
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOENT = 2;
    static final int EACCES = 13;

    private static final NativeLibrary LIBRARY;

    static {
        // Without a platform path JNA runs "/sbin/ldconfig -p" (a fork and a reaper thread)
        // to build its search path; dlopen finds libc by soname without help.
        if (System.getProperty("jna.platform.library.path") == null) {
            System.setProperty("jna.platform.library.path", "");
        }
        NativeStub.load();
        LIBRARY = NativeLibrary.getInstance("libc.so.6");
        Native.register(Libc.class, LIBRARY);
    }

    private Libc() {}

    /** True when the loaded C library exports a glibc-only symbol (musl's utmpx API is stubs). */
    static boolean isGlibc() {
        try {
            LIBRARY.getFunction("gnu_get_libc_version");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    static String glibcVersion() {
        return LIBRARY.getFunction("gnu_get_libc_version").invokeString(new Object[0], false);
    }

    static int errno() {
        return Native.getLastError();
    }

    // inotify, poll, eventfd
    static native int inotify_init1(int flags);

    static native int inotify_add_watch(int fd, byte[] path, int mask);

    static native int inotify_rm_watch(int fd, int wd);

    static native int eventfd(int initval, int flags);

    static native long read(int fd, Pointer buf, long count);

    static native long write(int fd, Pointer buf, long count);

    static native int poll(Pointer fds, long nfds, int timeoutMillis);

    static native int close(int fd);

    static native int kill(int pid, int signal);

    static final int CLOCK_THREAD_CPUTIME_ID = 3;

    /** {@code ts}: struct timespec as two longs (tv_sec, tv_nsec): LP64 only, as are our layouts. */
    static native int clock_gettime(int clockId, long[] ts);

    // memory and users (for libsystemd's sd-login, whose results are malloc'ed)
    static final int ERANGE = 34;

    static native void free(Pointer p);

    static native int getpwuid_r(int uid, Pointer pwd, Pointer buf, long buflen, Pointer result);
}
