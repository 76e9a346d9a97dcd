package io.github.sshexporter.sys;

import io.github.sshexporter.records.UtmpxDecoder;
import io.github.sshexporter.records.UtmpxLayout;
import io.github.sshexporter.records.UtmpxRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Reads a utmp-format database (utmp, wtmp, btmp) as glibc lays it out: whole records read at
 * their offsets under glibc's own read lock, decoded by the {@link UtmpxDecoder} whose layout is
 * checked against the compiler. Not through glibc's getutxent: it takes a lock and reads one
 * record per call, about 8-9 system calls a record, where this reads 64 records per call
 * (docs/BENCHMARKS.md). An instance keeps the fingerprints of its last pass and a read buffer:
 * it belongs to one thread.
 */
public final class UtmpxFile {
    /** Records per read(). */
    static final int CHUNK_RECORDS = 64;
    /** How long a pass tries for the read lock in all before it gives up as INCOMPLETE (and is retried). */
    static final long LOCK_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /**
     * The first pause between tries; each next one is twice as long, up to a millisecond. A
     * writer holds the lock for one record's write, and inotify wakes the reader during that
     * write: the lock is usually free again within microseconds.
     */
    private static final long FIRST_LOCK_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long MAX_LOCK_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Path path;
    private final UtmpxDecoder decoder;
    private final byte[] record;
    /**
     * A 64-bit fingerprint of every slot's bytes as the last {@link #scanChanges} pass saw them:
     * a copy of the bytes took a quarter of the small heap the packaged flags give (docs/BENCHMARKS.md).
     */
    private long[] previous = new long[0];
    private int previousSlots;
    /** Whole records read from the file at a time, and the same bytes as 8-byte words. */
    private final ByteBuffer chunk;
    private final LongBuffer chunkWords;
    /** One record's words, copied out for {@link #fingerprint}. */
    private final long[] wordCopy;

    private UtmpxFile(Path path, UtmpxLayout layout) {
        this.path = path;
        this.decoder = new UtmpxDecoder(layout);
        this.record = new byte[layout.size];
        this.wordCopy = new long[layout.size / 8];
        this.chunk = ByteBuffer.allocate(layout.size * CHUNK_RECORDS).order(ByteOrder.nativeOrder());
        this.chunkWords = chunk.duplicate().order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    /**
     * Checks once per process that the C library and the architecture are ones whose utmpx
     * records this exporter can read, and binds the file.
     */
    public static UtmpxFile bind(Path path) throws NativeException {
        String arch = System.getProperty("os.arch");
        UtmpxLayout layout = UtmpxLayout.forArch(arch).orElseThrow(() -> new NativeException(
                "unsupported architecture " + arch + ": the utmpx record layout is known for x86_64 and aarch64 only"));
        checkLibc();
        return new UtmpxFile(path, layout);
    }

    static void checkLibc() throws NativeException {
        boolean glibc;
        try {
            glibc = Libc.isGlibc();
        } catch (LinkageError e) {
            // The first failure surfaces as ExceptionInInitializerError, later ones as
            // NoClassDefFoundError: both are LinkageErrors, as is a missing libc.so.6.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new NativeException("cannot load the C library libc.so.6 through JNA (not glibc?): "
                    + cause.getMessage());
        }
        if (!glibc) {
            throw new NativeException("the C library is not glibc (musl?): its utmpx functions are stubs that never"
                    + " return a record, so sessions cannot be read here");
        }
    }

    /** e.g. "glibc 2.36"; call after {@link #bind} succeeded. */
    public static String libcVersion() {
        return "glibc " + Libc.glibcVersion();
    }

    public Path path() {
        return path;
    }

    public UtmpxLayout layout() {
        return decoder.layout();
    }

    /** What one pass over the file found. */
    public record Scan(Status status, int recordsRead, long expectedRecords, String detail) {
        public boolean ok() {
            return status == Status.OK;
        }
    }

    public enum Status {
        OK,
        /** The file does not exist. */
        MISSING,
        /** The file exists but cannot be read by this process, or is not a regular file. */
        UNREADABLE,
        /** The pass ended short of the records the file held at its start (a writer kept the lock, a read failed, or the file shrank under us). */
        INCOMPLETE,
        /** It holds more than {@link #MAX_RECORDS} records: not read, so that memory stays bounded. */
        TOO_LARGE
    }

    /**
     * The most records a pass reads. utmp holds one slot per terminal line ever used, a few
     * hundred on a busy host; a file far larger is not a utmp file (a sparse or random file given
     * by mistake) and reading it would fill the heap with fingerprints and sessions.
     */
    public static final int MAX_RECORDS = 10_000;

