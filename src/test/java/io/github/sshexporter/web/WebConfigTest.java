package io.github.sshexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exporter-toolkit's web config format, read as strictly as the toolkit reads it. */
class WebConfigTest {
    static final String HASH = "$2y$10$vlfua6dro0dzKEi2OlgKVuNKmXSBUB904OfVzJPThfP7GlxrFq6w.";
    private static final Path DIR = Path.of("/etc/ssh-exporter");

    /** docs/web-config.yml of prometheus/exporter-toolkit, as operators copy it (also a seed of WebConfigFuzzTest). */
    static final String TOOLKIT_EXAMPLE = """
        # TLS and basic authentication configuration example.
        tls_server_config:
          cert_file: server.crt
          key_file: server.key

        basic_auth_users:
          alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze
          bob: $2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m

        rate_limit:
          interval: "1s"
          burst: 20
        """;

    /** Every TLS and HTTP field at once (also a seed of WebConfigFuzzTest). */
    static final String EVERY_TLS_FIELD = """
        tls_server_config:
          cert_file: /abs/server.crt
          key_file: keys/server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.pem
          client_allowed_sans: [prometheus.example, 192.0.2.1]
          min_version: TLS13
          max_version: TLS13
          cipher_suites:
            - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
          curve_preferences: [CurveP256, X25519]
          prefer_server_cipher_suites: false
        http_server_config:
          http2: false
          headers:
            X-Frame-Options: deny
            Strict-Transport-Security: max-age=31536000; includeSubDomains
            X-Content-Type-Options: nosniff
            X-XSS-Protection: 1
            Content-Security-Policy: "default-src 'self'"
        """;

    private static WebConfig parse(String yaml) throws WebConfigException {
        return WebConfig.parse(yaml, DIR, "web.yml");
    }

    private static String error(String yaml) {
        return assertThrows(WebConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void emptyFileIsPlainHttpWithoutAuth() throws Exception {
        for (String text : new String[] {"", "\n", "# nothing\n", "---\n", "tls_server_config:\n"}) {
            WebConfig c = parse(text);
            assertNull(c.tls(), text);
            assertTrue(c.users().isEmpty());
            assertTrue(c.headers().isEmpty());
            assertNull(c.rateLimit());
        }
    }

    @Test
    void theToolkitsOwnExampleFile() throws Exception {
        WebConfig c = parse(TOOLKIT_EXAMPLE);
        assertEquals(DIR.resolve("server.crt"), c.tls().certFile(), "relative to the config file's directory");
        assertEquals(DIR.resolve("server.key"), c.tls().keyFile());
        assertEquals(WebConfig.ClientAuth.NO_CLIENT_CERT, c.tls().clientAuth());
        assertEquals(WebConfig.TlsVersion.TLS12, c.tls().minVersion());
        assertEquals(WebConfig.TlsVersion.TLS13, c.tls().maxVersion());
        assertTrue(c.tls().preferServerCipherSuites());
        assertEquals(List.of("alice", "bob"), List.copyOf(c.users().keySet()));
        assertEquals(new WebConfig.RateLimit(Duration.ofSeconds(1), 20), c.rateLimit());
    }

    @Test
    void everyTlsField() throws Exception {
        WebConfig c = parse(EVERY_TLS_FIELD);
        WebConfig.Tls t = c.tls();
        assertEquals(Path.of("/abs/server.crt"), t.certFile());
        assertEquals(DIR.resolve("keys/server.key"), t.keyFile());
        assertEquals(DIR.resolve("ca.pem"), t.clientCaFile());
        assertEquals(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT, t.clientAuth());
        assertEquals(List.of("prometheus.example", "192.0.2.1"), t.clientAllowedSans());
        assertEquals(WebConfig.TlsVersion.TLS13, t.minVersion());
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), t.cipherSuites());
        assertEquals(List.of("CurveP256", "X25519"), t.curvePreferences());
        assertFalse(t.preferServerCipherSuites());
        assertFalse(c.http2());
        assertEquals("1", c.headers().get("X-XSS-Protection"), "a number is a string to a string field");
        assertEquals(5, c.headers().size());
    }

    @Test
    void clientAuthTypesAsTheToolkitNamesThem() throws Exception {
        Map<String, WebConfig.ClientAuth> names = Map.of(
                "NoClientCert", WebConfig.ClientAuth.NO_CLIENT_CERT,
                "RequestClientCert", WebConfig.ClientAuth.REQUEST_CLIENT_CERT,
                "RequireAnyClientCert", WebConfig.ClientAuth.REQUIRE_ANY_CLIENT_CERT,
                "RequireClientCert", WebConfig.ClientAuth.REQUIRE_ANY_CLIENT_CERT,
                "VerifyClientCertIfGiven", WebConfig.ClientAuth.VERIFY_CLIENT_CERT_IF_GIVEN,
                "RequireAndVerifyClientCert", WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT);
        for (Map.Entry<String, WebConfig.ClientAuth> e : names.entrySet()) {
            WebConfig c = parse("tls_server_config: {cert_file: a, key_file: b, client_auth_type: " + e.getKey() + "}");
            assertEquals(e.getValue(), c.tls().clientAuth(), e.getKey());
        }
    }

