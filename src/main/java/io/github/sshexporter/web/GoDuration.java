package io.github.sshexporter.web;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/** Durations as Go writes them ({@code 1s}, {@code 1m30s}, {@code 250ms}); a bare number is nanoseconds. */
final class GoDuration {
    private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L,
            "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

    private GoDuration() {}

    static Duration parse(StrictYaml.Mapping m, String key) throws WebConfigException {
        Node n = m.node(key);
        if (n == null) {
            return Duration.ZERO;
        }
        String where = StrictYaml.join(m.path(), key);
        String text = StrictYaml.scalar(n, where, "a duration such as 1s");
        Duration d = parse(text);
        if (d == null) {
            throw StrictYaml.error(n, where, "invalid duration '" + text + "' (write e.g. 1s, 500ms, 1m30s)");
        }
        if (d.isNegative()) {
            throw StrictYaml.error(n, where, "must not be negative");
        }
        return d;
    }

    /** Null when the text is not a Go duration. */
    static Duration parse(String text) {
        String s = text.strip();
        if (s.matches("[+-]?\\d+")) {
            try {
                return Duration.ofNanos(Long.parseLong(s)); // yaml.v2 puts an integer straight into the int64
            } catch (NumberFormatException e) {
                return null;
            }
        }
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            return null;
        }
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                return null;
            }
            BigDecimal number;
            try {
                number = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                return null;
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            Long nanos = UNITS.get(s.substring(unitStart, i));
            if (nanos == null) {
                return null;
            }
            total = total.add(number.multiply(BigDecimal.valueOf(nanos)));
        }
        try {
            long n = total.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            return Duration.ofNanos(negative ? -n : n);
        } catch (ArithmeticException e) {
            return null;
        }
    }
}
