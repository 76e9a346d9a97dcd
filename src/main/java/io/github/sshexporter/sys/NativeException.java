package io.github.sshexporter.sys;

/** A native call failed; the message names the call and the errno text. */
public final class NativeException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    NativeException(String call, int errno) {
        super(call + ": " + Errno.describe(errno));
        this.errno = errno;
    }

    public NativeException(String message) {
        super(message);
        this.errno = 0;
    }

    public int errno() {
        return errno;
    }
}
