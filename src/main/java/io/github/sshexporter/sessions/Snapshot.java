package io.github.sshexporter.sessions;

import java.util.List;

/**
 * Everything one read of a session source saw.
 *
 * @param state        whether the read worked, and if not why
 * @param detail       human-readable cause when the state is not {@link SourceState#OK}
 * @param sessions     all live sessions (empty unless the state is OK)
 * @param recordsRead  records the source went through to find them
 */
public record Snapshot(SourceState state, String detail, List<Session> sessions, int recordsRead) {
    public Snapshot {
        sessions = List.copyOf(sessions);
    }

    public static Snapshot failed(SourceState state, String detail) {
        return new Snapshot(state, detail, List.of(), 0);
    }
}
