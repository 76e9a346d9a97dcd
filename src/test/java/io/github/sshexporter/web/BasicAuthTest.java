package io.github.sshexporter.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BasicAuthTest {
    /** htpasswd -nbBC 10 "" secret (apache2-utils), i.e. a $2y$ hash as operators make them. */
    private static final String SECRET_2Y = "$2y$10$P9mOVTrl6/F7xno22ygUT.6UuWJ8UxLnNa8fWTHHZ149hl/Lq8Vgq";
    /** The same password in the $2a$ form Go's bcrypt writes (cost 4), and $2b$. */
    private static final String SECRET_2A = "$2a$04$PYoapOTUTPRmEgryr/VDxOqOhbgB8BDE3vvCQ46xpgA9cgzkXYooa";

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rightPasswordPassesWrongOrNoneDoNot() {
        BasicAuth auth = new BasicAuth();
        Map<String, String> users = Map.of("prom", SECRET_2Y);
        assertEquals(BasicAuth.Result.OK, auth.check(users, basic("prom", "secret")));
        assertEquals(BasicAuth.Result.OK, auth.check(users, basic("prom", "secret")), "cached");
        assertEquals(BasicAuth.Result.DENIED, auth.check(users, basic("prom", "Secret")));
        assertEquals(BasicAuth.Result.DENIED, auth.check(users, basic("other", "secret")));
        assertEquals(BasicAuth.Result.DENIED, auth.check(users, null));
        assertEquals(BasicAuth.Result.DENIED, auth.check(users, "Bearer abc"));
        assertEquals(BasicAuth.Result.DENIED, auth.check(users, "Basic !!!"));
        assertEquals(BasicAuth.Result.DENIED, auth.check(users, basic("prom", "secret" + "x".repeat(80))));
        // a changed hash (the file was edited) is not served from the cache
        assertEquals(BasicAuth.Result.DENIED, auth.check(Map.of("prom", WebConfigTest.HASH), basic("prom", "secret")));
    }

    @Test
    void goBcryptHashesToo() {
        assertEquals(BasicAuth.Result.OK, new BasicAuth().check(Map.of("a", SECRET_2A), basic("a", "secret")));
        assertEquals(BasicAuth.Result.OK, new BasicAuth().check(Map.of("a", SECRET_2A.replace("$2a$", "$2b$")),
                basic("a", "secret")));
    }

    @Test
    void headerParsingAsGoDoesIt() {
        assertArrayEquals(new String[] {"a", "b:c"}, BasicAuth.parse(basic("a", "b:c")));
        assertArrayEquals(new String[] {"a", ""}, BasicAuth.parse("basic " + Base64.getEncoder().encodeToString("a:".getBytes())));
        assertNull(BasicAuth.parse("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes())));
        assertNull(BasicAuth.parse("Basic"));
    }
}
