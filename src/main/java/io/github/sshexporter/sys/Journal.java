package io.github.sshexporter.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.function.Consumer;

/**
 * Follows the systemd journal through libsystemd's sd-journal API: entries whose
 * {@code SYSLOG_IDENTIFIER} is one of a few names, from the tail on (history is not read), woken
 * by the journal's own descriptor. Like {@link Logind}, an instance belongs to one thread (it
 * holds sd-journal's state and reuses its buffers); only {@link #wakeUp()} may be called from
 * another.
 */
public final class Journal implements AutoCloseable {
    /** Longest MESSAGE handed over; the rest is cut (sshd's own lines are far shorter). */
    static final int MAX_MESSAGE_BYTES = 4096;
    /** Entries read per {@link #read} call at most, so that a flood never starves the caller. */
    static final int MAX_BATCH = 4096;
    /** journald's sockets live here while it runs (a container without systemd has none). */
    static final Path JOURNALD_RUNTIME = Path.of("/run/systemd/journal");
    private static final String MESSAGE = "MESSAGE";
    private static final String UID = "_UID";

    /**
     * One journal entry, as plain values (its identifier is one of those matched: not read).
     *
     * @param uid        {@code _UID}, the sender's uid as journald saw it (a trusted field), -1 when absent
     * @param message    {@code MESSAGE}, decoded as UTF-8 (invalid bytes become U+FFFD), at most
     *                   {@link #MAX_MESSAGE_BYTES} bytes of it
     */
    public record Entry(long uid, String message) {}

    /** What one {@link #read} did. */
    public record Batch(int entries, boolean more, int errno) {}

    private final Pointer journal;
    private final int fd;
    private final WakeablePoll poll;
    private final Memory data = new Memory(8);
    private final Memory length = new Memory(8);
    // Read through buffers over the same memory: no JNI call per field read (the Memory getters
    // make one each). A pointer and a size_t are 4 bytes on 32-bit systems.
    private final ByteBuffer dataView = data.getByteBuffer(0, 8).order(ByteOrder.nativeOrder());
    private final ByteBuffer lengthView = length.getByteBuffer(0, 8).order(ByteOrder.nativeOrder());
    private final Memory timeout = new Memory(8);
    private final Memory usage = new Memory(8);
    // The field names in native memory once: a byte[] argument is copied in on every call.
    private final Memory messageName = nativeString(MESSAGE);
    private final Memory uidName = nativeString(UID);
    private final byte[] uidBytes = new byte[16];
    private final byte[] messageBytes = new byte[MAX_MESSAGE_BYTES];
    private boolean filesChanged = true;
    private volatile boolean closed;

    private Journal(Pointer journal, int fd, WakeablePoll poll) {
        this.journal = journal;
        this.fd = fd;
        this.poll = poll;
    }

    /** Why sd-journal cannot be used here, or null when it can. */
    public static String libraryError() {
        try {
            String error = SdJournal.LOAD_ERROR;
            return error == null ? null : "cannot load " + SdLogin.SONAME + ": " + error;
        } catch (LinkageError e) {
            return "cannot load " + SdLogin.SONAME + " through JNA: " + SdLogin.firstLine(e.getMessage());
        }
    }

    /** The local system journal (what {@code journalctl} reads without flags, less user journals). */
    public static Journal openSystem(Collection<String> identifiers) throws NativeException {
        if (!java.nio.file.Files.isDirectory(JOURNALD_RUNTIME)) {
            throw new NativeException("systemd-journald is not running here (no " + JOURNALD_RUNTIME + ")");
        }
        return open(null, identifiers);
    }

    /** The journal files in one directory (for tests and for a journal copied off a host). */
    public static Journal openDirectory(Path directory, Collection<String> identifiers) throws NativeException {
        return open(directory, identifiers);
    }

