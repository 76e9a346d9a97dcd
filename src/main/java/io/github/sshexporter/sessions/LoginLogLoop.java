package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.FileWatcher;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.UtmpxTail;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Follows wtmp (logins and logouts) and btmp (failed logins) on a thread of its own. It reads
 * the logs with plain file I/O, never with glibc's utmpx functions, so the session loop stays the
 * only thread that touches libc's utmp state. Records present at start are learned, not counted:
 * counters start at zero and count what happens while the exporter runs.
 */
public final class LoginLogLoop {
    private final UtmpxTail wtmp;
    private final UtmpxTail btmp;
    private final FileWatcher watcher;
    private final long intervalMillis;
    private final LoginActivity activity;
    private final WtmpSessions sessions = new WtmpSessions();
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean wtmpReadable;
    /** True while a log's records present at start are still unread (it was unreadable then). */
    private boolean wtmpHistory;
    private boolean btmpHistory;
    private final String[] lastState = new String[2];

    /**
     * @param wtmpPath null to not follow wtmp
     * @param btmpPath null to not follow btmp
     */
    public LoginLogLoop(Path wtmpPath, Path btmpPath, long intervalMillis, LoginActivity activity)
            throws NativeException {
        this.wtmp = wtmpPath == null ? null : UtmpxTail.bind(wtmpPath);
        this.btmp = btmpPath == null ? null : UtmpxTail.bind(btmpPath);
        List<Path> watched = new ArrayList<>();
        if (wtmpPath != null) {
            watched.add(wtmpPath);
        }
        if (btmpPath != null) {
            watched.add(btmpPath);
        }
        this.watcher = watched.isEmpty() ? null : FileWatcher.open(watched);
        this.intervalMillis = intervalMillis;
        this.activity = activity;
        this.thread = new Thread(this::run, "login-logs");
    }

    /**
     * True while wtmp is being followed successfully: then it, not the utmp snapshots, is the
     * source of the opened/closed counters, because it also sees sessions shorter than one read.
     */
    public boolean wtmpActive() {
        return wtmpReadable;
    }

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
            // What is already there happened before we started: learn wtmp's open sessions, skip
            // btmp's history unread; count nothing.
            wtmpHistory = wtmp != null;
            btmpHistory = btmp != null;
            followLogs(true, true);
            started.countDown();
            int wtmpIndex = 0;
            int btmpIndex = wtmp == null ? 0 : 1;
            while (!stopping) {
                FileWatcher.Wake wake = watcher.await(intervalMillis);
                if (stopping) {
                    break;
                }
                if (wake != FileWatcher.Wake.WOKEN) {
                    followLogs(wtmp != null && watcher.changed(wtmpIndex), btmp != null && watcher.changed(btmpIndex));
                }
            }
        } finally {
            started.countDown();
            watcher.close();
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
            if (wtmpChanged) {
                UtmpxTail.Result r = wtmpHistory ? wtmp.poll(sessions::learn)
                        : wtmp.poll(record -> sessions.apply(record, activity));
                wtmpHistory &= r.status() != UtmpxTail.Status.OK && r.status() != UtmpxTail.Status.MISSING;
                report(0, "wtmp", wtmp, r);
            }
            if (btmpChanged) {
                UtmpxTail.Result r = btmpHistory ? btmp.skipToEnd()
                        : btmp.poll(record -> activity.failedLogin(UtmpSessionSource.toSession(record)));
                btmpHistory &= r.status() != UtmpxTail.Status.OK && r.status() != UtmpxTail.Status.MISSING;
                report(1, "btmp", btmp, r);
            }
        } catch (RuntimeException e) {
            activity.databaseState("internal", "", false, e.toString());
        }
    }

    private void report(int slot, String name, UtmpxTail tail, UtmpxTail.Result result) {
        boolean readable = result.status() == UtmpxTail.Status.OK;
        if (slot == 0) {
            wtmpReadable = readable;
        }
        String state = result.status() + result.detail();
        if (!state.equals(lastState[slot])) {
            lastState[slot] = state;
            activity.databaseState(name, tail.path().toString(), readable,
                    readable ? "" : result.status().name().toLowerCase(java.util.Locale.ROOT) + ": " + result.detail());
        }
    }
}
