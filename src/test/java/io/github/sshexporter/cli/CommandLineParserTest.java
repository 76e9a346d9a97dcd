package io.github.sshexporter.cli;

import io.github.sshexporter.app.Config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CommandLineParserTest {
    @TempDir
    Path dir;

    private Config run(String... args) throws UsageException {
        return assertInstanceOf(CommandLineParser.Run.class, CommandLineParser.parse(args)).config();
    }

    @Test
    void defaultsAreTheOldScriptsDefaults() throws UsageException {
        Config c = run();
        assertEquals("0.0.0.0", c.host());
        assertEquals(9999, c.port());
        assertEquals(15, c.intervalSeconds());
        assertEquals(Path.of("/var/run/utmp"), c.file());
        assertEquals(Path.of("/var/log/wtmp"), c.wtmpFile());
        assertEquals(Path.of("/var/log/btmp"), c.btmpFile());
        assertEquals(false, c.perSession());
        assertEquals(false, c.excludeStale());
    }

    @Test
    void loginLogsCanBeMovedOrTurnedOff() throws UsageException {
        Path w = dir.resolve("wtmp");
        Config c = run("--wtmp.file", w.toString(), "--btmp.file=", "--collector.sessions", "--sessions.exclude-stale");
        assertEquals(w, c.wtmpFile());
        assertEquals(null, c.btmpFile());
        assertTrue(c.perSession());
        assertTrue(c.excludeStale());
    }

    @Test
    void shortAndLongFlags() throws UsageException {
        Path f = dir.resolve("utmp");
        Config c = run("-H", "127.0.0.1", "-p", "9100", "-i", "3600", "-f", f.toString());
        assertEquals(new Config("127.0.0.1", 9100, 3600, f, Path.of("/var/log/wtmp"), Path.of("/var/log/btmp"),
                false, false), c);
        assertEquals(c, run("--host=127.0.0.1", "--port", "9100", "--interval", "3600", "--file", f.toString()));
    }

    @Test
    void helpAndVersion() throws UsageException {
        assertInstanceOf(CommandLineParser.Help.class, CommandLineParser.parse(new String[] {"--help"}));
        assertInstanceOf(CommandLineParser.Help.class, CommandLineParser.parse(new String[] {"-h"}));
        assertInstanceOf(CommandLineParser.Version.class, CommandLineParser.parse(new String[] {"-V"}));
        String help = CommandLineParser.help();
        for (String flag : new String[] {"--host", "--port", "--interval", "--file", "--help", "--version"}) {
            assertTrue(help.contains(flag), flag);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "-p abc|--port 'abc' is not a whole number",
        "-p 70000|--port 70000 is out of range (1 to 65535)",
        "-p 0|--port 0 is out of range (1 to 65535)",
        "-i 0|--interval 0 is out of range (1 to 86400)",
        "-i -5|--interval -5 is out of range (1 to 86400)",
        "--bogus|unknown option '--bogus'",
        "-p|option --port needs a value",
        "stray|unexpected argument 'stray'",
        "-p 1 -p 2|option --port given more than once",
        "-f /nonexistent-dir/utmp|--file /nonexistent-dir/utmp: directory /nonexistent-dir does not exist",
        "-f /tmp|--file /tmp is a directory, not a utmp-format file",
        "--btmp.file /tmp|--btmp.file /tmp is a directory, not a utmp-format file",
        "--wtmp.file /nope/wtmp|--wtmp.file /nope/wtmp: directory /nope does not exist",
    })
    void badInputIsOneClearLine(String args, String message) {
        UsageException e = assertThrows(UsageException.class, () -> CommandLineParser.parse(args.split(" ")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void missingFileInAnExistingDirectoryIsAccepted() throws Exception {
        Path f = dir.resolve("not-yet");
        assertEquals(f, run("-f", f.toString()).file());
        Files.writeString(dir.resolve("x"), "");
    }

    @Test
    void jvmMetricsCanBeTurnedOff() throws Exception {
        assertEquals(true, ((CommandLineParser.Run) CommandLineParser.parse(new String[0])).config().jvmMetrics());
        assertEquals(false, ((CommandLineParser.Run) CommandLineParser.parse(new String[] {"--no-collector.jvm"}))
                .config().jvmMetrics());
    }
}
