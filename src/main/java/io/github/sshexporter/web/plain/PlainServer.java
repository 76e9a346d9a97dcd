package io.github.sshexporter.web.plain;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpHandler;
import io.github.sshexporter.log.Log;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A plain-HTTP/1.1 listener on one selector thread. The thread accepts, reads each request head
 * without blocking (a slow or silent client holds nothing but its few bytes, within the limits
 * below), and writes each response without blocking. The router decides where a request is
 * handled ({@link Route}): a cheap one (a cached page, the health check) on this thread, so that
 * it wakes no other; one that waits for something (a scrape during a change) by the thread that
 * makes it ready, as it does; any other by the request pool. A response made on another thread
 * is written by that thread at once, as far as the socket takes it, and the rest here. TLS
 * listeners stay on the JDK's server.
 */
public final class PlainServer implements AutoCloseable {
    /**
     * @param maxConnections     open connections; more are closed at once
     * @param maxIdleConnections keep-alive connections kept between requests; more are closed
     * @param idleNanos          a keep-alive connection is closed after this long without a request
     * @param requestNanos       a request head must arrive within this, from its first byte (or the
     *                           connection's start)
     * @param responseNanos      a response must be taken by the client within this
     * @param maxHeadBytes       the request line and header fields, in bytes
     * @param maxHeaderLines     header fields per request
     * @param readyWaitNanos     a {@link Route#WHEN_READY} request waits at most this long; then the
     *                           selector thread handles it as things are
     */
    public record Limits(int maxConnections, int maxIdleConnections, long idleNanos, long requestNanos,
                         long responseNanos, int maxHeadBytes, int maxHeaderLines, long readyWaitNanos) {

        /** The limits from the JDK server's properties (as {@code WebServer.LIMITS} sets them). */
        public static Limits of(Map<String, String> p) {
            return new Limits(
                    Integer.parseInt(p.get("jdk.httpserver.maxConnections")),
                    Integer.parseInt(p.get("sun.net.httpserver.maxIdleConnections")),
                    TimeUnit.SECONDS.toNanos(Long.parseLong(p.get("sun.net.httpserver.idleInterval"))),
                    TimeUnit.SECONDS.toNanos(Long.parseLong(p.get("sun.net.httpserver.maxReqTime"))),
                    TimeUnit.SECONDS.toNanos(Long.parseLong(p.get("sun.net.httpserver.maxRspTime"))),
                    Integer.parseInt(p.get("sun.net.httpserver.maxReqHeaderSize")),
                    Integer.parseInt(p.get("sun.net.httpserver.maxReqHeaders")),
                    READY_WAIT_NANOS);
        }
    }

    /**
     * READING a request head; HANDLING it (no reads: a pipelined request waits in the kernel);
     * WRITING its response; DRAINING after a last response: output shut, input read and dropped
     * for a while, so that the kernel does not reset the connection over unread bytes before
     * the client has read the response.
     */
    private enum State { READING, HANDLING, WRITING, DRAINING }

    /** Where a request is handled. */
    public enum Route {
        /** On the selector thread: it costs little and waits for nothing. */
        SELECTOR,
        /**
         * When the {@link Readiness} says so, on the thread that makes it ready; after
         * {@link Limits#readyWaitNanos} at most, on the selector thread.
         */
        WHEN_READY,
        /** On a request thread: a password check, a rendering that may take long. */
        POOL
    }

    /** What {@link Route#WHEN_READY} requests wait for. */
    public interface Readiness {
        /**
         * Leaves {@code task} to the thread that makes it ready, to run as it does.
         *
         * @return false, with nothing left, when it is ready now
         */
        boolean runWhenReady(Runnable task);

        /** Takes back a task left by {@link #runWhenReady} that has not run (its wait ran out). */
        void cancel(Runnable task);

        /** Always ready. */
        Readiness NOW = new Readiness() {
            @Override
            public boolean runWhenReady(Runnable task) {
                return false;
            }

            @Override
            public void cancel(Runnable task) {
                // nothing was left
            }
        };
    }

    /**
     * Set on an exchange handled on a thread that must not wait for anything: the selector
     * thread, or the one that ran a {@link Route#WHEN_READY} request as it made it ready.
     */
    public static final String MUST_NOT_WAIT = PlainServer.class.getName() + ".mustNotWait";

