package io.github.sshexporter.testing;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes. A bound on correctness, not a benchmark. */
public final class Await {
    private Await() {}

    public static boolean until(long timeoutMillis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    /** Waits for {@code actual} to equal {@code expected}; the last value seen is in the message. */
    public static <T> void assertEventually(long timeoutMillis, T expected, Supplier<T> actual, String what) {
        if (!until(timeoutMillis, () -> expected.equals(actual.get()))) {
            throw new AssertionError(what + ": expected " + expected + " within " + timeoutMillis
                    + " ms, last seen " + actual.get());
        }
    }
}
