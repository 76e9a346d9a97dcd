package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One watcher on several files (waiting for a utmp file or logind's directory to appear). */
class FileWatcherNativeTest {
    @TempDir
    Path dir;

    @Test
    void aChangeToAnyWatchedFileEndsTheWait() throws Exception {
        Path a = Files.createDirectory(dir.resolve("run")).resolve("utmp");
        Path parent = Files.createDirectory(dir.resolve("systemd"));
        Path b = parent.resolve("sessions");
        try (FileWatcher w = FileWatcher.open(a, b)) {
            Files.writeString(dir.resolve("run/other"), "x");
            Files.createDirectory(parent.resolve("seats"));
            assertEquals(Wake.TIMEOUT, w.await(100), "other names in the directories");
            Files.createDirectory(b);
            assertEquals(Wake.CHANGED, w.await(1_000), "the second target appeared");
            Files.createFile(a);
            assertEquals(Wake.CHANGED, w.await(1_000), "the first target appeared");
            Files.writeString(a, "y");
            assertEquals(Wake.CHANGED, w.await(1_000), "the first target was written");
            w.wakeUp();
            assertEquals(Wake.WOKEN, w.await(60_000));
        }
    }

    @Test
    void aTimeoutNeverEndsBeforeItsTime() throws Exception {
        // poll() counts whole milliseconds: a wait rounded down returned at 9.1 ms of 10, and the
        // session loop's 10 ms quiet rule then waited a second time (about 18 ms in all).
        try (FileWatcher w = FileWatcher.open(dir.resolve("utmp"))) {
            for (int i = 0; i < 20; i++) {
                long start = System.nanoTime();
                assertEquals(Wake.TIMEOUT, w.await(10));
                long elapsed = System.nanoTime() - start;
                assertTrue(elapsed >= 10_000_000L, "returned after " + elapsed / 1e6 + " ms");
            }
        }
    }

    @Test
    void targetsSharingADirectory() throws Exception {
        Path a = dir.resolve("utmp");
        Path b = dir.resolve("utmp.other");
        try (FileWatcher w = FileWatcher.open(a, b)) {
            Files.createFile(b);
            assertEquals(Wake.CHANGED, w.await(1_000));
            Files.createFile(a);
            assertEquals(Wake.CHANGED, w.await(1_000));
            Files.delete(b);
            assertEquals(Wake.CHANGED, w.await(1_000));
            Files.writeString(a, "z");
            assertEquals(Wake.CHANGED, w.await(1_000), "the file watch of the first survived");
        }
    }
}
