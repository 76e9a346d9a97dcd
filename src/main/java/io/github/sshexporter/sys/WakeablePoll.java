package io.github.sshexporter.sys;

import com.sun.jna.Memory;

/**
 * poll() on one descriptor next to an eventfd, so that another thread can end a wait at once
 * (Thread.interrupt() does not reach a thread blocked in native code). Shared by the waits on
 * inotify ({@link FileWatcher}) and on logind's monitor ({@link LoginMonitor}).
 *
 * <p>{@link #await} must be called from one thread; {@link #wakeUp} from any.
 */
final class WakeablePoll implements AutoCloseable {
    static final short POLLIN = 1;
    static final short POLLERR = 8;
    static final short POLLHUP = 16;
    private static final int EFD_NONBLOCK = 04000;
    private static final int EFD_CLOEXEC = 02000000;

    enum Result {
        /** The watched descriptor has events: see {@link #revents()}. */
        READY,
        /** The deadline passed (or poll failed in a way a resync covers). */
        TIMEOUT,
        /** {@link #wakeUp()} was called. */
        WOKEN
    }

    private final int wakeFd;
    private final Memory pollFds = new Memory(16);
    // Separate buffers: wakeUp() writes from another thread while await() may be reading.
    private final Memory drained = new Memory(8);
    private final Memory one = new Memory(8);
    private volatile boolean closed;

    private WakeablePoll(int wakeFd) {
        this.wakeFd = wakeFd;
        one.setLong(0, 1);
    }

    static WakeablePoll open() throws NativeException {
        int efd = Libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            throw new NativeException("eventfd", Libc.errno());
        }
        return new WakeablePoll(efd);
    }

    /**
     * Blocks until {@code fd} has any of {@code events}, the deadline ({@link System#nanoTime})
     * passes, or a wake-up. With {@code fd} -1, only the deadline or a wake-up (poll() skips
     * negative descriptors).
     */
    Result await(int fd, short events, long deadlineNanos) {
        while (!closed) {
            // Rounded up: poll() takes whole milliseconds, and a wait that ends short of its
            // deadline (9.1 ms for 10) made the session loop's 10 ms quiet rule wait twice.
            long left = Math.max(0, (deadlineNanos - System.nanoTime() + 999_999L) / 1_000_000L);
            pollFds.setInt(0, fd);
            pollFds.setShort(4, events);
            pollFds.setShort(6, (short) 0);
            pollFds.setInt(8, wakeFd);
            pollFds.setShort(12, POLLIN);
            pollFds.setShort(14, (short) 0);
            int n = Libc.poll(pollFds, 2, (int) Math.min(left, Integer.MAX_VALUE));
            if (n < 0 && Libc.errno() == Libc.EINTR) {
                continue;
            }
            if (n <= 0) {
                return Result.TIMEOUT;
            }
            if ((pollFds.getShort(14) & POLLIN) != 0) {
                Libc.read(wakeFd, drained, 8);
                return Result.WOKEN;
            }
            return Result.READY;
        }
        return Result.WOKEN;
    }

    /** The events poll() reported on the watched descriptor after {@link Result#READY}. */
    short revents() {
        return pollFds.getShort(6);
    }

    /**
     * Ends a wait in progress (or the next one) at once. Safe from any thread: synchronized with
     * {@link #close()}, so that it never writes to a descriptor number already closed and reused.
     */
    synchronized void wakeUp() {
        if (!closed) {
            Libc.write(wakeFd, one, 8);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Libc.close(wakeFd);
        }
    }
}