    private static Journal open(Path directory, Collection<String> identifiers) throws NativeException {
        String error = libraryError();
        if (error != null) {
            throw new NativeException(error);
        }
        Memory ret = new Memory(8);
        ret.setPointer(0, null);
        int r = directory == null
                ? SdJournal.sd_journal_open(ret, SdJournal.SD_JOURNAL_LOCAL_ONLY | SdJournal.SD_JOURNAL_SYSTEM)
                : SdJournal.sd_journal_open_directory(ret, Logind.cString(directory.toString()), 0);
        if (r < 0) {
            throw new NativeException(directory == null ? "sd_journal_open" : "sd_journal_open_directory", -r);
        }
        Pointer j = ret.getPointer(0);
        try {
            // Fields are decompressed only as far as they are read.
            SdJournal.sd_journal_set_data_threshold(j, MAX_MESSAGE_BYTES + 64);
            for (String identifier : identifiers) {
                byte[] match = ("SYSLOG_IDENTIFIER=" + identifier).getBytes(StandardCharsets.UTF_8);
                r = SdJournal.sd_journal_add_match(j, match, match.length);
                if (r < 0) {
                    throw new NativeException("sd_journal_add_match", -r);
                }
            }
            // Before seeking: the descriptor's watches are set up by this call.
            int fd = SdJournal.sd_journal_get_fd(j);
            if (fd < 0) {
                throw new NativeException("sd_journal_get_fd", -fd);
            }
            r = SdJournal.sd_journal_seek_tail(j);
            if (r < 0) {
                throw new NativeException("sd_journal_seek_tail", -r);
            }
            // Onto the last entry, so that the next read starts right after it. With no entry yet
            // there is nothing to stand on, and "the tail" of files that appear later would be
            // their last entry: start from now instead.
            if (SdJournal.sd_journal_previous(j) <= 0) {
                SdJournal.sd_journal_seek_realtime_usec(j, System.currentTimeMillis() * 1000L);
            }
            return new Journal(j, fd, WakeablePoll.open());
        } catch (NativeException e) {
            SdJournal.sd_journal_close(j);
            throw e;
        }
    }

    /**
     * Whether any journal file could be opened. False where the journal is empty or unreadable
     * to this process (no {@code systemd-journal} group): sd-journal opens nothing then, silently.
     */
    public boolean hasFiles() {
        filesChanged = false;
        usage.setLong(0, 0);
        return SdJournal.sd_journal_get_usage(journal, usage) >= 0 && usage.getLong(0) > 0;
    }

    /**
     * Whether files may have been added, removed or rotated since the last {@link #hasFiles()}
     * (sd-journal said so, or a timeout ended the wait): {@link #hasFiles()} costs a stat of
     * every file, so it is asked only then, not after every line of a flood.
     */
    public boolean filesMayHaveChanged() {
        return filesChanged;
    }

    /** Hands over the entries appended since the last call, at most {@link #MAX_BATCH}. */
    public Batch read(Consumer<Entry> sink) {
        // The work per entry is a method of its own: this method runs once per batch, too rarely
        // for the JIT to compile its loop, while readOne runs once per entry and is compiled early.
        int n = 0;
        while (n < MAX_BATCH) {
            int r = readOne(sink);
            if (r <= 0) {
                return new Batch(n, false, -r);
            }
            n++;
        }
        return new Batch(n, true, 0);
    }

    /** Moves to the next entry and hands it over: 1, or 0 at the end, or -errno. */
    private int readOne(Consumer<Entry> sink) {
        int r = SdJournal.sd_journal_next(journal);
        if (r <= 0) {
            return r;
        }
        String message = message();
        if (message != null) {
            sink.accept(new Entry(uid(), message));
        }
        return 1;
    }

    /** A uid as journald writes it (decimal), -1 when absent or malformed: never 0 (root) by mistake. */
    static long uid(String text) {
        if (text == null) {
            return -1;
        }
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        return uid(b, b.length);
    }

