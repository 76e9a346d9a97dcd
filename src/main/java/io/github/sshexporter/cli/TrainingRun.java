package io.github.sshexporter.cli;

import io.github.sshexporter.records.UtmpxLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import sun.misc.Signal;

/**
 * The training run behind the packages' class-data sharing (CDS) class list: {@code mvn package}
 * runs it under {@code -XX:DumpLoadedClassList} (see pom.xml), and the launcher builds its
 * archive from that list (packaging/README.md). It runs the real exporter ({@link Main#run}, as
 * the service does) on temp utmp, wtmp and btmp files it writes itself, never on the machine's,
 * on a free loopback port; scrapes it over HTTP the ways Prometheus and people do; changes a
 * session and waits to see it served; stops it with SIGTERM; and exits 0 only when every answer
 * was right. Classes it loads go into the list.
 *
 * <p>Usage: {@code java -cp ssh-exporter.jar io.github.sshexporter.cli.TrainingRun}
 */
public final class TrainingRun {
    private static final short LOGIN_PROCESS = 6;
    private static final short USER_PROCESS = 7;
    private static final short DEAD_PROCESS = 8;
    private static final short RUN_LVL = 1;
    private static final short BOOT_TIME = 2;
    /** Above any pid_max: kill(pid, 0) says ESRCH, a stale record. */
    private static final int GONE_PID = 0x3fffffff;
    private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.5,"
            + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    private static final long LIMIT_NANOS = 60_000_000_000L;

    private TrainingRun() {}

