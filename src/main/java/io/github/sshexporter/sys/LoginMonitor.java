package io.github.sshexporter.sys;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * Blocks until logind's sessions change, through {@code sd_login_monitor("session")} (an inotify
 * descriptor on {@code /run/systemd/sessions} inside libsystemd). Its descriptor is polled next
 * to an eventfd, as {@link FileWatcher} does, so that another thread can end a wait at once;
 * after each wake-up the monitor is flushed. Changes are never counted: the caller rereads.
 *
 * <p>{@link #await} must be called from one thread; {@link #wakeUp} from any.
 */
public final class LoginMonitor implements AutoCloseable {
    private static final int EFD_NONBLOCK = 04000;
    private static final int EFD_CLOEXEC = 02000000;
    private static final short POLLIN = 1;
    private static final short POLLERR = 8;
    private static final short POLLHUP = 16;

    /** Why a wait ended. */
    public enum Wake {
        /** The sessions (may) have changed. */
        CHANGED,
        /** The timeout passed: time for a safety resync. */
        TIMEOUT,
        /** {@link #wakeUp()} was called. */
        WOKEN
    }

    private final Pointer monitor;
    private final int monitorFd;
    private final int wakeFd;
    private final Memory pollFds = new Memory(16);
    private final Memory counter = new Memory(8);
    private volatile boolean closed;

    private LoginMonitor(Pointer monitor, int monitorFd, int wakeFd) {
        this.monitor = monitor;
        this.monitorFd = monitorFd;
        this.wakeFd = wakeFd;
    }

    /** Fails when libsystemd is missing or logind's session directory cannot be watched. */
    public static LoginMonitor open() throws NativeException {
        String error = Logind.libraryError();
        if (error != null) {
            throw new NativeException(error);
        }
        Memory ret = new Memory(8);
        ret.setPointer(0, null);
        int r = SdLogin.sd_login_monitor_new(Logind.cString("session"), ret);
        if (r < 0) {
            throw new NativeException("sd_login_monitor_new(\"session\")", -r);
        }
        Pointer m = ret.getPointer(0);
        int fd = SdLogin.sd_login_monitor_get_fd(m);
        if (fd < 0) {
            SdLogin.sd_login_monitor_unref(m);
            throw new NativeException("sd_login_monitor_get_fd", -fd);
        }
        int efd = Libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (efd < 0) {
            int errno = Libc.errno();
            SdLogin.sd_login_monitor_unref(m);
            throw new NativeException("eventfd", errno);
        }
        return new LoginMonitor(m, fd, efd);
    }

    /** Waits up to {@code timeoutMillis} for a change; flushes the monitor after one. */
    public Wake await(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!closed) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            int events = SdLogin.sd_login_monitor_get_events(monitor);
            pollFds.setInt(0, monitorFd);
            pollFds.setShort(4, events > 0 ? (short) events : POLLIN);
            pollFds.setShort(6, (short) 0);
            pollFds.setInt(8, wakeFd);
            pollFds.setShort(12, POLLIN);
            pollFds.setShort(14, (short) 0);
            int n = Libc.poll(pollFds, 2, (int) Math.min(left, Integer.MAX_VALUE));
            if (n < 0) {
                if (Libc.errno() == Libc.EINTR) {
                    continue;
                }
                return Wake.TIMEOUT; // should not happen; the caller resyncs
            }
            if (n == 0) {
                return Wake.TIMEOUT;
            }
            if ((pollFds.getShort(14) & POLLIN) != 0) {
                Libc.read(wakeFd, counter, 8);
                return Wake.WOKEN;
            }
            short revents = pollFds.getShort(6);
            if ((revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
                SdLogin.sd_login_monitor_flush(monitor);
                return Wake.CHANGED;
            }
        }
        return Wake.WOKEN;
    }

    /** Ends a wait in progress (or the next one) at once. Safe from any thread. */
    public void wakeUp() {
        if (closed) {
            return;
        }
        counter.setLong(0, 1);
        Libc.write(wakeFd, counter, 8);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SdLogin.sd_login_monitor_unref(monitor); // closes its descriptor
        Libc.close(wakeFd);
    }
}