    @Test
    void inlinePemAndYaml11Booleans() throws Exception {
        WebConfig c = parse("""
                tls_server_config:
                  cert: |
                    -----BEGIN CERTIFICATE-----
                    MIIB
                    -----END CERTIFICATE-----
                  key: |
                    -----BEGIN PRIVATE KEY-----
                    MIIB
                    -----END PRIVATE KEY-----
                  prefer_server_cipher_suites: no
                """);
        assertNull(c.tls().certFile());
        assertTrue(c.tls().cert().startsWith("-----BEGIN CERTIFICATE-----\n"));
        assertFalse(c.tls().preferServerCipherSuites());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        // yaml strict: unknown and repeated keys (web_config_junk_key.yml of the toolkit)
        "'tls_server_config:\n  cert_filse: server.crt\n'|line 2: tls_server_config: unknown field \"cert_filse\"",
        "'tls_config:\n  cert_file: a\n'|line 1: unknown field \"tls_config\"",
        "'basic_auth_users:\n  a: " + HASH + "\n  a: " + HASH + "\n'|line 3: basic_auth_users.a: key given twice",
        "'http_server_config:\n  http3: true\n'|line 2: http_server_config: unknown field \"http3\"",
        "'rate_limit:\n  burst: 1\n  period: 1s\n'|line 3: rate_limit: unknown field \"period\"",
        // shapes
        "'hWkNKCp3fvIx3jKnsaBI\nTuEjdwNS8A2vYdFbiKqr\n'|line 1: expected a mapping of keys to values at the top",
        "'tls_server_config: [a, b]\n'|line 1: tls_server_config: expected a mapping of keys to values",
        "'tls_server_config:\n  cert_file: [a]\n  key_file: b\n'|line 2: tls_server_config.cert_file: expected a string, got a list",
        "'tls_server_config: {cert_file: a, key_file: b, prefer_server_cipher_suites: maybe}\n'|line 1: tls_server_config.prefer_server_cipher_suites: expected true or false, got 'maybe'",
        "'a: [\n'|not valid YAML",
        // the toolkit's own bad files
        "'tls_server_config:\n  cert_file: \"\"\n  key_file: server.key\n'|tls_server_config: missing one of cert or cert_file",
        "'tls_server_config:\n  cert_file: server.crt\n  key_file: \"\"\n'|tls_server_config: missing one of key or key_file",
        "'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: /dev/null\n'|tls_server_config: client CA's have been configured without a client_auth_type",
        "'tls_server_config:\n  cert_file: \"\"\n  key_file: \"\"\n  client_auth_type: x\n'|tls_server_config: missing one of cert or cert_file",
        "'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: x\n'|tls_server_config: invalid client_auth_type \"x\"",
        "'tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS111\n'|tls_server_config.min_version: unknown TLS version: TLS111",
        "'tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n'|tls_server_config: min_version TLS13 is above max_version TLS12",
        "'tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [CurveP257]\n'|tls_server_config: unknown curve: CurveP257",
        "'tls_server_config:\n  cert_file: a\n  key_file: b\nbasic_auth_users:\n  john: doe\n'|line 5: basic_auth_users: the password of user \"john\" is not a bcrypt hash",
        "'http_server_config:\n  headers:\n    Content-Type: foo\n'|http_server_config.headers: header \"Content-Type\" can not be configured",
        "'http_server_config:\n  headers:\n    X-Frame-Options: foo\n'|http_server_config.headers: invalid value for X-Frame-Options: expected one of [deny, sameorigin], got \"foo\"",
        "'http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n'|http_server_config.headers: invalid value for X-Content-Type-Options",
        "'rate_limit:\n  interval: 1 second\n'|line 2: rate_limit.interval: invalid duration '1 second'",
    })
    void badFilesAreOneClearLine(String yaml, String expected) {
        String message = error(yaml);
        assertTrue(message.startsWith(expected), "expected '" + expected + "...', got '" + message + "'");
        assertFalse(message.contains("\n"), "one line: " + message);
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(1), GoDuration.parse("1s"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofMillis(250), GoDuration.parse("250ms"));
        assertEquals(Duration.ofNanos(1000), GoDuration.parse("1µs"));
        assertEquals(Duration.ofHours(2), GoDuration.parse("2h"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ofNanos(5), GoDuration.parse("5"), "a bare integer is nanoseconds (yaml.v2 into int64)");
        assertNull(GoDuration.parse("1 s"));
        assertNull(GoDuration.parse("s"));
        assertNull(GoDuration.parse("1d"));
        assertNull(GoDuration.parse(""));
    }

    @Test
    void zeroIntervalTurnsTheRateLimitOff() throws Exception {
        assertNull(parse("rate_limit:\n  interval: 0\n  burst: 5\n").rateLimit());
    }
}
