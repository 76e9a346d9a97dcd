package io.github.sshexporter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away PKI made at test time with the openssl command (as operators make theirs): a CA,
 * server and client certificates signed by it, keys in every PEM form operators have. openssl is
 * a hard prerequisite: missing, the test fails.
 */
public final class TestPki {
    /** The PEM forms of a private key. */
    public enum KeyForm {
        /** {@code BEGIN PRIVATE KEY} */
        PKCS8("PRIVATE KEY"),
        /** {@code BEGIN RSA PRIVATE KEY} */
        PKCS1("RSA PRIVATE KEY"),
        /** {@code BEGIN EC PRIVATE KEY} */
        SEC1("EC PRIVATE KEY"),
        /** {@code BEGIN EC PARAMETERS} then {@code BEGIN EC PRIVATE KEY} (openssl ecparam -genkey) */
        SEC1_WITH_PARAMS("EC PRIVATE KEY");

        public final String pemType;

        KeyForm(String pemType) {
            this.pemType = pemType;
        }
    }

    private final Path dir;

    public TestPki(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** A self-signed CA: NAME.crt and NAME.key. */
    public Path ca(String name) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".crt").toString(),
                "-days", "2", "-subj", "/CN=" + name, "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return dir.resolve(name + ".crt");
    }

    /**
     * A certificate NAME.crt signed by CA with key NAME.key (RSA unless the form is SEC1), for
     * localhost, 127.0.0.1 and ::1; {@code client} makes it a client certificate.
     */
    public Path leaf(String name, String ca, KeyForm form, boolean client, String... extraSans) {
        Path key = dir.resolve(name + ".key");
        boolean ec = form == KeyForm.SEC1 || form == KeyForm.SEC1_WITH_PARAMS;
        if (form == KeyForm.SEC1_WITH_PARAMS) {
            openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        } else {
            openssl("genpkey", "-algorithm", ec ? "EC" : "RSA",
                    "-pkeyopt", ec ? "ec_paramgen_curve:P-256" : "rsa_keygen_bits:2048",
                    "-out", key.toString());
            if (form == KeyForm.PKCS1) {
                openssl("rsa", "-in", key.toString(), "-traditional", "-out", key.toString());
            } else if (form == KeyForm.SEC1) {
                openssl("ec", "-in", key.toString(), "-out", key.toString());
            }
        }
        try {
            String pem = Files.readString(key);
            assertTrue(pem.contains("-----BEGIN " + form.pemType + "-----"), form + " key: " + pem.lines().findFirst());
            if (form == KeyForm.SEC1_WITH_PARAMS) {
                assertTrue(pem.startsWith("-----BEGIN EC PARAMETERS-----"), pem);
            }
            List<String> sans = new ArrayList<>(List.of("DNS:localhost", "IP:127.0.0.1", "IP:::1"));
            sans.addAll(List.of(extraSans));
            Path ext = dir.resolve(name + ".ext");
            Files.writeString(ext, "subjectAltName=" + String.join(",", sans) + "\n"
                    + "extendedKeyUsage=" + (client ? "clientAuth" : "serverAuth") + "\n"
                    + "basicConstraints=CA:FALSE\n");
            Path csr = dir.resolve(name + ".csr");
            openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + name);
            openssl("x509", "-req", "-in", csr.toString(), "-CA", dir.resolve(ca + ".crt").toString(),
                    "-CAkey", dir.resolve(ca + ".key").toString(), "-CAcreateserial",
                    "-out", dir.resolve(name + ".crt").toString(), "-days", "2", "-extfile", ext.toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return dir.resolve(name + ".crt");
    }

    /** A PKCS#12 file NAME.p12 (password "test") of a certificate and its key, for Java clients. */
    public Path pkcs12(String name) {
        Path out = dir.resolve(name + ".p12");
        openssl("pkcs12", "-export", "-in", dir.resolve(name + ".crt").toString(),
                "-inkey", dir.resolve(name + ".key").toString(), "-out", out.toString(), "-passout", "pass:test");
        return out;
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        try {
            NativeTools.Result r = NativeTools.run(command);
            assertEquals(0, r.exitCode(), "openssl " + String.join(" ", args) + ": " + r.stderr());
        } catch (IOException e) {
            throw new AssertionError("cannot run openssl (is it installed?): " + e, e);
        }
    }
}
