package io.github.sshexporter.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM certificates and private keys as operators have them, read like Go's
 * {@code tls.X509KeyPair}: every CERTIFICATE block of a certificate file (the chain, leaf
 * first), and the first private key block of a key file in PKCS#1 ({@code RSA PRIVATE KEY}),
 * SEC1 ({@code EC PRIVATE KEY}, an {@code EC PARAMETERS} block before it is skipped) or PKCS#8
 * ({@code PRIVATE KEY}; RSA, EC, Ed25519). Other blocks are skipped. Keys become ordinary JDK key
 * objects: BouncyCastle is used for parsing only, never registered as a security provider.
 *
 * <p>The only class that touches BouncyCastle, so that its classes load only when TLS is on.
 */
final class Pem {
    private Pem() {}

    /** Every certificate in the text, in order; at least one. */
    static List<X509Certificate> certificates(String text, String what) throws WebConfigException {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new WebConfigException(what + ": " + e.getMessage(), e);
        }
        for (PemObject block : blocks(text, what)) {
            if (!block.getType().equals("CERTIFICATE")) {
                continue;
            }
            try {
                out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.getContent())));
            } catch (CertificateException e) {
                throw new WebConfigException(what + ": certificate " + (out.size() + 1) + " cannot be parsed: "
                        + StrictYaml.oneLine(e.getMessage()), e);
            }
        }
        if (out.isEmpty()) {
            throw new WebConfigException(what + ": no PEM CERTIFICATE block found");
        }
        return out;
    }

    /** The first private key in the text. */
    static PrivateKey privateKey(String text, String what) throws WebConfigException {
        for (PemObject block : blocks(text, what)) {
            String type = block.getType();
            if (!type.equals("PRIVATE KEY") && !type.endsWith(" PRIVATE KEY")) {
                continue;
            }
            for (Object h : block.getHeaders()) {
                if (h instanceof PemHeader header && header.getName().equalsIgnoreCase("Proc-Type")
                        && header.getValue().contains("ENCRYPTED")) {
                    throw new WebConfigException(what + ": the private key is encrypted; give it unencrypted "
                            + "(openssl pkey -in KEY -out KEY.plain) and protect the file by its permissions");
                }
            }
            PrivateKeyInfo info;
            try {
                info = switch (type) {
                    case "PRIVATE KEY" -> PrivateKeyInfo.getInstance(block.getContent());
                    case "RSA PRIVATE KEY" -> new PrivateKeyInfo(
                            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                            RSAPrivateKey.getInstance(block.getContent()));
                    case "EC PRIVATE KEY" -> {
                        ECPrivateKey sec1 = ECPrivateKey.getInstance(block.getContent());
                        if (sec1.getParametersObject() == null) {
                            throw new WebConfigException(what + ": the EC private key names no curve");
                        }
                        yield new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                                sec1.getParametersObject()), sec1);
                    }
                    case "ENCRYPTED PRIVATE KEY" -> throw new WebConfigException(what + ": the private key is "
                            + "encrypted (PKCS#8); give it unencrypted and protect the file by its permissions");
                    default -> throw new WebConfigException(what + ": unsupported key type \"" + type + "\"");
                };
                return new JcaPEMKeyConverter().getPrivateKey(info);
            } catch (WebConfigException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new WebConfigException(what + ": the " + type + " block cannot be read: "
                        + StrictYaml.oneLine(e.getMessage()), e);
            }
        }
        throw new WebConfigException(what + ": no PEM private key block found");
    }

    private static List<PemObject> blocks(String text, String what) throws WebConfigException {
        List<PemObject> out = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(text))) {
            PemObject o;
            while ((o = reader.readPemObject()) != null) {
                out.add(o);
            }
        } catch (IOException | RuntimeException e) {
            throw new WebConfigException(what + ": not valid PEM: " + StrictYaml.oneLine(e.getMessage()), e);
        }
        return out;
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
