package io.github.sshexporter.cli;

import io.github.sshexporter.app.Config;
import io.github.sshexporter.app.Exporter;
import io.github.sshexporter.app.Version;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.web.ListenAddress;
import io.github.sshexporter.web.WebConfigException;
import io.github.sshexporter.web.WebConfigSource;

/** Entry point: flags, exit codes, and nothing else. */
public final class Main {
    /** The session loop's and the login-log loop's threads (see sessions.SessionLoop, LoginLogLoop). */
    private static final java.util.Set<String> READING_THREADS = java.util.Set.of("session-loop", "login-logs");

    private Main() {}

    public static void main(String[] args) {
        // An Error (a JNA linkage fault; an OutOfMemoryError exits the JVM before this runs under
        // the packaged flags) that ends one of the two reading threads must end the process:
        // otherwise HTTP would go on serving frozen values. Exit 1 lets
        // systemd's Restart=on-failure bring a fresh exporter back. An HTTP worker that dies is
        // replaced by its pool: one line, and the exporter stays up for the next scrape.
        Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
            if (!READING_THREADS.contains(thread.getName())) {
                Log.error("request thread ended by an error", "thread", thread.getName(), "error", String.valueOf(error));
                return;
            }
            try {
                Log.error("fatal error, exiting", "thread", thread.getName(), "error", String.valueOf(error));
            } finally {
                Runtime.getRuntime().halt(ExitCode.FAILURE);
            }
        });
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
        Log.setLevel(config.logging().level());
        Log.setFormat(config.logging().format());
        // IPv4 addresses only: plain IPv4 sockets, not dual-stack ones showing as [::ffff:...];
        // this must be set before the JVM first touches the network.
        if (config.web().listen().stream().allMatch(ListenAddress::ipv4Literal)
                && System.getProperty("java.net.preferIPv4Stack") == null) {
            System.setProperty("java.net.preferIPv4Stack", "true");
        }
        WebConfigSource web = WebConfigSource.none();
        if (config.web().configFile() != null) {
            try {
                web = WebConfigSource.open(config.web().configFile());
            } catch (WebConfigException e) {
                System.err.println("ssh-exporter: --web.config.file " + config.web().configFile() + ": " + e.getMessage());
                return ExitCode.USAGE;
            }
        }
        try {
            new Exporter(config, web).run();
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
