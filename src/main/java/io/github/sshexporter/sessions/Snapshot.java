package io.github.sshexporter.sessions;

import java.util.List;

/**
 * Everything one read of a session source saw.
 *
 * @param state        whether the read worked, and if not why
 * @param detail       human-readable cause when the state is not {@link SourceState#OK}
 * @param sessions     all live sessions (empty unless the state is OK)
 * @param recordsRead  records the source went through to find them
 * @param delta        what changed since the source's previous snapshot that was not
 *                     {@link SourceState#INCOMPLETE}, when the source knows; null: unknown, diff
 *                     the full lists
 */
public record Snapshot(SourceState state, String detail, List<Session> sessions, int recordsRead, Delta delta) {
    public Snapshot {
        sessions = List.copyOf(sessions);
    }

    public Snapshot(SourceState state, String detail, List<Session> sessions, int recordsRead) {
        this(state, detail, sessions, recordsRead, null);
    }

    /**
     * Sessions gone and sessions new since the previous snapshot, each as many times as it
     * occurs. A session may appear in both (a record rewritten with the same values).
     */
    public record Delta(List<Session> removed, List<Session> added) {
        public Delta {
            removed = List.copyOf(removed);
            added = List.copyOf(added);
        }

        public boolean empty() {
            return removed.isEmpty() && added.isEmpty();
        }
    }

    public static Snapshot failed(SourceState state, String detail) {
        return new Snapshot(state, detail, List.of(), 0);
    }
}
