package io.github.sshexporter.sessions;

/** Told about every refresh of the session loop, on the loop's thread. */
public interface RefreshListener {
    /**
     * @param snapshot     what the source returned
     * @param changes      the reconciled result; null when the snapshot was incomplete and the
     *                     previous state stays published
     * @param nanos        how long the read and reconcile took
     */
    void onRefresh(Snapshot snapshot, Reconciler.Changes changes, long nanos);

    /** A refresh threw: a bug or a native failure. The loop goes on. */
    void onRefreshError(RuntimeException error);
}
