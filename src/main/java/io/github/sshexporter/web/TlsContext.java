package io.github.sshexporter.web;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One immutable TLS setup built from {@code tls_server_config}: a fresh {@link SSLContext} (so
 * sessions made under an older setup are never resumed under this one) and the parameters every
 * new connection gets. Built again from scratch whenever the files change.
 */
final class TlsContext {
    private static final String ALIAS = "server";

    final SSLContext context;
    final SSLParameters parameters;
    final X509Certificate leaf;
    final List<String> curves;

    private TlsContext(SSLContext context, SSLParameters parameters, X509Certificate leaf, List<String> curves) {
        this.context = context;
        this.parameters = parameters;
        this.leaf = leaf;
        this.curves = curves;
    }

    static TlsContext load(WebConfig.Tls tls) throws WebConfigException {
        String certText = tls.certFile() != null ? read(tls.certFile(), "cert_file") : tls.cert();
        String keyText = tls.keyFile() != null ? read(tls.keyFile(), "key_file") : tls.key();
        String certWhat = tls.certFile() != null ? "cert_file " + tls.certFile() : "cert";
        String keyWhat = tls.keyFile() != null ? "key_file " + tls.keyFile() : "key";
        List<X509Certificate> chain = Pem.certificates(certText, certWhat);
        PrivateKey key = Pem.privateKey(keyText, keyWhat);
        checkPair(chain.get(0), key, certWhat, keyWhat);

        List<X509Certificate> clientCas = List.of();
        if (tls.clientCaFile() != null) {
            clientCas = Pem.certificates(read(tls.clientCaFile(), "client_ca_file"),
                    "client_ca_file " + tls.clientCaFile());
        } else if (!tls.clientCa().isEmpty()) {
            clientCas = Pem.certificates(tls.clientCa(), "client_ca");
        }

        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new SingleKeyManager(chain.toArray(new X509Certificate[0]), key)},
                    new TrustManager[] {trustManager(tls, clientCas)}, new SecureRandom());
            SSLParameters p = context.getDefaultSSLParameters();
            p.setProtocols(protocols(tls, context));
            if (!tls.cipherSuites().isEmpty()) {
                p.setCipherSuites(cipherSuites(tls, context, p));
            }
            p.setUseCipherSuitesOrder(tls.preferServerCipherSuites());
            p.setWantClientAuth(tls.clientAuth().want);
            if (tls.clientAuth().need) {
                p.setNeedClientAuth(true);
            }
            List<String> curves = new ArrayList<>();
            for (String c : tls.curvePreferences()) {
                curves.add(WebConfig.CURVES.get(c));
            }
            return new TlsContext(context, p, chain.get(0), List.copyOf(curves));
        } catch (GeneralSecurityException e) {
            throw new WebConfigException("tls_server_config: " + StrictYaml.oneLine(e.getMessage()), e);
        }
    }

    private static String read(Path file, String key) throws WebConfigException {
        try {
            if (Files.size(file) > WebConfig.MAX_FILE_BYTES) {
                throw new WebConfigException("tls_server_config." + key + " " + file + ": larger than "
                        + WebConfig.MAX_FILE_BYTES + " bytes");
            }
            return Pem.text(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new WebConfigException("tls_server_config." + key + " " + file + ": no such file");
        } catch (IOException e) {
            throw new WebConfigException("tls_server_config." + key + " " + file + ": cannot read: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()));
        }
    }

    /** Like Go's X509KeyPair: the key must belong to the first certificate. */
    private static void checkPair(X509Certificate leaf, PrivateKey key, String certWhat, String keyWhat)
            throws WebConfigException {
        PublicKey pub = leaf.getPublicKey();
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            throw new WebConfigException(keyWhat + ": unsupported key algorithm " + key.getAlgorithm());
        }
        boolean match;
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            match = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            match = false;
        }
        if (!match) {
            throw new WebConfigException("tls_server_config: the private key in " + keyWhat
                    + " does not match the certificate in " + certWhat);
        }
    }

    private static String[] protocols(WebConfig.Tls tls, SSLContext context) {
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getProtocols());
        List<String> out = new ArrayList<>();
        for (WebConfig.TlsVersion v : WebConfig.TlsVersion.values()) {
            if (v.compareTo(tls.minVersion()) >= 0 && v.compareTo(tls.maxVersion()) <= 0
                    && supported.contains(v.jdkName)) {
                out.add(v.jdkName);
            }
        }
        return out.toArray(new String[0]);
    }

    /**
     * The configured suites, in their order, for TLS 1.2 and below. As in Go, TLS 1.3 suites are
     * not configurable: when TLS 1.3 is allowed its default suites are always enabled.
     */
    private static String[] cipherSuites(WebConfig.Tls tls, SSLContext context, SSLParameters defaults)
            throws WebConfigException {
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getCipherSuites());
        Set<String> out = new LinkedHashSet<>();
        for (String s : tls.cipherSuites()) {
            if (!supported.contains(s)) {
                throw new WebConfigException("tls_server_config.cipher_suites: unknown cipher: " + s
                        + " (not supported by this Java runtime)");
            }
            if (!isTls13Suite(s)) {
                out.add(s);
            }
        }
        if (tls.maxVersion() == WebConfig.TlsVersion.TLS13) {
            for (String s : defaults.getCipherSuites()) {
                if (isTls13Suite(s)) {
                    out.add(s);
                }
            }
        }
        return out.toArray(new String[0]);
    }

    private static boolean isTls13Suite(String s) {
        return s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_");
    }

    private static X509TrustManager trustManager(WebConfig.Tls tls, List<X509Certificate> cas)
            throws GeneralSecurityException, WebConfigException {
        X509TrustManager base;
        if (tls.clientAuth().verify) {
            KeyStore store = null; // no client CA: the JDK's own CA certificates, as Go uses the system's
            if (!cas.isEmpty()) {
                try {
                    store = KeyStore.getInstance("PKCS12");
                    store.load(null, null);
                } catch (IOException e) {
                    throw new WebConfigException("tls_server_config: " + e.getMessage(), e);
                }
                int i = 0;
                for (X509Certificate ca : cas) {
                    store.setCertificateEntry("ca" + i++, ca);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            base = (X509TrustManager) Arrays.stream(tmf.getTrustManagers())
                    .filter(t -> t instanceof X509TrustManager).findFirst()
                    .orElseThrow(() -> new GeneralSecurityException("no X.509 trust manager"));
        } else {
            base = null; // RequestClientCert, RequireAnyClientCert: any certificate, unverified (as in Go)
        }
        return new ClientTrust(base, tls.clientAllowedSans());
    }

    /** The one certificate chain and key, for whatever key type the handshake asks if it is this key's. */
    private static final class SingleKeyManager extends X509ExtendedKeyManager {
        private final X509Certificate[] chain;
        private final PrivateKey key;

        SingleKeyManager(X509Certificate[] chain, PrivateKey key) {
            this.chain = chain;
            this.key = key;
        }

        private String aliasFor(String keyType) {
            String alg = key.getAlgorithm();
            boolean match = keyType.equals(alg) || (alg.equals("EdDSA") && keyType.startsWith("Ed"))
                    || (keyType.equals("EdDSA") && alg.startsWith("Ed"));
            return match ? ALIAS : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return aliasFor(keyType);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return aliasFor(keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return aliasFor(keyType) == null ? null : new String[] {ALIAS};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /**
     * Client certificates: verified against the client CAs when the client_auth_type says so, then
     * (when {@code client_allowed_sans} is set) required to carry one of the allowed SANs.
     */
    private static final class ClientTrust extends X509ExtendedTrustManager {
        private final X509TrustManager verifier;
        private final List<String> allowedSans;

        ClientTrust(X509TrustManager verifier, List<String> allowedSans) {
            this.verifier = verifier;
            this.allowedSans = allowedSans;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            if (verifier instanceof X509ExtendedTrustManager x) {
                x.checkClientTrusted(chain, authType, engine);
            } else if (verifier != null) {
                verifier.checkClientTrusted(chain, authType);
            }
            checkSans(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            if (verifier instanceof X509ExtendedTrustManager x) {
                x.checkClientTrusted(chain, authType, socket);
            } else if (verifier != null) {
                verifier.checkClientTrusted(chain, authType);
            }
            checkSans(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (verifier != null) {
                verifier.checkClientTrusted(chain, authType);
            }
            checkSans(chain);
        }

        private void checkSans(X509Certificate[] chain) throws CertificateException {
            if (allowedSans == null || chain == null || chain.length == 0) {
                return;
            }
            Collection<List<?>> names;
            try {
                names = chain[0].getSubjectAlternativeNames();
            } catch (CertificateParsingException e) {
                throw new CertificateException("cannot read the client certificate's SANs", e);
            }
            if (names != null) {
                for (List<?> entry : names) {
                    if (entry.size() < 2 || !(entry.get(1) instanceof String value)) {
                        continue;
                    }
                    int type = (Integer) entry.get(0);
                    for (String allowed : allowedSans) {
                        if (type == 7 ? sameAddress(value, allowed) : value.equals(allowed)) {
                            return;
                        }
                    }
                }
            }
            throw new CertificateException("could not find allowed SANs in client cert, found: " + allowedSans);
        }

        private static boolean sameAddress(String certValue, String allowed) {
            if (certValue.equals(allowed)) {
                return true;
            }
            // Only literals are compared (never a DNS look-up): ::1 and 0:0:0:0:0:0:0:1 are one address.
            boolean literal = allowed.matches("\\d{1,3}(\\.\\d{1,3}){3}")
                    || allowed.contains(":") && allowed.matches("[0-9a-fA-F:.]+");
            if (!literal) {
                return false;
            }
            try {
                return InetAddress.getByName(certValue).equals(InetAddress.getByName(allowed));
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("server-side trust manager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("server-side trust manager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("server-side trust manager");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return verifier == null ? new X509Certificate[0] : verifier.getAcceptedIssuers();
        }
    }
}
