package io.github.sshexporter.web.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RequestHeadTest {
    private static RequestHead parse(String head) throws RequestHead.Refused {
        byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
        int end = RequestHead.end(b, b.length);
        assertTrue(end > 0, "a complete head");
        return RequestHead.parse(b, end, 100);
    }

    private static int refused(String head) {
        return assertThrows(RequestHead.Refused.class, () -> parse(head)).status();
    }

    @Test
    void aScrape() throws Exception {
        RequestHead h = parse("GET /metrics HTTP/1.1\r\nHost: a:9\r\nAccept: text/plain;version=0.0.4\r\n"
                + "Accept-Encoding: gzip\r\n\r\n");
        assertEquals("GET", h.method());
        assertEquals("/metrics", h.uri().getRawPath());
        assertEquals(null, h.uri().getRawQuery());
        assertEquals("text/plain;version=0.0.4", h.headers().getFirst("accept"));
        assertTrue(h.keepAlive());
        assertFalse(h.hasBody());
    }

    @Test
    void endIsFoundWithCrlfOrBareLf() {
        byte[] crlf = "GET / HTTP/1.1\r\n\r\nGET".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(18, RequestHead.end(crlf, crlf.length));
        byte[] lf = "GET / HTTP/1.1\n\nX".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(16, RequestHead.end(lf, lf.length));
        byte[] partial = "GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(-1, RequestHead.end(partial, partial.length));
        assertEquals(-1, RequestHead.end(crlf, 17)); // the last LF not there yet
    }

    @Test
    void queryAndAbsoluteForm() throws Exception {
        RequestHead h = parse("GET http://host:9/metrics?name[]=x HTTP/1.1\r\n\r\n");
        assertEquals("/metrics", h.uri().getRawPath());
        assertEquals("name[]=x", h.uri().getRawQuery());
    }

    @Test
    void connectionEnds() throws Exception {
        assertFalse(parse("GET / HTTP/1.0\r\n\r\n").keepAlive());
        assertFalse(parse("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n").keepAlive());
        RequestHead body = parse("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n");
        assertTrue(body.hasBody());
        assertFalse(body.keepAlive());
        assertTrue(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").hasBody());
        assertFalse(parse("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n").hasBody());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "GET /metrics\\r\\n\\r\\n|400",
        "GET  /metrics HTTP/1.1\\r\\n\\r\\n|400",
        "G(T /metrics HTTP/1.1\\r\\n\\r\\n|400",
        "GET /metrics HTTP/2.0\\r\\n\\r\\n|505",
        "GET /metrics FTP/1.1\\r\\n\\r\\n|400",
        "GET /a\\u0001b HTTP/1.1\\r\\n\\r\\n|400",
        "GET /a{b HTTP/1.1\\r\\n\\r\\n|400",
        "GET ?x HTTP/1.1\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nNoColon\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\n: empty\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nA: b\\r\\n folded\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nA: b\\u0000c\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nContent-Length: -1\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n|400",
    })
    void refusedHeads(String head, int status) {
        String unescaped = head.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001")
                .replace("\\u0000", "\u0000");
        assertEquals(status, refused(unescaped), unescaped);
    }

    @Test
    void headerLinesAreCounted() throws Exception {
        StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 100; i++) {
            b.append("X-").append(i).append(": v\r\n");
        }
        assertEquals(100, parse(b + "\r\n").headers().size());
        assertEquals(431, refused(b + "X-100: v\r\n\r\n"));
    }

    @Test
    void aBareCrInsideAValueIsRefused() {
        // Not a line end here, but one to some other servers: the request could mean two things.
        assertEquals(400, refused("GET / HTTP/1.1\r\nX-A: a\rContent-Length: 5\r\n\r\n"));
    }
}
