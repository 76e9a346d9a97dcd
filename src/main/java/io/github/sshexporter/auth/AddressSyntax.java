package io.github.sshexporter.auth;

/**
 * Strict checks of the remote address sshd writes: an IPv4 or IPv6 literal as {@code getnameinfo}
 * prints it (IPv6 with a {@code %zone} for link-local peers), or with {@code UseDNS yes} a host name.
 * No DNS, no {@code InetAddress}: text only.
 */
final class AddressSyntax {
    private static final int MAX_HOST_NAME = 253;
    private static final int MAX_LABEL = 63;
    private static final int MAX_ZONE = 64;

    private AddressSyntax() {}

    static boolean isAddress(String s) {
        return isIpv4(s) || isIpv6(s) || isHostName(s);
    }

    /** Dotted quad, each part 0 to 255 without leading zeros. */
    static boolean isIpv4(String s) {
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (true) {
            int start = i;
            int value = 0;
            while (i < n && isDigit(s.charAt(i)) && i - start < 3) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int length = i - start;
            if (length == 0 || value > 255 || length > 1 && s.charAt(start) == '0') {
                return false;
            }
            parts++;
            if (i == n) {
                return parts == 4;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return false;
            }
            i++;
        }
    }

    /** Any valid IPv6 text form (one "::" at most, an IPv4 tail allowed), optionally with a zone. */
    static boolean isIpv6(String s) {
        String literal = s;
        int percent = s.indexOf('%');
        if (percent >= 0) {
            if (!isZone(s.substring(percent + 1))) {
                return false;
            }
            literal = s.substring(0, percent);
        }
        if (literal.length() < 2 || literal.length() > 45 || literal.indexOf(':') < 0) {
            return false;
        }
        int groups = 0;
        boolean gap = false;
        int i = 0;
        int n = literal.length();
        if (literal.startsWith("::")) {
            gap = true;
            i = 2;
            if (n == 2) {
                return true;
            }
        } else if (literal.charAt(0) == ':') {
            return false;
        }
        while (true) {
            int end = i;
            while (end < n && literal.charAt(end) != ':') {
                end++;
            }
            String group = literal.substring(i, end);
            if (group.indexOf('.') >= 0) {
                // An IPv4 tail: only last, and worth two groups.
                if (end != n || !isIpv4(group)) {
                    return false;
                }
                groups += 2;
                break;
            }
            if (group.isEmpty() || group.length() > 4 || !isHex(group)) {
                return false;
            }
            groups++;
            if (end == n) {
                break;
            }
            if (end + 1 == n) {
                return false; // a trailing single ':'
            }
            if (literal.charAt(end + 1) == ':') {
                if (gap) {
                    return false;
                }
                gap = true;
                i = end + 2;
                if (i == n) {
                    break; // ends with "::"
                }
            } else {
                i = end + 1;
            }
        }
        return gap ? groups <= 7 : groups == 8;
    }

    /**
     * RFC 1123 host name: dot-separated labels of letters, digits, '-' (not at either end of a label)
     * and '_' (seen in the wild), the last label not all digits (so that {@code 999.1.1.1} is rejected,
     * not taken for a name).
     */
    static boolean isHostName(String s) {
        int n = s.length();
        if (n == 0 || n > MAX_HOST_NAME) {
            return false;
        }
        int start = 0;
        boolean lastAllDigits = true;
        for (int i = 0; i <= n; i++) {
            if (i < n && s.charAt(i) != '.') {
                char c = s.charAt(i);
                if (!(isAsciiLetter(c) || isDigit(c) || c == '-' || c == '_')) {
                    return false;
                }
                continue;
            }
            int length = i - start;
            if (length == 0 || length > MAX_LABEL || s.charAt(start) == '-' || s.charAt(i - 1) == '-') {
                return false;
            }
            lastAllDigits = true;
            for (int k = start; k < i; k++) {
                if (!isDigit(s.charAt(k))) {
                    lastAllDigits = false;
                    break;
                }
            }
            start = i + 1;
        }
        return !lastAllDigits;
    }

    private static boolean isZone(String zone) {
        if (zone.isEmpty() || zone.length() > MAX_ZONE) {
            return false;
        }
        for (int i = 0; i < zone.length(); i++) {
            char c = zone.charAt(i);
            if (!(isAsciiLetter(c) || isDigit(c) || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
