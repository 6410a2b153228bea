package dev.topics.json;

import java.util.Arrays;

/**
 * The byte-level half of {@link JsonReader}: validates strings (escapes, UTF-8), numbers,
 * literals and whole values over a UTF-8 array, copies a value without its whitespace,
 * decodes strings, and builds the error for each way input can be wrong. Holds no pull
 * state: the reader tells it where to look and how deep a value may still nest.
 *
 * <p>Not thread-safe: owned by one reader. Hot path: benchmarks P1 and P2 (every write body
 * passes through {@link #scanValue} or {@link #scanString}).
 *
 * <p>Why it is one long class: each scanner is a loop over the bytes with its states inline,
 * and each way input can be wrong has its own precise message; both halves belong to the same
 * byte-level grammar, and splitting them would only move the error builders away from the
 * states that raise them.
 */
final class JsonScanner {

    // States of the whole-value scanner (scanValue).
    private static final int S_VALUE = 0;
    private static final int S_FIRST_VALUE = 1;
    private static final int S_FIRST_NAME = 2;
    private static final int S_NAME = 3;
    private static final int S_COLON = 4;
    private static final int S_AFTER_VALUE = 5;

    // Bits scanString leaves in stringFlags, so decoding can pick a fast path.
    static final int HAS_ESCAPE = 1;

    static final byte[] TRUE_BYTES = {'t', 'r', 'u', 'e'};
    static final byte[] FALSE_BYTES = {'f', 'a', 'l', 's', 'e'};
    static final byte[] NULL_BYTES = {'n', 'u', 'l', 'l'};

    private final byte[] buf;
    private final int base;
    private final int end;
    private final int maxDepth;
    /** Scratch for scanValue: whether each container opened inside the scanned value is an object. */
    private boolean[] scanKinds = new boolean[16];
    /** Set by scanString. */
    int stringFlags;
    /** Set by scanValue: whitespace bytes skipped inside the value. */
    int whitespaceSkipped;

    JsonScanner(byte[] buf, int base, int end, int maxDepth) {
        this.buf = buf;
        this.base = base;
        this.end = end;
        this.maxDepth = maxDepth;
    }

    /** Decodes validated string content containing escapes; UTF-16 units never outnumber bytes. */
    String decodeEscaped(int p, int stop) {
        char[] out = new char[stop - p];
        int o = 0;
        while (p < stop) {
            int c = buf[p];
            if (c == '\\') {
                byte e = buf[p + 1];
                p += 2;
                switch (e) {
                    case 'b' -> out[o++] = '\b';
                    case 'f' -> out[o++] = '\f';
                    case 'n' -> out[o++] = '\n';
                    case 'r' -> out[o++] = '\r';
                    case 't' -> out[o++] = '\t';
                    case 'u' -> {
                        // A surrogate pair arrives as two escapes and simply lands as two chars.
                        out[o++] = (char) (hex(buf[p]) << 12 | hex(buf[p + 1]) << 8 | hex(buf[p + 2]) << 4 | hex(buf[p + 3]));
                        p += 4;
                    }
                    default -> out[o++] = (char) e; // '"', '\\', '/'
                }
            } else if (c >= 0) {
                out[o++] = (char) c;
                p++;
            } else if ((c & 0xE0) == 0xC0) {
                out[o++] = (char) ((c & 0x1F) << 6 | buf[p + 1] & 0x3F);
                p += 2;
            } else if ((c & 0xF0) == 0xE0) {
                out[o++] = (char) ((c & 0x0F) << 12 | (buf[p + 1] & 0x3F) << 6 | buf[p + 2] & 0x3F);
                p += 3;
            } else {
                int cp = (c & 0x07) << 18 | (buf[p + 1] & 0x3F) << 12 | (buf[p + 2] & 0x3F) << 6 | buf[p + 3] & 0x3F;
                out[o++] = Character.highSurrogate(cp);
                out[o++] = Character.lowSurrogate(cp);
                p += 4;
            }
        }
        return new String(out, 0, o);
    }

    // ------------------------------------------------------------------ byte scanners

