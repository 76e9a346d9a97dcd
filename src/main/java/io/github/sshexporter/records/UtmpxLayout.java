package io.github.sshexporter.records;

import java.util.Locale;
import java.util.Optional;

/**
 * Where glibc puts each field of {@code struct utmpx} on one architecture. Checked against the
 * compiler by a test that prints {@code offsetof}/{@code sizeof}; never trust this table alone.
 */
public enum UtmpxLayout {
    X86_64(8, 40, 44, 76, 336, 4, 340, 4, 348, 384),
    AARCH64(8, 40, 44, 76, 336, 8, 344, 8, 360, 400);

    public static final int LINE_SIZE = 32;
    public static final int ID_SIZE = 4;
    public static final int USER_SIZE = 32;
    public static final int HOST_SIZE = 256;
    public static final int ADDR_SIZE = 16;

    final int line;
    final int id;
    final int user;
    final int host;
    final int session;
    final int sessionSize;
    final int tv;
    /** Width of tv_sec and of tv_usec: 4 on x86_64 (a compat layout), 8 on aarch64. */
    final int tvFieldSize;
    final int addr;
    public final int size;

    UtmpxLayout(int line, int id, int user, int host, int session, int sessionSize,
                int tv, int tvFieldSize, int addr, int size) {
        this.line = line;
        this.id = id;
        this.user = user;
        this.host = host;
        this.session = session;
        this.sessionSize = sessionSize;
        this.tv = tv;
        this.tvFieldSize = tvFieldSize;
        this.addr = addr;
        this.size = size;
    }

    /** The layout for a JVM {@code os.arch} value, if this exporter knows it. */
    public static Optional<UtmpxLayout> forArch(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> Optional.of(X86_64);
            case "aarch64", "arm64" -> Optional.of(AARCH64);
            default -> Optional.empty();
        };
    }

    /** Field offsets in the order of the layout test's C program. */
    public int[] offsets() {
        return new int[] {0, 4, line, id, user, host, 332, session, tv, addr, size};
    }
}
