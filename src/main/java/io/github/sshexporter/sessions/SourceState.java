package io.github.sshexporter.sessions;

/** The outcome of one read of a session source. */
public enum SourceState {
    /** Read in full. */
    OK,
    /** The database does not exist (yet): a normal state on a fresh or utmp-less host. */
    MISSING,
    /** It exists but this process cannot read it. */
    UNREADABLE,
    /** It holds more records than a read takes ({@code UtmpxFile.MAX_RECORDS}): not a session database. */
    TOO_LARGE,
    /** The read stopped early (the file changed under it, or a lock timed out): try again soon. */
    INCOMPLETE,
    /** No source can be read yet (no utmp file, logind not running): a normal state until one appears. */
    WAITING;

    public boolean readable() {
        return this == OK;
    }
}
