package io.github.sshexporter.bench;

import com.sun.jna.Native;

/** The C baseline (bench/c/utmpx_loop.c built as a shared library), called through JNA direct mapping. */
public final class CLoop {
    static {
        Native.register(CLoop.class, System.getProperty("bench.cloop", "libutmpxloop.so"));
    }

    private CLoop() {}

    /** One bare setutxent/getutxent/endutxent pass; returns the records read. */
    public static native long utmpx_loop_pass(String file);

    /** Flips line bench/N between logged in and logged out with pututxline; returns 0 on success. */
    public static native int utmpx_loop_toggle(String file, int n);
}
