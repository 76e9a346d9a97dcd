package io.github.sshexporter.web.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain listener against raw sockets: what a real client, a broken one and a hostile one send. */
class PlainServerTest {
    private static final PlainServer.Limits LIMITS = new PlainServer.Limits(4, 2, ms(600), ms(400), ms(400), 2048, 20, ms(100));

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final List<Socket> sockets = new ArrayList<>();
    /** By request path: the thread that handled it, and its {@link PlainServer#MUST_NOT_WAIT} mark ("null": none). */
    private final Map<String, String> threadOfPath = new ConcurrentHashMap<>();
    private final Map<String, String> mustNotWaitOfPath = new ConcurrentHashMap<>();
    private final AtomicInteger handled = new AtomicInteger();
    private PlainServer server;

    private static long ms(long n) {
        return TimeUnit.MILLISECONDS.toNanos(n);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
        pool.shutdownNow();
    }

    /** Answers "path method" as text; /big with 4 MB; /none without sending anything. */
    private final HttpHandler echo = exchange -> {
        threadOfPath.put(exchange.getRequestURI().getRawPath(), Thread.currentThread().getName());
        mustNotWaitOfPath.put(exchange.getRequestURI().getRawPath(),
                String.valueOf(exchange.getAttribute(PlainServer.MUST_NOT_WAIT)));
        handled.incrementAndGet();
        String path = exchange.getRequestURI().getRawPath();
        if (path.equals("/none")) {
            exchange.close();
            return;
        }
        byte[] body = path.equals("/big") ? new byte[4 << 20]
                : (path + " " + exchange.getRequestMethod() + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(200, -1);
        } else {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    };

    private int start(Predicate<RequestHead> cheap) throws IOException {
        return start(cheap, pool::execute);
    }

    private int start(Predicate<RequestHead> cheap, java.util.concurrent.Executor executor) throws IOException {
        return start(cheap, executor, LIMITS);
    }

    private int start(Predicate<RequestHead> cheap, java.util.concurrent.Executor executor, PlainServer.Limits limits)
            throws IOException {
        return start(h -> cheap.test(h) ? PlainServer.Route.SELECTOR : PlainServer.Route.POOL,
                PlainServer.Readiness.NOW, executor, limits);
    }

    private int start(Function<RequestHead, PlainServer.Route> router, PlainServer.Readiness readiness,
                      java.util.concurrent.Executor executor, PlainServer.Limits limits) throws IOException {
        server = PlainServer.start(new InetSocketAddress("127.0.0.1", 0), 16, echo, executor, router, readiness, limits);
        return server.port();
    }

    /** Keeps the tasks it is given until the test runs them; records what was taken back. */
    private static final class HeldReadiness implements PlainServer.Readiness {
        final BlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
        final BlockingQueue<Runnable> cancelled = new LinkedBlockingQueue<>();

        @Override
        public boolean runWhenReady(Runnable task) {
            tasks.add(task);
            return true;
        }

        @Override
        public void cancel(Runnable task) {
            cancelled.add(task);
        }
    }

    private static PlainServer.Route waitOn(RequestHead h) {
        return h.uri().getRawPath().equals("/wait") ? PlainServer.Route.WHEN_READY : PlainServer.Route.SELECTOR;
    }

    /** True while the connection is open and nothing came from the server. */
    private static boolean stillOpen(Socket s) throws IOException {
        int timeout = s.getSoTimeout();
        s.setSoTimeout(50);
        try {
            s.getInputStream().read(); // a byte or the end: the server spoke or closed
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            s.setSoTimeout(timeout);
        }
    }

    private Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(3000);
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One response: its head (lower-cased field names) and body, read by Content-Length. */
    private record Response(String statusLine, String head, String body) {
        String field(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }

        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static Response read(Socket s, boolean bodyExpected) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside a response head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        Response r = new Response(text.substring(0, text.indexOf("\r\n")), text, "");
        if (!bodyExpected) {
            return r;
        }
        byte[] body = in.readNBytes(Integer.parseInt(r.field("Content-Length")));
        return new Response(r.statusLine(), text, new String(body, StandardCharsets.UTF_8));
    }

    /** True when the server closed the connection (after any bytes still to come) within 3 s. */
    private static boolean closedByServer(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // what was still in flight
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Test
    void keepAliveAndPipelining() throws Exception {
        int port = start(h -> true);
        Socket s = connect(port);
        send(s, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
        Response first = read(s, true);
        assertEquals("HTTP/1.1 200 OK", first.statusLine());
        assertEquals("/a GET\n", first.body());
        assertTrue(first.field("Date").endsWith(" GMT"), first.head());
        assertEquals(null, first.field("Connection"));
        send(s, "GET /b HTTP/1.1\r\n\r\nHEAD /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\n\r\n");
        assertEquals("/b GET\n", read(s, true).body());
        Response head = read(s, false);
        assertEquals("8", head.field("Content-Length"), "HEAD keeps the length the handler gave");
        assertEquals("/d GET\n", read(s, true).body());
        assertEquals("http-selector-" + port, threadOfPath.get("/d"), "a cheap request is answered on the selector thread");
        assertEquals("true", mustNotWaitOfPath.get("/d"), "and says so to its handler");
    }

    @Test
    void otherRequestsGoToThePool() throws Exception {
        int port = start(h -> !h.uri().getRawPath().equals("/pool"));
        Socket s = connect(port);
        send(s, "GET /pool HTTP/1.1\r\n\r\n");
        assertEquals("/pool GET\n", read(s, true).body());
        assertTrue(threadOfPath.get("/pool").startsWith("pool-"), threadOfPath.get("/pool"));
        assertEquals("null", mustNotWaitOfPath.get("/pool"));
        send(s, "GET /big HTTP/1.1\r\n\r\n");
        assertEquals(4 << 20, read(s, true).body().length(), "a large response is written in pieces");
    }

    @Test
    void http10AndRequestsWithABodyEndTheirConnection() throws Exception {
        int port = start(h -> true);
        Socket a = connect(port);
        send(a, "GET /x HTTP/1.0\r\n\r\n");
        Response r = read(a, true);
        assertEquals("close", r.field("Connection"));
        assertTrue(closedByServer(a));
        Socket b = connect(port);
        send(b, "POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        assertEquals("close", read(b, true).field("Connection"));
        assertTrue(closedByServer(b));
    }

    @Test
    void badRequestsAreAnsweredAndClosed() throws Exception {
        int port = start(h -> true);
        String[][] cases = {
            {"GET /x HTTP/1.1\r\nBad Name: v\r\n\r\n", "400"},
            {"GET /x HTTP/2.0\r\n\r\n", "505"},
            {"GET /" + "a".repeat(3000) + " HTTP/1.1\r\n\r\n", "431"},
            {"GET /x HTTP/1.1\r\n" + "A: b\r\n".repeat(21) + "\r\n", "431"},
        };
        for (String[] c : cases) {
            Socket s = connect(port);
            send(s, c[0]);
            Response r = read(s, true);
            assertEquals(Integer.parseInt(c[1]), r.status(), c[0].substring(0, Math.min(40, c[0].length())));
            assertEquals("close", r.field("Connection"));
            assertTrue(closedByServer(s));
        }
    }

    @Test
    void aHeadThatNeverEndsIsCutAtTheLimit() throws Exception {
        int port = start(h -> true);
        Socket s = connect(port);
        // One byte past the limit, all of it read by the server (unread bytes would make its close a reset).
        String start = "GET /x HTTP/1.1\r\nX-Filler: ";
        send(s, start + "v".repeat(2049 - start.length()));
        assertEquals(431, read(s, true).status());
        assertTrue(closedByServer(s));
    }

    @Test
    void slowAndSilentClientsAreClosedWithoutHoldingOthers() throws Exception {
        // A request deadline long enough that the normal request is surely served within it.
        int port = start(h -> true, pool::execute, new PlainServer.Limits(4, 2, ms(600), ms(2500), ms(400), 2048, 20, ms(100)));
        Socket silent = connect(port);
        Socket trickle = connect(port);
        send(trickle, "GET /x HTTP/1.1\r\nHo");
        Socket normal = connect(port);
        send(normal, "GET /ok HTTP/1.1\r\n\r\n");
        assertEquals("/ok GET\n", read(normal, true).body());
        assertTrue(stillOpen(silent) && stillOpen(trickle), "served while the others hold their connections");
        assertTrue(closedByServer(silent), "a connection that sends nothing ends at the request deadline");
        assertTrue(closedByServer(trickle), "a head that does not complete ends at the request deadline");
    }

    @Test
    void keepAliveIsPromisedOnlyWhileAPlaceIsFree() throws Exception {
        // Two keep-alive places, a long idle time: the third connection is told it will be closed.
        int port = start(h -> true, pool::execute, new PlainServer.Limits(8, 2, ms(30_000), ms(30_000), ms(30_000), 2048, 20, ms(100)));
        Socket[] s = new Socket[3];
        Response[] r = new Response[3];
        for (int i = 0; i < 3; i++) {
            s[i] = connect(port);
            send(s[i], "GET /x HTTP/1.1\r\n\r\n");
            r[i] = read(s[i], true);
        }
        assertEquals(null, r[0].field("Connection"));
        assertEquals(null, r[1].field("Connection"));
        assertEquals("close", r[2].field("Connection"), "no place left: said so, not promised and broken");
        assertTrue(closedByServer(s[2]));
        send(s[0], "GET /y HTTP/1.1\r\n\r\n");
        assertEquals("/y GET\n", read(s[0], true).body(), "a kept connection serves again");
        s[1].close(); // the server sees the end and frees the place, soon
        boolean given = false;
        for (int i = 0; i < 50 && !given; i++) {
            Thread.sleep(100);
            Socket again = connect(port);
            send(again, "GET /z HTTP/1.1\r\n\r\n");
            given = read(again, true).field("Connection") == null;
        }
        assertTrue(given, "a freed place is given again");
    }

    @Test
    void anIdleKeepAliveConnectionEndsAfterTheIdleTime() throws Exception {
        int port = start(h -> true);
        Socket s = connect(port);
        send(s, "GET /x HTTP/1.1\r\n\r\n");
        read(s, true);
        long start = System.nanoTime();
        assertTrue(closedByServer(s), "closed within 3 s");
        assertTrue(System.nanoTime() - start > ms(450), "not before the idle time (600 ms)");
    }

    @Test
    void aLastResponseIsFollowedByADrainNotAReset() throws Exception {
        // The connection ends after a request with a body (never read). Closing at once with the
        // client still sending would answer its next bytes with a reset, which can cost a remote
        // client the response it has not read yet. The server drains instead: the client's
        // writes after the response still succeed.
        int port = start(h -> true);
        Socket s = connect(port);
        send(s, "POST /x HTTP/1.1\r\nContent-Length: 30000\r\n\r\n");
        Response r = read(s, true);
        assertEquals("/x POST\n", r.body());
        assertEquals("close", r.field("Connection"));
        send(s, "b".repeat(20000));
        Thread.sleep(100); // a reset, had the first part met a closed socket, would be back by now
        send(s, "b".repeat(10000));
        assertTrue(closedByServer(s));
    }

    @Test
    void aHeadThatArrivesInPiecesIsServed() throws Exception {
        int port = start(h -> true);
        Socket s = connect(port);
        for (String piece : new String[] {"GET /pieces HTTP/1.1\r", "\nHost: x\r\n\r", "\n"}) {
            send(s, piece);
            Thread.sleep(50); // each piece read on its own
        }
        assertEquals("/pieces GET\n", read(s, true).body());
    }

    @Test
    void responsesHeldForClientsThatDoNotReadAreBounded() throws Exception {
        heldResponsesAreBounded(h -> true);
    }

    @Test
    void responsesMadeOnRequestThreadsAreBoundedAlike() throws Exception {
        heldResponsesAreBounded(h -> false);
    }

    private void heldResponsesAreBounded(Predicate<RequestHead> cheap) throws Exception {
        // Each /big is its own 4 MB array: two fill the budget (8 MB), the third is refused.
        int port = start(cheap, pool::execute, new PlainServer.Limits(8, 8, ms(30_000), ms(30_000), ms(30_000), 2048, 20, ms(100)));
        Socket a = connect(port);
        Socket b = connect(port);
        send(a, "GET /big HTTP/1.1\r\n\r\n");
        send(b, "GET /big HTTP/1.1\r\n\r\n");
        Thread.sleep(200); // both responses are out as far as the kernel takes them, the rest held
        Socket c = connect(port);
        send(c, "GET /big HTTP/1.1\r\n\r\n");
        Response refused = read(c, true);
        assertEquals(503, refused.status());
        assertEquals(4 << 20, read(a, true).body().length(), "the held responses are whole");
        assertEquals(4 << 20, read(b, true).body().length());
        Socket d = connect(port);
        send(d, "GET /big HTTP/1.1\r\n\r\n");
        assertEquals(4 << 20, read(d, true).body().length(), "taken responses leave the budget");
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnce() throws Exception {
        // A long request deadline: the four held connections stay open for the whole test.
        int port = start(h -> true, pool::execute, new PlainServer.Limits(4, 2, ms(600), ms(10_000), ms(400), 2048, 20, ms(100)));
        Socket[] held = new Socket[4];
        for (int i = 0; i < 4; i++) {
            held[i] = connect(port);
        }
        Thread.sleep(100);
        Socket fifth = connect(port);
        assertTrue(closedByServer(fifth));
        for (Socket h : held) {
            assertTrue(stillOpen(h), "the four within the limit stay");
        }
    }

    @Test
    void aResponseTheClientDoesNotTakeEndsAtTheResponseDeadline() throws Exception {
        int port = start(h -> true);
        Socket s = connect(port);
        s.setReceiveBufferSize(4096);
        send(s, "GET /big HTTP/1.1\r\n\r\n");
        Thread.sleep(1000); // not reading: the server's writes stall, then its deadline passes
        long start = System.nanoTime();
        long got = 0;
        try (InputStream in = s.getInputStream()) {
            byte[] b = new byte[65536];
            int n;
            while ((n = in.read(b)) >= 0) {
                got += n;
            }
        } catch (IOException e) {
            // reset: closed too
        }
        assertTrue(got < (4 << 20), "cut short: " + got);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "reset, not trickled out");
        Socket next = connect(port);
        send(next, "GET /ok HTTP/1.1\r\n\r\n");
        assertEquals("/ok GET\n", read(next, true).body());
    }

    @Test
    void aHandlerThatSendsNothingOrARejectedPoolEndsTheConnection() throws Exception {
        int port = start(h -> !h.uri().getRawPath().equals("/pool"), r -> {
            throw new RejectedExecutionException("full");
        });
        Socket a = connect(port);
        send(a, "GET /none HTTP/1.1\r\n\r\n");
        assertTrue(closedByServer(a));
        Socket b = connect(port);
        send(b, "GET /pool HTTP/1.1\r\n\r\n");
        assertTrue(closedByServer(b));
        Socket c = connect(port);
        send(c, "GET /ok HTTP/1.1\r\n\r\n");
        assertFalse(read(c, true).body().isEmpty());
    }

    @Test
    void aWaitingRequestIsAnsweredByTheThreadThatMakesItReady() throws Exception {
        HeldReadiness readiness = new HeldReadiness();
        int port = start(PlainServerTest::waitOn, readiness, pool::execute,
                new PlainServer.Limits(4, 2, ms(30_000), ms(30_000), ms(30_000), 2048, 20, ms(30_000)));
        Socket s = connect(port);
        // Two requests at once: the second waits in the connection's buffer until the first is answered.
        send(s, "GET /wait HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
        Runnable task = readiness.tasks.poll(3, TimeUnit.SECONDS);
        assertNotNull(task, "left with the readiness");
        assertTrue(stillOpen(s), "no answer before it is ready");
        Thread maker = new Thread(task, "ready-maker");
        maker.start();
        maker.join(3000);
        assertEquals("/wait GET\n", read(s, true).body());
        assertEquals("ready-maker", threadOfPath.get("/wait"), "handled by the thread that made it ready");
        assertEquals("/after GET\n", read(s, true).body(), "the pipelined request goes on on the selector thread");
        assertEquals("http-selector-" + port, threadOfPath.get("/after"));
        assertEquals("true", mustNotWaitOfPath.get("/wait"), "the thread that made it ready must not wait either");
        assertEquals(List.of(), List.copyOf(readiness.cancelled));
    }

    @Test
    void aRequestStillWaitingWhenTheServerClosesIsTakenBack() throws Exception {
        HeldReadiness readiness = new HeldReadiness();
        start(PlainServerTest::waitOn, readiness, pool::execute,
                new PlainServer.Limits(4, 2, ms(30_000), ms(30_000), ms(30_000), 2048, 20, ms(30_000)));
        Socket s = connect(server.port());
        send(s, "GET /wait HTTP/1.1\r\n\r\n");
        Runnable task = readiness.tasks.poll(3, TimeUnit.SECONDS);
        assertNotNull(task, "left with the readiness");
        server.close();
        assertEquals(task, readiness.cancelled.poll(3, TimeUnit.SECONDS), "taken back at the close");
        assertTrue(closedByServer(s));
        task.run(); // had the readiness run it anyway: nothing is handled
        assertEquals(0, handled.get());
    }

    @Test
    void aWaitingRequestIsAnsweredAsItIsWhenItsWaitRunsOut() throws Exception {
        HeldReadiness readiness = new HeldReadiness();
        int port = start(PlainServerTest::waitOn, readiness, pool::execute, LIMITS);
        Socket s = connect(port);
        long start = System.nanoTime();
        send(s, "GET /wait HTTP/1.1\r\n\r\n");
        assertEquals("/wait GET\n", read(s, true).body());
        assertTrue(System.nanoTime() - start >= LIMITS.readyWaitNanos(), "not before its wait ran out");
        assertEquals("http-selector-" + port, threadOfPath.get("/wait"));
        Runnable task = readiness.tasks.poll(3, TimeUnit.SECONDS);
        assertEquals(task, readiness.cancelled.poll(3, TimeUnit.SECONDS), "taken back from the readiness");
        task.run(); // had the readiness run it anyway: nothing more happens
        assertEquals(1, handled.get());
    }

    @Test
    void aRequestWhoseWaitIsOverIsAnsweredAtOnce() throws Exception {
        int port = start(PlainServerTest::waitOn, PlainServer.Readiness.NOW, pool::execute, LIMITS);
        Socket s = connect(port);
        send(s, "GET /wait HTTP/1.1\r\n\r\n");
        assertEquals("/wait GET\n", read(s, true).body());
        assertEquals("http-selector-" + port, threadOfPath.get("/wait"));
    }

    @Test
    void closeStopsTheThreadAndReleasesThePort() throws Exception {
        int port = start(h -> true);
        Socket s = connect(port);
        server.close();
        assertTrue(closedByServer(s));
        server = PlainServer.start(new InetSocketAddress("127.0.0.1", port), 16, echo, pool::execute,
                h -> PlainServer.Route.SELECTOR, PlainServer.Readiness.NOW, LIMITS);
        assertEquals(port, server.port());
    }
}
