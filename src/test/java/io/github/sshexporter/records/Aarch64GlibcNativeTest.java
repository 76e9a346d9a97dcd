package io.github.sshexporter.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sshexporter.testing.NativeTools;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aarch64 layout against aarch64 glibc itself: the offsetof/sizeof probe and the record
 * writer built with Debian's cross compiler and run under qemu-user, their records written by
 * aarch64 glibc's own pututxline() and updwtmpx(), read back field by field with
 * {@link UtmpxLayout#AARCH64} on this machine.
 */
class Aarch64GlibcNativeTest {
    /** Past 2038 (2100-01-01), and a 64-bit ut_session with its high half set. */
    private static final long AFTER_2038 = 4_102_444_800L;
    private static final long SESSION = 0x1234_5678_9ABC_DEF0L;

    @TempDir
    Path dir;

    private static NativeTools.Result aarch64(String program, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "UTMPX_WRITER_SESSION=" + SESSION));
        command.addAll(NativeTools.aarch64Program(program));
        command.addAll(List.of(args));
        NativeTools.Result r = NativeTools.run(command);
        assertEquals(0, r.exitCode(), () -> String.join(" ", command) + ": " + r.stderr());
        return r;
    }

    @Test
    void offsetsMatchTheAarch64Compiler() throws Exception {
        int[] compiler = Arrays.stream(aarch64("utmpx_layout").stdout().trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(compiler, UtmpxLayout.AARCH64.offsets(), "offsetof/sizeof of struct utmpx in aarch64 glibc");
        assertEquals(400, UtmpxLayout.AARCH64.size);
    }

    private static long int64(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (b[at + i] & 0xff);
        }
        return v;
    }

    @Test
    void recordsWrittenByAarch64GlibcDecodeFieldByField() throws Exception {
        Path utmp = dir.resolve("utmp");
        Files.createFile(utmp);
        aarch64("utmpx_writer", utmp.toString(), "login", "pts/3", "alice", "2001:db8::7", "2001:db8::7", "4242",
                String.valueOf(AFTER_2038));
        aarch64("utmpx_writer", utmp.toString(), "login", "pts/12345", "bob", "198.51.100.9 via mosh [77]", "198.51.100.9", "77");
        Path wtmp = dir.resolve("wtmp");
        Files.createFile(wtmp);
        aarch64("utmpx_writer", wtmp.toString(), "wuser", "pts/4", "carol", "203.0.113.4", "203.0.113.4", "99",
                String.valueOf(AFTER_2038 + 1), "654321");
        aarch64("utmpx_writer", wtmp.toString(), "wdead", "pts/4", String.valueOf(AFTER_2038 + 60), "1");

        UtmpxDecoder d = new UtmpxDecoder(UtmpxLayout.AARCH64);
        byte[] u = Files.readAllBytes(utmp);
        assertEquals(2 * 400, u.length, "two 400-byte records");
        UtmpxRecord a = d.decode(Arrays.copyOfRange(u, 0, 400));
        assertEquals(UtmpxRecord.USER_PROCESS, a.type());
        assertEquals(4242, a.pid());
        assertEquals("pts/3", a.line());
        assertEquals("ts/3", a.id());
        assertEquals("alice", a.user());
        assertEquals("2001:db8::7", a.host());
        assertArrayEquals(InetAddress.getByName("2001:db8::7").getAddress(), a.address());
        assertEquals(AFTER_2038, a.seconds(), "64-bit tv_sec past 2038");
        assertEquals(123456, a.micros());
        assertEquals(SESSION, int64(u, UtmpxLayout.AARCH64.session), "64-bit ut_session");
        assertEquals(8, UtmpxLayout.AARCH64.sessionSize);

        UtmpxRecord b = d.decode(Arrays.copyOfRange(u, 400, 800));
        assertEquals("pts/12345", b.line());
        assertEquals("2345", b.id(), "the last four characters of the line, as sshd writes ut_id");
        assertEquals("198.51.100.9 via mosh [77]", b.host());
        assertArrayEquals(Arrays.copyOf(InetAddress.getByName("198.51.100.9").getAddress(), 16), b.address());

        byte[] w = Files.readAllBytes(wtmp);
        assertEquals(2 * 400, w.length, "updwtmpx appended two records");
        UtmpxRecord login = d.decode(Arrays.copyOfRange(w, 0, 400));
        assertEquals(List.of(UtmpxRecord.USER_PROCESS, 99, "carol", "203.0.113.4", AFTER_2038 + 1, 654321L),
                List.of(login.type(), login.pid(), login.user(), login.host(), login.seconds(), login.micros()));
        UtmpxRecord logout = d.decode(Arrays.copyOfRange(w, 400, 800));
        assertEquals(List.of(UtmpxRecord.DEAD_PROCESS, "pts/4", "", AFTER_2038 + 60, 1L),
                List.of(logout.type(), logout.line(), logout.user(), logout.seconds(), logout.micros()));
    }
}