    /**
     * One full pass over the file, from its first record to its last. Records whose type
     * {@code wanted} accepts are decoded and passed to {@code sink}. The same pass as
     * {@link #scanChanges}, with the fingerprints of earlier passes forgotten first (so every slot
     * is reported), on a fresh stat.
     */
    public Scan scan(IntPredicate wanted, Consumer<UtmpxRecord> sink) {
        previousSlots = 0;
        return scanChanges(stat(), wanted, (slot, record) -> {
            if (record != null) {
                sink.accept(record);
            }
        });
    }

    /** Told about the slots whose bytes differ from the previous {@link #scanChanges} pass. */
    @FunctionalInterface
    public interface SlotSink {
        /**
         * @param slot   the record's position in the file
         * @param record the decoded record when its type was wanted, else null (the slot holds
         *               no wanted record any more)
         */
        void changed(int slot, UtmpxRecord record);
    }

    /**
     * One full pass like {@link #scan}, but records whose 384 (or 400) bytes have the fingerprint
     * the previous pass saw at the same position are neither copied, decoded nor reported: a
     * wake-up after one login decodes one record, not ten thousand. A pass that failed drops the
     * fingerprints, so the next pass reports every wanted record; one cut short because the file
     * ended early or stayed locked by a writer keeps them. Slots past the end of an OK pass are
     * the caller's to forget.
     *
     * @param stat the file as {@link #stat()} saw it just before: one stat() serves the caller's
     *             change check and this pass
     */
    public Scan scanChanges(FileStat stat, IntPredicate wanted, SlotSink sink) {
        Scan unusable = stat.problem() != null ? stat.problem()
                : Files.isReadable(path) ? null : new Scan(Status.UNREADABLE, 0, 0, "permission denied");
        if (unusable != null) {
            previousSlots = 0;
            return unusable;
        }
        long expected = stat.size() / record.length;
        if (expected > MAX_RECORDS) {
            previousSlots = 0;
            return tooLarge(expected, "holds " + expected + " records");
        }
        int read = 0;
        Scan locked = null;
        boolean completed = false;
        // Opened anew for every pass: a file replaced by rename is read through its new inode.
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            FileLock lock = readLock(channel);
            if (lock == null) {
                // Nothing read: the fingerprints stay, as after any INCOMPLETE pass.
                locked = new Scan(Status.INCOMPLETE, 0, expected, "the file stayed locked by a writer");
            } else {
                try {
                    read = readRecords(channel, expected, wanted, sink);
                } finally {
                    lock.release();
                }
            }
            completed = true;
        } catch (TooLarge e) {
            return tooLarge(MAX_RECORDS + 1L, "grew past " + MAX_RECORDS + " records while read");
        } catch (NoSuchFileException e) {
            return new Scan(Status.MISSING, 0, 0, "no such file");
        } catch (AccessDeniedException e) {
            return new Scan(Status.UNREADABLE, 0, 0, "permission denied");
        } catch (IOException e) {
            return new Scan(Status.INCOMPLETE, 0, expected, "read failed: " + e.getMessage());
        } finally {
            if (!completed) {
                // The sink threw, or the read failed: the fingerprints already remembered were
                // never accepted. Forget them all, so that the next pass reports every slot again.
                previousSlots = 0;
            }
        }
        if (locked != null) {
            return locked;
        }
        if (read < expected) {
            // Slots not reached keep their old fingerprints, and the caller keeps what it made of them.
            previousSlots = Math.max(previousSlots, read);
            return new Scan(Status.INCOMPLETE, read, expected,
                    "read " + read + " of " + expected + " records");
        }
        previousSlots = read;
        return new Scan(Status.OK, read, expected, "");
    }

    /** Thrown out of a pass over a file that grew past {@link #MAX_RECORDS} while read. */
    private static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }

    /**
     * glibc's own read lock (fcntl F_RDLCK over the whole file, as its getutxent takes for each
     * record and pututxline's write lock excludes), so that no record is read half written. A
     * writer holds it for one record's write: tried again soon, then less often, for at most
     * {@link #LOCK_WAIT_NANOS}; then null.
     */
    private static FileLock readLock(FileChannel channel) throws IOException {
        long start = System.nanoTime();
        long pause = FIRST_LOCK_PAUSE_NANOS;
        while (true) {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() - start >= LOCK_WAIT_NANOS || Thread.currentThread().isInterrupted()) {
                return null;
            }
            LockSupport.parkNanos(pause);
            pause = Math.min(2 * pause, MAX_LOCK_PAUSE_NANOS);
        }
    }

    /** Reads whole records from the start to the end of the file; a partial last record is not one. */
    private int readRecords(FileChannel channel, long expected, IntPredicate wanted, SlotSink sink) throws IOException {
        int size = record.length;
        int read = 0;
        long position = 0;
        while (true) {
            chunk.clear();
            while (chunk.hasRemaining()) {
                int n = channel.read(chunk, position + chunk.position());
                if (n < 0) {
                    break;
                }
            }
            int records = chunk.position() / size;
            for (int r = 0; r < records; r++) {
                if (read == MAX_RECORDS) {
                    throw new TooLarge();
                }
                int slot = read++;
                long fingerprint = fingerprint(chunkWords, r * (size / 8), wordCopy);
                if (slot < previousSlots && previous[slot] == fingerprint) {
                    continue;
                }
                if (slot >= previous.length) {
                    previous = Arrays.copyOf(previous, (int) Math.min(Integer.MAX_VALUE - 8,
                            Math.max(expected, slot + 1L) + 64));
                }
                previous[slot] = fingerprint;
                chunk.get(r * size, record, 0, size);
                sink.changed(slot, wanted.test(decoder.type(record)) ? decoder.decode(record) : null);
            }
            if (chunk.hasRemaining()) {
                return read; // the end of the file
            }
            position += (long) records * size;
        }
    }

    private static Scan tooLarge(long records, String holds) {
        return new Scan(Status.TOO_LARGE, 0, records, holds + ", more than the " + MAX_RECORDS
                + " this exporter reads (not a utmp file?)");
    }

    /**
     * A 64-bit fingerprint of a record, one xxHash64-style round per 8 bytes. Each round is a
     * bijection of the running value for a given word and of the word for a given running value,
     * so two records that differ in a single 8-byte word never collide; records differing in more
     * (a new login: pid, time, line, host) collide with a chance of about 2^-64.
     *
     * <p>The words are copied out in one bulk get, then hashed from the array: under the client
     * compiler alone (the packaged JVM flags) a getLong per word on the direct buffer cost twice
     * as much (docs/BENCHMARKS.md).
     *
     * @param words records as 8-byte words (384 or 400 bytes: 48 or 50 words each)
     * @param index the record's first word
     * @param copy  scratch space of one record's words
     */
    static long fingerprint(java.nio.LongBuffer words, int index, long[] copy) {
        words.get(index, copy, 0, copy.length);
        long h = 0x27D4EB2F165667C5L;
        for (long w : copy) {
            h = Long.rotateLeft(h + w * 0xC2B2AE3D27D4EB4FL, 31) * 0x9E3779B97F4A7C15L;
        }
        return h;
    }

    /**
     * The file as one stat() saw it.
     *
     * @param identity       inode, size, ctime and mtime, comparable with equals (null with a problem)
     * @param size           bytes
     * @param modifiedMillis mtime, epoch milliseconds
     * @param problem        why a pass cannot read it (missing, not a regular file), else null
     */
    public record FileStat(Object identity, long size, long modifiedMillis, Scan problem) {}

    public FileStat stat() {
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:ino,size,ctime,lastModifiedTime,mode");
            if (((Integer) a.get("mode") & S_IFMT) != S_IFREG) {
                return new FileStat(null, 0, 0, new Scan(Status.UNREADABLE, 0, 0, "not a regular file"));
            }
            long size = (Long) a.get("size");
            FileTime mtime = (FileTime) a.get("lastModifiedTime");
            return new FileStat(List.of(a.get("ino"), size, a.get("ctime"), mtime), size, mtime.toMillis(), null);
        } catch (NoSuchFileException e) {
            return new FileStat(null, 0, 0, new Scan(Status.MISSING, 0, 0, "no such file"));
        } catch (IOException | RuntimeException e) {
            return new FileStat(null, 0, 0, new Scan(Files.exists(path) ? Status.UNREADABLE : Status.MISSING, 0, 0,
                    e instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage())));
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    static byte[] nativePath(Path path) {
        // The JVM decodes file names with sun.jnu.encoding; encode them back the same way.
        String encoding = System.getProperty("sun.jnu.encoding", "UTF-8");
        Charset charset;
        try {
            charset = Charset.forName(encoding);
        } catch (RuntimeException e) {
            charset = Charset.defaultCharset();
        }
        byte[] text = path.toString().getBytes(charset);
        byte[] cString = new byte[text.length + 1];
        System.arraycopy(text, 0, cString, 0, text.length);
        return cString;
    }
}
