package io.github.sshexporter.records;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UtmpxDecoderTest {
    private final UtmpxDecoder decoder = new UtmpxDecoder(UtmpxLayout.X86_64);

    @Test
    void fieldsWithoutNulTakeTheWholeField() {
        byte[] r = new byte[384];
        for (int i = 0; i < 32; i++) {
            r[44 + i] = 'u';
            r[8 + i] = 'l';
        }
        UtmpxRecord rec = decoder.decode(r);
        assertEquals("u".repeat(32), rec.user());
        assertEquals("l".repeat(32), rec.line());
    }

    @Test
    void invalidUtf8BecomesReplacementCharacters() {
        byte[] r = new byte[384];
        byte[] host = {(byte) 0xff, (byte) 0xfe, 'a', (byte) 0xc3};
        System.arraycopy(host, 0, r, 76, host.length);
        assertEquals("\uFFFD\uFFFDa\uFFFD", decoder.decode(r).host());
        byte[] utf8 = "héllo".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, r, 76, utf8.length);
        r[76 + utf8.length] = 0;
        assertEquals("héllo", decoder.decode(r).host());
    }

    @Test
    void tvSecIsUnsignedOnX8664() {
        byte[] r = new byte[384];
        r[340] = (byte) 0xff;
        r[341] = (byte) 0xff;
        r[342] = (byte) 0xff;
        r[343] = (byte) 0xff;
        assertEquals(4_294_967_295L, decoder.decode(r).seconds());
    }

    @Test
    void negativeAndGarbageTypesDecode() {
        byte[] r = new byte[384];
        r[0] = (byte) 0xff;
        r[1] = (byte) 0xff;
        assertEquals(-1, decoder.type(r));
        Random random = new Random(7);
        for (UtmpxLayout layout : UtmpxLayout.values()) {
            UtmpxDecoder d = new UtmpxDecoder(layout);
            byte[] g = new byte[layout.size];
            for (int i = 0; i < 2000; i++) {
                random.nextBytes(g);
                d.decode(g); // never throws
            }
        }
    }
}
