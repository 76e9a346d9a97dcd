package io.github.sshexporter.sys;

import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Blocks until one of a few files changes, through inotify.
 *
 * <p>Two watches per file: the file itself (in-place writes, truncation, chmod, deletion) and its
 * directory (the file created, or renamed over, under that name). After any relevant event the
 * file watch is armed again, because a replaced file has a new inode and the old watch is dead.
 * An eventfd next to the inotify descriptor lets another thread end a wait at once.
 *
 * <p>{@link #await} must be called from one thread; {@link #wakeUp} from any.
 */
public final class FileWatcher implements AutoCloseable {
    private static final int IN_NONBLOCK = 04000;
    private static final int IN_CLOEXEC = 02000000;

    private static final int IN_MODIFY = 0x2;
    private static final int IN_ATTRIB = 0x4;
    private static final int IN_MOVED_FROM = 0x40;
    private static final int IN_MOVED_TO = 0x80;
    private static final int IN_CREATE = 0x100;
    private static final int IN_DELETE = 0x200;
    private static final int IN_DELETE_SELF = 0x400;
    private static final int IN_MOVE_SELF = 0x800;
    private static final int IN_Q_OVERFLOW = 0x4000;
    private static final int IN_IGNORED = 0x8000;
    private static final int IN_ONLYDIR = 0x1000000;

    private static final int FILE_MASK = IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
    // IN_ATTRIB on the directory too: a file this process cannot read cannot be watched itself
    // (inotify needs read permission), so its chmod to readable is only seen from the directory.
    private static final int DIR_MASK = IN_ATTRIB | IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM
            | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
    private static final int EVENT_HEADER = 16;
    private static final int BUFFER_SIZE = 64 * 1024;


    /** One watched file: its path, its directory, and the two watch descriptors. */
    private static final class Target {
        final byte[] filePath;
        final byte[] dirPath;
        final byte[] fileName;
        int fileWd = -1;
        int dirWd = -1;
        int fileWatchErrno;
        boolean changed;

        Target(Path file) {
            Path absolute = file.toAbsolutePath();
            this.filePath = UtmpxFile.nativePath(absolute);
            Path dir = absolute.getParent();
            this.dirPath = UtmpxFile.nativePath(dir == null ? absolute.getRoot() : dir);
            byte[] name = UtmpxFile.nativePath(absolute.getFileName());
            this.fileName = Arrays.copyOf(name, name.length - 1);
        }
    }

    private final Target[] targets;
    private final int inotifyFd;
    private final WakeablePoll poll;
    private final Memory events = new Memory(BUFFER_SIZE);
    private volatile boolean closed;

    private FileWatcher(List<Path> files, int inotifyFd, WakeablePoll poll) {
        this.targets = files.stream().map(Target::new).toArray(Target[]::new);
        this.inotifyFd = inotifyFd;
        this.poll = poll;
    }

    /** Watches {@code file} and its directory. Fails when the directory cannot be watched. */
    public static FileWatcher open(Path file) throws NativeException {
        return open(List.of(file));
    }

    /** Watches each file and its directory. Fails when a directory cannot be watched. */
    public static FileWatcher open(Path... files) throws NativeException {
        return open(List.of(files));
    }

    /** Watches each file and its directory. Fails when a directory cannot be watched. */
    public static FileWatcher open(List<Path> files) throws NativeException {
        UtmpxFile.checkLibc();
        int ifd = Libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (ifd < 0) {
            throw new NativeException("inotify_init1", Libc.errno());
        }
        WakeablePoll poll;
        try {
            poll = WakeablePoll.open();
        } catch (NativeException e) {
            Libc.close(ifd);
            throw e;
        }
        FileWatcher watcher = new FileWatcher(files, ifd, poll);
        for (int i = 0; i < watcher.targets.length; i++) {
            Target t = watcher.targets[i];
            if (!watcher.armDirectory(t)) {
                int errno = Libc.errno();
                watcher.close();
                throw new NativeException("inotify_add_watch on the directory of " + files.get(i), errno);
            }
            watcher.armFile(t);
        }
        return watcher;
    }

    /** True when file {@code index} itself is watched now (false while it is missing). */
    public boolean fileWatched(int index) {
        return targets[index].fileWd >= 0;
    }

    /**
     * Whether file {@code index} changed in the last {@link #await} that returned
     * {@link Wake#CHANGED}. After a timeout every file counts as changed (a resync).
     */
    public boolean changed(int index) {
        return targets[index].changed;
    }

    /**
     * Waits up to {@code timeoutMillis} for a relevant change, drains every pending event, and
     * re-arms the watches. Events are never counted: identical ones are merged by the kernel.
     */
    public Wake await(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (Target t : targets) {
            t.changed = false;
        }
        while (!closed) {
            WakeablePoll.Result result = poll.await(inotifyFd, WakeablePoll.POLLIN, deadline);
            if (result == WakeablePoll.Result.TIMEOUT) {
                return timeout();
            }
            if (result == WakeablePoll.Result.WOKEN) {
                return Wake.WOKEN;
            }
            if (drainEvents()) {
                rearm();
                return Wake.CHANGED;
            }
            // Only other files in the directory changed: keep waiting.
        }
        return Wake.WOKEN;
    }

    /** Ends a wait in progress (or the next one) at once. Safe from any thread. */
    public void wakeUp() {
        poll.wakeUp();
    }

    private Wake timeout() {
        for (Target t : targets) {
            t.changed = true;
        }
        rearm();
        return Wake.TIMEOUT;
    }

    /** Reads every queued event; true when one of them concerns a watched file. */
    private boolean drainEvents() {
        boolean relevant = false;
        while (true) {
            long n = Libc.read(inotifyFd, events, BUFFER_SIZE);
            if (n <= 0) {
                // EAGAIN: the queue is empty. Anything else: events may be lost, so rescan.
                return relevant || n == 0 || Libc.errno() != Libc.EAGAIN;
            }
            int offset = 0;
            while (offset + EVENT_HEADER <= n) {
                int wd = events.getInt(offset);
                int mask = events.getInt(offset + 4);
                int nameLength = events.getInt(offset + 12);
                for (Target t : targets) {
                    if (concerns(t, wd, mask, offset + EVENT_HEADER, nameLength)) {
                        t.changed = true;
                        relevant = true;
                    }
                }
                // Events of a watch already replaced (an old inode) match nothing and are ignored.
                offset += EVENT_HEADER + nameLength;
            }
        }
    }

    private boolean concerns(Target t, int wd, int mask, int nameOffset, int nameLength) {
        if ((mask & IN_Q_OVERFLOW) != 0) {
            return true; // events were lost: every file may have changed
        }
        if (wd == t.fileWd) {
            if ((mask & IN_IGNORED) != 0) {
                t.fileWd = -1;
            }
            return true;
        }
        if (wd == t.dirWd) {
            if ((mask & IN_IGNORED) != 0) {
                t.dirWd = -1;
                return true;
            }
            return (mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0 || nameMatches(t, nameOffset, nameLength);
        }
        return false;
    }

    private boolean nameMatches(Target t, int offset, int length) {
        if (length < t.fileName.length) {
            return false;
        }
        for (int i = 0; i < t.fileName.length; i++) {
            if (events.getByte(offset + i) != t.fileName[i]) {
                return false;
            }
        }
        return length == t.fileName.length || events.getByte(offset + t.fileName.length) == 0;
    }

    private void rearm() {
        for (Target t : targets) {
            if (t.dirWd < 0) {
                armDirectory(t);
            }
            armFile(t);
        }
    }

    private boolean armDirectory(Target t) {
        // Two files in one directory share one watch descriptor: inotify hands back the same wd.
        t.dirWd = Libc.inotify_add_watch(inotifyFd, t.dirPath, DIR_MASK);
        return t.dirWd >= 0;
    }

    /** Watches the inode now behind the path; forgets the watch of a replaced one. */
    private void armFile(Target t) {
        int wd = Libc.inotify_add_watch(inotifyFd, t.filePath, FILE_MASK);
        t.fileWatchErrno = wd < 0 ? Libc.errno() : 0;
        if (t.fileWd >= 0 && wd != t.fileWd && !sharedWatch(t, t.fileWd)) {
            Libc.inotify_rm_watch(inotifyFd, t.fileWd);
        }
        t.fileWd = wd;
    }

    /** True when another target still uses that watch descriptor (the same inode). */
    private boolean sharedWatch(Target self, int wd) {
        for (Target t : targets) {
            if (t != self && (t.fileWd == wd || t.dirWd == wd)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(inotifyFd);
        poll.close();
    }
}