    /**
     * Validates the whole value starting at {@code p} (no leading whitespace) and returns the
     * offset just past it. Leaves the count of whitespace bytes inside it in whitespaceSkipped.
     * {@code room} is how many containers the value may open (the reader's depth budget left).
     */
    int scanValue(int p, int room) {
        final byte[] b = buf;
        final int end = this.end;
        boolean[] kinds = scanKinds;       // kinds[i]: container i (0 = outermost here) is an object
        int open = 0;
        int ws = 0;
        int state = S_VALUE;
        for (;;) {
            while (p < end && isWhitespace(b[p])) {
                p++;
                ws++;
            }
            requireMore(p);
            byte c = b[p];
            switch (state) {
                case S_VALUE -> {
                    switch (c) {
                        case '"' -> p = scanString(p + 1);
                        case '{', '[' -> {
                            if (open >= room) {
                                throw tooDeep(p);
                            }
                            if (open == kinds.length) {
                                kinds = scanKinds = Arrays.copyOf(kinds, 2 * open);
                            }
                            kinds[open++] = c == '{';
                            p++;
                            state = c == '{' ? S_FIRST_NAME : S_FIRST_VALUE;
                            continue;
                        }
                        case 't' -> p = literal(p, TRUE_BYTES);
                        case 'f' -> p = literal(p, FALSE_BYTES);
                        case 'n' -> p = literal(p, NULL_BYTES);
                        case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> p = scanNumber(p);
                        default -> throw unexpected(p);
                    }
                    if (open == 0) {
                        whitespaceSkipped = ws;
                        return p;
                    }
                    state = S_AFTER_VALUE;
                }
                case S_FIRST_VALUE -> {
                    if (c == ']') {
                        p++;
                        if (--open == 0) {
                            whitespaceSkipped = ws;
                            return p;
                        }
                        state = S_AFTER_VALUE;
                    } else {
                        state = S_VALUE;
                    }
                }
                case S_FIRST_NAME, S_NAME -> {
                    if (c == '"') {
                        p = scanString(p + 1);
                        state = S_COLON;
                    } else if (c == '}' && state == S_FIRST_NAME) {
                        p++;
                        if (--open == 0) {
                            whitespaceSkipped = ws;
                            return p;
                        }
                        state = S_AFTER_VALUE;
                    } else {
                        throw invalidJson(p, state == S_FIRST_NAME ? "expected '\"' or '}'" : "expected '\"'");
                    }
                }
                case S_COLON -> {
                    if (c != ':') {
                        throw invalidJson(p, "expected ':'");
                    }
                    p++;
                    state = S_VALUE;
                }
                case S_AFTER_VALUE -> {
                    boolean inObject = kinds[open - 1];
                    if (c == ',') {
                        p++;
                        state = inObject ? S_NAME : S_VALUE;
                    } else if (c == (inObject ? '}' : ']')) {
                        p++;
                        if (--open == 0) {
                            whitespaceSkipped = ws;
                            return p;
                        }
                    } else {
                        throw invalidJson(p, inObject ? "expected ',' or '}'" : "expected ',' or ']'");
                    }
                }
                default -> throw new AssertionError(state);
            }
        }
    }

    /**
     * Validates string content starting just after the opening quote; returns the offset just
     * past the closing quote and leaves HAS_ESCAPE in stringFlags if an escape was seen.
     */
    int scanString(int p) {
        final byte[] b = buf;
        final int end = this.end;
        int flags = 0;
        for (;;) {
            // Plain printable ASCII is by far the most common; keep its loop tight.
            int c;
            while (p < end && (c = b[p]) >= 0x20 && c != '"' && c != '\\') {
                p++;
            }
            if (p >= end) {
                throw invalidJson(p, "unterminated string");
            }
            c = b[p];
            if (c == '"') {
                stringFlags = flags;
                return p + 1;
            } else if (c == '\\') {
                p = scanEscape(p);
                flags |= HAS_ESCAPE;
            } else if (c < 0) {
                p = scanUtf8(p);
            } else {
                throw invalidJson(p, "unescaped control character in string");
            }
        }
    }

