package io.github.sshexporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --source} as a real process on this machine. A live systemd-logind is tested in
 * containers by native-test/suites/60-logind.sh; here logind must not run, which is the case
 * these tests need. So that they need no particular host, each exporter runs in a private mount
 * namespace with an empty tmpfs over /run/systemd, where systemd is not the init as far as the
 * exporter can tell (as root; otherwise in a user namespace that maps us to root).
 */
class SourceSelectionIT {
    private static final Pattern SOURCE_INFO = Pattern.compile("(?m)^ssh_exporter_source_info\\{source=\"([^\"]*)\"} 1");

    @TempDir
    Path dir;

    private ExporterProcess exporter;

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    private ExporterProcess start(String... args) throws Exception {
        // No login logs: a test never reads the machine's own wtmp/btmp.
        List<String> all = new java.util.ArrayList<>(List.of("-i", "3600", "--wtmp.file=", "--btmp.file="));
        all.addAll(List.of(args));
        exporter = ExporterProcess.startListening(withoutSystemd(), List.of(), all.toArray(String[]::new));
        return exporter;
    }

    /** A command prefix that hides /run/systemd (and so logind) from the exporter. */
    private static List<String> withoutSystemd() {
        List<String> prefix = new java.util.ArrayList<>(List.of("unshare", "--mount", "--propagation", "private"));
        if (!"root".equals(System.getProperty("user.name"))) {
            prefix.add("--map-root-user");
        }
        prefix.addAll(List.of("sh", "-c",
                "[ ! -d /run/systemd ] || mount -t tmpfs tmpfs /run/systemd || exit 97; exec \"$@\"", "sh"));
        return prefix;
    }

    private String source() {
        Matcher m = SOURCE_INFO.matcher(exporter.scrape());
        return m.find() ? m.group(1) : null;
    }

    private List<String> warnings() {
        return exporter.stderr().stream().filter(l -> l.contains("level=warn") || l.contains("level=error")).toList();
    }

    @Test
    void logindNotRunningIsOneWarningAndTheExporterKeepsServing() throws Exception {
        start("--source", "logind", "-f", dir.resolve("utmp").toString());
        assertEquals("logind", source());
        assertEquals(0.0, exporter.value("ssh_exporter_source_up"));
        assertEquals(Map.of(), exporter.sessions());
        List<String> warnings = warnings();
        assertEquals(1, warnings.size(), "one line: " + exporter.stderr());
        assertTrue(warnings.get(0).contains("msg=\"no session source yet; serving no sessions until one appears\""
                + " source=logind cause=\"systemd-logind is not running: systemd is not the init here"
                + " (no /run/systemd/system)\""), warnings.get(0));
        assertTrue(exporter.alive());
    }

    @Test
    void autoTakesTheUtmpFileWhenItExists() throws Exception {
        Path file = dir.resolve("utmp");
        Files.createFile(file);
        NativeTools.utmp(file, "login", "pts/1", "alice", "203.0.113.7", "203.0.113.7", "11");
        start("--source", "auto", "-f", file.toString());
        assertEquals("utmp", source());
        assertEquals(Map.of("203.0.113.7", 1), exporter.sessions());
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains(
                "msg=\"session source chosen\" source=utmp location=" + file + " reason=\"" + file + " exists\"")),
                exporter.stderr().toString());
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("msg=listening") && l.contains("source=utmp")));
        assertEquals(List.of(), warnings());
    }

    @Test
    void autoWaitsForEitherAndTakesTheFileTheMomentItAppears() throws Exception {
        Path file = dir.resolve("utmp");
        start("-f", file.toString()); // auto is the default
        assertEquals("none", source());
        assertEquals(0.0, exporter.value("ssh_exporter_source_up"));
        List<String> warnings = warnings();
        assertEquals(1, warnings.size(), exporter.stderr().toString());
        assertTrue(warnings.get(0).contains("source=none cause=\"" + file + " is missing, and systemd-logind is not running"),
                warnings.get(0));

        Path staging = dir.resolve("utmp.tmp");
        Files.createFile(staging);
        NativeTools.utmp(staging, "login", "pts/4", "carol", "198.51.100.4", "198.51.100.4", "44");
        Files.move(staging, file);
        // The resync interval is an hour: only inotify can have seen it.
        Await.assertEventually(1_000, new TreeMap<>(Map.of("198.51.100.4", 1)), exporter::sessions, "file appeared");
        assertEquals("utmp", source());
        assertEquals(1.0, exporter.value("ssh_exporter_source_up"));
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("msg=\"session source chosen\" source=utmp")));

        // Chosen once: a later disappearance is the utmp source's "missing", not a new choice.
        Files.delete(file);
        Await.assertEventually(1_000, 0.0, () -> exporter.value("ssh_exporter_source_up"), "file gone");
        assertEquals("utmp", source());
    }

    @Test
    void utmpIsNeverReplacedByLogind() throws Exception {
        start("--source", "utmp", "-f", dir.resolve("utmp").toString());
        assertEquals("utmp", source());
        assertEquals(0.0, exporter.value("ssh_exporter_source_up"));
    }

    @Test
    void anUnknownSourceIsBadUsage() throws Exception {
        ExporterProcess p = ExporterProcess.runToEnd("--source", "systemd");
        assertEquals(2, p.waitFor(1, TimeUnit.SECONDS));
        assertEquals(List.of("ssh-exporter: --source 'systemd' is not one of auto, utmp, logind (see ssh-exporter --help)"),
                p.stderr());
    }
}
