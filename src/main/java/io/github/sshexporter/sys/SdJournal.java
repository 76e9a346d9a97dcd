package io.github.sshexporter.sys;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Direct-mapped sd-journal entry points of libsystemd ({@code sd-journal(3)}), bound to the same
 * library {@link SdLogin} loads by soname. All exist since systemd 229. Negative results are
 * {@code -errno}; data returned by {@code sd_journal_get_data} belongs to the journal and is
 * valid until the next call on it.
 */
final class SdJournal {
    static final int SD_JOURNAL_LOCAL_ONLY = 1;
    static final int SD_JOURNAL_SYSTEM = 4;
    /** What {@code sd_journal_process} says happened. */
    static final int SD_JOURNAL_NOP = 0;
    static final int SD_JOURNAL_APPEND = 1;
    static final int SD_JOURNAL_INVALIDATE = 2;

    /** Why the functions cannot be used, or null. */
    static final String LOAD_ERROR;

    static {
        String error = SdLogin.LOAD_ERROR;
        if (error == null) {
            try {
                Native.register(SdJournal.class, SdLogin.LIBRARY);
            } catch (UnsatisfiedLinkError e) {
                error = SdLogin.firstLine(e.getMessage());
            }
        }
        LOAD_ERROR = error;
    }

    private SdJournal() {}

    static native int sd_journal_open(Pointer ret, int flags);

    static native int sd_journal_open_directory(Pointer ret, byte[] path, int flags);

    static native void sd_journal_close(Pointer j);

    static native int sd_journal_add_match(Pointer j, byte[] data, long size);

    static native int sd_journal_seek_tail(Pointer j);

    static native int sd_journal_seek_head(Pointer j);

    static native int sd_journal_previous(Pointer j);

    static native int sd_journal_seek_realtime_usec(Pointer j, long usec);

    static native int sd_journal_next(Pointer j);

    static native int sd_journal_get_data(Pointer j, Pointer field, Pointer data, Pointer length);

    static native int sd_journal_get_fd(Pointer j);

    static native int sd_journal_get_events(Pointer j);

    static native int sd_journal_get_timeout(Pointer j, Pointer timeoutUsec);

    static native int sd_journal_process(Pointer j);

    static native int sd_journal_get_usage(Pointer j, Pointer bytes);

    static native int sd_journal_set_data_threshold(Pointer j, long sz);
}
