package io.github.sshexporter.sys;

/** Readable names for the errno values this exporter meets; strerror would be one more native call. */
final class Errno {
    private Errno() {}

    static String describe(int errno) {
        return switch (errno) {
            case 1 -> "operation not permitted (EPERM)";
            case 2 -> "no such file or directory (ENOENT)";
            case 4 -> "interrupted (EINTR)";
            case 9 -> "bad file descriptor (EBADF)";
            case 11 -> "try again (EAGAIN)";
            case 12 -> "out of memory (ENOMEM)";
            case 13 -> "permission denied (EACCES)";
            case 20 -> "not a directory (ENOTDIR)";
            case 22 -> "invalid argument (EINVAL)";
            case 24 -> "too many open files (EMFILE)";
            case 28 -> "no space left / inotify watch limit reached (ENOSPC)";
            case 38 -> "function not implemented (ENOSYS)";
            default -> "errno " + errno;
        };
    }
}
