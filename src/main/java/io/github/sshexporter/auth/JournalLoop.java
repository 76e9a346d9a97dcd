package io.github.sshexporter.auth;

import io.github.sshexporter.sys.Journal;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.Wake;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows sshd's entries in the systemd journal on a thread of its own: sd-journal's state is
 * native state owned by this one thread (never the session loop's). Entries written before the
 * start are not read: counters count what happens while the exporter runs. Every fault is a
 * {@link JournalState} told to the listener once per change, never an exception out of here.
 */
public final class JournalLoop {
    /** Opens the journal to follow: the system's, or a directory's. */
    @FunctionalInterface
    public interface Opener {
        Journal open() throws NativeException;
    }

    /** Told on the loop's thread. */
    public interface Listener {
        void entry(Journal.Entry entry);

        /** Once per change of state. */
        void state(JournalState state, String detail);
    }

    /** How long after reading entries the next read waits at least: a counter is late by no more. */
    static final long BATCH_PAUSE_MILLIS = 20;

    private final Opener opener;
    private final long intervalMillis;
    private final Listener listener;
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Object lock = new Object();
    private volatile boolean stopping;
    private Journal journal;
    private volatile JournalState lastState;
    private String lastDetail;

    public JournalLoop(Opener opener, long intervalMillis, Listener listener) {
        this.opener = opener;
        this.intervalMillis = intervalMillis;
        this.listener = listener;
        this.thread = new Thread(this::run, "journal");
    }

    /** Starts the thread and waits until the journal is open at its tail (or known unusable). */
    public void start() throws InterruptedException {
        thread.start();
        started.await(30, TimeUnit.SECONDS);
    }

    /** The state last reported (after {@link #start()}: the state at start). */
    public JournalState state() {
        return lastState;
    }

    public void stop(long timeout, TimeUnit unit) throws InterruptedException {
        stopping = true;
        synchronized (lock) {
            if (journal != null) {
                journal.wakeUp();
            }
        }
        finished.await(timeout, unit);
    }

    private void run() {
        try {
            Journal j = open();
            started.countDown();
            if (j == null) {
                return; // no journal here: nothing will make one appear while we run
            }
            Consumer<Journal.Entry> sink = listener::entry;
            while (!stopping) {
                Wake wake = j.await(intervalMillis);
                if (stopping || wake == Wake.WOKEN) {
                    continue;
                }
                Journal.Batch batch;
                int entries = 0;
                do {
                    batch = j.read(sink);
                    entries += batch.entries();
                } while (batch.more() && !stopping);
                if (batch.errno() != 0) {
                    report(JournalState.ERROR, "sd_journal_next: errno " + batch.errno());
                } else if (lastState != JournalState.OK || j.filesMayHaveChanged()) {
                    report(j.hasFiles() ? JournalState.OK : JournalState.NO_FILES, noFilesDetail());
                }
                if (entries > 0) {
                    // journald wakes its readers once per line: under a flood, read what came
                    // meanwhile in one batch instead of waking for each line.
                    j.pause(BATCH_PAUSE_MILLIS);
                }
            }
        } catch (RuntimeException e) {
            report(JournalState.ERROR, e.toString());
        } finally {
            started.countDown();
            synchronized (lock) {
                if (journal != null) {
                    journal.close();
                    journal = null;
                }
            }
            finished.countDown();
        }
    }

    private Journal open() {
        Journal j;
        try {
            j = opener.open();
        } catch (NativeException e) {
            report(JournalState.UNAVAILABLE, e.getMessage());
            return null;
        }
        synchronized (lock) {
            journal = j;
        }
        if (stopping) {
            j.wakeUp();
        }
        report(j.hasFiles() ? JournalState.OK : JournalState.NO_FILES, noFilesDetail());
        return j;
    }

    private static String noFilesDetail() {
        return "no journal file could be opened: the journal is empty, or this user may not read it "
                + "(the systemd-journal group)";
    }

    private void report(JournalState state, String detail) {
        String d = state == JournalState.OK ? "" : detail;
        if (state != lastState || !d.equals(lastDetail)) {
            lastState = state;
            lastDetail = d;
            listener.state(state, d);
        }
    }
}
