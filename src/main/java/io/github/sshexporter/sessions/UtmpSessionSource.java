package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.FileWatcher;
import io.github.sshexporter.sys.NativeException;
import io.github.sshexporter.sys.UtmpxFile;
import io.github.sshexporter.sys.UtmpxRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Sessions from a utmp file: its USER_PROCESS records, watched through inotify. */
public final class UtmpSessionSource implements SessionSource {
    private final UtmpxFile file;
    private final FileWatcher watcher;

    private UtmpSessionSource(UtmpxFile file, FileWatcher watcher) {
        this.file = file;
        this.watcher = watcher;
    }

    public static UtmpSessionSource open(Path path) throws NativeException {
        UtmpxFile file = UtmpxFile.bind(path);
        return new UtmpSessionSource(file, FileWatcher.open(path));
    }

    @Override
    public String name() {
        return "utmp";
    }

    @Override
    public String location() {
        return file.path().toString();
    }

    @Override
    public Snapshot read() {
        List<Session> sessions = new ArrayList<>();
        UtmpxFile.Scan scan = file.scan(
                type -> type == UtmpxRecord.USER_PROCESS,
                record -> sessions.add(toSession(record)));
        return switch (scan.status()) {
            case OK -> new Snapshot(SourceState.OK, "", sessions, scan.recordsRead());
            case MISSING -> Snapshot.failed(SourceState.MISSING, scan.detail());
            case UNREADABLE -> Snapshot.failed(SourceState.UNREADABLE, scan.detail());
            case INCOMPLETE -> new Snapshot(SourceState.INCOMPLETE, scan.detail(), List.of(), scan.recordsRead());
        };
    }

    static Session toSession(UtmpxRecord record) {
        return new Session(record.user(), record.line(), record.host(),
                RemoteAddress.label(record.host(), record.address()), record.time(), record.pid());
    }

    @Override
    public Wake awaitChange(long timeoutMillis) {
        return switch (watcher.await(timeoutMillis)) {
            case CHANGED -> Wake.CHANGED;
            case TIMEOUT -> Wake.TIMEOUT;
            case WOKEN -> Wake.WOKEN;
        };
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
