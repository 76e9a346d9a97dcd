package io.github.sshexporter.log;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;

/**
 * One event per line on stderr, in logfmt ({@code key=value}), which systemd's journal keeps as
 * it is and which Prometheus' own tools also write, or in JSON ({@code --log.format=json}).
 * Hand-written: a logging framework would cost more memory and start-up time than this whole
 * exporter's logging needs.
 */
public final class Log {
    public enum Level { DEBUG, INFO, WARN, ERROR }

    /** The line formats of {@code --log.format}. */
    public enum Format { LOGFMT, JSON }

    private static volatile Level threshold = Level.INFO;
    private static volatile Format format = Format.LOGFMT;
    private static volatile PrintStream out = System.err;

    private Log() {}

    public static void setLevel(Level level) {
        threshold = level;
    }

    public static void setFormat(Format f) {
        format = f;
    }

    public static boolean enabled(Level level) {
        return level.ordinal() >= threshold.ordinal();
    }

    public static void debug(String message, Object... keyValues) {
        log(Level.DEBUG, message, keyValues);
    }

    public static void info(String message, Object... keyValues) {
        log(Level.INFO, message, keyValues);
    }

    public static void warn(String message, Object... keyValues) {
        log(Level.WARN, message, keyValues);
    }

    public static void error(String message, Object... keyValues) {
        log(Level.ERROR, message, keyValues);
    }

    /** {@code keyValues} alternate: key, value, key, value... */
    public static void log(Level level, String message, Object... keyValues) {
        if (!enabled(level)) {
            return;
        }
        StringBuilder line = new StringBuilder(96);
        String levelName = level.name().toLowerCase(Locale.ROOT);
        if (format == Format.JSON) {
            line.append("{\"ts\":\"").append(Instant.now()).append("\",\"level\":\"").append(levelName)
                    .append("\",\"msg\":");
            appendJson(line, message);
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                line.append(',');
                appendJson(line, String.valueOf(keyValues[i]));
                line.append(':');
                appendJson(line, String.valueOf(keyValues[i + 1]));
            }
            line.append('}');
        } else {
            line.append("ts=").append(Instant.now())
                    .append(" level=").append(levelName)
                    .append(" msg=");
            appendValue(line, message);
            for (int i = 0; i + 1 < keyValues.length; i += 2) {
                line.append(' ').append(keyValues[i]).append('=');
                appendValue(line, String.valueOf(keyValues[i + 1]));
            }
        }
        PrintStream stream = out;
        synchronized (Log.class) {
            stream.println(line);
            stream.flush();
        }
    }

    static void appendValue(StringBuilder line, String value) {
        boolean quote = value.isEmpty();
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f;
        }
        if (!quote) {
            line.append(value);
            return;
        }
        appendQuoted(line, value, false);
    }

    /** A JSON string: quotes, backslashes and control characters escaped. */
    static void appendJson(StringBuilder line, String value) {
        appendQuoted(line, value, true);
    }

    /**
     * {@code value} in double quotes with quotes, backslashes and control characters escaped; JSON
     * also escapes U+2028/U+2029, which some JavaScript readers take for line ends.
     */
    private static void appendQuoted(StringBuilder line, String value, boolean lineSeparators) {
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < ' ' || c == 0x7f || lineSeparators && (c == 0x2028 || c == 0x2029)) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }

    /** For tests: where lines go. */
    public static void setOutput(PrintStream stream) {
        out = stream;
    }
}
