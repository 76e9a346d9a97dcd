package io.github.sshexporter.cli;

import io.github.sshexporter.sessions.SourceMode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
            .addOption(Option.builder("H").longOpt("host").hasArg().argName("ADDRESS")
                    .desc("Address to listen on (default " + Config.DEFAULT_HOST
                            + ": every IPv4 interface; :: for IPv6 too; 127.0.0.1 for this host only).").build())
            .addOption(Option.builder("p").longOpt("port").hasArg().argName("PORT")
                    .desc("TCP port to serve /metrics on (default " + Config.DEFAULT_PORT + ").").build())
            .addOption(Option.builder("i").longOpt("interval").hasArg().argName("SECONDS")
                    .desc("Safety resync interval in whole seconds, 1 to " + Config.MAX_INTERVAL + " (default "
                            + Config.DEFAULT_INTERVAL + "). Changes are seen at once through inotify; "
                            + "this only bounds how long a missed event could matter.").build())
            .addOption(Option.builder("f").longOpt("file").hasArg().argName("PATH")
                    .desc("utmp database to read (default " + Config.DEFAULT_FILE
                            + "). It may be missing at start; it is picked up when it appears.").build())
            .addOption(Option.builder().longOpt("source").hasArg().argName("auto|utmp|logind")
                    .desc("Where sessions come from (default " + Config.DEFAULT_SOURCE.label() + "). utmp: the --file. "
                            + "logind: systemd-logind through libsystemd (for hosts without utmp, such as Debian 13); "
                            + "it counts sshd's sessions and local console and desktop logins. auto: the --file when "
                            + "it exists, else logind when it runs, else wait for either. The choice is logged and "
                            + "served as ssh_exporter_source_info{source}.").build())
            .addOption(Option.builder("h").longOpt("help").desc("Print this help and exit.").build())
            .addOption(Option.builder("V").longOpt("version").desc("Print the version and exit.").build());

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
        for (Option o : line.getOptions()) {
            if (line.getOptionValues(o.getKey()).length > 1) {
                throw new UsageException("option " + describe(o) + " given more than once");
            }
        }
        String host = line.getOptionValue("host", Config.DEFAULT_HOST).strip();
        if (host.isEmpty()) {
            throw new UsageException("--host must not be empty");
        }
        int port = (int) number(line, "port", Config.DEFAULT_PORT, 1, 65_535);
        long interval = number(line, "interval", Config.DEFAULT_INTERVAL, 1, Config.MAX_INTERVAL);
        Path file = utmpFile(line.getOptionValue("file", Config.DEFAULT_FILE));
        SourceMode source = source(line.getOptionValue("source"));
        return new Run(new Config(host, port, interval, file, source));
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

    private static SourceMode source(String text) throws UsageException {
        if (text == null) {
            return Config.DEFAULT_SOURCE;
        }
        SourceMode mode = SourceMode.parse(text);
        if (mode == null) {
            throw new UsageException("--source '" + text + "' is not one of auto, utmp, logind");
        }
        return mode;
    }

    /** The file may be missing (it may appear later); its directory must exist. */
    private static Path utmpFile(String text) throws UsageException {
        Path path;
        try {
            path = Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UsageException("--file '" + text + "' is not a valid path");
        }
        if (text.isEmpty()) {
            throw new UsageException("--file must not be empty");
        }
        if (Files.isDirectory(path)) {
            throw new UsageException("--file " + path + " is a directory, not a utmp file");
        }
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("--file " + path + ": directory " + dir + " does not exist");
        }
        return path;
    }

    private static String describe(Option o) {
        return o.getLongOpt() != null ? "--" + o.getLongOpt() : "-" + o.getOpt();
    }

    public static String help() {
        HelpFormatter formatter = HelpFormatter.builder().get();
        java.io.StringWriter text = new java.io.StringWriter();
        try (java.io.PrintWriter out = new java.io.PrintWriter(text)) {
            formatter.printHelp(out, 100, "ssh-exporter [OPTIONS]",
                    "Prometheus exporter for login sessions: serves ssh_num_sessions{remote_ip} and friends on "
                            + "/metrics, read live from the utmp database through glibc and inotify, or from "
                            + "systemd-logind through libsystemd where there is no utmp.\n\n",
                    OPTIONS, 2, 4,
                    "\nExit status: 0 stopped normally (SIGTERM/SIGINT), 1 runtime failure (e.g. port in use), "
                            + "2 bad usage.");
        }
        return text.toString();
    }
}
