package io.github.sshexporter.records;

import java.nio.charset.StandardCharsets;

/** Turns the bytes of one record into a {@link UtmpxRecord}. Pure Java; never throws on odd bytes. */
public final class UtmpxDecoder {
    private final UtmpxLayout layout;

    public UtmpxDecoder(UtmpxLayout layout) {
        this.layout = layout;
    }

    public UtmpxLayout layout() {
        return layout;
    }

    /** ut_type, the only field read before deciding whether the record is wanted. */
    public int type(byte[] record) {
        return (short) ((record[0] & 0xff) | (record[1] << 8)); // records are little-endian on both targets
    }

    public UtmpxRecord decode(byte[] record) {
        byte[] address = new byte[UtmpxLayout.ADDR_SIZE];
        System.arraycopy(record, layout.addr, address, 0, address.length);
        long seconds;
        long micros;
        if (layout.tvFieldSize == 4) {
            seconds = int32(record, layout.tv) & 0xffffffffL;
            micros = int32(record, layout.tv + 4) & 0xffffffffL;
        } else {
            seconds = int64(record, layout.tv);
            micros = int64(record, layout.tv + 8);
        }
        return new UtmpxRecord(
                type(record),
                int32(record, 4),
                text(record, layout.line, UtmpxLayout.LINE_SIZE),
                text(record, layout.id, UtmpxLayout.ID_SIZE),
                text(record, layout.user, UtmpxLayout.USER_SIZE),
                text(record, layout.host, UtmpxLayout.HOST_SIZE),
                address,
                seconds,
                micros);
    }

    /** A char array field: NUL-terminated only when shorter than the field; bad UTF-8 becomes U+FFFD. */
    static String text(byte[] record, int offset, int size) {
        int end = offset;
        int limit = offset + size;
        while (end < limit && record[end] != 0) {
            end++;
        }
        return end == offset ? "" : new String(record, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static int int32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static long int64(byte[] b, int off) {
        return (int32(b, off) & 0xffffffffL) | ((long) int32(b, off + 4) << 32);
    }
}