    /** Validates the escape whose backslash is at {@code p}; returns the offset after it. */
    int scanEscape(int p) {
        if (p + 1 >= end) {
            throw invalidJson(p + 1, "unterminated string");
        }
        switch (buf[p + 1]) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
                return p + 2;
            case 'u':
                for (int i = p + 2; i < p + 6; i++) {
                    if (i >= end) {
                        throw invalidJson(i, "unterminated string");
                    }
                    if (hex(buf[i]) < 0) {
                        throw invalidJson(i, "invalid \\u escape");
                    }
                }
                return p + 6;
            default:
                throw invalidJson(p, "invalid escape");
        }
    }

    /**
     * Validates the multi-byte UTF-8 sequence whose lead byte is at {@code p} (Unicode table 3-7:
     * shortest form only, no surrogates, nothing above U+10FFFF); returns the offset after it.
     */
    int scanUtf8(int p) {
        int b0 = buf[p] & 0xFF;
        int n;
        int lo = 0x80;
        int hi = 0xBF; // allowed range of the second byte
        if (b0 < 0xC2) {
            throw invalidUtf8(p); // stray continuation byte, or an overlong 2-byte lead
        } else if (b0 < 0xE0) {
            n = 2;
        } else if (b0 < 0xF0) {
            n = 3;
            if (b0 == 0xE0) {
                lo = 0xA0; // below is overlong
            } else if (b0 == 0xED) {
                hi = 0x9F; // above encodes UTF-16 surrogates
            }
        } else if (b0 < 0xF5) {
            n = 4;
            if (b0 == 0xF0) {
                lo = 0x90; // below is overlong
            } else if (b0 == 0xF4) {
                hi = 0x8F; // above is beyond U+10FFFF
            }
        } else {
            throw invalidUtf8(p);
        }
        if (p + n > end) {
            throw invalidUtf8(p);
        }
        int b1 = buf[p + 1] & 0xFF;
        if (b1 < lo || b1 > hi) {
            throw invalidUtf8(p);
        }
        for (int i = p + 2; i < p + n; i++) {
            if ((buf[i] & 0xC0) != 0x80) {
                throw invalidUtf8(p);
            }
        }
        return p + n;
    }

    /** Validates a number starting at {@code p}; returns the offset after it. */
    int scanNumber(int p) {
        final byte[] b = buf;
        final int end = this.end;
        int start = p;
        if (b[p] == '-') {
            p++;
        }
        if (p < end && b[p] == '0') {
            p++;
            if (p < end && isDigit(b[p])) {
                throw invalidJson(start, "leading zeros are not allowed");
            }
        } else if (p < end && isDigit(b[p])) {
            while (++p < end && isDigit(b[p])) {
                // integer digits
            }
        } else {
            throw invalidJson(start, "invalid number");
        }
        if (p < end && b[p] == '.') {
            if (++p >= end || !isDigit(b[p])) {
                throw invalidJson(start, "invalid number");
            }
            while (++p < end && isDigit(b[p])) {
                // fraction digits
            }
        }
        if (p < end && (b[p] == 'e' || b[p] == 'E')) {
            if (++p < end && (b[p] == '+' || b[p] == '-')) {
                p++;
            }
            if (p >= end || !isDigit(b[p])) {
                throw invalidJson(start, "invalid number");
            }
            while (++p < end && isDigit(b[p])) {
                // exponent digits
            }
        }
        return p;
    }

    /** Validates the literal {@code word} at {@code p}; returns the offset after it. */
    int literal(int p, byte[] word) {
        if (p + word.length > end || !Arrays.equals(buf, p, p + word.length, word, 0, word.length)) {
            throw invalidJson(p, "invalid literal");
        }
        return p + word.length;
    }

    /** Copies validated {@code [start, stop)} minus whitespace outside strings into a new array. */
    byte[] copyWithoutWhitespace(int start, int stop, int outLen) {
        final byte[] b = buf;
        byte[] out = new byte[outLen];
        int o = 0;
        int p = start;
        while (p < stop) {
            // Copy one run of non-whitespace, stepping over strings whole (they may hold spaces).
            int runStart = p;
            while (p < stop) {
                byte c = b[p];
                if (c == '"') {
                    p++;
                    while (b[p] != '"') {
                        p += b[p] == '\\' ? 2 : 1;
                    }
                    p++;
                } else if (isWhitespace(c)) {
                    break;
                } else {
                    p++;
                }
            }
            System.arraycopy(b, runStart, out, o, p - runStart);
            o += p - runStart;
            while (p < stop && isWhitespace(b[p])) {
                p++;
            }
        }
        return out;
    }

    int skipWhitespace(int p) {
        while (p < end && isWhitespace(buf[p])) {
            p++;
        }
        return p;
    }

    static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    // ------------------------------------------------------------------ errors

    void requireMore(int p) {
        if (p >= end) {
            throw invalidJson(p, "unexpected end of input");
        }
    }

    JsonException unexpected(int p) {
        int c = buf[p] & 0xFF;
        if (c >= 0x20 && c < 0x7F) {
            return invalidJson(p, "unexpected character '" + (char) c + "'");
        }
        return invalidJson(p, String.format("unexpected byte 0x%02X", c));
    }

    JsonException invalidJson(int p, String what) {
        if (p < end && buf[p] < 0) {
            scanUtf8(p); // broken UTF-8 is reported as such wherever it is; this throws if so
        }
        return new JsonException(JsonException.INVALID_JSON, "invalid JSON at byte " + (p - base) + ": " + what);
    }

    JsonException invalidUtf8(int p) {
        return new JsonException(JsonException.INVALID_JSON, "invalid UTF-8 at byte " + (p - base));
    }

    JsonException tooDeep(int p) {
        return new JsonException(JsonException.JSON_TOO_DEEP,
                "JSON nesting exceeds the maximum depth of " + maxDepth + " at byte " + (p - base));
    }

    static JsonException invalidField(String message) {
        return new JsonException(JsonException.INVALID_FIELD, message);
    }
}
