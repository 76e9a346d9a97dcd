package io.github.sshexporter.web;

/** {@code rate_limit}: a token bucket over all requests (one token per interval, {@code burst} at most). */
final class RateLimiter {
    private final WebConfig.RateLimit limit;
    private final double nanosPerToken;
    private double tokens;
    private long last;

    RateLimiter(WebConfig.RateLimit limit) {
        this.limit = limit;
        this.nanosPerToken = limit.interval().toNanos();
        this.tokens = limit.burst();
        this.last = System.nanoTime();
    }

    WebConfig.RateLimit limit() {
        return limit;
    }

    synchronized boolean allow() {
        long now = System.nanoTime();
        tokens = Math.min(limit.burst(), tokens + (now - last) / nanosPerToken);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
