package io.github.sshexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.exposition.MetricPage;
import io.github.sshexporter.exposition.PageCache;
import io.github.sshexporter.log.Log;
import io.github.sshexporter.metrics.SessionMetrics;
import io.github.sshexporter.testing.Await;
import io.github.sshexporter.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The web layer in-process, on loopback, against certificates made with openssl at test time. */
class WebServerTest {
    /** htpasswd -nbBC 10 "" secret */
    private static final String SECRET = "$2y$10$P9mOVTrl6/F7xno22ygUT.6UuWJ8UxLnNa8fWTHHZ149hl/Lq8Vgq";

    @TempDir
    Path dir;

    private TestPki pki;
    private WebServer server;
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        pki = new TestPki(dir);
        Log.setOutput(new PrintStream(logs, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        Log.setOutput(System.err);
    }

    private String logText() {
        return logs.toString(StandardCharsets.UTF_8);
    }

    private Path webConfig(String yaml) throws IOException {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private int start(Path webConfig, ListenAddress... addresses) throws Exception {
        MetricPage page = new MetricPage();
        SessionMetrics metrics = new SessionMetrics(page, false);
        metrics.publish(Map.of("192.0.2.7", 2), java.util.List.of(), true, 0);
        PageCache cache = new PageCache(page.groups(), 0, System::nanoTime);
        WebConfigSource source = webConfig == null ? WebConfigSource.none() : WebConfigSource.open(webConfig);
        List<ListenAddress> listen = addresses.length == 0 ? List.of(new ListenAddress("127.0.0.1", 0)) : List.of(addresses);
        server = WebServer.start(listen, "/metrics", cache, source, "SSH Exporter", "9.9.9");
        return server.bound().get(0).port();
    }

    // ---- clients

    private static SSLContext clientContext(Path trustedCa, Path clientP12) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trustedCa != null) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(trustedCa)) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            tmf.init(trust);
        } else {
            tmf.init((KeyStore) null); // the JDK's public CAs only
        }
        KeyManagerFactory kmf = null;
        if (clientP12 != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = new FileInputStream(clientP12.toFile())) {
                ks.load(in, "test".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, "test".toCharArray());
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A new client (a new connection) per request. */
    private static HttpResponse<String> get(String url, SSLContext ssl, String method, String... headers)
            throws Exception {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(3));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i + 1 < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return b.build().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String subject(HttpResponse<?> r) {
        SSLSession s = r.sslSession().orElseThrow();
        try {
            return ((X509Certificate) s.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---- plain HTTP: routes, methods, headers

    @Test
    void routesAndMethods() throws Exception {
        int port = start(webConfig("""
                http_server_config:
                  headers:
                    X-Frame-Options: deny
                    X-Content-Type-Options: nosniff
                """));
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> landing = get(base + "/", null, "GET");
        assertEquals(200, landing.statusCode());
        assertTrue(landing.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(landing.body().contains("<h1>SSH Exporter</h1>"), landing.body());
        assertTrue(landing.body().contains("Version: 9.9.9"), landing.body());
        assertTrue(landing.body().contains("<a href=\"metrics\">"), landing.body());
        assertEquals("deny", landing.headers().firstValue("X-Frame-Options").orElse(""));

        HttpResponse<String> metrics = get(base + "/metrics", null, "GET");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("ssh_num_sessions{remote_ip=\"192.0.2.7\"} 2.0"), metrics.body());
        assertEquals("nosniff", metrics.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(200, get(base + "/metrics", null, "HEAD").statusCode());
        assertEquals("Exporter is healthy.\n", get(base + "/-/healthy", null, "GET").body());

        HttpResponse<String> unknown = get(base + "/nope", null, "GET");
        assertEquals(404, unknown.statusCode());
        assertEquals("deny", unknown.headers().firstValue("X-Frame-Options").orElse(""), "on errors too");
        assertEquals(404, get(base + "/metrics/", null, "GET").statusCode());
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
            HttpResponse<String> r = get(base + "/metrics", null, method);
            assertEquals(405, r.statusCode(), method);
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElse(""), method);
        }
    }

    // ---- TLS

    @Test
    void tlsServesWithTheCaAndNotWithout() throws Exception {
        pki.ca("ca");
        pki.leaf("server", "ca", TestPki.KeyForm.PKCS8, false);
        int port = start(webConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"));
        String url = "https://127.0.0.1:" + port + "/metrics";
        HttpResponse<String> r = get(url, clientContext(dir.resolve("ca.crt"), null), "GET");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("ssh_num_sessions"));
        assertEquals("CN=server", subject(r));
        assertThrows(IOException.class, () -> get(url, clientContext(null, null), "GET"), "untrusted without the CA");
        assertThrows(IOException.class, () -> get("http://127.0.0.1:" + port + "/metrics", null, "GET"),
                "no plain HTTP on a TLS port");
    }

    @ParameterizedTest
    @EnumSource(TestPki.KeyForm.class)
    void keysInEveryPemFormLoad(TestPki.KeyForm form) throws Exception {
        pki.ca("ca");
        pki.leaf("server", "ca", form, false);
        int port = start(webConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"));
        HttpResponse<String> r = get("https://127.0.0.1:" + port + "/metrics", clientContext(dir.resolve("ca.crt"), null), "GET");
        assertEquals(200, r.statusCode(), form.toString());
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        pki.ca("ca");
        pki.leaf("a", "ca", TestPki.KeyForm.PKCS8, false);
        pki.leaf("b", "ca", TestPki.KeyForm.PKCS8, false);
        Path file = webConfig("tls_server_config:\n  cert_file: a.crt\n  key_file: b.key\n");
        WebConfigException e = assertThrows(WebConfigException.class, () -> WebConfigSource.open(file));
        assertTrue(e.getMessage().contains("does not match the certificate"), e.getMessage());
        Path missing = webConfig("tls_server_config:\n  cert_file: nope.crt\n  key_file: b.key\n");
        e = assertThrows(WebConfigException.class, () -> WebConfigSource.open(missing));
        assertEquals("tls_server_config.cert_file " + dir.resolve("nope.crt") + ": no such file", e.getMessage());
        Files.writeString(dir.resolve("junk.crt"), "hello\n");
        Path junk = webConfig("tls_server_config:\n  cert_file: junk.crt\n  key_file: b.key\n");
        e = assertThrows(WebConfigException.class, () -> WebConfigSource.open(junk));
        assertTrue(e.getMessage().contains("no PEM CERTIFICATE block found"), e.getMessage());
    }

    @Test
    void mutualTlsRejectsClientsWithoutAGoodCertificate() throws Exception {
        pki.ca("ca");
        pki.ca("other");
        pki.leaf("server", "ca", TestPki.KeyForm.PKCS8, false);
        pki.leaf("client", "ca", TestPki.KeyForm.PKCS1, true);
        pki.leaf("stranger", "other", TestPki.KeyForm.PKCS8, true);
        int port = start(webConfig("""
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                """));
        String url = "https://127.0.0.1:" + port + "/metrics";
        Path ca = dir.resolve("ca.crt");
        assertEquals(200, get(url, clientContext(ca, pki.pkcs12("client")), "GET").statusCode());
        assertThrows(IOException.class, () -> get(url, clientContext(ca, null), "GET"), "no client certificate");
        assertThrows(IOException.class, () -> get(url, clientContext(ca, pki.pkcs12("stranger")), "GET"),
                "a client certificate from another CA");
    }

    @Test
    void clientAllowedSans() throws Exception {
        pki.ca("ca");
        pki.leaf("server", "ca", TestPki.KeyForm.PKCS8, false);
        pki.leaf("prom", "ca", TestPki.KeyForm.PKCS8, true, "DNS:prometheus.example");
        pki.leaf("other", "ca", TestPki.KeyForm.PKCS8, true, "DNS:other.example");
        int port = start(webConfig("""
                tls_server_config:
                  cert_file: server.crt
                  key_file: server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  client_allowed_sans: [prometheus.example]
                """));
        String url = "https://127.0.0.1:" + port + "/metrics";
        Path ca = dir.resolve("ca.crt");
        assertEquals(200, get(url, clientContext(ca, pki.pkcs12("prom")), "GET").statusCode());
        assertThrows(IOException.class, () -> get(url, clientContext(ca, pki.pkcs12("other")), "GET"));
    }

    @Test
    void minVersionIsEnforced() throws Exception {
        pki.ca("ca");
        pki.leaf("server", "ca", TestPki.KeyForm.PKCS8, false);
        int port = start(webConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "  min_version: TLS13\n"));
        SSLContext tls12only = clientContext(dir.resolve("ca.crt"), null);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(tls12only)
                .sslParameters(new javax.net.ssl.SSLParameters(null, new String[] {"TLSv1.2"})).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/metrics")).build();
        assertThrows(IOException.class, () -> client.send(req, HttpResponse.BodyHandlers.ofString()));
        HttpResponse<String> ok = get("https://127.0.0.1:" + port + "/metrics", tls12only, "GET");
        assertEquals("TLSv1.3", ok.sslSession().orElseThrow().getProtocol());
    }

    // ---- basic auth

    @Test
    void basicAuth() throws Exception {
        int port = start(webConfig("basic_auth_users:\n  prom: " + SECRET + "\n"));
        String url = "http://127.0.0.1:" + port + "/metrics";
        assertEquals(200, get(url, null, "GET", "Authorization", basic("prom", "secret")).statusCode());
        for (HttpResponse<String> r : List.of(get(url, null, "GET", "Authorization", basic("prom", "wrong")),
                get(url, null, "GET", "Authorization", basic("nobody", "secret")), get(url, null, "GET"))) {
            assertEquals(401, r.statusCode());
            assertEquals("Basic", r.headers().firstValue("WWW-Authenticate").orElse(""));
            assertFalse(r.body().contains("ssh_num_sessions"));
        }
        assertEquals(401, get("http://127.0.0.1:" + port + "/", null, "GET").statusCode(), "every path");
        assertEquals(401, get("http://127.0.0.1:" + port + "/-/healthy", null, "GET").statusCode());
    }

    @Test
    void tlsAndBasicAuthTogether() throws Exception {
        pki.ca("ca");
        pki.leaf("server", "ca", TestPki.KeyForm.SEC1, false);
        int port = start(webConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "basic_auth_users:\n  prom: " + SECRET + "\n"));
        String url = "https://127.0.0.1:" + port + "/metrics";
        SSLContext ssl = clientContext(dir.resolve("ca.crt"), null);
        assertEquals(200, get(url, ssl, "GET", "Authorization", basic("prom", "secret")).statusCode());
        assertEquals(401, get(url, ssl, "GET", "Authorization", basic("prom", "nope")).statusCode());
        assertEquals(401, get(url, ssl, "GET").statusCode());
    }

    @Test
    void rateLimit() throws Exception {
        int port = start(webConfig("rate_limit:\n  interval: 1h\n  burst: 2\n"));
        String url = "http://127.0.0.1:" + port + "/metrics";
        assertEquals(200, get(url, null, "GET").statusCode());
        assertEquals(200, get(url, null, "GET").statusCode());
        assertEquals(429, get(url, null, "GET").statusCode());
    }

    // ---- reload

    @Test
    void rotatedCertificateIsServedWithoutARestart() throws Exception {
        pki.ca("ca");
        pki.leaf("first", "ca", TestPki.KeyForm.PKCS8, false);
        pki.leaf("second", "ca", TestPki.KeyForm.PKCS1, false);
        Files.copy(dir.resolve("first.crt"), dir.resolve("server.crt"));
        Files.copy(dir.resolve("first.key"), dir.resolve("server.key"));
        int port = start(webConfig("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"));
        String url = "https://127.0.0.1:" + port + "/-/healthy";
        SSLContext ssl = clientContext(dir.resolve("ca.crt"), null);
        assertEquals("CN=first", subject(get(url, ssl, "GET")));

        // As certbot and friends do it: new files renamed over the old ones.
        Files.copy(dir.resolve("second.key"), dir.resolve("server.key.new"));
        Files.copy(dir.resolve("second.crt"), dir.resolve("server.crt.new"));
        Files.move(dir.resolve("server.key.new"), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve("server.crt.new"), dir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
        Await.assertEventually(5_000, "CN=second", () -> {
            try {
                return subject(get(url, ssl, "GET"));
            } catch (Exception e) {
                return e.toString();
            }
        }, "certificate served after rotation");
        assertTrue(logText().contains("msg=\"web config reloaded\""), logText());
    }

    @Test
    void brokenEditKeepsTheLastGoodConfigAndSaysSoOnce() throws Exception {
        Path file = webConfig("basic_auth_users:\n  prom: " + SECRET + "\n");
        int port = start(file);
        String url = "http://127.0.0.1:" + port + "/metrics";
        String good = basic("prom", "secret");
        assertEquals(200, get(url, null, "GET", "Authorization", good).statusCode());

        Files.writeString(file, "basic_auth_users:\n  prom: " + SECRET + "\n  typo_key\n");
        Thread.sleep(1_100);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get(url, null, "GET", "Authorization", good).statusCode(), "last good config");
            assertEquals(401, get(url, null, "GET").statusCode(), "still with auth");
            Thread.sleep(400);
        }
        String text = logText();
        assertEquals(1, text.lines().filter(l -> l.contains("web config not reloaded")).count(), text);
        assertTrue(text.contains("level=error msg=\"web config not reloaded, keeping the last good one\""), text);

        // Turning TLS on needs a restart: refused, the old config stays.
        Files.writeString(file, "tls_server_config:\n  cert_file: x.crt\n  key_file: x.key\n");
        Thread.sleep(1_100);
        assertEquals(200, get(url, null, "GET", "Authorization", good).statusCode());
        Await.until(2_000, () -> logText().contains("turns TLS on, which needs a restart"));
        assertTrue(logText().contains("turns TLS on, which needs a restart"), logText());

        // A good edit applies: auth removed.
        Files.writeString(file, "# no auth any more\n");
        Await.assertEventually(5_000, 200, () -> {
            try {
                return get(url, null, "GET").statusCode();
            } catch (Exception e) {
                return -1;
            }
        }, "new config applied");
    }

    // ---- listeners

    @Test
    void servesOnEveryListenAddress() throws Exception {
        start(null, new ListenAddress("127.0.0.1", 0), new ListenAddress("::1", 0));
        List<WebServer.Bound> bound = server.bound();
        assertEquals(2, bound.size());
        assertEquals(200, get("http://127.0.0.1:" + bound.get(0).port() + "/metrics", null, "GET").statusCode());
        assertEquals(200, get("http://[::1]:" + bound.get(1).port() + "/metrics", null, "GET").statusCode());
        assertEquals("[::1]:" + bound.get(1).port(), bound.get(1).display());
    }

    @Test
    void aListenAddressThatCannotBeBoundStopsTheOthers() throws Exception {
        start(null, new ListenAddress("127.0.0.1", 0));
        int taken = server.bound().get(0).port();
        WebServer first = server;
        server = null;
        try {
            WebServer.BindFailure e = assertThrows(WebServer.BindFailure.class, () -> start(null,
                    new ListenAddress("::1", 0), new ListenAddress("127.0.0.1", taken)));
            assertEquals(new ListenAddress("127.0.0.1", taken), e.address());
        } finally {
            first.close();
        }
    }
}
