package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resync of a file that has not changed since long before the last read does not read it again. */
class ResyncSkipNativeTest {
    @TempDir
    Path dir;

    @Test
    void unchangedOldFileIsNotReadAgainButAnyChangeIs() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "198.51.100.1", "198.51.100.1", "11");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 10_000));
        UtmpSessionSource source = UtmpSessionSource.open(file);
        try {
            Snapshot first = source.read();
            assertEquals(1, first.sessions().size());
            Snapshot again = source.resyncRead();
            assertEquals(first.sessions(), again.sessions());
            assertTrue(again.delta().empty());

            NativeTools.utmp(file, "login", "pts/2", "bob", "198.51.100.2", "198.51.100.2", "12");
            Snapshot changed = source.resyncRead();
            assertEquals(2, changed.sessions().size());
            assertEquals(1, changed.delta().added().size());

            // And the next change too.
            NativeTools.utmp(file, "logout", "pts/2");
            assertEquals(1, source.resyncRead().sessions().size());
        } finally {
            source.close();
        }
    }
}