    public static void main(String[] args) {
        int status;
        try {
            status = run();
        } catch (Exception e) {
            System.err.println("ssh-exporter training run: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private static int run() throws Exception {
        UtmpxLayout layout = UtmpxLayout.forArch(System.getProperty("os.arch"))
                .orElseThrow(() -> new IOException("no utmpx layout for " + System.getProperty("os.arch")));
        Path dir = Files.createTempDirectory("ssh-exporter-training");
        try {
            Path utmp = dir.resolve("utmp");
            Path wtmp = dir.resolve("wtmp");
            Path btmp = dir.resolve("btmp");
            Records r = new Records(layout);
            long now = System.currentTimeMillis() / 1000;
            int self = (int) ProcessHandle.current().pid();
            byte[][] sessions = {
                r.record(USER_PROCESS, self, "pts/0", "alice", "192.0.2.1", "192.0.2.1", now - 60),
                r.record(USER_PROCESS, self, "pts/1", "bob", "2001:db8::1", "2001:db8::1", now - 50),
                r.record(USER_PROCESS, self, "pts/2", "carol", "203.0.113.7 via mosh [4242]", null, now - 40),
                r.record(USER_PROCESS, self, "pts/3", "dave", "host.example", null, now - 30),
                r.record(USER_PROCESS, GONE_PID, "pts/4", "erin", "192.0.2.1", "192.0.2.1", now - 20),
                r.record(USER_PROCESS, self, "tty1", "root", "", null, now - 10),
            };
            write(utmp, r.record(BOOT_TIME, 0, "~", "reboot", "", null, now - 3600),
                    r.record(RUN_LVL, 53, "~", "runlevel", "", null, now - 3600),
                    r.record(LOGIN_PROCESS, 1, "tty2", "LOGIN", "", null, now - 3600),
                    sessions[0], sessions[1], sessions[2], sessions[3], sessions[4], sessions[5],
                    r.record(DEAD_PROCESS, 0, "pts/5", "", "", "192.0.2.9", now - 5));
            write(wtmp, sessions);
            write(btmp, r.record(LOGIN_PROCESS, self, "ssh:notty", "admin", "198.51.100.7", "198.51.100.7", now - 90));

            int port = freePort();
            String[] exporterArgs = {"--web.listen-address", "127.0.0.1:" + port, "--file", utmp.toString(),
                "--wtmp.file", wtmp.toString(), "--btmp.file", btmp.toString(), "--interval", "1"};
            AtomicInteger exit = new AtomicInteger(-1);
            Thread exporter = new Thread(() -> exit.set(Main.run(exporterArgs)), "training-exporter");
            exporter.start();

            long deadline = System.nanoTime() + LIMIT_NANOS;
            Http http = new Http(port, exporter, exit);
            String page = http.awaitMetrics(deadline, b -> b.contains("ssh_num_sessions{remote_ip=\"2001:db8::1\"}"));
            expect(page, "ssh_num_sessions{remote_ip=\"192.0.2.1\"} 2");
            expect(page, "ssh_stale_sessions 1");
            expect(page, "ssh_exporter_source_up 1");
            expect(page, "jvm_memory_used_bytes");
            expect(http.get("/metrics", "Accept-Encoding: gzip\r\n", true), "ssh_num_sessions{");
            expect(http.get("/metrics", "Accept: " + PROMETHEUS_ACCEPT + "\r\nAccept-Encoding: gzip\r\n", true), "# EOF");
            expect(http.get("/", "", false), "/metrics");
            http.get("/-/healthy", "", false);

            // bob logs out, and someone fails to log in: the inotify path, wtmp and btmp followers.
            overwrite(utmp, layout.size * 4, r.record(DEAD_PROCESS, self, "pts/1", "", "", "2001:db8::1", now));
            append(wtmp, r.record(DEAD_PROCESS, self, "pts/1", "", "", null, now));
            append(btmp, r.record(LOGIN_PROCESS, self, "ssh:notty", "guest", "198.51.100.8", "198.51.100.8", now));
            page = http.awaitMetrics(deadline, b -> !b.contains("remote_ip=\"2001:db8::1\"")
                    && b.contains("ssh_failed_logins_total 1") && b.contains("ssh_sessions_closed_total{type=\"remote\"} 1"));
            // One resync (--interval 1) on the unchanged file, then the last scrapes.
            Thread.sleep(1200);
            expect(http.get("/metrics", "", false), "ssh_num_sessions{remote_ip=\"192.0.2.1\"} 2");
            expect(http.get("/metrics", "Accept-Encoding: gzip\r\n", true), "ssh_failed_logins_total 1");

            Signal.raise(new Signal("TERM"));
            exporter.join(LIMIT_NANOS / 1_000_000);
            if (exporter.isAlive() || exit.get() != 0) {
                throw new IOException("the exporter did not stop with status 0 on SIGTERM (status " + exit.get() + ")");
            }
            System.err.println("ssh-exporter training run: every answer was right");
            return 0;
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void expect(String page, String text) throws IOException {
        if (!page.contains(text)) {
            throw new IOException("expected \"" + text + "\" in the answer:\n" + page);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static void write(Path file, byte[]... records) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (byte[] record : records) {
                out.write(record);
            }
        }
    }

    private static void append(Path file, byte[] record) throws IOException {
        Files.write(file, record, StandardOpenOption.APPEND);
    }

    private static void overwrite(Path file, long offset, byte[] record) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(record), offset);
        }
    }

    /** utmpx records as glibc writes them, in this machine's layout (native byte order). */
    private static final class Records {
        private final UtmpxLayout layout;
        private final int[] at;

        Records(UtmpxLayout layout) {
            this.layout = layout;
            this.at = layout.offsets(); // type, pid, line, id, user, host, exit, session, tv, addr, size
        }

        byte[] record(short type, int pid, String line, String user, String host, String addr, long sec)
                throws IOException {
            ByteBuffer b = ByteBuffer.allocate(layout.size).order(ByteOrder.nativeOrder());
            b.putShort(at[0], type);
            b.putInt(at[1], pid);
            put(b, at[2], UtmpxLayout.LINE_SIZE, line);
            String id = line.length() > UtmpxLayout.ID_SIZE ? line.substring(line.length() - UtmpxLayout.ID_SIZE) : line;
            put(b, at[3], UtmpxLayout.ID_SIZE, id);
            put(b, at[4], UtmpxLayout.USER_SIZE, user);
            put(b, at[5], UtmpxLayout.HOST_SIZE, host);
            int tvField = (at[9] - at[8]) / 2; // tv_sec and tv_usec: 4 bytes each on x86_64, 8 on aarch64
            if (tvField == 4) {
                b.putInt(at[8], (int) sec);
                b.putInt(at[8] + 4, 123456);
            } else {
                b.putLong(at[8], sec);
                b.putLong(at[8] + 8, 123456);
            }
            if (addr != null) {
                byte[] a = InetAddress.getByName(addr).getAddress(); // literals only: no lookup
                b.position(at[9]);
                b.put(a);
            }
            return b.array();
        }

        private static void put(ByteBuffer b, int offset, int size, String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            b.position(offset);
            b.put(bytes, 0, Math.min(bytes.length, size));
        }
    }

    /** A minimal HTTP/1.1 client on plain sockets (one connection per request). */
    private static final class Http {
        private final int port;
        private final Thread exporter;
        private final AtomicInteger exit;

        Http(int port, Thread exporter, AtomicInteger exit) {
            this.port = port;
            this.exporter = exporter;
            this.exit = exit;
        }

        String awaitMetrics(long deadline, java.util.function.Predicate<String> ready) throws Exception {
            String last = "(no answer)";
            while (System.nanoTime() < deadline) {
                if (!exporter.isAlive()) {
                    throw new IOException("the exporter ended with status " + exit.get());
                }
                try {
                    last = get("/metrics", "", false);
                    if (ready.test(last)) {
                        return last;
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(20);
            }
            throw new IOException("the exporter did not serve the expected page in time; last answer:\n" + last);
        }

        /** GET PATH with extra header lines; the body (de-chunked, gunzipped when GZIP is asked). */
        String get(String path, String headers, boolean gzip) throws IOException {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(10_000);
                String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: ssh-exporter-training\r\n"
                        + headers + "Connection: close\r\n\r\n";
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                byte[] raw = s.getInputStream().readAllBytes();
                int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (end < 0) {
                    throw new IOException("no HTTP answer for " + path);
                }
                String head = new String(raw, 0, end, StandardCharsets.ISO_8859_1);
                String lower = head.toLowerCase(Locale.ROOT);
                if (!head.startsWith("HTTP/1.1 200 ")) {
                    throw new IOException(path + ": " + head.lines().findFirst().orElse(""));
                }
                byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
                if (lower.contains("\r\ntransfer-encoding: chunked")) {
                    body = unchunk(body);
                }
                if (gzip) {
                    if (!lower.contains("\r\ncontent-encoding: gzip")) {
                        throw new IOException(path + ": asked for gzip, got:\n" + head);
                    }
                    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                        body = in.readAllBytes();
                    }
                }
                return new String(body, StandardCharsets.UTF_8);
            }
        }

        private static byte[] unchunk(byte[] in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int i = 0;
            while (true) {
                int eol = indexOf(java.util.Arrays.copyOfRange(in, i, in.length), "\r\n".getBytes(StandardCharsets.US_ASCII));
                if (eol < 0) {
                    throw new IOException("bad chunked body");
                }
                String size = new String(in, i, eol, StandardCharsets.US_ASCII).split(";", 2)[0].trim();
                int n = Integer.parseInt(size, 16);
                i += eol + 2;
                if (n == 0) {
                    return out.toByteArray();
                }
                out.write(in, i, n);
                i += n + 2;
            }
        }

        private static int indexOf(byte[] a, byte[] b) {
            outer:
            for (int i = 0; i + b.length <= a.length; i++) {
                for (int j = 0; j < b.length; j++) {
                    if (a[i + j] != b[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
