package io.github.sshexporter.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 */
public final class UtmpxTail {
    private final Path path;
    private final UtmpxDecoder decoder;
    private final byte[] record;
    private final ByteBuffer buffer;
    private Object fileKey;
    private long offset;

    public UtmpxTail(Path path, UtmpxLayout layout) {
        this.path = path;
        this.decoder = new UtmpxDecoder(layout);
        this.record = new byte[layout.size];
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
        fileKey = attributes.fileKey();
        offset = attributes.size() - attributes.size() % record.length;
        return new Result(Status.OK, 0, false, "");
    }

    /**
     * Reads the records appended since the last call. The first call reads from the start of the
     * file (pass a sink that ignores them to start "from now"). A different file behind the path
     * (rotation) or a shorter one (truncation) is read from its start.
     */
    public Result poll(Consumer<UtmpxRecord> sink) {
        Stat stat = stat();
        if (stat.failure() != null) {
            return stat.failure();
        }
        BasicFileAttributes attributes = stat.attributes();
        boolean rotated = false;
        Object key = attributes.fileKey();
        if (fileKey != null && !Objects.equals(key, fileKey) || attributes.size() < offset) {
            rotated = true;
            offset = 0;
        }
        fileKey = key;
        int count = 0;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < offset) {
                offset = 0;
                rotated = true;
            }
            // Only whole records: a record being appended right now is read next time.
            long end = size - size % record.length;
            while (offset < end) {
                buffer.clear();
                buffer.limit((int) Math.min(buffer.capacity(), end - offset));
                int n = channel.read(buffer, offset);
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
                    count++;
                    sink.accept(decoder.decode(record));
                }
                if (whole == 0) {
                    break;
                }
            }
        } catch (NoSuchFileException e) {
            return new Result(Status.MISSING, count, rotated, "no such file");
        } catch (IOException e) {
            return new Result(Status.UNREADABLE, count, rotated, describe(e));
        }
        return new Result(Status.OK, count, rotated, "");
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
