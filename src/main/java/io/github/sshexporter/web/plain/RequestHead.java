package io.github.sshexporter.web.plain;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A request line and its header fields, parsed from the bytes a client sent before the blank
 * line. Strict where leniency lets a request mean two things to two servers (a space before the
 * colon, folded lines, a bad Content-Length): those are refused with 400. Bodies are not read:
 * a request that announces one is answered and its connection closed.
 */
public record RequestHead(String method, URI uri, String version, Headers headers, boolean keepAlive, boolean hasBody) {

    /** A request that cannot be answered normally: the status to answer it with, then close. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;

        Refused(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * Where the head in {@code buf[0, length)} ends (the index just past its blank line), or -1
     * when the blank line has not arrived yet. Lines end in CRLF or a bare LF.
     */
    public static int end(byte[] buf, int length) {
        return end(buf, 0, length);
    }

    /** The same, searching from {@code from} (a head's end cannot start before what was searched). */
    public static int end(byte[] buf, int from, int length) {
        for (int i = from; i < length; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            if (i + 1 < length && buf[i + 1] == '\n') {
                return i + 2;
            }
            if (i + 2 < length && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                return i + 3;
            }
        }
        return -1;
    }

    /** Parses {@code buf[0, end)}, a complete head as {@link #end} found it. */
    public static RequestHead parse(byte[] buf, int end, int maxHeaderLines) throws Refused {
        String text = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        int at = 0;
        int eol = text.indexOf('\n');
        String requestLine = line(text, at, eol);
        at = eol + 1;
        String[] parts = requestLine.split(" ", -1);
        if (parts.length != 3 || !token(parts[0]) || parts[1].isEmpty()) {
            throw new Refused(400, "bad request line");
        }
        String version = parts[2];
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new Refused(version.startsWith("HTTP/") ? 505 : 400, "bad protocol version");
        }
        for (int i = 0; i < parts[1].length(); i++) {
            char c = parts[1].charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new Refused(400, "bad request target");
            }
        }
        URI uri;
        try {
            uri = new URI(parts[1]);
        } catch (URISyntaxException e) {
            throw new Refused(400, "bad request target");
        }
        if (uri.getRawPath() == null || uri.getRawPath().isEmpty()) {
            throw new Refused(400, "bad request target");
        }
        Headers headers = new Headers();
        int lines = 0;
        while (at < end) {
            eol = text.indexOf('\n', at);
            String field = line(text, at, eol);
            at = eol + 1;
            if (field.isEmpty()) {
                break;
            }
            if (++lines > maxHeaderLines) {
                throw new Refused(431, "too many header fields");
            }
            int colon = field.indexOf(':');
            if (colon <= 0 || !token(field.substring(0, colon))) {
                throw new Refused(400, "bad header field");
            }
            String value = field.substring(colon + 1).strip();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < ' ' && c != '\t' || c == 0x7f) {
                    throw new Refused(400, "bad header field");
                }
            }
            headers.add(field.substring(0, colon), value);
        }
        boolean hasBody = headers.containsKey("Transfer-Encoding") || contentLength(headers) > 0;
        boolean close = version.equals("HTTP/1.0") || listsClose(headers);
        return new RequestHead(parts[0], uri, version, headers, !close && !hasBody, hasBody);
    }

    private static String line(String text, int from, int eol) {
        int to = eol > from && text.charAt(eol - 1) == '\r' ? eol - 1 : eol;
        return text.substring(from, to);
    }

    private static long contentLength(Headers headers) throws Refused {
        java.util.List<String> values = headers.get("Content-Length");
        if (values == null) {
            return 0;
        }
        long length = -1;
        for (String v : values) {
            if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new Refused(400, "bad Content-Length");
            }
            long n = Long.parseLong(v);
            if (length >= 0 && n != length) {
                throw new Refused(400, "bad Content-Length");
            }
            length = n;
        }
        return length;
    }

    private static boolean listsClose(Headers headers) {
        java.util.List<String> values = headers.get("Connection");
        if (values == null) {
            return false;
        }
        for (String v : values) {
            for (String option : v.split(",")) {
                if (option.strip().toLowerCase(Locale.ROOT).equals("close")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** RFC 9110's token: the characters of a method or a field name. */
    static boolean token(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