    /** How long a {@link Route#WHEN_READY} request waits at most, unless the limits say otherwise. */
    public static final long READY_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** Bytes of response bodies held for clients that have not taken them yet, at most. */
    static final long PENDING_BYTES = 8L << 20;
    /** How long, and how much, a connection is drained after its last response. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long DRAIN_BYTES = 64 * 1024;
    /** Pause after accept() failed (out of descriptors): the level-triggered key would spin. */
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Largest write handed to the kernel at once: the JDK copies a heap buffer's remainder each time. */
    private static final int WRITE_SLICE = 64 * 1024;

    /**
     * One client connection. Its fields belong to the selector thread, except while a request is
     * HANDLING: then to the thread that handles it, until it hands the exchange back.
     */
    static final class Connection {
        private final SocketChannel channel;
        private final InetSocketAddress remote;
        private final InetSocketAddress local;
        private SelectionKey key;
        private byte[] in;
        private int inLength;
        /** How much of {@code in} was searched for the head's end without finding it. */
        private int scanned;
        private State state = State.READING;
        /** Holds one of the keep-alive places: promised with its last response, kept while idle. */
        private boolean keptAlive;
        private long deadline;
        private ByteBuffer[] out;
        private byte[] pendingBody;
        private boolean closeAfter;
        private long drained;
        private boolean closed;
        private PlainExchange response;
        /** The response was written by the handler's thread as far as it went ({@code out} holds the rest). */
        private boolean writtenAtOnce;
        private boolean writeFailed;

        Connection(SocketChannel channel) throws IOException {
            this.channel = channel;
            this.remote = (InetSocketAddress) channel.getRemoteAddress();
            this.local = (InetSocketAddress) channel.getLocalAddress();
        }

        InetSocketAddress remote() {
            return remote;
        }

        InetSocketAddress local() {
            return local;
        }
    }

    private final ServerSocketChannel listener;
    private final SelectionKey listenerKey;
    private final Selector selector;
    private final HttpHandler handler;
    private final Executor pool;
    private final Function<RequestHead, Route> router;
    private final Readiness readiness;
    private final Limits limits;
    private final Thread thread;
    private final Queue<Connection> completed = new ConcurrentLinkedQueue<>();
    private final Set<Connection> connections = new HashSet<>();
    private final List<Waiting> waiting = new ArrayList<>();
    private final Map<byte[], Integer> pendingBodies = new IdentityHashMap<>();
    private final ByteBuffer readBuffer;
    private final HttpDate date = new HttpDate();
    /** Keep-alive places taken: also by handlers' threads, for the response they write. */
    private final AtomicInteger keptAlive = new AtomicInteger();
    private long pendingBytes;
    private long acceptPausedUntil;
    private boolean acceptPaused;
    private boolean acceptFailing;
    private String lastError;
    private long nextSweep = Long.MAX_VALUE;
    private volatile boolean running = true;

    private PlainServer(ServerSocketChannel listener, SelectionKey listenerKey, Selector selector, HttpHandler handler,
                        Executor pool, Function<RequestHead, Route> router, Readiness readiness, Limits limits) {
        this.listener = listener;
        this.listenerKey = listenerKey;
        this.selector = selector;
        this.handler = handler;
        this.pool = pool;
        this.router = router;
        this.readiness = readiness;
        this.limits = limits;
        this.readBuffer = ByteBuffer.allocateDirect(Math.min(limits.maxHeadBytes() + 1, 64 * 1024));
        this.thread = new Thread(null, this::run, "http-selector-" + port(), 256 * 1024);
        this.thread.setDaemon(true);
    }

    /** Binds {@code address} (the exception says why not) and starts serving. */
    public static PlainServer start(InetSocketAddress address, int backlog, HttpHandler handler, Executor pool,
                                    Function<RequestHead, Route> router, Readiness readiness, Limits limits)
            throws IOException {
        ServerSocketChannel listener = ServerSocketChannel.open();
        Selector selector = null;
        SelectionKey key;
        try {
            listener.bind(address, backlog);
            listener.configureBlocking(false);
            selector = Selector.open();
            key = listener.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException | RuntimeException e) {
            listener.close();
            if (selector != null) {
                selector.close();
            }
            throw e;
        }
        PlainServer server = new PlainServer(listener, key, selector, handler, pool, router, readiness, limits);
        server.thread.start();
        return server;
    }

