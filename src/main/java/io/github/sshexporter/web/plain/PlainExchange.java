package io.github.sshexporter.web.plain;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * One request on a {@link PlainServer} connection, handed to the exporter's {@link
 * com.sun.net.httpserver.HttpHandler} as the JDK server would hand it. The response is kept
 * whole until {@link #close()}; then a handler's thread other than the selector's writes a small
 * one (see {@link PlainServer#completed}) as far as the socket takes it without blocking, and the
 * selector thread writes the rest and any larger one: a handler never waits on the socket.
 * Request bodies are never read (the routes take none): the request body is empty, and a request
 * that announced one ends its connection.
 */
final class PlainExchange extends HttpExchange {
    private final PlainServer server;
    private final PlainServer.Connection connection;
    private final RequestHead head;
    private final Headers responseHeaders = new Headers();
    private final Map<String, Object> attributes = new HashMap<>(2);
    private final ResponseBody body = new ResponseBody();
    private int status = -1;
    private boolean bodyAllowed;
    private boolean closed;

    PlainExchange(PlainServer server, PlainServer.Connection connection, RequestHead head) {
        this.server = server;
        this.connection = connection;
        this.head = head;
    }

    RequestHead head() {
        return head;
    }

    int status() {
        return status;
    }

    Headers responseHeadersView() {
        return responseHeaders;
    }

    boolean bodyAllowed() {
        return bodyAllowed;
    }

    ByteBuffer body() {
        return body.bytes();
    }

    @Override
    public Headers getRequestHeaders() {
        return head.headers();
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return head.uri();
    }

    @Override
    public String getRequestMethod() {
        return head.method();
    }

    /** There are no contexts: one handler serves every path. */
    @Override
    public HttpContext getHttpContext() {
        return null;
    }

    @Override
    public InputStream getRequestBody() {
        return InputStream.nullInputStream();
    }

    @Override
    public OutputStream getResponseBody() {
        return body;
    }

    /**
     * As the JDK server: {@code length} -1 means no body, 0 a body of any length, more a body of
     * exactly that length. The length sent is the length written, always as Content-Length.
     */
    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        if (status >= 0) {
            throw new IOException("headers already sent");
        }
        if (code < 100 || code > 999) {
            throw new IllegalArgumentException("bad status " + code);
        }
        status = code;
        bodyAllowed = length >= 0 && !head.method().equals("HEAD") && code >= 200 && code != 204 && code != 304;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return connection.remote();
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return connection.local();
    }

    @Override
    public String getProtocol() {
        return head.version();
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream in, OutputStream out) {
        throw new UnsupportedOperationException("filters are not used here");
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    /** Hands the response to the selector thread (or the connection's end, if none was sent). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.completed(connection, this);
    }

    /**
     * The response body. An array written whole in one call is kept as it is instead of copied
     * (the cached page, or a buffer its writer drops afterwards): the handlers here never change
     * an array once written.
     */
    private final class ResponseBody extends OutputStream {
        private byte[] whole;
        private Growing copy;

        @Override
        public void write(int b) throws IOException {
            writable();
            copy().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writable();
            if (whole == null && copy == null && off == 0 && len == b.length) {
                whole = b;
                return;
            }
            copy().write(b, off, len);
        }

        private void writable() throws IOException {
            if (status < 0 || !bodyAllowed) {
                throw new IOException(status < 0 ? "headers not sent" : "no response body expected");
            }
            if (closed) {
                throw new IOException("exchange closed");
            }
        }

        private Growing copy() {
            if (copy == null) {
                copy = new Growing();
                if (whole != null) {
                    copy.write(whole, 0, whole.length);
                    whole = null;
                }
            }
            return copy;
        }

        ByteBuffer bytes() {
            if (whole != null) {
                return ByteBuffer.wrap(whole);
            }
            return copy == null ? ByteBuffer.allocate(0) : copy.bytes();
        }
    }

    /** A ByteArrayOutputStream that lends its array instead of copying it. */
    private static final class Growing extends ByteArrayOutputStream {
        Growing() {
            super(1024);
        }

        ByteBuffer bytes() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }
}
