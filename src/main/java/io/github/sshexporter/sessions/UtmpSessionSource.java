package io.github.sshexporter.sessions;

import io.github.sshexporter.records.UtmpxRecord;
import io.github.sshexporter.sys.FileWatcher;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.UtmpxFile;
import io.github.sshexporter.sys.Wake;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** Sessions from a utmp file: its USER_PROCESS records, watched through inotify. */
public final class UtmpSessionSource implements SessionSource {
    private final UtmpxFile file;
    private final FileWatcher watcher;
    /** The session each slot of the file held at the last pass (null: no USER_PROCESS record). */
    private Session[] slots = new Session[64];
    private int slotCount;
    /** Changes not yet handed out in a snapshot (an INCOMPLETE pass hands none out). */
    private final List<Session> removed = new ArrayList<>();
    private final List<Session> added = new ArrayList<>();
    /** The file as stat() saw it just before the last OK pass, and that pass's result. */
    private Object lastStat;
    private long lastStatMillis;
    private Snapshot lastOk;
    /**
     * One String per distinct user, host and label: ten thousand sessions come from a few users
     * and some hundreds of addresses, and each kept its own copies.
     */
    private final Map<String, String> canonical = new HashMap<>();
    private final UnaryOperator<String> canonicalizer = this::canonical;

    private UtmpSessionSource(UtmpxFile file, FileWatcher watcher) {
        this.file = file;
        this.watcher = watcher;
    }

    public static UtmpSessionSource open(Path path) throws NativeException {
        UtmpxFile file = UtmpxFile.bind(path);
        return new UtmpSessionSource(file, FileWatcher.open(path));
    }

    @Override
    public boolean readsUtmpFile() {
        return true;
    }

    @Override
    public String name() {
        return "utmp";
    }

    @Override
    public String location() {
        return file.path().toString();
    }

    /**
     * One pass over the file. Only records whose bytes changed since the previous pass are
     * decoded; the snapshot carries what changed ({@link Snapshot#delta()}), so that nothing above
     * has to diff ten thousand sessions to find the one that logged in.
     */
    @Override
    public Snapshot read() {
        return read(false);
    }

    /**
     * Like {@link #read()}; with {@code skipIfUnchanged} (a resync with no event), a file whose
     * inode, size, ctime and mtime are what they were before the last OK pass, and whose mtime was
     * then already more than a second old (file times come from a coarse clock: a write in the
     * same tick as that stat would not have moved them), is not read again: its last snapshot is
     * returned with an empty delta. On a quiet host the 15 s resync then costs one stat(), not a
     * pass of glibc over every record.
     */
    @Override
    public Snapshot resyncRead() {
        return read(true);
    }

    public Snapshot read(boolean skipIfUnchanged) {
        long now = System.currentTimeMillis();
        UtmpxFile.FileStat stat = file.stat();
        if (skipIfUnchanged && lastOk != null && stat.identity() != null && stat.identity().equals(lastStat)
                && lastStatMillis - stat.modifiedMillis() > 1000) {
            return new Snapshot(SourceState.OK, "", lastOk.sessions(), lastOk.recordsRead(),
                    new Snapshot.Delta(List.of(), List.of()));
        }
        Snapshot s = scan(stat);
        if (s.state() == SourceState.OK) {
            lastOk = s;
            lastStat = stat.identity();
            lastStatMillis = now;
        } else {
            lastOk = null;
        }
        return s;
    }

    private Snapshot scan(UtmpxFile.FileStat stat) {
        UtmpxFile.Scan scan = file.scanChanges(stat, type -> type == UtmpxRecord.USER_PROCESS, this::slotChanged);
        switch (scan.status()) {
            case OK -> {
                for (int i = scan.recordsRead(); i < slotCount; i++) {
                    if (slots[i] != null) {
                        removed.add(slots[i]);
                        slots[i] = null;
                    }
                }
                slotCount = scan.recordsRead();
                List<Session> sessions = new ArrayList<>(slotCount);
                for (int i = 0; i < slotCount; i++) {
                    if (slots[i] != null) {
                        sessions.add(slots[i]);
                    }
                }
                Snapshot.Delta delta = new Snapshot.Delta(removed, added);
                removed.clear();
                added.clear();
                return new Snapshot(SourceState.OK, "", sessions, scan.recordsRead(), delta);
            }
            case INCOMPLETE -> {
                return new Snapshot(SourceState.INCOMPLETE, scan.detail(), List.of(), scan.recordsRead());
            }
            default -> {
                // Everything known is gone; the next readable pass reports every session anew.
                Arrays.fill(slots, 0, slotCount, null);
                slotCount = 0;
                removed.clear();
                added.clear();
                return Snapshot.failed(switch (scan.status()) {
                    case MISSING -> SourceState.MISSING;
                    case TOO_LARGE -> SourceState.TOO_LARGE;
                    default -> SourceState.UNREADABLE;
                }, scan.detail());
            }
        }
    }

    private void slotChanged(int slot, UtmpxRecord record) {
        if (slot >= slots.length) {
            slots = Arrays.copyOf(slots, Math.max(slot + 1, slots.length * 2));
        }
        slotCount = Math.max(slotCount, slot + 1);
        Session before = slots[slot];
        // A USER_PROCESS record without a user name is no session: who(1) hides it and last(1)
        // reads it as a logout (wtmp's rule, WtmpSessions).
        Session now = record == null || record.user().isEmpty() ? null : toSession(record, canonicalizer);
        if (Objects.equals(before, now)) {
            return;
        }
        if (before != null) {
            removed.add(before);
        }
        if (now != null) {
            added.add(now);
        }
        slots[slot] = now;
    }

    static Session toSession(UtmpxRecord record) {
        return toSession(record, UnaryOperator.identity());
    }

    static Session toSession(UtmpxRecord record, UnaryOperator<String> canonical) {
        String host = canonical.apply(record.host());
        return new Session(canonical.apply(record.user()), record.line(), host,
                canonical.apply(RemoteAddress.label(host, record.address())), record.time(), record.pid());
    }

    private String canonical(String s) {
        if (canonical.size() >= 4096) {
            canonical.clear(); // bounded: a flood of distinct hosts must not grow it for ever
        }
        String known = canonical.putIfAbsent(s, s);
        return known != null ? known : s;
    }

    @Override
    public Wake awaitChange(long timeoutMillis) {
        return watcher.await(timeoutMillis);
    }

    @Override
    public void wakeUp() {
        watcher.wakeUp();
    }

    @Override
    public void close() {
        watcher.close();
    }
}
