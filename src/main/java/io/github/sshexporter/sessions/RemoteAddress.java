package io.github.sshexporter.sessions;

/**
 * The {@code remote_ip} label of a session: an IP address whenever one is known, else the host
 * name as written, else {@code localhost} for local sessions.
 *
 * <ol>
 *   <li>A non-zero {@code ut_addr_v6}: IPv4 when only the first four bytes are set (or the
 *       address is IPv4-mapped), else IPv6 in RFC 5952 form.</li>
 *   <li>Host text that is or starts with an address: {@code 203.0.113.7 via mosh [12345]},
 *       {@code [2001:db8::1]}, {@code 10.0.0.5:0} (a remote X display).</li>
 *   <li>Empty host text, X displays ({@code :0}), screen/tmux forms ({@code :pts/1:S.0},
 *       {@code tmux(123).%0}): {@code localhost}.</li>
 *   <li>Anything else (a DNS name from sshd's {@code UseDNS yes}): its first word as written.</li>
 * </ol>
 */
public final class RemoteAddress {
    public static final String LOCAL = "localhost";

    private RemoteAddress() {}

    public static String label(String host, byte[] address) {
        String fromAddress = fromAddressBytes(address);
        return fromAddress != null ? fromAddress : fromHostText(host);
    }

    /** The address in {@code ut_addr_v6} (network order), or null when it is all zero. */
    static String fromAddressBytes(byte[] a) {
        if (a == null || a.length != 16) {
            return null;
        }
        boolean tailZero = true;
        for (int i = 4; i < 16; i++) {
            if (a[i] != 0) {
                tailZero = false;
                break;
            }
        }
        if (tailZero) {
            if (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0) {
                return null;
            }
            return IpLiteral.formatIpv4(a, 0);
        }
        if (IpLiteral.isIpv4Mapped(a)) {
            return IpLiteral.formatIpv4(a, 12);
        }
        return IpLiteral.formatIpv6(a);
    }

    static String fromHostText(String host) {
        String text = host == null ? "" : host.strip();
        String word = firstWord(text);
        String address = leadingAddress(word);
        if (address != null) {
            return address;
        }
        // ":0", ":pts/1:S.0" (checked after addresses: "::1" also starts with a colon).
        if (word.isEmpty() || word.charAt(0) == ':' || word.startsWith("tmux(")) {
            return LOCAL;
        }
        return word;
    }

    private static String firstWord(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return text.substring(0, i);
            }
        }
        return text;
    }

    /** The address a word is or starts with, normalised; null when it is not an address. */
    static String leadingAddress(String word) {
        if (word.startsWith("[")) {
            int close = word.indexOf(']');
            return close < 0 ? null : ipv6(word.substring(1, close));
        }
        // IPv4, possibly followed by ":display" or ":port".
        int colon = word.indexOf(':');
        String head = colon < 0 ? word : word.substring(0, colon);
        if (head.indexOf('.') > 0) {
            byte[] v4 = IpLiteral.parseIpv4(head);
            if (v4 != null) {
                return IpLiteral.formatIpv4(v4, 0);
            }
            if (colon < 0) {
                return null;
            }
        }
        return colon < 0 ? null : ipv6(word);
    }

    private static String ipv6(String literal) {
        String zone = "";
        int percent = literal.indexOf('%');
        if (percent >= 0) {
            zone = literal.substring(percent);
            literal = literal.substring(0, percent);
        }
        byte[] b = IpLiteral.parseIpv6(literal);
        if (b == null) {
            return null;
        }
        if (IpLiteral.isIpv4Mapped(b)) {
            return IpLiteral.formatIpv4(b, 12);
        }
        return IpLiteral.formatIpv6(b) + zone;
    }
}
