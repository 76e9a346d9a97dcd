package io.github.sshexporter.web;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request threads: {@code core} stay; a request that finds no idle thread gets a new one, up
 * to {@code max}, before any request waits; then up to {@code queue} wait; beyond that the
 * connection is closed. A plain {@link ThreadPoolExecutor} queues before it grows, which would
 * put a scrape behind trickling clients.
 *
 * <p>Whether a thread is idle is told by the count of requests handed in and not yet finished,
 * not by the pool's active count: a thread just started has not yet taken its first request, so
 * a burst of connections would otherwise be queued while the pool stays small.
 */
final class RequestPool extends ThreadPoolExecutor {
    private final AtomicInteger unfinished = new AtomicInteger();

    RequestPool(int core, int max, int queue, long threadStackBytes) {
        super(core, max, 30, TimeUnit.SECONDS, new GrowFirstQueue(queue), threads(threadStackBytes), RequestPool::overflow);
        ((GrowFirstQueue) getQueue()).pool = this;
    }

    @Override
    public void execute(Runnable request) {
        unfinished.incrementAndGet();
        try {
            super.execute(request);
        } catch (RuntimeException e) {
            unfinished.decrementAndGet();
            throw e;
        }
    }

    @Override
    protected void afterExecute(Runnable request, Throwable error) {
        unfinished.decrementAndGet();
    }

    /** Requests handed in and not yet finished (running or waiting). */
    int unfinished() {
        return unfinished.get();
    }

    private static ThreadFactory threads(long stackBytes) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, "http-" + n.incrementAndGet(), stackBytes);
            t.setDaemon(true);
            return t;
        };
    }

    private static void overflow(Runnable request, ThreadPoolExecutor pool) {
        if (pool.isShutdown() || !((GrowFirstQueue) pool.getQueue()).force(request)) {
            throw new RejectedExecutionException("request queue full");
        }
    }

    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        private transient volatile RequestPool pool;

        GrowFirstQueue(int capacity) {
            super(capacity);
        }

        @Override
        public boolean offer(Runnable r) {
            RequestPool p = pool;
            if (p != null && p.unfinished() > p.getPoolSize() && p.getPoolSize() < p.getMaximumPoolSize()) {
                return false; // no idle thread: make the pool start another one
            }
            return super.offer(r);
        }

        boolean force(Runnable r) {
            return super.offer(r);
        }
    }
}
