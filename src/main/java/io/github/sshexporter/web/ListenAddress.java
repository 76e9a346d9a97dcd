package io.github.sshexporter.web;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * One address to serve on, written as Prometheus exporters write it: {@code host:port},
 * {@code [ipv6]:port}, or {@code :port} for every interface (IPv6 and IPv4).
 *
 * @param host the host or address literal without brackets; empty for every interface
 * @param port TCP port, 1 to 65535
 */
public record ListenAddress(String host, int port) {
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Parses {@code host:port}; the message of the exception is one line for the user. */
    public static ListenAddress parse(String text) {
        String s = text.strip();
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' has no port (write host:port, [::1]:port or :port)");
        }
        String host = s.substring(0, colon);
        String portText = s.substring(colon + 1);
        if (host.startsWith("[")) {
            if (!host.endsWith("]") || host.length() < 3) {
                throw new IllegalArgumentException("'" + text + "' is not host:port ([::1]:port for IPv6)");
            }
            host = host.substring(1, host.length() - 1);
            if (!host.contains(":")) {
                throw new IllegalArgumentException("'" + text + "': brackets are for IPv6 addresses only");
            }
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': an IPv6 address needs brackets, as in [::1]:9999");
        }
        return new ListenAddress(host, parsePort(portText, text));
    }

    /** From the legacy flags {@code -H HOST -p PORT}: the host may be a bare IPv6 literal. */
    public static ListenAddress of(String host, int port) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return new ListenAddress(h, port);
    }

    private static int parsePort(String portText, String whole) {
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + whole + "': port '" + portText + "' is not a number from 1 to 65535");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("'" + whole + "': port " + port + " is out of range (1 to 65535)");
        }
        return port;
    }

    /** Every interface ({@code :port}). */
    public boolean wildcard() {
        return host.isEmpty();
    }

    /** An IPv4 literal such as 127.0.0.1 or 0.0.0.0 (a plain IPv4 socket serves it best). */
    public boolean ipv4Literal() {
        return IPV4_LITERAL.matcher(host).matches();
    }

    /** Resolves the host (literals never touch DNS). */
    public InetSocketAddress socketAddress() throws UnknownHostException {
        if (wildcard()) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** As written on the command line: {@code 127.0.0.1:9999}, {@code [::1]:9999}, {@code :9999}. */
    public String display(int actualPort) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + actualPort;
    }

    @Override
    public String toString() {
        return display(port);
    }
}
