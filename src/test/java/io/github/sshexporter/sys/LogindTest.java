package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure parts of the logind binding: the session-file fallback for systemd older than 254. */
class LogindTest {
    @Test
    void sessionFileKeysAsWritten() {
        String file = """
                # This is private data. Do not parse.
                UID=1000
                USER=ntuser
                ACTIVE=1
                STATE=active
                REMOTE=1
                TYPE=tty
                CLASS=user
                REMOTE_HOST=::1
                SERVICE=sshd
                LEADER=76
                REALTIME=1795676009102221
                MONOTONIC=1283946665
                """;
        Map<String, String> values = Logind.parseEnvFile(file);
        assertEquals("ntuser", values.get("USER"));
        assertEquals("::1", values.get("REMOTE_HOST"));
        assertEquals(76, Logind.number(values.get("LEADER")));
        assertEquals(1_795_676_009_102_221L, Logind.number(values.get("REALTIME")));
        assertEquals(null, values.get("# This is private data. Do not parse."));
    }

    @Test
    void oddValuesAreUnknownNotErrors() {
        assertEquals(0, Logind.number(null));
        assertEquals(0, Logind.number(""));
        assertEquals(0, Logind.number("-5"));
        assertEquals(0, Logind.number("12x"));
        assertEquals(0, Logind.number("99999999999999999999999"));
        assertEquals(Map.of("A", "b=c"), Logind.parseEnvFile("A=b=c\n=x\nnoequals\n#C=d\n"));
        assertEquals(Map.of(), Logind.sessionFile("../../etc/passwd"));
        assertEquals(Map.of(), Logind.sessionFile("no-such-session-id"));
    }

    @Test
    void firstLineOfALoaderError() {
        assertEquals("Unable to load library 'x': x: cannot open",
                SdLogin.firstLine("Unable to load library 'x': x: cannot open\nNative library not found\n"));
        assertEquals("unknown error", SdLogin.firstLine(null));
    }
}
