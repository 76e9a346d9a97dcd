package io.github.sshexporter.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChangeGateTest {
    @Test
    void anOpenGateDoesNotWait() throws Exception {
        ChangeGate gate = new ChangeGate();
        assertTrue(gate.await(0));
        gate.close();
        gate.open();
        assertTrue(gate.await(0));
    }

    @Test
    void aWaiterSeesWhatWasPublishedBeforeTheGateOpened() throws Exception {
        ChangeGate gate = new ChangeGate();
        AtomicInteger published = new AtomicInteger();
        gate.close();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Integer> scrape = CompletableFuture.supplyAsync(() -> {
            waiting.countDown();
            try {
                assertTrue(gate.await(TimeUnit.SECONDS.toNanos(30)));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return published.get();
        });
        waiting.await();
        Thread.sleep(20); // past the spin: the waiter is asleep on the condition
        published.set(7);
        gate.open();
        assertEquals(7, scrape.get(30, TimeUnit.SECONDS));
    }

    @Test
    void theBoundEndsTheWaitWhenTheGateStaysClosed() throws Exception {
        ChangeGate gate = new ChangeGate();
        gate.close();
        long start = System.nanoTime();
        assertFalse(gate.await(TimeUnit.MILLISECONDS.toNanos(30)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30));
    }

    @Test
    void aTaskLeftWhileClosedRunsOnTheOpeningThreadAfterThePublish() throws Exception {
        ChangeGate gate = new ChangeGate();
        assertFalse(gate.runWhenOpen(() -> { }), "open: nothing is left, the caller runs it");
        gate.close();
        AtomicInteger published = new AtomicInteger();
        List<String> ran = new ArrayList<>();
        assertTrue(gate.runWhenOpen(() -> ran.add(Thread.currentThread().getName() + " saw " + published.get())));
        Runnable cancelled = () -> ran.add("cancelled");
        assertTrue(gate.runWhenOpen(cancelled));
        assertTrue(gate.runWhenOpen(() -> {
            throw new IllegalStateException("one task fails");
        }));
        assertTrue(gate.runWhenOpen(() -> {
            throw new AssertionError("one fails with an error");
        }));
        assertTrue(gate.runWhenOpen(() -> ran.add("after the failure")));
        gate.cancel(cancelled);
        assertEquals(List.of(), ran, "nothing runs while closed");
        AtomicBoolean openerWentOn = new AtomicBoolean();
        Thread opener = new Thread(() -> {
            published.set(7);
            gate.open();
            openerWentOn.set(true);
        }, "opener");
        opener.start();
        opener.join(30_000);
        assertEquals(List.of("opener saw 7", "after the failure"), ran, "the failures did not stop the others");
        assertTrue(openerWentOn.get(), "nor reached the opener");
        gate.close();
        gate.open();
        assertEquals(2, ran.size(), "each task runs once");
    }
}
