package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RemoteAddressTest {
    private static final byte[] NONE = new byte[16];

    private static byte[] bytes(int... values) {
        byte[] b = new byte[16];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void ipv4FromTheFirstFourBytesInNetworkOrder() {
        // 203.0.113.7 must not come out reversed as 7.113.0.203 (a native-int reading bug).
        assertEquals("203.0.113.7", RemoteAddress.label("", bytes(203, 0, 113, 7)));
    }

    @Test
    void addressBeatsHostText() {
        assertEquals("192.0.2.1", RemoteAddress.label("client.example.org", bytes(192, 0, 2, 1)));
    }

    @Test
    void ipv6FromAllSixteenBytesInRfc5952Form() {
        byte[] loopback = bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
        assertEquals("::1", RemoteAddress.label("::1", loopback));
        byte[] doc = bytes(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01);
        assertEquals("2001:db8::1", RemoteAddress.label("", doc));
    }

    @Test
    void ipv4MappedIpv6IsShownAsIpv4() {
        byte[] mapped = bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 51, 100, 9);
        assertEquals("198.51.100.9", RemoteAddress.label("", mapped));
    }

    @ParameterizedTest(name = "host \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
        "203.0.113.7|203.0.113.7",
        "203.0.113.7 via mosh [12345]|203.0.113.7",
        "2001:db8::7 via mosh [999]|2001:db8::7",
        "2001:DB8:0:0:0:0:0:7|2001:db8::7",
        "[2001:db8::5]|2001:db8::5",
        "::ffff:192.0.2.4|192.0.2.4",
        "fe80::1%eth0|fe80::1%eth0",
        "10.0.0.5:0|10.0.0.5",
        "''|localhost",
        "'   '|localhost",
        ":0|localhost",
        ":0.0|localhost",
        ":pts/1:S.0|localhost",
        "tmux(1234).%0|localhost",
        "client.example.org|client.example.org",
        "Client.Example.ORG|Client.Example.ORG",
        "host.example.org:0|host.example.org:0",
        "999.1.1.1|999.1.1.1",
        "1.2.3|1.2.3",
        "dead:beef|dead:beef",
        "1:2:3:4:5:6:7:8:9|1:2:3:4:5:6:7:8:9",
        "1::2::3|1::2::3",
    })
    void hostText(String host, String expected) {
        assertEquals(expected, RemoteAddress.label(host, NONE));
    }

    @Test
    void garbageHostTextIsKeptAndNeverThrows() {
        String garbage = "\uFFFD\uFFFD\u0001x";
        assertEquals(garbage, RemoteAddress.label(garbage, NONE));
        assertEquals("localhost", RemoteAddress.label(null, null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "::,::",
        "1:0:0:0:0:0:0:0,1::",
        "2001:db8:0:0:1:0:0:1,2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1,2001:db8:0:1:1:1:1:1",
        "2001:0db8:0000:0000:0000:ff00:0042:8329,2001:db8::ff00:42:8329",
        "0:0:1:0:0:0:0:1,0:0:1::1",
        "fe80::abcd:1.2.3.4,fe80::abcd:102:304",
    })
    void rfc5952(String input, String expected) {
        byte[] b = IpLiteral.parseIpv6(input);
        assertEquals(expected, IpLiteral.formatIpv6(b));
    }

    @Test
    void invalidIpv6IsRejected() {
        for (String bad : new String[] {":", ":::", "1:", ":1", "12345::", "g::1", "1:2:3:4:5:6:7:8:9", "1::2::3",
                "1:2:3:4:5:6:7::8:9", "::1.2.3.4.5", "1.2.3.4::"}) {
            assertNull(IpLiteral.parseIpv6(bad), bad);
        }
    }

    @Test
    void invalidIpv4IsRejected() {
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "1.2.3.4."}) {
            assertNull(IpLiteral.parseIpv4(bad), bad);
        }
    }
}
