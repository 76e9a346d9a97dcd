package io.github.sshexporter.web;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The web config file of the Prometheus exporter-toolkit ({@code --web.config.file}), the one
 * node_exporter and Prometheus read: TLS, basic auth users, response headers, a rate limit.
 * Parsing checks everything that needs no certificate or key file; {@link TlsContext} loads those.
 *
 * @param tls       TLS settings, or null when the file configures none (plain HTTP)
 * @param users     user name to bcrypt hash; empty: no basic auth
 * @param headers   extra response headers (only those the toolkit allows)
 * @param http2     accepted for compatibility; this server speaks HTTP/1.1 only
 * @param rateLimit a token bucket over all requests, or null
 */
public record WebConfig(Tls tls, Map<String, String> users, Map<String, String> headers, boolean http2,
        RateLimit rateLimit) {

    /** Read at most this much: a web config is a few hundred bytes. */
    static final int MAX_FILE_BYTES = 1 << 20;

    /** No file: plain HTTP, no auth. */
    public static final WebConfig NONE = new WebConfig(null, Map.of(), Map.of(), true, null);

    /** Headers the toolkit lets a config set, with the values it allows (null: any value). */
    private static final Map<String, List<String>> ALLOWED_HEADERS = allowedHeaders();

    private static Map<String, List<String>> allowedHeaders() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("Strict-Transport-Security", null);
        m.put("X-Content-Type-Options", List.of("nosniff"));
        m.put("X-Frame-Options", List.of("deny", "sameorigin"));
        m.put("X-XSS-Protection", null);
        m.put("Content-Security-Policy", null);
        return Collections.unmodifiableMap(m);
    }

    /** Go's tls.ClientAuthType names, as the toolkit accepts them. */
    public enum ClientAuth {
        NO_CLIENT_CERT(false, false, false),
        REQUEST_CLIENT_CERT(true, false, false),
        REQUIRE_ANY_CLIENT_CERT(false, true, false),
        VERIFY_CLIENT_CERT_IF_GIVEN(true, false, true),
        REQUIRE_AND_VERIFY_CLIENT_CERT(false, true, true);

        final boolean want;
        final boolean need;
        final boolean verify;

        ClientAuth(boolean want, boolean need, boolean verify) {
            this.want = want;
            this.need = need;
            this.verify = verify;
        }

        static ClientAuth parse(String s) {
            switch (s) {
                case "", "NoClientCert":
                    return NO_CLIENT_CERT;
                case "RequestClientCert":
                    return REQUEST_CLIENT_CERT;
                case "RequireAnyClientCert", "RequireClientCert": // the second: kept by the toolkit for old files
                    return REQUIRE_ANY_CLIENT_CERT;
                case "VerifyClientCertIfGiven":
                    return VERIFY_CLIENT_CERT_IF_GIVEN;
                case "RequireAndVerifyClientCert":
                    return REQUIRE_AND_VERIFY_CLIENT_CERT;
                default:
                    return null;
            }
        }
    }

    /** TLS versions by the toolkit's names, with the JDK's protocol names. */
    public enum TlsVersion {
        TLS10("TLSv1"), TLS11("TLSv1.1"), TLS12("TLSv1.2"), TLS13("TLSv1.3");

        final String jdkName;

        TlsVersion(String jdkName) {
            this.jdkName = jdkName;
        }
    }

    /** Go's curve names to the JDK's named groups. */
    static final Map<String, String> CURVES = Map.of(
            "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519");

    /**
     * {@code tls_server_config}. Inline PEM ({@code cert}, {@code key}, {@code client_ca}) is used
     * only where the matching {@code *_file} is not set, as in the toolkit. Relative file names
     * are relative to the directory of the web config file.
     */
    public record Tls(Path certFile, String cert, Path keyFile, String key, ClientAuth clientAuth,
            Path clientCaFile, String clientCa, List<String> clientAllowedSans, List<String> cipherSuites,
            List<String> curvePreferences, TlsVersion minVersion, TlsVersion maxVersion,
            boolean preferServerCipherSuites) {

        /** The files TLS reads (for change detection). */
        public List<Path> files() {
            List<Path> out = new ArrayList<>(3);
            for (Path p : new Path[] {certFile, keyFile, clientCaFile}) {
                if (p != null) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    /** {@code rate_limit}: at most one request per {@code interval}, with bursts of {@code burst}. */
    public record RateLimit(Duration interval, long burst) {}

    public boolean tlsEnabled() {
        return tls != null;
    }

    /** Reads and checks a web config file (not the certificate and key files it names). */
    public static WebConfig load(Path file) throws WebConfigException {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new WebConfigException("is a directory");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new WebConfigException("larger than " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new WebConfigException("no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new WebConfigException("permission denied");
        } catch (IOException e) {
            throw new WebConfigException("cannot read: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(new String(bytes, StandardCharsets.UTF_8), dir, file.toString());
    }

    /** Parses the text of a web config file; relative file names are resolved against {@code dir}. */
    public static WebConfig parse(String text, Path dir, String label) throws WebConfigException {
        StrictYaml.Mapping root = StrictYaml.parse(text, label);
        Tls tls = tls(root.mapping("tls_server_config"), dir);

        boolean http2 = true;
        Map<String, String> headers = Map.of();
        StrictYaml.Mapping http = root.mapping("http_server_config");
        if (http != null) {
            http2 = http.bool("http2", true);
            headers = headers(http);
            http.done();
        }

        Map<String, String> users = root.stringMap("basic_auth_users");
        for (Map.Entry<String, String> u : users.entrySet()) {
            checkBcrypt(root.mapping("basic_auth_users").keyNode(u.getKey()), u.getKey(), u.getValue());
        }

        RateLimit rateLimit = null;
        StrictYaml.Mapping rl = root.mapping("rate_limit");
        if (rl != null) {
            Duration interval = GoDuration.parse(rl, "interval");
            long burst = rl.integer("burst", 0);
            if (burst < 0) {
                throw new WebConfigException("rate_limit.burst must not be negative");
            }
            rl.done();
            if (!interval.isZero()) {
                rateLimit = new RateLimit(interval, burst);
            }
        }
        root.done();
        return new WebConfig(tls, Collections.unmodifiableMap(users), headers, http2, rateLimit);
    }

    private static Map<String, String> headers(StrictYaml.Mapping http) throws WebConfigException {
        Map<String, String> headers = http.stringMap("headers");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!ALLOWED_HEADERS.containsKey(h.getKey())) {
                throw new WebConfigException("http_server_config.headers: header \"" + h.getKey()
                        + "\" can not be configured (allowed: " + String.join(", ", ALLOWED_HEADERS.keySet()) + ")");
            }
            List<String> values = ALLOWED_HEADERS.get(h.getKey());
            if (values != null && !values.contains(h.getValue())) {
                throw new WebConfigException("http_server_config.headers: invalid value for " + h.getKey()
                        + ": expected one of " + values + ", got \"" + h.getValue() + "\"");
            }
            if (h.getValue().indexOf('\n') >= 0 || h.getValue().indexOf('\r') >= 0) {
                throw new WebConfigException("http_server_config.headers: " + h.getKey() + " has a line break");
            }
        }
        headers.values().removeIf(String::isEmpty); // "Unset if blank"
        return Collections.unmodifiableMap(headers);
    }

    private static void checkBcrypt(org.snakeyaml.engine.v2.nodes.Node where, String user, String hash)
            throws WebConfigException {
        try {
            BCrypt.Version.VERSION_2A.parser.parse(hash.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalBCryptFormatException | RuntimeException e) {
            throw StrictYaml.error(where, "basic_auth_users",
                    "the password of user \"" + user + "\" is not a bcrypt hash ($2y$10$...): make one with "
                            + "htpasswd -nBC 10 \"\" | tr -d ':\\n'");
        }
    }

    private static Tls tls(StrictYaml.Mapping m, Path dir) throws WebConfigException {
        if (m == null) {
            return null;
        }
        String cert = m.string("cert", "");
        String key = m.string("key", "");
        String clientCa = m.string("client_ca", "");
        String certFile = m.string("cert_file", "");
        String keyFile = m.string("key_file", "");
        String clientAuthText = m.string("client_auth_type", "");
        String clientCaFile = m.string("client_ca_file", "");
        List<String> sans = m.strings("client_allowed_sans");
        List<String> ciphers = m.strings("cipher_suites");
        List<String> curves = m.strings("curve_preferences");
        TlsVersion min = version(m, "min_version", TlsVersion.TLS12);
        TlsVersion max = version(m, "max_version", TlsVersion.TLS13);
        boolean preferServer = m.bool("prefer_server_cipher_suites", true);
        m.done();

        boolean enabled = !cert.isEmpty() || !key.isEmpty() || !clientCa.isEmpty() || !certFile.isEmpty()
                || !keyFile.isEmpty() || !clientCaFile.isEmpty() || !clientAuthText.isEmpty();
        if (!enabled) {
            return null; // the toolkit too serves plain HTTP for an empty tls_server_config
        }
        String where = "tls_server_config: ";
        if (certFile.isEmpty() && cert.isEmpty()) {
            throw new WebConfigException(where + "missing one of cert or cert_file");
        }
        if (keyFile.isEmpty() && key.isEmpty()) {
            throw new WebConfigException(where + "missing one of key or key_file");
        }
        ClientAuth clientAuth = ClientAuth.parse(clientAuthText);
        if (clientAuth == null) {
            throw new WebConfigException(where + "invalid client_auth_type \"" + clientAuthText + "\" (one of "
                    + "NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
                    + "RequireAndVerifyClientCert)");
        }
        if ((!clientCaFile.isEmpty() || !clientCa.isEmpty()) && clientAuth == ClientAuth.NO_CLIENT_CERT) {
            throw new WebConfigException(where + "client CA's have been configured without a client_auth_type");
        }
        if (min.compareTo(max) > 0) {
            throw new WebConfigException(where + "min_version " + min + " is above max_version " + max);
        }
        if (curves != null) {
            for (String c : curves) {
                if (!CURVES.containsKey(c)) {
                    throw new WebConfigException(where + "unknown curve: " + c + " (one of CurveP256, CurveP384, "
                            + "CurveP521, X25519)");
                }
            }
        }
        return new Tls(file(dir, certFile), cert, file(dir, keyFile), key, clientAuth, file(dir, clientCaFile),
                clientCa, sans == null ? null : List.copyOf(sans), ciphers == null ? List.of() : List.copyOf(ciphers),
                curves == null ? List.of() : List.copyOf(curves), min, max, preferServer);
    }

    private static TlsVersion version(StrictYaml.Mapping m, String key, TlsVersion fallback)
            throws WebConfigException {
        String text = m.string(key, "");
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            return TlsVersion.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new WebConfigException("tls_server_config." + key + ": unknown TLS version: " + text
                    + " (one of TLS10, TLS11, TLS12, TLS13)");
        }
    }

    private static Path file(Path dir, String name) {
        if (name.isEmpty()) {
            return null;
        }
        Path p = Path.of(name);
        return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
    }
}
