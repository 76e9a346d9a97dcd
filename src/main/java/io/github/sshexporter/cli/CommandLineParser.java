package io.github.sshexporter.cli;

import io.github.sshexporter.app.Config;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.web.ListenAddress;
import io.github.sshexporter.sessions.CounterMode;
import io.github.sshexporter.sessions.SourceMode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

/** Flags in, a validated {@link Config} (or a request for help/version) out. */
public final class CommandLineParser {

    /** What the command line asks for. */
    public sealed interface Request permits Run, Help, Version {}

    public record Run(Config config) implements Request {}

    public record Help() implements Request {}

    public record Version() implements Request {}

    static final Options OPTIONS = new Options()
            .addOption(Option.builder().longOpt("web.listen-address").hasArg().argName("HOST:PORT")
                    .desc("Address to serve on: host:port, [::1]:port, or :port for every interface (IPv6 "
                            + "and IPv4). Repeat it to serve on several addresses. Default "
                            + Config.DEFAULT_HOST + ":" + Config.DEFAULT_PORT + " (every IPv4 interface).").get())
            .addOption(Option.builder("H").longOpt("host").hasArg().argName("ADDRESS")
                    .desc("Old spelling: the host part of --web.listen-address (default " + Config.DEFAULT_HOST
                            + "; :: for IPv6 too; 127.0.0.1 for this host only).").get())
            .addOption(Option.builder("p").longOpt("port").hasArg().argName("PORT")
                    .desc("Old spelling: the port part of --web.listen-address (default " + Config.DEFAULT_PORT
                            + ").").get())
            .addOption(Option.builder().longOpt("web.telemetry-path").hasArg().argName("PATH")
                    .desc("Path under which to serve metrics (default " + Config.DEFAULT_TELEMETRY_PATH
                            + "). / shows a landing page otherwise; /-/healthy answers 200.").get())
            .addOption(Option.builder().longOpt("web.config.file").hasArg().argName("FILE")
                    .desc("Web config file of the Prometheus exporter-toolkit (the one node_exporter reads): "
                            + "TLS, client certificates, basic auth, response headers. Re-read when it or the "
                            + "files it names change. Default: none (plain HTTP, no auth).").get())
            .addOption(Option.builder("i").longOpt("interval").hasArg().argName("SECONDS")
                    .desc("Safety resync interval in whole seconds, 1 to " + Config.MAX_INTERVAL + " (default "
                            + Config.DEFAULT_INTERVAL + "). Changes are seen at once through inotify; "
                            + "this only bounds how long a missed event could matter.").get())
            .addOption(Option.builder("f").longOpt("file").hasArg().argName("PATH")
                    .desc("utmp database to read (default " + Config.DEFAULT_FILE
                            + "). It may be missing at start; it is picked up when it appears.").get())
            .addOption(Option.builder().longOpt("wtmp.file").hasArg().argName("PATH")
                    .desc("wtmp log to follow for ssh_sessions_opened_total/closed_total and session durations "
                            + "on a utmp host (default " + Config.DEFAULT_WTMP + "). Empty: count from utmp "
                            + "snapshots instead.").get())
            .addOption(Option.builder().longOpt("sessions.events-source").hasArg().argName(CounterMode.labels().replace(", ", "|"))
                    .desc("What feeds the opened/closed counters and the duration histogram (default "
                            + Config.DEFAULT_EVENTS_SOURCE.label() + "). auto: wtmp on a utmp host whose wtmp is "
                            + "readable at start, else the session source's snapshots (always on a logind host, "
                            + "where wtmp lacks logouts and sessions without a terminal). wtmp or snapshots: that, "
                            + "whatever the host. Logged at start and served as "
                            + "ssh_exporter_session_events_source{source}.").get())
            .addOption(Option.builder().longOpt("btmp.file").hasArg().argName("PATH")
                    .desc("btmp log to follow for ssh_failed_logins_total (default " + Config.DEFAULT_BTMP
                            + "). Empty: do not count failed logins.").get())
            .addOption(Option.builder().longOpt("no-collector.auth")
                    .desc("Do not follow sshd's lines in the systemd journal (the ssh_auth_* metrics stay at 0, and "
                            + "btmp feeds ssh_failed_logins_total).").get())
            .addOption(Option.builder().longOpt("journal.directory").hasArg().argName("DIR")
                    .desc("Read the journal files in DIR (e.g. a container's /var/log/journal/MACHINE-ID) instead "
                            + "of the local system journal.").get())
            .addOption(Option.builder().longOpt("collector.sessions")
                    .desc("Also serve ssh_session_start_time_seconds{user,remote_ip,tty,pid}: one series per live "
                            + "session (off by default: one series per login is high cardinality).").get())
            .addOption(Option.builder().longOpt("sessions.exclude-stale")
                    .desc("Leave records whose process no longer exists out of all counts (off by default; "
                            + "they are always reported in ssh_stale_sessions). Do not use where the exporter "
                            + "cannot see the host's processes (its own pid namespace).").get())
            .addOption(Option.builder().longOpt("log.level").hasArg().argName("LEVEL")
                    .desc("Only log messages at or above this level: debug, info, warn, error (default info).")
                    .get())
            .addOption(Option.builder().longOpt("log.format").hasArg().argName("FORMAT")
                    .desc("Log line format on stderr: logfmt or json (default logfmt).").get())
            .addOption(Option.builder().longOpt("source").hasArg().argName(SourceMode.labels().replace(", ", "|"))
                    .desc("Where sessions come from (default " + Config.DEFAULT_SOURCE.label() + "). utmp: the --file. "
                            + "logind: systemd-logind through libsystemd (for hosts without utmp, such as Debian 13); "
                            + "it counts sshd's sessions and local console and desktop logins. auto: the --file when "
                            + "it exists, else logind when it runs, else wait for either. The choice is logged and "
                            + "served as ssh_exporter_source_info{source}.").get())
            .addOption(Option.builder().longOpt("no-collector.jvm")
                    .desc("Do not serve the jvm_* metrics (the process_* metrics stay). Saves about 0.5 MB of "
                            + "resident memory.").get())
            .addOption(Option.builder("h").longOpt("help").desc("Print this help and exit.").get())
            .addOption(Option.builder("V").longOpt("version").desc("Print the version and exit.").get());

