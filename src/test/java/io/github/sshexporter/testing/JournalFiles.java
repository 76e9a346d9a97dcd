package io.github.sshexporter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real journal files in a test's own directory, written by systemd's systemd-journal-remote from
 * journal export format (never the machine's journal). Each {@link #write} makes a new file, as
 * journald does when it rotates.
 */
public final class JournalFiles {
    private static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");

    private final Path dir;
    private int files;
    private long clock;

    public JournalFiles(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** One export-format entry as a syslog line; a byte[] message is written in the binary form (any bytes). */
    public byte[] entry(String identifier, String uid, Object message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // Written now, as journald would: a reader that started from "now" sees it; never out of order.
        clock = Math.max(clock + 1, System.currentTimeMillis() * 1000L);
        text(out, "__REALTIME_TIMESTAMP=" + clock + "\n__MONOTONIC_TIMESTAMP=" + clock
                + "\n_BOOT_ID=0123456789abcdef0123456789abcdef\n");
        text(out, "_TRANSPORT=syslog\nSYSLOG_IDENTIFIER=" + identifier + "\n");
        if (uid != null) {
            text(out, "_UID=" + uid + "\n");
        }
        if (message instanceof byte[] raw) {
            text(out, "MESSAGE\n");
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(raw.length).array());
            out.writeBytes(raw);
            text(out, "\n");
        } else {
            text(out, "MESSAGE=" + message + "\n");
        }
        text(out, "\n");
        return out.toByteArray();
    }

    /** sshd's own line (identifier sshd-session, from root). */
    public byte[] sshd(String message) {
        return entry("sshd-session", "0", message);
    }

    /** Writes the entries as a new journal file in the directory. */
    public void write(byte[]... entries) throws Exception {
        assertTrue(Files.isExecutable(JOURNAL_REMOTE),
                JOURNAL_REMOTE + " is missing: apt-get install systemd-journal-remote");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            all.writeBytes(e);
        }
        Path file = dir.resolve("remote-" + files++ + ".journal");
        NativeTools.Result r = NativeTools.run(List.of(JOURNAL_REMOTE.toString(), "-o", file.toString(), "-"),
                all.toByteArray());
        assertEquals(0, r.exitCode(), r.stderr());
    }

    private static void text(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