    public int port() {
        return listener.socket().getLocalPort();
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            while (running) {
                try {
                    step();
                } catch (ClosedSelectorException e) {
                    break;
                } catch (IOException | RuntimeException | Error e) {
                    // Not expected outside one connection. The listener must outlive it: say so
                    // (once per distinct error), pause a moment (no busy loop), go on.
                    if (!e.toString().equals(lastError)) {
                        lastError = e.toString();
                        Log.error("http listener error", "port", port(), "error", lastError);
                    }
                    pause();
                }
            }
        } finally {
            for (Waiting w : waiting) {
                if (w.take()) {
                    readiness.cancel(w); // its connection is closed below: nothing is left to run
                }
            }
            for (Connection c : new ArrayList<>(connections)) {
                close(c);
            }
            closeQuietly(selector);
            closeQuietly(listener);
        }
    }

    private void step() throws IOException {
        long timeout = nextSweep == Long.MAX_VALUE ? 0
                : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextSweep - System.nanoTime()) + 1);
        selector.select(timeout);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            if (key == listenerKey) {
                accept();
            } else {
                ready(key);
            }
            writeCompleted();
        }
        sweep(); // may hand a waiting request to this thread, whose response comes next
        writeCompleted();
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void accept() {
        while (true) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                // Out of descriptors, most likely: stop accepting for a moment (the backlog
                // waits in the kernel), then try again.
                if (!acceptFailing) {
                    acceptFailing = true;
                    Log.warn("http accept failed, pausing", "port", port(), "error", e.toString());
                }
                listenerKey.interestOps(0);
                acceptPaused = true;
                acceptPausedUntil = System.nanoTime() + ACCEPT_PAUSE_NANOS;
                nextSweep = Math.min(nextSweep, acceptPausedUntil);
                return;
            }
            if (channel == null) {
                return;
            }
            if (acceptFailing) {
                acceptFailing = false;
                Log.info("http accepting again", "port", port());
            }
            if (connections.size() >= limits.maxConnections()) {
                closeQuietly(channel);
                continue;
            }
            Connection c;
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c = new Connection(channel);
                c.key = channel.register(selector, SelectionKey.OP_READ, c);
            } catch (IOException e) {
                closeQuietly(channel);
                continue;
            }
            connections.add(c);
            deadline(c, limits.requestNanos());
        }
    }

    private void ready(SelectionKey key) {
        Connection c = (Connection) key.attachment();
        try {
            if (key.isReadable() && c.state == State.READING) {
                read(c);
            } else if (key.isReadable() && c.state == State.DRAINING) {
                drain(c);
            } else if (key.isWritable() && c.state == State.WRITING) {
                write(c);
            }
        } catch (IOException | CancelledKeyException e) {
            close(c);
        } catch (RuntimeException e) {
            Log.error("http connection failed", "remote", c.remote, "error", e.toString());
            close(c);
        }
    }

    private void read(Connection c) throws IOException {
        readBuffer.clear();
        readBuffer.limit(Math.min(readBuffer.capacity(), limits.maxHeadBytes() + 1 - c.inLength));
        int n = c.channel.read(readBuffer);
        if (n < 0) {
            close(c);
            return;
        }
        if (n == 0) {
            return;
        }
        readBuffer.flip();
        if (c.in == null || c.in.length < c.inLength + n) {
            byte[] grown = new byte[Math.min(limits.maxHeadBytes() + 1, Math.max(1024, 2 * (c.inLength + n)))];
            if (c.in != null) {
                System.arraycopy(c.in, 0, grown, 0, c.inLength);
            }
            c.in = grown;
        }
        readBuffer.get(c.in, c.inLength, n);
        if (c.keptAlive) {
            releaseKeepAlive(c); // the next request has begun: no longer idle
            deadline(c, limits.requestNanos());
        }
        c.inLength += n;
        dispatch(c);
    }

    /** Handles the next request in the connection's buffer, if its head is all there. */
    private void dispatch(Connection c) throws IOException {
        int end = RequestHead.end(c.in, Math.max(0, c.scanned - 2), c.inLength);
        if (end < 0 || end > limits.maxHeadBytes()) {
            c.scanned = c.inLength;
            if (end > 0 || c.inLength > limits.maxHeadBytes()) {
                refuse(c, 431, "request head too large");
            }
            return;
        }
        RequestHead head;
        try {
            head = RequestHead.parse(c.in, end, limits.maxHeaderLines());
        } catch (RequestHead.Refused e) {
            refuse(c, e.status(), e.getMessage());
            return;
        }
        c.inLength -= end;
        c.scanned = 0;
        System.arraycopy(c.in, end, c.in, 0, c.inLength); // a pipelined request waits its turn
        if (c.inLength == 0 && c.in.length > 1024) {
            c.in = null; // a big head's buffer is not kept for an idle connection
        }
        c.state = State.HANDLING;
        c.deadline = Long.MAX_VALUE;
        c.key.interestOps(0);
        PlainExchange exchange = new PlainExchange(this, c, head);
        switch (router.apply(head)) {
            case SELECTOR -> {
                exchange.setAttribute(MUST_NOT_WAIT, Boolean.TRUE);
                handle(exchange);
            }
            case WHEN_READY -> {
                exchange.setAttribute(MUST_NOT_WAIT, Boolean.TRUE);
                Waiting w = new Waiting(exchange, System.nanoTime() + limits.readyWaitNanos());
                if (readiness.runWhenReady(w)) {
                    waiting.add(w);
                    nextSweep = Math.min(nextSweep, w.until);
                } else {
                    handle(exchange);
                }
            }
            case POOL -> {
                try {
                    pool.execute(() -> handle(exchange));
                } catch (RejectedExecutionException e) {
                    close(c); // as the JDK server: no thread and no queue room, the connection is closed at once
                }
            }
        }
    }

    /** A request waiting to be handled: by whichever comes first, readiness or the selector thread at its time. */
    private final class Waiting implements Runnable {
        private final PlainExchange exchange;
        private final long until;
        private final AtomicBoolean taken = new AtomicBoolean();

        Waiting(PlainExchange exchange, long until) {
            this.exchange = exchange;
            this.until = until;
        }

        boolean take() {
            return taken.compareAndSet(false, true);
        }

        @Override
        public void run() {
            if (take()) {
                handle(exchange);
            }
        }
    }

    private void handle(PlainExchange exchange) {
        try {
            handler.handle(exchange);
        } catch (IOException | RuntimeException e) {
            Log.debug("http exchange failed", "remote", exchange.getRemoteAddress(), "error", e.toString());
        } catch (StackOverflowError | LinkageError e) {
            Log.error("http request failed", "remote", exchange.getRemoteAddress(), "error", e.toString());
        } finally {
            exchange.close();
        }
    }

    /**
     * From any thread: the exchange is done. Another thread writes a response of at most
     * {@link #WRITE_SLICE} at once, as far as the socket takes it, so that no wake-up of this one
     * stands between the handler and the client; the selector thread writes the rest and goes on
     * with the connection. A larger response is left to the selector thread whole, so that the
     * budget of bodies held for slow clients can still refuse it (503).
     */
    void completed(Connection c, PlainExchange exchange) {
        boolean elsewhere = Thread.currentThread() != thread;
        try {
            if (elsewhere && exchange.status() >= 0
                    && (!exchange.bodyAllowed() || exchange.body().remaining() <= WRITE_SLICE)) {
                writeAtOnce(c, exchange);
            }
        } catch (RuntimeException e) {
            Log.error("http response failed", "remote", c.remote, "error", e.toString());
            c.writtenAtOnce = true;
            c.writeFailed = true; // the selector thread closes the connection
        } finally {
            c.response = exchange;
            completed.add(c);
            if (elsewhere) {
                selector.wakeup();
            }
        }
    }

    /** On the handler's thread: the response's head and body, written until the socket is full. */
    private void writeAtOnce(Connection c, PlainExchange exchange) {
        ByteBuffer body = exchange.bodyAllowed() ? exchange.body() : ByteBuffer.allocate(0);
        boolean keepAlive = exchange.head().keepAlive() && running && reserveKeepAlive(c);
        c.out = response(exchange.status(), exchange.responseHeadersView(),
                exchange.bodyAllowed() ? body.remaining() : noBodyLength(exchange), keepAlive, body);
        c.closeAfter = !keepAlive;
        c.writtenAtOnce = true;
        try {
            writeOut(c.channel, c.out);
        } catch (IOException e) {
            c.writeFailed = true;
        }
    }

    private void writeCompleted() {
        Connection c;
        while ((c = completed.poll()) != null) {
            PlainExchange exchange = c.response;
            c.response = null;
            if (c.closed) {
                continue;
            }
            try {
                if (c.writtenAtOnce) {
                    writeRest(c);
                    continue;
                }
                if (exchange.status() < 0) {
                    close(c); // the handler sent nothing: as the JDK server, end the connection
                    continue;
                }
                ByteBuffer body = exchange.bodyAllowed() ? exchange.body() : null;
                if (body != null && !holdBody(c, body)) {
                    refuse(c, 503, "responses waiting for slow clients fill the budget");
                    continue;
                }
                boolean keepAlive = exchange.head().keepAlive() && running && reserveKeepAlive(c);
                send(c, exchange.status(), exchange.responseHeadersView(),
                        body != null ? body.remaining() : noBodyLength(exchange), keepAlive,
                        body == null ? ByteBuffer.allocate(0) : body);
            } catch (IOException | CancelledKeyException e) {
                close(c);
            } catch (RuntimeException e) {
                Log.error("http response failed", "remote", c.remote, "error", e.toString());
                close(c);
            }
        }
    }

    /** After {@link #writeAtOnce}: what the socket did not take is written from here, within the same budget and time. */
    private void writeRest(Connection c) throws IOException {
        c.writtenAtOnce = false;
        if (c.writeFailed) {
            close(c);
            return;
        }
        ByteBuffer body = c.out[1];
        if (body.hasRemaining() && !holdBody(c, body)) {
            close(c); // part of it is sent already: no other answer fits
            return;
        }
        c.state = State.WRITING;
        deadline(c, limits.responseNanos());
        write(c);
    }

    /** Content-Length for a response without a body: none where it would describe another (HEAD), else 0. */
    private static long noBodyLength(PlainExchange exchange) {
        int status = exchange.status();
        return exchange.head().method().equals("HEAD") || status < 200 || status == 204 || status == 304 ? -1 : 0;
    }

    /**
     * Counts a body against {@link #PENDING_BYTES} until it is sent. One array shared by many
     * responses (the kept page) is counted once: that is what it holds.
     */
    private boolean holdBody(Connection c, ByteBuffer body) {
        if (!body.hasArray() || body.remaining() == 0) {
            return true;
        }
        byte[] array = body.array();
        Integer n = pendingBodies.get(array);
        if (n == null) {
            if (pendingBytes + array.length > PENDING_BYTES) {
                return false;
            }
            pendingBytes += array.length;
            n = 0;
        }
        pendingBodies.put(array, n + 1);
        c.pendingBody = array;
        return true;
    }

    private void releaseBody(Connection c) {
        byte[] array = c.pendingBody;
        if (array == null) {
            return;
        }
        c.pendingBody = null;
        int n = pendingBodies.get(array);
        if (n == 1) {
            pendingBodies.remove(array);
            pendingBytes -= array.length;
        } else {
            pendingBodies.put(array, n - 1);
        }
    }

    /** A keep-alive place for the connection after this response, if one is free. */
    private boolean reserveKeepAlive(Connection c) {
        if (!c.keptAlive) {
            int taken;
            do {
                taken = keptAlive.get();
                if (taken >= limits.maxIdleConnections()) {
                    return false;
                }
            } while (!keptAlive.compareAndSet(taken, taken + 1));
            c.keptAlive = true;
        }
        return true;
    }

    private void releaseKeepAlive(Connection c) {
        if (c.keptAlive) {
            c.keptAlive = false;
            keptAlive.decrementAndGet();
        }
    }

    private void write(Connection c) throws IOException {
        if (!writeOut(c.channel, c.out)) {
            c.key.interestOps(SelectionKey.OP_WRITE); // the socket is full: go on when it drains
            return;
        }
        c.out = null;
        releaseBody(c);
        if (c.closeAfter) {
            startDrain(c);
            return;
        }
        c.state = State.READING;
        if (c.inLength > 0) {
            releaseKeepAlive(c);
            deadline(c, limits.requestNanos());
            dispatch(c);
            if (c.state == State.READING && !c.closed) {
                c.key.interestOps(SelectionKey.OP_READ);
            }
            return;
        }
        deadline(c, limits.idleNanos());
        c.key.interestOps(SelectionKey.OP_READ);
    }

    /**
     * Writes the buffers in one system call per {@link #WRITE_SLICE} (the head and the start of
     * the body in one packet) until all is written or the socket is full.
     *
     * @return whether all was written
     */
    private static boolean writeOut(SocketChannel channel, ByteBuffer[] out) throws IOException {
        ByteBuffer[] slices = new ByteBuffer[out.length];
        while (true) {
            int n = 0;
            int total = 0;
            for (ByteBuffer b : out) {
                int take = Math.min(b.remaining(), WRITE_SLICE - total);
                if (take > 0) {
                    slices[n] = b.duplicate().limit(b.position() + take);
                    n++;
                    total += take;
                }
            }
            if (n == 0) {
                return true;
            }
            long left = channel.write(slices, 0, n);
            boolean full = left < total;
            for (ByteBuffer b : out) {
                int k = (int) Math.min(left, b.remaining());
                b.position(b.position() + k);
                left -= k;
            }
            if (full) {
                return false;
            }
        }
    }

    /** After a last response: no more output; what the client still sends is read and dropped. */
    private void startDrain(Connection c) throws IOException {
        releaseKeepAlive(c);
        c.in = null;
        c.inLength = 0;
        c.state = State.DRAINING;
        c.drained = 0;
        c.channel.shutdownOutput();
        deadline(c, DRAIN_NANOS);
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void drain(Connection c) throws IOException {
        readBuffer.clear();
        int n = c.channel.read(readBuffer);
        c.drained += Math.max(0, n);
        if (n < 0 || c.drained > DRAIN_BYTES) {
            close(c);
        }
    }

    /** Answers a request that cannot be served (malformed, too large) and closes its connection. */
    private void refuse(Connection c, int status, String reason) throws IOException {
        Log.debug("http request refused", "remote", c.remote, "status", status, "reason", reason);
        byte[] body = (ResponseHead.reason(status) + "\n").getBytes(StandardCharsets.US_ASCII);
        Headers headers = new Headers();
        headers.set("Content-Type", "text/plain; charset=utf-8");
        releaseKeepAlive(c);
        c.inLength = 0;
        send(c, status, headers, body.length, false, ByteBuffer.wrap(body));
    }

    /**
     * Starts writing a response: its head ({@link ResponseHead}, dated now) and its body; the
     * connection ends after it unless kept alive.
     */
    private void send(Connection c, int status, Headers headers, long length, boolean keepAlive,
                      ByteBuffer body) throws IOException {
        c.out = response(status, headers, length, keepAlive, body);
        c.closeAfter = !keepAlive;
        c.state = State.WRITING;
        deadline(c, limits.responseNanos());
        write(c);
    }

    /** A response's head and body, as {@link #writeOut} takes them: from any thread. */
    private ByteBuffer[] response(int status, Headers headers, long length, boolean keepAlive, ByteBuffer body) {
        return new ByteBuffer[] {
            ByteBuffer.wrap(ResponseHead.bytes(status, headers, length, keepAlive, date.now(System.currentTimeMillis()))),
            body};
    }

    private void deadline(Connection c, long nanos) {
        c.deadline = System.nanoTime() + nanos;
        nextSweep = Math.min(nextSweep, c.deadline);
    }

    /** Closes the connections whose time is up, accepts again after a pause; notes the next deadline. */
    private void sweep() {
        long now = System.nanoTime();
        if (now - nextSweep < 0) {
            return;
        }
        long next = Long.MAX_VALUE;
        if (acceptPaused) {
            if (now - acceptPausedUntil >= 0) {
                acceptPaused = false;
                listenerKey.interestOps(SelectionKey.OP_ACCEPT);
            } else {
                next = acceptPausedUntil;
            }
        }
        for (Iterator<Waiting> i = waiting.iterator(); i.hasNext(); ) {
            Waiting w = i.next();
            if (w.taken.get()) {
                i.remove();
            } else if (now - w.until >= 0) {
                i.remove();
                if (w.take()) {
                    readiness.cancel(w);
                    handle(w.exchange); // not ready in time: served as it is
                }
            } else {
                next = Math.min(next, w.until);
            }
        }
        List<Connection> expired = new ArrayList<>();
        for (Connection c : connections) {
            if (c.state == State.HANDLING) {
                continue;
            }
            if (c.deadline - now <= 0) {
                expired.add(c);
            } else {
                next = Math.min(next, c.deadline);
            }
        }
        for (Connection c : expired) {
            if (c.state == State.WRITING) {
                // A response the client does not take: reset, so that the kernel drops what is
                // still queued instead of holding it for a client that may never read.
                try {
                    c.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                } catch (IOException ignored) {
                    // closed anyway
                }
            }
            close(c);
        }
        nextSweep = next;
    }

    private void close(Connection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        connections.remove(c);
        releaseKeepAlive(c);
        releaseBody(c);
        if (c.key != null) {
            c.key.cancel();
        }
        closeQuietly(c.channel);
    }
}
