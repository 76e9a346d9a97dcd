package io.github.sshexporter.sys;

import io.github.sshexporter.records.UtmpxDecoder;
import io.github.sshexporter.records.UtmpxLayout;
import io.github.sshexporter.records.UtmpxRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Follows an append-only utmp-format log (wtmp, btmp) and hands over each record appended since
 * the last call, surviving rotation (the file replaced) and truncation.
 *
 * <p>Why not glibc's getutxent here: the utmpx API cannot seek, so finding the appended records
 * would mean re-reading the whole log on every append (about 47 ms per 10,000 records; a btmp
 * under a brute-force attack holds millions). Whole records are read at their offset instead and
 * decoded with the same {@link UtmpxDecoder} whose layout is checked against the compiler. No
 * libc state is touched, so this may run on its own thread.
 *
 * <p>Rotation neither drops nor repeats a record: the file being followed stays open, so when a
 * new file takes its name (logrotate's {@code create}) or it is removed, what was appended to
 * the old one since the last call is read to its end first, and then the new file from its
 * start. A file rewritten in place ({@code copytruncate}) is told by its size or by the last
 * record read no longer being where it was; it is then read from its start. (Records appended
 * between the copy and the truncation are in the copy only: that is copytruncate's own loss.)
 */
public final class UtmpxTail implements AutoCloseable {
    private final Path path;
    private final UtmpxDecoder decoder;
    private final byte[] record;
    private final byte[] check;
    private final ByteBuffer buffer;
    /** The file followed, kept open so that a rotated-away file can be read to its end. */
    private FileChannel channel;
    private Object fileKey;
    private long offset;
    /** The last record read (ending at {@link #offset}): whether it is still there tells a rewrite. */
    private final byte[] anchor;
    private boolean anchored;

    public UtmpxTail(Path path, UtmpxLayout layout) {
        this.path = path;
        this.decoder = new UtmpxDecoder(layout);
        this.record = new byte[layout.size];
        this.check = new byte[layout.size];
        this.anchor = new byte[layout.size];
        this.buffer = ByteBuffer.allocate(layout.size * 64);
    }

    public static UtmpxTail bind(Path path) throws NativeException {
        String arch = System.getProperty("os.arch");
        return new UtmpxTail(path, UtmpxLayout.forArch(arch).orElseThrow(
                () -> new NativeException("unsupported architecture " + arch)));
    }

    public Path path() {
        return path;
    }

    /** The outcome of one call. */
    public enum Status { OK, MISSING, UNREADABLE }

    public record Result(Status status, int records, boolean rotated, String detail) {}

    /**
     * Moves to the end of the file without reading what is there: for a log whose history is of
     * no interest (btmp can hold millions of records on an attacked host).
     */
    public Result skipToEnd() {
        Stat stat = stat();
        if (stat.failure() != null) {
            return stat.failure();
        }
        BasicFileAttributes attributes = stat.attributes();
        if (!Files.isReadable(path)) {
            return new Result(Status.UNREADABLE, 0, false, "permission denied");
        }
        closeChannel();
        fileKey = attributes.fileKey();
        offset = attributes.size() - attributes.size() % record.length;
        anchored = false;
        return new Result(Status.OK, 0, false, "");
    }

    /**
     * Reads the records appended since the last call. The first call reads from the start of the
     * file (pass a sink that ignores them to start "from now"). A different file behind the path
     * (rotation) is read from its start once the old one has been read to its end; a shorter or
     * rewritten one (truncation) is read from its start.
     */
    public Result poll(Consumer<UtmpxRecord> sink) {
        int[] count = {0};
        Consumer<UtmpxRecord> counting = r -> {
            count[0]++;
            sink.accept(r);
        };
        Stat stat = stat();
        boolean rotated = false;
        if (stat.failure() != null || channel != null && !Objects.equals(stat.attributes().fileKey(), fileKey)) {
            // Gone, replaced or now unreadable: what the old file got since the last call is still ours.
            drainAndClose(counting);
            if (stat.failure() != null) {
                Result f = stat.failure();
                return new Result(f.status(), count[0], false, f.detail());
            }
            rotated = true;
        }
        try {
            if (channel == null) {
                rotated |= open(stat.attributes());
            }
            long size = channel.size();
            if (size < offset || anchored && !anchorInPlace()) {
                rotated = true;
                offset = 0;
                anchored = false;
            }
            read(channel, size, counting);
        } catch (NoSuchFileException e) {
            closeChannel();
            return new Result(Status.MISSING, count[0], rotated, "no such file");
        } catch (IOException e) {
            closeChannel();
            return new Result(Status.UNREADABLE, count[0], rotated, describe(e));
        }
        return new Result(Status.OK, count[0], rotated, "");
    }

    /**
     * Opens the file behind the path, making sure it is the one {@code attributes} describe (the
     * path may be renamed over between the stat and the open). Returns true when it is another
     * file than the one followed before, which is then read from its start.
     */
    private boolean open(BasicFileAttributes attributes) throws IOException {
        for (int attempt = 0; ; attempt++) {
            FileChannel c = FileChannel.open(path, StandardOpenOption.READ);
            Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            if (Objects.equals(key, attributes.fileKey()) || attempt == 2) {
                channel = c;
                boolean other = fileKey != null && !Objects.equals(key, fileKey);
                if (!Objects.equals(key, fileKey)) {
                    offset = 0;
                    anchored = false;
                }
                fileKey = key;
                if (startsWith(c, SQLITE_MAGIC)) {
                    closeChannel();
                    fileKey = null;
                    throw new NotUtmpxException("an SQLite database (such as wtmpdb's wtmp.db), not a utmpx log");
                }
                return other;
            }
            c.close();
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        }
    }

    /** The first bytes of every SQLite 3 file (wtmpdb keeps its log in one: not a utmpx file). */
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** A readable file that is not a utmpx log. */
    private static final class NotUtmpxException extends IOException {
        NotUtmpxException(String message) {
            super(message);
        }
    }

    private static boolean startsWith(FileChannel c, byte[] prefix) throws IOException {
        byte[] head = new byte[prefix.length];
        return readFully(c, head, 0) && Arrays.equals(head, prefix);
    }

    /** Fills {@code into} from {@code at} on; false when the file ends first. */
    private static boolean readFully(FileChannel c, byte[] into, long at) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(into);
        while (b.hasRemaining()) {
            if (c.read(b, at + b.position()) <= 0) {
                return false;
            }
        }
        return true;
    }

    /** Reads the held file to its end, then lets it go; the next file is read from its start. */
    private void drainAndClose(Consumer<UtmpxRecord> sink) {
        if (channel != null) {
            try {
                read(channel, channel.size(), sink);
            } catch (IOException e) {
                // The old file cannot be read any more: nothing more can be had from it.
            }
        }
        closeChannel();
        fileKey = null;
        offset = 0;
        anchored = false;
    }

    /** Whether the last record read is still where it was (else the file was rewritten). */
    private boolean anchorInPlace() throws IOException {
        return readFully(channel, check, offset - record.length) && Arrays.equals(check, anchor);
    }

    /** Whole records from the offset to {@code size}; a record being appended right now is read next time. */
    private void read(FileChannel c, long size, Consumer<UtmpxRecord> sink) throws IOException {
        long end = size - size % record.length;
        while (offset < end) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), end - offset));
            int n = c.read(buffer, offset);
            if (n <= 0) {
                break;
            }
            buffer.flip();
            int whole = n - n % record.length;
            for (int at = 0; at < whole; at += record.length) {
                buffer.get(at, record, 0, record.length);
                // Past the record before handing it over: one that makes the sink throw is
                // not delivered again (no double counts, no log stuck on one record).
                offset += record.length;
                System.arraycopy(record, 0, anchor, 0, record.length);
                anchored = true;
                sink.accept(decoder.decode(record));
            }
            if (whole == 0) {
                break;
            }
        }
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing a read-only descriptor: nothing to lose.
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        closeChannel();
    }

    /** The file's attributes, or why it cannot be followed (missing, unreadable, not a file). */
    private record Stat(BasicFileAttributes attributes, Result failure) {}

    private Stat stat() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.isRegularFile() ? new Stat(attributes, null)
                    : new Stat(null, new Result(Status.UNREADABLE, 0, false, "not a regular file"));
        } catch (NoSuchFileException e) {
            return new Stat(null, new Result(Status.MISSING, 0, false, "no such file"));
        } catch (IOException e) {
            return new Stat(null, new Result(Status.UNREADABLE, 0, false, describe(e)));
        }
    }

    private static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
