package io.github.sshexporter.cli;

import io.github.sshexporter.app.Config;
import io.github.sshexporter.app.Exporter;
import io.github.sshexporter.app.Version;
import io.github.sshexporter.log.Log;
import java.util.regex.Pattern;

/** Entry point: flags, exit codes, and nothing else. */
public final class Main {
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        CommandLineParser.Request request;
        try {
            request = CommandLineParser.parse(args);
        } catch (UsageException e) {
            System.err.println("ssh-exporter: " + e.getMessage() + " (see ssh-exporter --help)");
            return ExitCode.USAGE;
        }
        if (request instanceof CommandLineParser.Help) {
            System.out.print(CommandLineParser.help());
            return ExitCode.OK;
        }
        if (request instanceof CommandLineParser.Version) {
            System.out.println("ssh-exporter " + Version.get());
            return ExitCode.OK;
        }
        Config config = ((CommandLineParser.Run) request).config();
        // An IPv4 address gets a plain IPv4 socket, not a dual-stack one showing as [::ffff:...];
        // this must be set before the JVM first touches the network.
        if (IPV4_LITERAL.matcher(config.host()).matches() && System.getProperty("java.net.preferIPv4Stack") == null) {
            System.setProperty("java.net.preferIPv4Stack", "true");
        }
        // The JDK's HTTP server writes headers and body separately; with Nagle's algorithm on, the
        // body then waits for the client's delayed ACK: 40 ms per keep-alive scrape (measured,
        // bench/live.py). TCP_NODELAY makes a scrape cost what serialising it costs.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        try {
            new Exporter(config).run();
            return ExitCode.OK;
        } catch (Exporter.StartupException e) {
            Log.error(e.getMessage());
            return ExitCode.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        }
    }
}
