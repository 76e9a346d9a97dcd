package io.github.sshexporter.cli;

import io.github.sshexporter.app.Config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertNull;

import io.github.sshexporter.log.Log;
import io.github.sshexporter.web.ListenAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.github.sshexporter.sessions.CounterMode;
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
        assertEquals(List.of(new ListenAddress("0.0.0.0", 9999)), c.web().listen());
        assertEquals(15, c.sources().intervalSeconds());
        assertEquals(Path.of("/var/run/utmp"), c.sources().file());
        assertEquals(Path.of("/var/log/wtmp"), c.logs().wtmpFile());
        assertEquals(Path.of("/var/log/btmp"), c.logs().btmpFile());
        assertEquals(false, c.collectors().perSession());
        assertEquals(false, c.sources().excludeStale());
        assertEquals("/metrics", c.web().telemetryPath());
        assertNull(c.web().configFile());
        assertEquals(Log.Level.INFO, c.logging().level());
        assertEquals(Log.Format.LOGFMT, c.logging().format());
    }

    @Test
    void loginLogsCanBeMovedOrTurnedOff() throws UsageException {
        Path w = dir.resolve("wtmp");
        Config c = run("--wtmp.file", w.toString(), "--btmp.file=", "--collector.sessions", "--sessions.exclude-stale");
        assertEquals(w, c.logs().wtmpFile());
        assertEquals(null, c.logs().btmpFile());
        assertTrue(c.collectors().perSession());
        assertTrue(c.sources().excludeStale());
    }

    @Test
    void shortAndLongFlags() throws UsageException {
        Path f = dir.resolve("utmp");
        Config c = run("-H", "127.0.0.1", "-p", "9100", "-i", "3600", "-f", f.toString());
        assertEquals(new Config(new Config.Web(List.of(new ListenAddress("127.0.0.1", 9100)), "/metrics", null),
                new Config.Sources(Config.DEFAULT_SOURCE, f, 3600, false),
                new Config.LoginLogs(Path.of("/var/log/wtmp"), Path.of("/var/log/btmp"), Config.DEFAULT_EVENTS_SOURCE,
                        true, null),
                new Config.Logging(Log.Level.INFO, Log.Format.LOGFMT),
                new Config.Collectors(false, true)), c);
        assertEquals(c, run("--host=127.0.0.1", "--port", "9100", "--interval", "3600", "--file", f.toString()));
        assertEquals(c, run("--web.listen-address=127.0.0.1:9100", "-i", "3600", "-f", f.toString()));
    }

    @Test
    void ecosystemSpellings() throws UsageException {
        Config c = run("--web.listen-address", "127.0.0.1:9100", "--web.listen-address=[::1]:9101",
                "--web.listen-address", ":9102", "--web.telemetry-path", "/x/metrics",
                "--web.config.file", "web.yml", "--log.level", "debug", "--log.format=json");
        assertEquals(List.of(new ListenAddress("127.0.0.1", 9100), new ListenAddress("::1", 9101),
                new ListenAddress("", 9102)), c.web().listen());
        assertEquals("/x/metrics", c.web().telemetryPath());
        assertEquals(Path.of("web.yml").toAbsolutePath(), c.web().configFile());
        assertEquals(Log.Level.DEBUG, c.logging().level());
        assertEquals(Log.Format.JSON, c.logging().format());
        assertEquals(List.of(new ListenAddress("::1", 9999)), run("-H", "::1").web().listen());
        assertEquals(List.of(new ListenAddress("::", 9999)), run("-H", "[::]").web().listen());
        assertEquals(Log.Level.WARN, run("--log.level", "warn").logging().level());
    }

    @Test
    void helpAndVersion() throws UsageException {
        assertInstanceOf(CommandLineParser.Help.class, CommandLineParser.parse(new String[] {"--help"}));
        assertInstanceOf(CommandLineParser.Help.class, CommandLineParser.parse(new String[] {"-h"}));
        assertInstanceOf(CommandLineParser.Version.class, CommandLineParser.parse(new String[] {"-V"}));
        String help = CommandLineParser.help();
        for (String flag : new String[] {"--host", "--port", "--interval", "--file", "--help", "--version",
                "--web.listen-address", "--web.telemetry-path", "--web.config.file", "--log.level", "--log.format"}) {
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
        "-p 9100 --web.listen-address :9100|give either --web.listen-address or -H/--host and -p/--port, not both",
        "--web.listen-address :9100 -H 127.0.0.1|give either --web.listen-address or -H/--host and -p/--port, not both",
        "--web.listen-address 9100|--web.listen-address '9100' has no port (write host:port, [::1]:port or :port)",
        "--web.listen-address ::1:9100|--web.listen-address '::1:9100': an IPv6 address needs brackets, as in [::1]:9999",
        "--web.listen-address 127.0.0.1:0|--web.listen-address '127.0.0.1:0': port 0 is out of range (1 to 65535)",
        "--web.listen-address 127.0.0.1:x|--web.listen-address '127.0.0.1:x': port 'x' is not a number from 1 to 65535",
        "--web.listen-address :1 --web.listen-address :1|--web.listen-address :1 given twice",
        "--web.telemetry-path metrics|--web.telemetry-path 'metrics' must start with / and hold no spaces, ? or #",
        "--web.telemetry-path /-/healthy|--web.telemetry-path /-/healthy is taken by the health check",
        "--log.level trace|--log.level 'trace' is not one of debug, info, warn, error",
        "--log.format text|--log.format 'text' is not one of logfmt, json",
        "--log.format json --log.format json|option --log.format given more than once",
    })
    void badInputIsOneClearLine(String args, String message) {
        UsageException e = assertThrows(UsageException.class, () -> CommandLineParser.parse(args.split(" ")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void sourceIsAutoUnlessAsked() throws UsageException {
        assertEquals(io.github.sshexporter.sessions.SourceMode.AUTO, run().sources().source());
        assertEquals(io.github.sshexporter.sessions.SourceMode.LOGIND, run("--source", "logind").sources().source());
        assertEquals(io.github.sshexporter.sessions.SourceMode.UTMP, run("--source=utmp").sources().source());
        UsageException e = assertThrows(UsageException.class, () -> CommandLineParser.parse(
                new String[] {"--source", "systemd"}));
        assertEquals("--source 'systemd' is not one of auto, utmp, logind", e.getMessage());
        e = assertThrows(UsageException.class, () -> CommandLineParser.parse(
                new String[] {"--source", "utmp", "--source", "logind"}));
        assertEquals("option --source given more than once", e.getMessage());
        assertTrue(CommandLineParser.help().contains("--source <auto|utmp|logind>"), CommandLineParser.help());
    }

    @Test
    void eventsSourceIsAutoUnlessAsked() throws UsageException {
        assertEquals(CounterMode.AUTO, run().logs().eventsSource());
        assertEquals(CounterMode.WTMP, run("--sessions.events-source", "wtmp").logs().eventsSource());
        assertEquals(CounterMode.SNAPSHOTS, run("--sessions.events-source=snapshots").logs().eventsSource());
        UsageException e = assertThrows(UsageException.class, () -> CommandLineParser.parse(
                new String[] {"--sessions.events-source", "journal"}));
        assertEquals("--sessions.events-source 'journal' is not one of auto, wtmp, snapshots", e.getMessage());
        assertTrue(CommandLineParser.help().contains("--sessions.events-source <auto|wtmp|snapshots>"),
                CommandLineParser.help());
    }

    @Test
    void missingFileInAnExistingDirectoryIsAccepted() throws Exception {
        Path f = dir.resolve("not-yet");
        assertEquals(f, run("-f", f.toString()).sources().file());
        Files.writeString(dir.resolve("x"), "");
    }

    @Test
    void jvmMetricsCanBeTurnedOff() throws Exception {
        assertEquals(true, ((CommandLineParser.Run) CommandLineParser.parse(new String[0])).config().collectors().jvm());
        assertEquals(false, ((CommandLineParser.Run) CommandLineParser.parse(new String[] {"--no-collector.jvm"}))
                .config().collectors().jvm());
    }
}
