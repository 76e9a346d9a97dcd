package io.github.sshexporter.web.plain;

import com.sun.net.httpserver.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** A response's status line and header fields, as bytes. */
final class ResponseHead {
    private ResponseHead() {}

    /**
     * @param length    the body's length, sent as Content-Length in place of any the handler set;
     *                  -1 to send the handler's fields as they are (a HEAD response, a 204)
     * @param keepAlive false to say {@code Connection: close}
     * @param date      the Date field's value
     */
    static byte[] bytes(int status, Headers headers, long length, boolean keepAlive, byte[] date) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        ascii(out, "HTTP/1.1 " + status + " " + reason(status) + "\r\nDate: ");
        out.write(date, 0, date.length);
        ascii(out, "\r\n");
        if (!keepAlive) {
            ascii(out, "Connection: close\r\n");
        }
        for (Map.Entry<String, List<String>> field : headers.entrySet()) {
            String name = field.getKey();
            if (length >= 0 && name.equalsIgnoreCase("Content-Length")
                    || name.equalsIgnoreCase("Date") || name.equalsIgnoreCase("Connection")
                    || name.equalsIgnoreCase("Transfer-Encoding") || !RequestHead.token(name)) {
                continue;
            }
            for (String value : field.getValue()) {
                if (value != null && value.indexOf('\r') < 0 && value.indexOf('\n') < 0) {
                    ascii(out, name + ": " + value + "\r\n");
                }
            }
        }
        if (length >= 0) {
            ascii(out, "Content-Length: " + length + "\r\n");
        }
        ascii(out, "\r\n");
        return out.toByteArray();
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        out.write(b, 0, b.length);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }
}