    private CommandLineParser() {}

    public static Request parse(String[] args) throws UsageException {
        CommandLine line;
        try {
            line = new DefaultParser().parse(OPTIONS, args);
        } catch (UnrecognizedOptionException e) {
            throw new UsageException("unknown option '" + e.getOption() + "'");
        } catch (MissingArgumentException e) {
            throw new UsageException("option " + describe(e.getOption()) + " needs a value");
        } catch (ParseException e) {
            throw new UsageException(e.getMessage());
        }
        List<String> rest = line.getArgList();
        if (!rest.isEmpty()) {
            throw new UsageException("unexpected argument '" + rest.get(0) + "'");
        }
        if (line.hasOption("help")) {
            return new Help();
        }
        if (line.hasOption("version")) {
            return new Version();
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Option o : line.getOptions()) {
            if (!o.getKey().equals("web.listen-address") && !seen.add(o.getKey())) {
                throw new UsageException("option " + describe(o) + " given more than once");
            }
        }
        List<ListenAddress> listen = listenAddresses(line);
        long interval = number(line, "interval", Config.DEFAULT_INTERVAL, 1, Config.MAX_INTERVAL);
        Path file = utmpFile("--file", line.getOptionValue("file", Config.DEFAULT_FILE));
        Path wtmp = optionalLog(line, "wtmp.file", Config.DEFAULT_WTMP);
        Path btmp = optionalLog(line, "btmp.file", Config.DEFAULT_BTMP);
        String telemetryPath = telemetryPath(line.getOptionValue("web.telemetry-path", Config.DEFAULT_TELEMETRY_PATH));
        Path webConfig = webConfigFile(line.getOptionValue("web.config.file", ""));
        Log.Level level = choice(line, "log.level", "info", Log.Level.class, "debug, info, warn, error");
        Log.Format format = choice(line, "log.format", "logfmt", Log.Format.class, "logfmt, json");
        SourceMode source = source(line.getOptionValue("source"));
        CounterMode events = choice(line, "sessions.events-source", Config.DEFAULT_EVENTS_SOURCE.label(),
                CounterMode.class, CounterMode.labels());
        return new Run(new Config(new Config.Web(listen, telemetryPath, webConfig),
                new Config.Sources(source, file, interval, line.hasOption("sessions.exclude-stale")),
                new Config.LoginLogs(wtmp, btmp, events, !line.hasOption("no-collector.auth"),
                        journalDirectory(line.getOptionValue("journal.directory"))),
                new Config.Logging(level, format),
                new Config.Collectors(line.hasOption("collector.sessions"), !line.hasOption("no-collector.jvm"))));
    }

