package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.FileWatcher;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.UtmpxTail;
import io.github.sshexporter.sys.Wake;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Follows wtmp (logins and logouts, for the {@link SessionCounter}) and btmp (failed logins) on a
 * thread of its own. It reads the logs with plain file I/O, never with glibc's utmpx functions,
 * so the session loop stays the only thread that touches libc's utmp state. Records present at
 * start are learned (wtmp) or skipped (btmp), not counted: counters start at zero and count what
 * happens while the exporter runs.
 */
public final class LoginLogLoop {
    /** One followed log and what this loop knows of it. */
    private static final class Followed {
        final LoginLog log;
        final UtmpxTail tail;
        final int watchIndex;
        /** True while the records present at start are still unread (the log was unreadable then). */
        boolean history = true;
        String lastState;

        Followed(LoginLog log, UtmpxTail tail, int watchIndex) {
            this.log = log;
            this.tail = tail;
            this.watchIndex = watchIndex;
        }
    }

    private final Followed wtmp;
    private final Followed btmp;
    private final FileWatcher watcher;
    private final long intervalMillis;
    private final SessionCounter counter;
    private final LoginActivity activity;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;

    /**
     * @param wtmpPath null to not follow wtmp
     * @param btmpPath null to not follow btmp
     */
    public LoginLogLoop(Path wtmpPath, Path btmpPath, long intervalMillis, SessionCounter counter,
                        LoginActivity activity) throws NativeException {
        List<Path> watched = new ArrayList<>();
        this.wtmp = wtmpPath == null ? null : new Followed(LoginLog.WTMP, UtmpxTail.bind(wtmpPath), watched.size());
        if (wtmpPath != null) {
            watched.add(wtmpPath);
        }
        this.btmp = btmpPath == null ? null : new Followed(LoginLog.BTMP, UtmpxTail.bind(btmpPath), watched.size());
        if (btmpPath != null) {
            watched.add(btmpPath);
        }
        this.watcher = watched.isEmpty() ? null : FileWatcher.open(watched);
        this.intervalMillis = intervalMillis;
        this.counter = counter;
        this.activity = activity;
        this.thread = new Thread(this::run, "login-logs");
    }

    /** Starts the thread and waits until the logs' history has been read (or found unreadable). */
    public void start() throws InterruptedException {
        if (watcher == null) {
            return;
        }
        thread.start();
        started.await(30, TimeUnit.SECONDS);
    }

    public void stop(long timeout, TimeUnit unit) throws InterruptedException {
        if (watcher == null) {
            return;
        }
        stopping = true;
        watcher.wakeUp();
        finished.await(timeout, unit);
    }

    private void run() {
        try {
            followLogs(true, true);
            started.countDown();
            while (!stopping) {
                Wake wake = watcher.await(intervalMillis);
                if (stopping) {
                    break;
                }
                if (wake != Wake.WOKEN) {
                    followLogs(wtmp != null && watcher.changed(wtmp.watchIndex),
                            btmp != null && watcher.changed(btmp.watchIndex));
                }
            }
        } finally {
            started.countDown();
            watcher.close();
            if (wtmp != null) {
                wtmp.tail.close();
            }
            if (btmp != null) {
                btmp.tail.close();
            }
            finished.countDown();
        }
    }

    /**
     * Reads what was appended. A log that could not be read at start still has its history ahead
     * of it: the first successful read of it learns or skips that history instead of counting it.
     * A fault here is reported and survived: the login logs never take the exporter down.
     */
    private void followLogs(boolean wtmpChanged, boolean btmpChanged) {
        try {
            if (wtmp != null && wtmpChanged) {
                UtmpxTail.Result r = wtmp.history ? wtmp.tail.poll(counter::wtmpHistory)
                        : wtmp.tail.poll(counter::wtmpAppended);
                counter.wtmpReadable(r.status() == UtmpxTail.Status.OK);
                report(wtmp, r);
            }
            if (btmp != null && btmpChanged) {
                UtmpxTail.Result r = btmp.history ? btmp.tail.skipToEnd()
                        : btmp.tail.poll(record -> activity.failedLogin(UtmpSessionSource.toSession(record)));
                report(btmp, r);
            }
        } catch (RuntimeException e) {
            activity.internalError(e.toString());
        }
    }

    /** Ends the history once the log was read, or found missing (a log created later is all new). */
    private void report(Followed f, UtmpxTail.Result result) {
        f.history &= result.status() != UtmpxTail.Status.OK && result.status() != UtmpxTail.Status.MISSING;
        boolean readable = result.status() == UtmpxTail.Status.OK;
        String state = result.status() + result.detail();
        if (!state.equals(f.lastState)) {
            f.lastState = state;
            activity.databaseState(f.log, f.tail.path().toString(), readable,
                    readable ? "" : result.status().name().toLowerCase(Locale.ROOT) + ": " + result.detail());
        }
    }
}
