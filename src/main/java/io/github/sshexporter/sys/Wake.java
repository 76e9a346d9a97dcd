package io.github.sshexporter.sys;

/** Why a wait on a native descriptor ended. */
public enum Wake {
    /** What is watched (may have) changed. */
    CHANGED,
    /** The timeout passed: time for a safety resync. */
    TIMEOUT,
    /** Another thread asked the wait to end. */
    WOKEN
}
