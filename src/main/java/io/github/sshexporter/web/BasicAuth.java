package io.github.sshexporter.web;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * HTTP basic auth against the bcrypt hashes of {@code basic_auth_users}, as the exporter-toolkit
 * does it: an unknown user costs a bcrypt comparison too (no user enumeration by timing), and
 * results are cached so that a scraper's every request does not cost one.
 *
 * <p>Hostile clients: bcrypt runs one at a time, with at most one request waiting for it (briefly);
 * any other request that would need it is answered 429 at once instead of holding a server
 * thread. Successes and failures are cached apart, so a flood of wrong passwords never evicts a
 * scraper's cached success. Caches hold SHA-256 digests, never passwords.
 */
final class BasicAuth {
    enum Result { OK, DENIED, BUSY }

    /** bcrypt of a password nobody knows, for unknown users (cost 10, like the toolkit's). */
    private static final byte[] DUMMY_HASH =
            "$2y$10$vlfua6dro0dzKEi2OlgKVuNKmXSBUB904OfVzJPThfP7GlxrFq6w.".getBytes(StandardCharsets.US_ASCII);
    private static final int CACHE_SIZE = 100;
    /** bcrypt ignores bytes past 72; Go's bcrypt refuses such passwords, and so does this. */
    private static final int MAX_PASSWORD_BYTES = 72;

    private final Map<ByteBuffer, Boolean> granted = lru();
    private final Map<ByteBuffer, Boolean> refused = lru();
    private final ReentrantLock bcrypt = new ReentrantLock();
    private final AtomicInteger waiting = new AtomicInteger();

    private static Map<ByteBuffer, Boolean> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
                return size() > CACHE_SIZE;
            }
        });
    }

    Result check(Map<String, String> users, String authorization) {
        String[] credentials = parse(authorization);
        if (credentials == null) {
            return Result.DENIED;
        }
        String user = credentials[0];
        byte[] password = credentials[1].getBytes(StandardCharsets.UTF_8);
        String hash = users.get(user);
        boolean known = hash != null;
        byte[] hashBytes = known ? hash.getBytes(StandardCharsets.UTF_8) : DUMMY_HASH;
        ByteBuffer key = digest(user, hashBytes, password);
        if (known && granted.containsKey(key)) {
            return Result.OK;
        }
        if (refused.containsKey(key)) {
            return Result.DENIED;
        }
        if (!acquire()) {
            return Result.BUSY;
        }
        boolean ok;
        try {
            ok = password.length <= MAX_PASSWORD_BYTES && BCrypt.verifyer().verify(password, hashBytes).verified;
        } catch (RuntimeException e) {
            ok = false;
        } finally {
            bcrypt.unlock();
        }
        ok &= known;
        (ok ? granted : refused).put(key, Boolean.TRUE);
        return ok ? Result.OK : Result.DENIED;
    }

    /** The bcrypt lock: at once if free, else one request may wait a little for it. */
    private boolean acquire() {
        if (bcrypt.tryLock()) {
            return true;
        }
        if (waiting.incrementAndGet() > 1) {
            waiting.decrementAndGet();
            return false;
        }
        try {
            return bcrypt.tryLock(500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** {@code Basic base64(user:password)} as Go's Request.BasicAuth reads it, or null. */
    static String[] parse(String header) {
        String prefix = "Basic ";
        if (header == null || header.length() < prefix.length()
                || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
        String text = new String(decoded, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        return colon < 0 ? null : new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }

    private static ByteBuffer digest(String user, byte[] hash, byte[] password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] u = user.getBytes(StandardCharsets.UTF_8);
            for (byte[] part : new byte[][] {u, hash, password}) {
                sha.update(ByteBuffer.allocate(4).putInt(part.length).array());
                sha.update(part);
            }
            return ByteBuffer.wrap(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
