package io.github.sshexporter.web.plain;

import java.nio.charset.StandardCharsets;

/**
 * The {@code Date} header's value (RFC 9110's IMF-fixdate, {@code Sun, 06 Nov 1994 08:49:37 GMT})
 * for a second since the epoch, made once per second. Written by hand because this is on every
 * response: {@code java.time}'s formatter is slow until the JIT has compiled it.
 */
final class HttpDate {
    private static final String[] DAYS = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
        "Nov", "Dec"};

    /** A second and its value, swapped whole: any thread may ask. */
    private record Stamp(long second, byte[] value) {}

    private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, null);

    /** The value for the current second, as bytes (the caller does not change them). */
    byte[] now(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        Stamp last = stamp;
        if (last.second() != s) {
            last = new Stamp(s, format(s).getBytes(StandardCharsets.US_ASCII));
            stamp = last;
        }
        return last.value();
    }

    static String format(long epochSecond) {
        long days = Math.floorDiv(epochSecond, 86400);
        int secondOfDay = Math.floorMod(epochSecond, 86400);
        // Civil date from days since 1970-01-01 (the proleptic Gregorian calendar, eras of 400 years).
        long z = days + 719468;
        long era = Math.floorDiv(z, 146097);
        long dayOfEra = z - era * 146097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder b = new StringBuilder(29);
        b.append(DAYS[Math.floorMod(days, 7)]).append(", ");
        two(b, day).append(' ').append(MONTHS[month - 1]).append(' ').append(year).append(' ');
        two(b, secondOfDay / 3600).append(':');
        two(b, secondOfDay / 60 % 60).append(':');
        two(b, secondOfDay % 60).append(" GMT");
        return b.toString();
    }

    private static StringBuilder two(StringBuilder b, int n) {
        return b.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }
}
