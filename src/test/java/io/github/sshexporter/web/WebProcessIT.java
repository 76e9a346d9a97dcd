package io.github.sshexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.ExporterProcess;
import io.github.sshexporter.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The built jar with the web flags: exit codes, one-line errors, log formats, class loading. */
class WebProcessIT {
    @TempDir
    Path dir;

    private ExporterProcess exporter;

    @AfterEach
    void stop() {
        if (exporter != null) {
            exporter.close();
        }
    }

    private static void assertOneUsageLine(ExporterProcess p, String expectedStart) throws Exception {
        assertEquals(2, p.waitFor(5, TimeUnit.SECONDS), p.stderr().toString());
        assertEquals(1, p.stderr().size(), "exactly one line: " + p.stderr());
        assertTrue(p.stderr().get(0).startsWith(expectedStart), p.stderr().get(0));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "tls_server_config:\n  cert_filse: server.crt\n",
        "basic_auth_users:\n  john: doe\n",
        "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n",
        "http_server_config:\n  headers:\n    Content-Type: foo\n",
        "a: [\n",
    })
    void invalidWebConfigIsOneLineAndExitTwo(String yaml) throws Exception {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, yaml);
        ExporterProcess p = ExporterProcess.runToEnd("--web.listen-address", "127.0.0.1:9", "-f",
                dir.resolve("utmp").toString(), "--web.config.file", file.toString());
        assertOneUsageLine(p, "ssh-exporter: --web.config.file " + file + ": ");
    }

    @Test
    void aConfigNestedTooDeeplyIsOneLineAndExitTwo() throws Exception {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, "basic_auth_users: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n");
        ExporterProcess p = ExporterProcess.runToEnd("--web.listen-address", "127.0.0.1:9", "-f",
                dir.resolve("utmp").toString(), "--web.config.file", file.toString());
        assertOneUsageLine(p, "ssh-exporter: --web.config.file " + file + ": not valid YAML: nested too deeply");
    }

    @Test
    void missingWebConfigFileIsExitTwo() throws Exception {
        ExporterProcess p = ExporterProcess.runToEnd("--web.config.file", dir.resolve("nope.yml").toString(),
                "-f", dir.resolve("utmp").toString());
        assertOneUsageLine(p, "ssh-exporter: --web.config.file " + dir.resolve("nope.yml") + ": no such file");
    }

    @Test
    void bothSpellingsOfTheListenAddressIsExitTwo() throws Exception {
        ExporterProcess p = ExporterProcess.runToEnd("-p", "9100", "--web.listen-address", ":9100");
        assertOneUsageLine(p, "ssh-exporter: give either --web.listen-address or -H/--host and -p/--port, not both");
    }

    @Test
    void helpNamesTheWebFlags() throws Exception {
        ExporterProcess help = ExporterProcess.runToEnd("--help");
        assertEquals(0, help.waitFor(5, TimeUnit.SECONDS));
        String text = String.join("\n", help.stdout());
        for (String flag : new String[] {"--web.listen-address", "--web.telemetry-path", "--web.config.file",
                "--log.level", "--log.format", "-H,--host", "-p,--port"}) {
            assertTrue(text.contains(flag), flag + " in " + text);
        }
    }

    @Test
    void jsonLogs() throws Exception {
        exporter = ExporterProcess.start(0, "--web.listen-address", "127.0.0.1:" + ExporterProcess.freePort(),
                "-f", dir.resolve("utmp").toString(), "--source", "utmp", "--wtmp.file=", "--btmp.file=", "--log.format", "json");
        exporter.awaitListening();
        for (String line : exporter.stderr()) {
            assertTrue(line.matches("\\{\"ts\":\"[^\"]+\",\"level\":\"(info|warn)\",\"msg\":\".*\"}"), line);
        }
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("\"msg\":\"listening\"")
                && l.contains("\"tls\":\"false\"")), exporter.stderr().toString());
    }

    @Test
    void warnLevelHidesInfo() throws Exception {
        int port = ExporterProcess.freePort();
        exporter = ExporterProcess.start(port, "--web.listen-address", "127.0.0.1:" + port,
                "-f", dir.resolve("utmp").toString(), "--source", "utmp", "--wtmp.file=", "--btmp.file=", "--log.level", "warn");
        Thread.sleep(50);
        assertTrue(io.github.sshexporter.testing.Await.until(20_000, () -> {
            try {
                return exporter.get("/-/healthy").statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        }), exporter.stderr().toString());
        assertFalse(exporter.stderr().stream().anyMatch(l -> l.contains("level=info")), exporter.stderr().toString());
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("level=warn")), "missing utmp is a warning");
    }

    /** BouncyCastle (PEM parsing) is on the class path, but loads only when TLS is configured. */
    @Test
    void bouncyCastleLoadsOnlyForTls() throws Exception {
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "basic_auth_users:\n  prom: $2y$10$P9mOVTrl6/F7xno22ygUT.6UuWJ8UxLnNa8fWTHHZ149hl/Lq8Vgq\n");
        int port = ExporterProcess.freePort();
        exporter = ExporterProcess.start(List.of("-verbose:class"), port, "--web.listen-address",
                "127.0.0.1:" + port, "-f", dir.resolve("utmp").toString(), "--source", "utmp", "--wtmp.file=", "--btmp.file=", "--web.config.file", web.toString());
        exporter.awaitListening();
        assertEquals(401, exporter.get("/metrics").statusCode());
        assertTrue(exporter.stdout().stream().anyMatch(l -> l.contains("at.favre.lib.crypto.bcrypt")), "bcrypt used");
        assertFalse(exporter.stdout().stream().anyMatch(l -> l.contains("org.bouncycastle")), "no BouncyCastle");
        exporter.close();

        TestPki pki = new TestPki(dir);
        pki.ca("ca");
        pki.leaf("server", "ca", TestPki.KeyForm.PKCS1, false);
        Files.writeString(web, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n");
        exporter = ExporterProcess.start(List.of("-verbose:class"), port, "--web.listen-address",
                "127.0.0.1:" + port, "-f", dir.resolve("utmp").toString(), "--source", "utmp", "--wtmp.file=", "--btmp.file=", "--web.config.file", web.toString());
        exporter.awaitListening();
        assertTrue(exporter.stdout().stream().anyMatch(l -> l.contains("org.bouncycastle")), "TLS reads PEM with it");
        assertTrue(exporter.stderr().stream().anyMatch(l -> l.contains("msg=listening") && l.contains("tls=true")),
                exporter.stderr().toString());
    }
}
