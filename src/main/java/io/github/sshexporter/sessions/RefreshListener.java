package io.github.sshexporter.sessions;

/** Told about every refresh of the session loop, on the loop's thread. */
public interface RefreshListener {
    /**
     * One refresh.
     *
     * @param snapshot what the source returned (stale records excluded when so configured)
     * @param changes  the reconciled result; null when the snapshot was incomplete and the
     *                 previous state stays published
     * @param stale    records whose process no longer exists (kill(pid, 0) said ESRCH)
     * @param nanos    how long the read, the stale check and the reconcile took
     */
    record Refresh(Snapshot snapshot, Reconciler.Changes changes, int stale, long nanos) {}

    void onRefresh(Refresh refresh);

    /** A refresh threw: a bug or a native failure. The loop goes on. */
    void onRefreshError(RuntimeException error);

    /**
     * A change is about to be read (a wake-up, not a timeout's resync). Always followed by
     * {@link #changeDone()}, after the refresh's {@link #onRefresh} or {@link #onRefreshError}.
     */
    default void changeStarting() {}

    /** The change announced by {@link #changeStarting()} is published, or its read failed. */
    default void changeDone() {}
}
