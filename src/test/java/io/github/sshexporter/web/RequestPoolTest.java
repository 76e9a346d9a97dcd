package io.github.sshexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestPoolTest {
    private static final long STACK = 256 * 1024;

    @Test
    void aBurstOfBlockedRequestsGetsOneThreadEachBeforeAnyWaits() throws Exception {
        RequestPool pool = new RequestPool(2, 50, 10, STACK);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(50);
        try {
            for (int i = 0; i < 50; i++) {
                pool.execute(() -> {
                    running.countDown();
                    await(release);
                });
            }
            assertEquals(50, pool.getPoolSize());
            assertEquals(0, pool.getQueue().size());
            assertTrue(running.await(10, TimeUnit.SECONDS), "every request running at once");
        } finally {
            release.countDown();
            pool.shutdown();
        }
    }

    @Test
    void anIdleThreadTakesTheNextRequestInsteadOfANewThread() throws Exception {
        RequestPool pool = new RequestPool(2, 50, 10, STACK);
        try {
            for (int i = 0; i < 200; i++) {
                CountDownLatch done = new CountDownLatch(1);
                pool.execute(done::countDown);
                assertTrue(done.await(10, TimeUnit.SECONDS));
                waitUntilFinished(pool);
            }
            assertEquals(2, pool.getPoolSize(), "sequential requests need no more than the core threads");
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void beyondTheThreadsRequestsWaitThenAreRefused() throws Exception {
        RequestPool pool = new RequestPool(1, 3, 2, STACK);
        CountDownLatch release = new CountDownLatch(1);
        try {
            for (int i = 0; i < 5; i++) {
                pool.execute(() -> await(release));
            }
            assertEquals(3, pool.getPoolSize());
            assertEquals(2, pool.getQueue().size());
            assertThrows(RejectedExecutionException.class, () -> pool.execute(() -> {}));
            assertEquals(5, pool.unfinished(), "a refused request is not counted");
        } finally {
            release.countDown();
            pool.shutdown();
        }
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, pool.unfinished());
    }

    private static void waitUntilFinished(RequestPool pool) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.unfinished() > 0 && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        assertEquals(0, pool.unfinished());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
