package io.github.sshexporter.web.plain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HttpDateTest {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    @Test
    void rfcExample() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(784111777L));
    }

    @Test
    void agreesWithJavaTimeOverFourCenturies() {
        long[] fixed = {0, 86399, 86400, 951782400L /* 2000-02-29 */, 4107542399L /* 2100-02-28T23:59:59 */,
            4107542400L, 253402300799L /* 9999-12-31T23:59:59 */, 1796428800L};
        for (long s : fixed) {
            assertEquals(IMF_FIXDATE.format(Instant.ofEpochSecond(s)), HttpDate.format(s), "second " + s);
        }
        Random random = new Random(17);
        for (int i = 0; i < 200_000; i++) {
            long s = Math.floorMod(random.nextLong(), 253402300800L);
            assertEquals(IMF_FIXDATE.format(Instant.ofEpochSecond(s)), HttpDate.format(s), "second " + s);
        }
    }

    @Test
    void madeOncePerSecond() {
        HttpDate date = new HttpDate();
        byte[] first = date.now(1_000_000_000_123L);
        assertEquals(first, date.now(1_000_000_000_999L)); // the same array: not made again
        assertEquals("Sun, 09 Sep 2001 01:46:41 GMT", new String(date.now(1_000_000_001_000L)));
    }
}
