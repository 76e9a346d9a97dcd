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


    private final Pointer monitor;
    private final int monitorFd;
    private final WakeablePoll poll;
    private volatile boolean closed;

    private LoginMonitor(Pointer monitor, int monitorFd, WakeablePoll poll) {
        this.monitor = monitor;
        this.monitorFd = monitorFd;
        this.poll = poll;
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
        try {
            return new LoginMonitor(m, fd, WakeablePoll.open());
        } catch (NativeException e) {
            SdLogin.sd_login_monitor_unref(m);
            throw e;
        }
    }

    /** Waits up to {@code timeoutMillis} for a change; flushes the monitor after one. */
    public Wake await(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!closed) {
            int events = SdLogin.sd_login_monitor_get_events(monitor);
            WakeablePoll.Result result = poll.await(monitorFd,
                    events > 0 ? (short) events : WakeablePoll.POLLIN, deadline);
            if (result == WakeablePoll.Result.TIMEOUT) {
                return Wake.TIMEOUT;
            }
            if (result == WakeablePoll.Result.WOKEN) {
                return Wake.WOKEN;
            }
            if ((poll.revents() & (WakeablePoll.POLLIN | WakeablePoll.POLLERR | WakeablePoll.POLLHUP)) != 0) {
                SdLogin.sd_login_monitor_flush(monitor);
                return Wake.CHANGED;
            }
        }
        return Wake.WOKEN;
    }

    /** Ends a wait in progress (or the next one) at once. Safe from any thread. */
    public void wakeUp() {
        poll.wakeUp();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        SdLogin.sd_login_monitor_unref(monitor); // closes its descriptor
        poll.close();
    }
}