    /** --web.listen-address (repeatable), or the old -H/-p; never both. */
    private static List<ListenAddress> listenAddresses(CommandLine line) throws UsageException {
        boolean old = line.hasOption("host") || line.hasOption("port");
        if (line.hasOption("web.listen-address")) {
            if (old) {
                throw new UsageException("give either --web.listen-address or -H/--host and -p/--port, not both");
            }
            List<ListenAddress> out = new ArrayList<>();
            for (String text : line.getOptionValues("web.listen-address")) {
                try {
                    ListenAddress a = ListenAddress.parse(text);
                    if (out.contains(a)) {
                        throw new UsageException("--web.listen-address " + a + " given twice");
                    }
                    out.add(a);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--web.listen-address " + e.getMessage());
                }
            }
            return out;
        }
        String host = line.getOptionValue("host", Config.DEFAULT_HOST).strip();
        if (host.isEmpty()) {
            throw new UsageException("--host must not be empty");
        }
        int port = (int) number(line, "port", Config.DEFAULT_PORT, 1, 65_535);
        return List.of(ListenAddress.of(host, port));
    }

    private static String telemetryPath(String path) throws UsageException {
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == '?' || c == '#' || c == 0x7f)) {
            throw new UsageException("--web.telemetry-path '" + path + "' must start with / and hold no spaces, ? or #");
        }
        if (path.equals("/-/healthy")) {
            throw new UsageException("--web.telemetry-path /-/healthy is taken by the health check");
        }
        return path;
    }

    private static Path webConfigFile(String text) throws UsageException {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException("--web.config.file '" + text + "' is not a valid path");
        }
    }

    private static <E extends Enum<E>> E choice(CommandLine line, String name, String fallback, Class<E> type,
            String allowed) throws UsageException {
        String text = line.getOptionValue(name, fallback).strip();
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw new UsageException("--" + name + " '" + text + "' is not one of " + allowed);
    }

    /** An existing directory, or null for the system journal. */
    private static Path journalDirectory(String text) throws UsageException {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Path dir = Path.of(text);
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new UsageException("--journal.directory " + text + ": not a directory");
        }
        return dir;
    }

    private static SourceMode source(String text) throws UsageException {
        if (text == null) {
            return Config.DEFAULT_SOURCE;
        }
        SourceMode mode = SourceMode.parse(text);
        if (mode == null) {
            throw new UsageException("--source '" + text + "' is not one of " + SourceMode.labels());
        }
        return mode;
    }

    private static long number(CommandLine line, String name, long fallback, long min, long max)
            throws UsageException {
        String text = line.getOptionValue(name);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " '" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw new UsageException("--" + name + " " + value + " is out of range (" + min + " to " + max + ")");
        }
        return value;
    }

    /** An empty value turns the log off. */
    private static Path optionalLog(CommandLine line, String name, String fallback) throws UsageException {
        String text = line.getOptionValue(name, fallback);
        return text.isEmpty() ? null : utmpFile("--" + name, text);
    }

    /** The file may be missing (it may appear later); its directory must exist. */
    private static Path utmpFile(String flag, String text) throws UsageException {
        if (text.isEmpty()) {
            throw new UsageException(flag + " must not be empty");
        }
        Path path;
        try {
            path = Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException(flag + " '" + text + "' is not a valid path");
        }
        if (Files.isDirectory(path)) {
            throw new UsageException(flag + " " + path + " is a directory, not a utmp-format file");
        }
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException(flag + " " + path + ": directory " + dir + " does not exist");
        }
        return path;
    }

    private static String describe(Option o) {
        return o.getLongOpt() != null ? "--" + o.getLongOpt() : "-" + o.getOpt();
    }

    // commons-cli 1.10 deprecated this formatter for its help package, which lays the text out
    // differently; the man page and the tests hold this layout.
    @SuppressWarnings("deprecation")
    public static String help() {
        HelpFormatter formatter = HelpFormatter.builder().get();
        java.io.StringWriter text = new java.io.StringWriter();
        try (java.io.PrintWriter out = new java.io.PrintWriter(text)) {
            formatter.printHelp(out, 100, "ssh-exporter [OPTIONS]",
                    "Prometheus exporter for login sessions: serves ssh_num_sessions{remote_ip} and friends on "
                            + "/metrics (over TLS and with basic auth with --web.config.file), read live from the utmp "
                            + "database through glibc and inotify.\n\n",
                    OPTIONS, 2, 4,
                    "\nExit status: 0 stopped normally (SIGTERM/SIGINT), 1 runtime failure (e.g. port in use), "
                            + "2 bad usage (including an invalid --web.config.file at start).");
        }
        return text.toString();
    }
}
