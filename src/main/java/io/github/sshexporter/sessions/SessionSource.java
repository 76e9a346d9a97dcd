package io.github.sshexporter.sessions;

import io.github.sshexporter.sys.Wake;

/**
 * Where sessions come from. A source yields complete snapshots and can block until its data
 * may have changed. Only the session loop's thread calls {@link #read()} and
 * {@link #awaitChange(long)}; {@link #wakeUp()} may be called from any thread.
 */
public interface SessionSource extends AutoCloseable {

    /** Short name for logs and metrics, e.g. {@code utmp}. */
    String name();

    /** Whether this reads a utmp file (whose readability is served per file), as opposed to logind. */
    default boolean readsUtmpFile() {
        return false;
    }

    /** What is being read, e.g. the file path. */
    String location();

    /** Reads every live session. Never throws for bad data; reports it in the snapshot's state. */
    Snapshot read();

    /**
     * A resync read (a timeout, no change signalled): a source that can tell cheaply that nothing
     * changed may return its last snapshot with an empty delta. By default a plain read.
     */
    default Snapshot resyncRead() {
        return read();
    }

    /** Blocks until the data may have changed, the timeout passes, or {@link #wakeUp()} is called. */
    Wake awaitChange(long timeoutMillis);

    void wakeUp();

    @Override
    void close();
}
