package io.github.sshexporter.sys;

import com.sun.jna.Pointer;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Reads a utmp-format database (utmp, wtmp, btmp) through glibc's utmpx API.
 *
 * <p>glibc keeps the file name, the open descriptor and one result buffer in process-wide state,
 * so every instance must be used from the same single thread.
 */
public final class UtmpxFile {
    private final Path path;
    private final byte[] nativePath;
    private final UtmpxDecoder decoder;
    private final byte[] record;

    private UtmpxFile(Path path, UtmpxLayout layout) {
        this.path = path;
        this.nativePath = nativePath(path);
        this.decoder = new UtmpxDecoder(layout);
        this.record = new byte[layout.size];
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
        /** glibc stopped before the end of the file (lock timeout, or the file changed under us). */
        INCOMPLETE
    }

    /**
     * One full pass: utmpxname, setutxent, getutxent until NULL, endutxent. Records whose type
     * {@code wanted} accepts are decoded and passed to {@code sink}.
     */
    public Scan scan(IntPredicate wanted, Consumer<UtmpxRecord> sink) {
        if (!Files.exists(path)) {
            return new Scan(Status.MISSING, 0, 0, "no such file");
        }
        if (!Files.isRegularFile(path)) {
            return new Scan(Status.UNREADABLE, 0, 0, "not a regular file");
        }
        if (!Files.isReadable(path)) {
            return new Scan(Status.UNREADABLE, 0, 0, "permission denied");
        }
        long expected = expectedRecords();
        int read = 0;
        Libc.utmpxname(nativePath);
        Libc.setutxent();
        try {
            Pointer p;
            while ((p = Libc.getutxent()) != null) {
                read++;
                p.read(0, record, 0, record.length);
                if (wanted.test(decoder.type(record))) {
                    sink.accept(decoder.decode(record));
                }
            }
        } finally {
            // Closing after every pass makes the next one open the path anew: a file replaced by
            // rename would otherwise keep being read through the old inode.
            Libc.endutxent();
        }
        if (read < expected) {
            return new Scan(Status.INCOMPLETE, read, expected,
                    "read " + read + " of " + expected + " records");
        }
        return new Scan(Status.OK, read, expected, "");
    }

    /** Whole records in the file before the pass; a pass that returns fewer stopped early. */
    private long expectedRecords() {
        try {
            return Files.size(path) / record.length;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

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
