package dev.topics.json;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes compact JSON into a growable byte buffer, inserting commas automatically.
 *
 * <p>Guarantees: strings are escaped ({@code "}, {@code \}, control characters and lone
 * surrogates) and encoded as UTF-8; numbers are written without intermediate {@code String}s.
 * Structure is the caller's job: the writer tracks nesting only to place commas (any depth) and
 * refuses to close more containers than were opened, but does not check that a member name
 * precedes each object member or that brackets match. {@link #rawValue} and
 * {@link #stringUtf8} trust their input (valid JSON, valid UTF-8 respectively).
 *
 * <p>Not thread-safe: one instance per request (reusable after {@link #reset()}).
 */
public final class JsonOut {
    private static final byte[] HEX = ascii("0123456789abcdef");
    private static final byte[] LONG_MIN = ascii("-9223372036854775808");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] NULL = ascii("null");

    private byte[] buf;
    private int size;
    /** needsComma[d]: something was already written at nesting level d. */
    private boolean[] needsComma = new boolean[32];
    private int depth;
    /** A name was just written, so the next value follows its ':' without a comma. */
    private boolean afterName;

    /** A writer with a 256-byte initial buffer. */
    public JsonOut() {
        this(256);
    }

    /** A writer whose buffer starts at {@code initialCapacity} bytes (at least 16) and grows by doubling. */
    public JsonOut(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    // ------------------------------------------------------------------ structure

    public JsonOut beginObject() {
        return open((byte) '{');
    }

    public JsonOut endObject() {
        return close((byte) '}');
    }

    public JsonOut beginArray() {
        return open((byte) '[');
    }

    public JsonOut endArray() {
        return close((byte) ']');
    }

    /** Writes {@code "name":}, escaped, preceded by a comma if needed. */
    public JsonOut name(String name) {
        if (needsComma[depth]) {
            put((byte) ',');
        }
        needsComma[depth] = true;
        writeString(name);
        put((byte) ':');
        afterName = true;
        return this;
    }

    // ------------------------------------------------------------------ values

    /** A JSON string, escaped; {@code null} writes {@code null}. */
    public JsonOut value(String s) {
        if (s == null) {
            return nullValue();
        }
        beforeValue();
        writeString(s);
        return this;
    }

    /** A decimal integer. */
    public JsonOut value(long v) {
        beforeValue();
        writeLong(v);
        return this;
    }

    /** {@code true} or {@code false}. */
    /** An unsigned 64-bit integer (the bits of {@code v}), e.g. a seq above 2^63-1. */
    public JsonOut valueUnsigned(long v) {
        if (v >= 0) {
            return value(v);
        }
        byte[] digits = Long.toUnsignedString(v).getBytes(StandardCharsets.US_ASCII);
        return rawValue(digits, 0, digits.length);
    }

    public JsonOut value(boolean b) {
        beforeValue();
        return bytes(b ? TRUE : FALSE);
    }

    /** {@code null}. */
    public JsonOut nullValue() {
        beforeValue();
        return bytes(NULL);
    }

    /**
     * A duration given in nanoseconds, written in milliseconds with at most 3 decimals, rounded
     * half up and without trailing zeros: 1234567 → {@code 1.235}, 2000000 → {@code 2}, 0 →
     * {@code 0}.
     */
    public JsonOut millis(long nanos) {
        beforeValue();
        // Work on the magnitude in microseconds; nanos / 1000 cannot overflow when negated.
        long micros = Math.abs(nanos / 1000);
        if (Math.abs(nanos % 1000) >= 500) {
            micros++;
        }
        if (nanos < 0 && micros > 0) {
            put((byte) '-');
        }
        writeLong(micros / 1000);
        int frac = (int) (micros % 1000);
        if (frac != 0) {
            ensure(4);
            buf[size++] = '.';
            buf[size++] = (byte) ('0' + frac / 100);
            if (frac % 100 != 0) {
                buf[size++] = (byte) ('0' + frac / 10 % 10);
                if (frac % 10 != 0) {
                    buf[size++] = (byte) ('0' + frac % 10);
                }
            }
        }
        return this;
    }

    /** Splices an already valid, complete JSON value verbatim. */
    public JsonOut rawValue(byte[] b, int off, int len) {
        beforeValue();
        ensure(len);
        System.arraycopy(b, off, buf, size, len);
        size += len;
        return this;
    }

    /** A whole, already valid JSON value spliced verbatim, or {@code null} when {@code b} is null. */
    public JsonOut rawValueOrNull(byte[] b) {
        return b == null ? nullValue() : rawValue(b, 0, b.length);
    }

    /**
     * A JSON string from UTF-8 bytes: {@code "}, {@code \} and control characters are escaped,
     * everything else (bytes {@code >= 0x80} included) is copied as is.
     */
    public JsonOut stringUtf8(byte[] b, int off, int len) {
        beforeValue();
        ensure(len + 2);
        buf[size++] = '"';
        int stop = off + len;
        int run = off; // start of the pending run of bytes that need no escape
        for (int p = off; p < stop; p++) {
            byte c = b[p];
            if (c == '"' || c == '\\' || (c >= 0 && c < 0x20)) {
                int n = p - run;
                // Room for the run, the worst-case escape and the bytes still to come.
                ensure(n + 6 + (stop - p));
                System.arraycopy(b, run, buf, size, n);
                size += n;
                writeEscape(c);
                run = p + 1;
            }
        }
        int n = stop - run;
        ensure(n + 1);
        System.arraycopy(b, run, buf, size, n);
        size += n;
        buf[size++] = '"';
        return this;
    }

    /** Shorthand for {@code name(name).value(v)}. */
    public JsonOut field(String name, long v) {
        return name(name).value(v);
    }

    /** Shorthand for {@code name(name).value(v)}; a null {@code v} writes {@code null}. */
    public JsonOut field(String name, String v) {
        return name(name).value(v);
    }

    /** Shorthand for {@code name(name).value(v)}. */
    public JsonOut field(String name, boolean v) {
        return name(name).value(v);
    }

    // ------------------------------------------------------------------ buffer

    /** A copy of the bytes written so far. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Number of bytes written so far. */
    public int size() {
        return size;
    }

    /** The internal array (no copy); valid up to {@link #size()} and only until the next write. */
    public byte[] buffer() {
        return buf;
    }

    /** Forgets everything written, keeping the allocated buffer for reuse. */
    public void reset() {
        size = 0;
        depth = 0;
        afterName = false;
        needsComma[0] = false;
    }

    /** Writes the bytes so far to {@code out} without copying them first. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, size);
    }

    // ------------------------------------------------------------------ internals

    private JsonOut open(byte bracket) {
        beforeValue();
        put(bracket);
        depth++;
        if (depth == needsComma.length) {
            needsComma = Arrays.copyOf(needsComma, 2 * depth);
        }
        needsComma[depth] = false;
        return this;
    }

    private JsonOut close(byte bracket) {
        if (depth == 0) {
            throw new IllegalStateException("nothing to close");
        }
        depth--;
        afterName = false;
        put(bracket);
        return this;
    }

    /** Writes the comma that separates this value from the previous one, unless it follows a name. */
    private void beforeValue() {
        if (afterName) {
            afterName = false;
        } else {
            if (needsComma[depth]) {
                put((byte) ',');
            }
            needsComma[depth] = true;
        }
    }

    /** Writes {@code s} as a quoted, escaped UTF-8 JSON string. */
    private void writeString(String s) {
        int len = s.length();
        // Invariant: capacity covers one byte per remaining char plus the closing quote, so
        // plain ASCII needs no per-char checks; anything longer tops the reserve up first.
        ensure(len + 2);
        byte[] b = buf;
        int o = size;
        b[o++] = '"';
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80 && c >= 0x20 && c != '"' && c != '\\') {
                b[o++] = (byte) c;
                continue;
            }
            size = o;
            ensure(6 + (len - i));
            b = buf;
            if (c < 0x80) {
                writeEscape((byte) c);
            } else if (c < 0x800) {
                b[size++] = (byte) (0xC0 | c >> 6);
                b[size++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[size++] = (byte) (0xF0 | cp >> 18);
                b[size++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[size++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[size++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                // A lone surrogate has no UTF-8 form; the escape keeps it round-trippable.
                writeUnicodeEscape(c);
            } else {
                b[size++] = (byte) (0xE0 | c >> 12);
                b[size++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[size++] = (byte) (0x80 | c & 0x3F);
            }
            o = size;
        }
        b[o++] = '"';
        size = o;
    }

    /** Escapes {@code "}, {@code \} or a control character; capacity for 6 bytes must be ensured. */
    private void writeEscape(byte c) {
        byte[] b = buf;
        switch (c) {
            case '"' -> { b[size++] = '\\'; b[size++] = '"'; }
            case '\\' -> { b[size++] = '\\'; b[size++] = '\\'; }
            case '\n' -> { b[size++] = '\\'; b[size++] = 'n'; }
            case '\r' -> { b[size++] = '\\'; b[size++] = 'r'; }
            case '\t' -> { b[size++] = '\\'; b[size++] = 't'; }
            case '\b' -> { b[size++] = '\\'; b[size++] = 'b'; }
            case '\f' -> { b[size++] = '\\'; b[size++] = 'f'; }
            default -> writeUnicodeEscape((char) c);
        }
    }

    /** Writes <code>&#92;uXXXX</code>; capacity for 6 bytes must be ensured. */
    private void writeUnicodeEscape(char c) {
        byte[] b = buf;
        b[size++] = '\\';
        b[size++] = 'u';
        b[size++] = HEX[c >> 12 & 0xF];
        b[size++] = HEX[c >> 8 & 0xF];
        b[size++] = HEX[c >> 4 & 0xF];
        b[size++] = HEX[c & 0xF];
    }

    /** Writes the decimal digits of {@code v} straight into the buffer. */
    private void writeLong(long v) {
        if (v == Long.MIN_VALUE) {
            // The one value whose magnitude does not fit in a long.
            bytes(LONG_MIN);
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[size++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        int o = size + digits;
        size = o;
        do {
            buf[--o] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
    }

    private JsonOut bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void put(byte c) {
        ensure(1);
        buf[size++] = c;
    }

    /** Makes room for {@code extra} more bytes. */
    private void ensure(int extra) {
        long needed = (long) size + extra;
        if (needed > buf.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new OutOfMemoryError("JSON output too large: " + needed + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(2L * buf.length, Integer.MAX_VALUE - 8)));
        }
    }
}