    private static long uid(byte[] digits, int length) {
        if (length == 0 || length > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < length; i++) {
            int d = digits[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static Memory nativeString(String text) {
        byte[] bytes = Logind.cString(text);
        Memory m = new Memory(bytes.length);
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    /** The current entry's MESSAGE, at most {@link #MAX_MESSAGE_BYTES} of it, or null when it has none. */
    private String message() {
        int skip = MESSAGE.length() + 1; // "MESSAGE="
        Pointer p = field(messageName, skip);
        if (p == null) {
            return null;
        }
        int take = (int) Math.min(fieldLength() - skip, MAX_MESSAGE_BYTES);
        p.read(skip, messageBytes, 0, take);
        return new String(messageBytes, 0, take, StandardCharsets.UTF_8);
    }

    /** The current entry's _UID, -1 when it has none or it is malformed. */
    private long uid() {
        int skip = UID.length() + 1;
        Pointer p = field(uidName, skip);
        if (p == null) {
            return -1;
        }
        long len = fieldLength() - skip;
        if (len > uidBytes.length) {
            return -1;
        }
        p.read(skip, uidBytes, 0, (int) len);
        return uid(uidBytes, (int) len);
    }

    /** Where a field of the current entry is ("FIELD=value", its length in {@link #length}), or null. */
    private Pointer field(Memory name, int skip) {
        // On success sd_journal_get_data sets both; on failure they are not read.
        if (SdJournal.sd_journal_get_data(journal, name, data, length) < 0) {
            return null;
        }
        long address = word(dataView, Native.POINTER_SIZE);
        return address == 0 || fieldLength() < skip ? null : new Pointer(address);
    }

    /** The length sd_journal_get_data set (a size_t). */
    private long fieldLength() {
        return word(lengthView, Native.SIZE_T_SIZE);
    }

    private static long word(ByteBuffer view, int size) {
        return size == 8 ? view.getLong(0) : view.getInt(0) & 0xffffffffL;
    }

    /**
     * Waits until the journal may have new entries (or files came, went or were rotated), the
     * timeout passes, or {@link #wakeUp()}. Processes the descriptor's events after a wake-up,
     * as sd-journal requires before the next read.
     */
    public Wake await(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!closed) {
            long until = deadline;
            timeout.setLong(0, -1);
            if (SdJournal.sd_journal_get_timeout(journal, timeout) >= 0 && timeout.getLong(0) != -1) {
                // An absolute CLOCK_MONOTONIC time in microseconds: where inotify cannot watch,
                // sd-journal asks to be woken to look for itself.
                until = Math.min(until, timeout.getLong(0) * 1000L);
            }
            int events = SdJournal.sd_journal_get_events(journal);
            WakeablePoll.Result result = poll.await(fd, events > 0 ? (short) events : WakeablePoll.POLLIN, until);
            if (result == WakeablePoll.Result.WOKEN) {
                return Wake.WOKEN;
            }
            if (result == WakeablePoll.Result.READY || until < deadline) {
                if (SdJournal.sd_journal_process(journal) != SdJournal.SD_JOURNAL_APPEND) {
                    filesChanged = true; // INVALIDATE (files came or went), NOP or an error
                }
                return Wake.CHANGED;
            }
            filesChanged = true;
            return Wake.TIMEOUT;
        }
        return Wake.WOKEN;
    }

    /**
     * Waits {@code millis} without looking at the journal (so that entries arriving meanwhile are
     * read in one batch), ended early only by {@link #wakeUp()}.
     */
    public Wake pause(long millis) {
        WakeablePoll.Result result = poll.await(-1, (short) 0, System.nanoTime() + millis * 1_000_000L);
        return result == WakeablePoll.Result.WOKEN || closed ? Wake.WOKEN : Wake.TIMEOUT;
    }

    /** Ends a wait in progress (or the next one) at once. Safe from any thread. */
    public void wakeUp() {
        poll.wakeUp();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SdJournal.sd_journal_close(journal); // closes its descriptor and files
        poll.close();
    }
}
