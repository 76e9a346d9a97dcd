package io.github.sshexporter.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The built jar as a real process: started, scraped over HTTP, and stopped by its PID. */
public final class ExporterProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final int port;

    private ExporterProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        drain(process.getErrorStream(), stderr);
        drain(process.getInputStream(), stdout);
    }

    public static Path jar() {
        String jar = System.getProperty("exporter.jar", "target/ssh-exporter.jar");
        return Path.of(jar).toAbsolutePath();
    }

    /** Starts {@code java -jar ssh-exporter.jar ARGS}; {@code port} is only remembered for scraping. */
    public static ExporterProcess start(int port, String... args) throws IOException {
        return startWith(List.of(), List.of(), port, args);
    }

    /** Starts {@code java JVM_OPTIONS -jar ssh-exporter.jar ARGS}. */
    public static ExporterProcess start(List<String> jvmOptions, int port, String... args) throws IOException {
        return startWith(List.of(), jvmOptions, port, args);
    }

    /** The same, behind a command prefix such as {@code setpriv --reuid=...}. */
    public static ExporterProcess startWith(List<String> prefix, int port, String... args) throws IOException {
        return startWith(prefix, List.of(), port, args);
    }

    private static ExporterProcess startWith(List<String> prefix, List<String> jvmOptions, int port, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString()));
        if (Arrays.stream(args).noneMatch(a -> a.startsWith("--journal.directory") || a.equals("--no-collector.auth"))) {
            // Never the machine's own journal, unless a test names one (a directory of its own).
            command.add("--no-collector.auth");
        }
        command.addAll(List.of(args));
        return new ExporterProcess(new ProcessBuilder(command).start(), port);
    }

    /**
     * Starts {@code PREFIX java JVM_OPTIONS -jar ssh-exporter.jar -H 127.0.0.1 -p PORT ARGS} on a
     * free loopback port and waits until it listens.
     */
    public static ExporterProcess startListening(List<String> prefix, List<String> jvmOptions, String... args)
            throws IOException {
        int port = freePort();
        List<String> all = new ArrayList<>(List.of("-H", "127.0.0.1", "-p", String.valueOf(port)));
        all.addAll(List.of(args));
        ExporterProcess p = startWith(prefix, jvmOptions, port, all.toArray(String[]::new));
        p.awaitListening();
        return p;
    }

    /** Runs the jar to completion (for flags that make it exit). */
    public static ExporterProcess runToEnd(String... args) throws Exception {
        ExporterProcess p = start(0, args);
        if (!p.process.waitFor(30, TimeUnit.SECONDS)) {
            p.close();
            throw new AssertionError("did not exit: " + List.of(args));
        }
        p.joinOutput();
        return p;
    }

    /** The launcher's DEFAULT_JAVA_OPTS, read by the one script that reads them (packaging/common/default-java-opts). */
    public static List<String> packagedJavaOpts() throws IOException {
        NativeTools.Result r = NativeTools.run(List.of(Path.of("packaging/common/default-java-opts").toAbsolutePath().toString()));
        if (r.exitCode() != 0) {
            throw new AssertionError("packaging/common/default-java-opts: " + r.stderr());
        }
        return Arrays.asList(r.stdout().strip().split("\\s+"));
    }

    /**
     * A command prefix that runs the exporter as nobody when the tests run as root (root reads
     * any file; the packaged service runs unprivileged), else none.
     */
    public static List<String> asNobodyWhenRoot() {
        return "root".equals(System.getProperty("user.name"))
                ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups") : List.of();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void drain(java.io.InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException e) {
                // process gone
            }
        }, "drain");
        t.setDaemon(true);
        t.start();
    }

    private void joinOutput() throws InterruptedException {
        Thread.sleep(100); // let the drain threads read the last lines
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT} followed by {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** Waits for the "listening" log line. */
    public void awaitListening() {
        if (!Await.until(20_000, () -> stderr.stream().anyMatch(
                l -> l.contains("msg=listening") || l.contains("\"msg\":\"listening\"")) || !alive())) {
            throw new AssertionError("exporter did not start listening; stderr: " + stderr);
        }
        if (!alive()) {
            throw new AssertionError("exporter exited " + process.exitValue() + "; stderr: " + stderr);
        }
    }

    public HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public String scrape() {
        try {
            HttpResponse<String> r = get("/metrics");
            if (r.statusCode() != 200) {
                throw new AssertionError("/metrics answered " + r.statusCode());
            }
            return r.body();
        } catch (Exception e) {
            throw new AssertionError("scrape failed: " + e + "; stderr: " + stderr, e);
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^ssh_num_sessions\\{remote_ip=\"([^\"]*)\"} (\\S+)$");

    /** {@code ssh_num_sessions} as remote_ip -> value, from a fresh scrape. */
    public java.util.SortedMap<String, Integer> sessions() {
        java.util.SortedMap<String, Integer> out = new java.util.TreeMap<>();
        for (String line : scrape().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (m.matches()) {
                out.put(m.group(1), (int) Double.parseDouble(m.group(2)));
            }
        }
        return out;
    }

    /** The value of a sample written exactly as {@code series} (name and labels), or null. */
    public Double value(String series) {
        return valueIn(scrape(), series);
    }

    public static Double valueIn(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return null;
    }

    public void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        kill.waitFor(5, TimeUnit.SECONDS);
    }

    /** Waits for exit and returns the status. */
    public int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        if (!process.waitFor(timeout, unit)) {
            throw new AssertionError("still running after " + timeout + " " + unit);
        }
        joinOutput();
        return process.exitValue();
    }

    public List<String> stderr() {
        return List.copyOf(stderr);
    }

    public List<String> stdout() {
        return List.copyOf(stdout);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
