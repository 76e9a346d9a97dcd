package io.github.sshexporter.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogTest {
    @AfterEach
    void restore() {
        Log.setOutput(System.err);
        Log.setLevel(Log.Level.INFO);
    }

    private static String value(String v) {
        StringBuilder b = new StringBuilder();
        Log.appendValue(b, v);
        return b.toString();
    }

    @Test
    void logfmtQuotingAndEscaping() {
        assertEquals("plain", value("plain"));
        assertEquals("\"\"", value(""));
        assertEquals("\"two words\"", value("two words"));
        assertEquals("\"a=b\"", value("a=b"));
        assertEquals("\"say \\\"hi\\\"\"", value("say \"hi\""));
        assertEquals("\"line\\nbreak\"", value("line\nbreak"));
        assertEquals("\"bell\\u0007\"", value("bell\u0007"));
    }

    @Test
    void oneLinePerEventBelowThresholdDropped() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Log.setOutput(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Log.debug("hidden");
        Log.info("session opened", "user", "alice", "remote_ip", "::1");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.contains(" level=info msg=\"session opened\" user=alice remote_ip=::1"), out);
    }
}
