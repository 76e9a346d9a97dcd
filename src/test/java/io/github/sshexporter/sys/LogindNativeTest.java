package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The sd-login binding against this machine's real libsystemd. Debian always has it (apt needs
 * libsystemd0); whether logind runs here does not matter: a live logind is the native-test
 * suite's (native-test/suites/60-logind.sh, in systemd-nspawn containers).
 */
class LogindNativeTest {
    @Test
    void libsystemdLoadsBySoname() throws Exception {
        assertNull(Logind.libraryError(), "libsystemd.so.0 should load here");
        Logind.open();
    }

    @Test
    void listingNeverThrows() throws Exception {
        Logind logind = Logind.open();
        Logind.Listing listing = logind.read(k -> true);
        if (Files.isDirectory(Logind.SESSIONS_DIR)) {
            assertTrue(listing.ok(), listing.detail());
            assertEquals(listing.listed() >= listing.sessions().size(), true);
        } else {
            assertEquals(2, listing.errno(), "ENOENT without logind's directory: " + listing.detail());
        }
    }

    @Test
    void userNamesFromTheUidThroughGetpwuidR() throws Exception {
        Logind logind = Logind.open();
        assertEquals("root", logind.userName(0));
        assertEquals("4123456789", logind.userName(4_123_456_789L), "an unknown uid stays a number");
    }

    @Test
    void monitorWakesUpAtOnceAndTimesOut() throws Exception {
        if (!Files.isDirectory(Logind.SESSIONS_DIR)) {
            NativeException e = assertThrows(NativeException.class, LoginMonitor::open);
            assertTrue(e.getMessage().contains("ENOENT"), e.getMessage());
            return;
        }
        try (LoginMonitor monitor = LoginMonitor.open()) {
            long t0 = System.nanoTime();
            assertEquals(Wake.TIMEOUT, monitor.await(50));
            assertTrue(System.nanoTime() - t0 >= 45_000_000L, "waited for the timeout");
            monitor.wakeUp();
            t0 = System.nanoTime();
            assertEquals(Wake.WOKEN, monitor.await(60_000));
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "woken at once");
        }
    }
}
