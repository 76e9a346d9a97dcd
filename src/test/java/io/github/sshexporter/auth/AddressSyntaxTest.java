package io.github.sshexporter.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressSyntaxTest {
    @ParameterizedTest(name = "{0}: v4 {1}, v6 {2}, name {3}")
    @CsvSource(delimiter = '|', value = {
        "203.0.113.7|true|false|false",
        "0.0.0.0|true|false|false",
        "255.255.255.255|true|false|false",
        "256.1.1.1|false|false|false",
        "01.2.3.4|false|false|false",
        "1.2.3|false|false|false",
        "1.2.3.4.5|false|false|false",
        "1.2.3.4.|false|false|false",
        "999.1.1.1|false|false|false",
        "::1|false|true|false",
        "::|false|true|false",
        "2001:db8::5|false|true|false",
        "2001:DB8:0:0:0:0:0:5|false|true|false",
        "1:2:3:4:5:6:7::|false|true|false",
        "1::|false|true|false",
        "::ffff:192.0.2.4|false|true|false",
        "fe80::1%eth0|false|true|false",
        "fe80::1%|false|false|false",
        "fe80::1%eth 0|false|false|false",
        "1::2::3|false|false|false",
        "1:2:3:4:5:6:7:8:9|false|false|false",
        "1:2:3:4:5:6:7:8::|false|false|false",
        ":::|false|false|false",
        ":1::|false|false|false",
        "1:|false|false|false",
        "12345::|false|false|false",
        "g::1|false|false|false",
        "client.example.org|false|false|true",
        "Client-1.Example.ORG|false|false|true",
        "localhost|false|false|true",
        "UNKNOWN|false|false|true",
        "-bad.example.org|false|false|false",
        "bad-.example.org|false|false|false",
        "bad..example.org|false|false|false",
        "bad!.example.org|false|false|false",
        "example.123|false|false|false",
    })
    void syntax(String s, boolean ipv4, boolean ipv6, boolean hostName) {
        assertEquals(ipv4, AddressSyntax.isIpv4(s), "ipv4");
        assertEquals(ipv6, AddressSyntax.isIpv6(s), "ipv6");
        assertEquals(hostName, AddressSyntax.isHostName(s), "host name");
        assertEquals(ipv4 || ipv6 || hostName, AddressSyntax.isAddress(s), "address");
    }
}
