package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.FileWatcher;
import io.github.sshexporter.sys.Logind;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.Wake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The source {@code --source} asks for: the utmp file, systemd-logind, or ({@code auto}) the
 * first of them this host has (see {@link SourceSelection}). Once chosen, a source stays: a utmp
 * file that goes missing later is reported as missing, as with {@code --source utmp}.
 *
 * <p>While nothing can be read yet it serves no sessions (state {@link SourceState#WAITING}) and
 * watches, through inotify, for the utmp file and for logind's session directory to appear; every
 * wake-up and every resync decides again. Like any source, only the session loop's thread calls
 * {@link #read()} and {@link #awaitChange(long)}; {@link #wakeUp()} may come from any thread.
 */
public final class SelectingSessionSource implements SessionSource {
    private static final Path RUN_SYSTEMD = Logind.SESSIONS_DIR.getParent();

    /** Told when a source is chosen: at {@link #open}, or later on the loop's thread after a wait. */
    public interface SelectionListener {
        /** @param source {@link SourceMode#UTMP} or {@link SourceMode#LOGIND} */
        void selected(SourceMode source, String location, String reason);
    }

    private final SourceMode mode;
    private final Path file;
    private final SelectionListener listener;
    private final Object lock = new Object();
    private volatile SessionSource active;
    private FileWatcher waiting;
    private Path[] waitingFor;
    private String waitReason = "";
    private boolean wakeRequested;
    private boolean closed;

    private SelectingSessionSource(SourceMode mode, Path file, SelectionListener listener) {
        this.mode = mode;
        this.file = file;
        this.listener = listener;
    }

    /**
     * Decides now. Fails, with one line, when the choice can never work here (libsystemd missing
     * for {@code --source logind}, a C library that cannot read utmp for the utmp source).
     */
    public static SelectingSessionSource open(SourceMode mode, Path file, SelectionListener listener)
            throws NativeException {
        SelectingSessionSource source = new SelectingSessionSource(mode, file, listener);
        source.select(true);
        return source;
    }

    private void select(boolean atStart) throws NativeException {
        SourceSelection.Decision d = SourceSelection.decide(mode, file, SourceSelection.probe(mode, file));
        SessionSource chosen = null;
        SourceMode kind = null;
        String reason = d.reason();
        switch (d.choice()) {
            case FAIL -> throw new NativeException(d.reason());
            case UTMP -> {
                try {
                    chosen = UtmpSessionSource.open(file);
                    kind = SourceMode.UTMP;
                } catch (NativeException e) {
                    if (atStart) {
                        throw e;
                    }
                    reason = e.getMessage();
                }
            }
            case LOGIND -> {
                try {
                    chosen = LogindSessionSource.open();
                    kind = SourceMode.LOGIND;
                } catch (NativeException e) {
                    reason = "systemd-logind cannot be watched: " + e.getMessage();
                }
            }
            case WAIT -> { }
        }
        if (chosen != null) {
            install(chosen);
            listener.selected(kind, chosen.location(), reason);
            return;
        }
        waitReason = reason;
        Path[] watch = watchedWhileWaiting();
        if (waiting == null || !Arrays.equals(watch, waitingFor)) {
            FileWatcher next = null;
            try {
                next = watch.length == 0 ? null : FileWatcher.open(watch);
            } catch (NativeException e) {
                if (atStart) {
                    throw e;
                }
                // No inotify now: the resync interval decides again.
            }
            synchronized (lock) {
                if (waiting != null) {
                    waiting.close();
                }
                waiting = next;
                waitingFor = watch;
                if (next != null && wakeRequested) {
                    next.wakeUp();
                }
            }
        }
    }

    /** What may bring a source: the utmp file (auto only) and logind's session directory. */
    private Path[] watchedWhileWaiting() {
        List<Path> paths = new ArrayList<>(2);
        if (mode == SourceMode.AUTO) {
            paths.add(file);
        }
        if (Files.isDirectory(RUN_SYSTEMD)) {
            paths.add(Logind.SESSIONS_DIR);
        } else if (Files.isDirectory(RUN_SYSTEMD.getParent())) {
            paths.add(RUN_SYSTEMD); // then its sessions directory, once it exists
        }
        return paths.toArray(new Path[0]);
    }

    private void install(SessionSource chosen) {
        synchronized (lock) {
            if (closed) {
                chosen.close();
                return;
            }
            active = chosen;
            if (waiting != null) {
                waiting.close();
                waiting = null;
            }
            if (wakeRequested) {
                chosen.wakeUp();
            }
        }
    }

    @Override
    public boolean readsUtmpFile() {
        SessionSource s = active;
        return s != null && s.readsUtmpFile();
    }

    @Override
    public String name() {
        SessionSource s = active;
        return s != null ? s.name() : mode == SourceMode.AUTO ? "none" : mode.label();
    }

    @Override
    public String location() {
        SessionSource s = active;
        if (s != null) {
            return s.location();
        }
        return switch (mode) {
            case AUTO -> file + " or " + Logind.SESSIONS_DIR;
            case UTMP -> file.toString();
            case LOGIND -> Logind.SESSIONS_DIR.toString();
        };
    }

    @Override
    public Snapshot read() {
        SessionSource s = chosen();
        return s == null ? Snapshot.failed(SourceState.WAITING, waitReason) : s.read();
    }

    /** The chosen source's own cheap resync (a utmp file that did not change is not read again). */
    @Override
    public Snapshot resyncRead() {
        SessionSource s = chosen();
        return s == null ? Snapshot.failed(SourceState.WAITING, waitReason) : s.resyncRead();
    }

    /** The source in use, choosing one first if none is yet; null while neither is there. */
    private SessionSource chosen() {
        if (active == null) {
            try {
                select(false);
            } catch (NativeException e) {
                waitReason = e.getMessage();
            }
        }
        return active;
    }

    @Override
    public Wake awaitChange(long timeoutMillis) {
        SessionSource s = active;
        if (s != null) {
            return s.awaitChange(timeoutMillis);
        }
        FileWatcher w = waiting;
        if (w != null) {
            return w.await(timeoutMillis);
        }
        synchronized (lock) {
            if (!wakeRequested && !closed) {
                try {
                    lock.wait(Math.max(1, timeoutMillis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return wakeRequested ? Wake.WOKEN : Wake.TIMEOUT;
        }
    }

    @Override
    public void wakeUp() {
        synchronized (lock) {
            wakeRequested = true;
            SessionSource s = active;
            if (s != null) {
                s.wakeUp();
            } else if (waiting != null) {
                waiting.wakeUp();
            }
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            SessionSource s = active;
            if (s != null) {
                s.close();
            }
            if (waiting != null) {
                waiting.close();
                waiting = null;
            }
        }
    }
}
