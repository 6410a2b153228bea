package dev.topics.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A strict RFC 8259 pull reader over UTF-8 bytes in an array.
 *
 * <p>Guarantees: every byte the reader passes over is validated — JSON grammar, UTF-8 (no
 * overlong forms, no encoded surrogates, nothing above U+10FFFF, no truncated sequences or stray
 * continuation bytes), string escapes, number syntax — and nesting never goes deeper than
 * {@code maxDepth} open containers. Whitespace is space, tab, LF and CR only; a byte order mark,
 * comments, single quotes, trailing commas, {@code NaN}, {@code +1}, {@code .5}, {@code 1.} and
 * leading zeros are all rejected. Call {@link #end()} after the top-level value to reject trailing
 * data. Duplicate member names are not detected; callers that care check them.
 *
 * <p>Errors are {@link JsonException}s: {@code invalid_json} and {@code json_too_deep} leave the
 * reader in an undefined state (stop using it). {@code invalid_field} (a well-formed value of the
 * wrong type or range) consumes nothing, and is only thrown after the offending value has been
 * validated, so a malformed value is always reported as {@code invalid_json}. Calling methods in
 * an order the grammar cannot satisfy (e.g. reading a value where a member name is due) is a
 * programming error and throws {@link IllegalStateException}.
 *
 * <p>Byte offsets ({@link #position()} and messages) count from {@code off}, i.e. they are offsets
 * into the JSON text the client sent.
 *
 * <p>Not thread-safe: one instance per request. The input array must not change while it is read.
 */
public final class JsonReader {

    /** The kinds of token {@link #peek()} reports. */
    public enum Token { BEGIN_OBJECT, END_OBJECT, BEGIN_ARRAY, END_ARRAY, STRING, NUMBER, TRUE, FALSE, NULL, END }

    // What the innermost open scope expects next; scopes[0] is the document itself.
    private static final byte DOC_EMPTY = 0;          // the top-level value is due
    private static final byte DOC_DONE = 1;           // top-level value read; only whitespace may follow
    private static final byte OBJ_EMPTY = 2;          // after '{': a name or '}'
    private static final byte OBJ_NAME_REQUIRED = 3;  // after ',': a name
    private static final byte OBJ_VALUE = 4;          // after name and ':': a value
    private static final byte OBJ_AFTER_VALUE = 5;    // after a member: ',' or '}'
    private static final byte ARR_EMPTY = 6;          // after '[': a value or ']'
    private static final byte ARR_VALUE_REQUIRED = 7; // after ',': a value
    private static final byte ARR_AFTER_VALUE = 8;    // after an element: ',' or ']'

    // States of the whole-value scanner (scanValue).
    private static final int S_VALUE = 0;
    private static final int S_FIRST_VALUE = 1;
    private static final int S_FIRST_NAME = 2;
    private static final int S_NAME = 3;
    private static final int S_COLON = 4;
    private static final int S_AFTER_VALUE = 5;

    // Bits scanString leaves in stringFlags, so decoding can pick a fast path.
    private static final int HAS_ESCAPE = 1;

    private static final byte[] TRUE_BYTES = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE_BYTES = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL_BYTES = {'n', 'u', 'l', 'l'};

    private final byte[] buf;
    private final int base;
    private final int end;
    private final int maxDepth;

    private int pos;
    /** Number of open containers; scopes[depth] is the innermost scope. */
    private int depth;
    private byte[] scopes;
    /** Scratch for scanValue: whether each container opened inside the scanned value is an object. */
    private boolean[] scanKinds = new boolean[16];
    /** Set by scanString. */
    private int stringFlags;
    /** Set by scanValue: whitespace bytes skipped inside the value. */
    private int whitespaceSkipped;

    /**
     * @param buf the JSON text as UTF-8; not copied
     * @param off where the text starts
     * @param len length of the text
     * @param maxDepth the most containers that may be open at once (64 allows 64 nested levels)
     */
    public JsonReader(byte[] buf, int off, int len, int maxDepth) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (maxDepth < 0) {
            throw new IllegalArgumentException("maxDepth must be >= 0: " + maxDepth);
        }
        this.buf = buf;
        this.base = off;
        this.pos = off;
        this.end = off + len;
        this.maxDepth = maxDepth;
        this.scopes = new byte[Math.min(maxDepth, 31) + 1];
        this.scopes[0] = DOC_EMPTY;
    }

    /** The current byte offset from the start of the JSON text. */
    public int position() {
        return pos - base;
    }

    // ------------------------------------------------------------------ navigation

    /**
     * The type of the next token, without consuming it. Skips whitespace, and consumes a
     * separating comma when one is due. Inside an object where a member name is due, a name is
     * reported as {@link Token#STRING}. Returns {@link Token#END} only once the top-level value
     * is complete and nothing but whitespace follows.
     *
     * @throws JsonException {@code invalid_json} if the input ends early or the next byte cannot
     *     start what the grammar requires here
     */
    public Token peek() {
        int p = skipWhitespace(pos);
        pos = p;
        switch (scopes[depth]) {
            case DOC_EMPTY, OBJ_VALUE, ARR_VALUE_REQUIRED:
                return valueToken(p);
            case DOC_DONE:
                if (p >= end) {
                    return Token.END;
                }
                throw invalidJson(p, "unexpected data after the JSON value");
            case OBJ_EMPTY:
                requireMore(p);
                if (buf[p] == '}') {
                    return Token.END_OBJECT;
                }
                if (buf[p] == '"') {
                    return Token.STRING;
                }
                throw invalidJson(p, "expected '\"' or '}'");
            case OBJ_NAME_REQUIRED:
                requireMore(p);
                if (buf[p] == '"') {
                    return Token.STRING;
                }
                throw invalidJson(p, "expected '\"'");
            case OBJ_AFTER_VALUE:
                requireMore(p);
                if (buf[p] == ',') {
                    scopes[depth] = OBJ_NAME_REQUIRED;
                    pos = p + 1;
                    return peek();
                }
                if (buf[p] == '}') {
                    return Token.END_OBJECT;
                }
                throw invalidJson(p, "expected ',' or '}'");
            case ARR_EMPTY:
                requireMore(p);
                return buf[p] == ']' ? Token.END_ARRAY : valueToken(p);
            case ARR_AFTER_VALUE:
                requireMore(p);
                if (buf[p] == ',') {
                    scopes[depth] = ARR_VALUE_REQUIRED;
                    pos = p + 1;
                    return peek();
                }
                if (buf[p] == ']') {
                    return Token.END_ARRAY;
                }
                throw invalidJson(p, "expected ',' or ']'");
            default:
                throw new AssertionError(scopes[depth]);
        }
    }

    /**
     * Consumes {@code '{'}.
     *
     * @param path the field path for the error message, e.g. {@code records[3].value}
     * @throws JsonException {@code invalid_field} "&lt;path&gt; must be an object" if the next
     *     value is something else; {@code json_too_deep} if {@code maxDepth} containers are open
     */
    public void beginObject(String path) {
        if (valuePeek() != Token.BEGIN_OBJECT) {
            throw mismatch(path, " must be an object");
        }
        enter(OBJ_EMPTY);
    }

    /**
     * Inside an object: true if another member follows (read its name with {@link #name()}),
     * false once the closing {@code '}'} has been consumed.
     */
    public boolean nextField() {
        byte s = scopes[depth];
        if (s != OBJ_EMPTY && s != OBJ_NAME_REQUIRED && s != OBJ_AFTER_VALUE) {
            throw new IllegalStateException("nextField() called where no member name is due");
        }
        if (peek() == Token.END_OBJECT) {
            pos++;
            depth--;
            return false;
        }
        return true;
    }

    /** The next member name, decoded; also consumes the {@code ':'} after it. */
    public String name() {
        byte s = scopes[depth];
        if (s != OBJ_EMPTY && s != OBJ_NAME_REQUIRED && s != OBJ_AFTER_VALUE || peek() != Token.STRING) {
            throw new IllegalStateException("name() called where no member name is due");
        }
        String name = readString();
        int p = skipWhitespace(pos);
        requireMore(p);
        if (buf[p] != ':') {
            throw invalidJson(p, "expected ':'");
        }
        pos = p + 1;
        scopes[depth] = OBJ_VALUE;
        return name;
    }

    /**
     * Consumes {@code '['}.
     *
     * @throws JsonException {@code invalid_field} "&lt;path&gt; must be an array" if the next
     *     value is something else; {@code json_too_deep} if {@code maxDepth} containers are open
     */
    public void beginArray(String path) {
        if (valuePeek() != Token.BEGIN_ARRAY) {
            throw mismatch(path, " must be an array");
        }
        enter(ARR_EMPTY);
    }

    /** Inside an array: true if another element follows, false once {@code ']'} has been consumed. */
    public boolean nextElement() {
        byte s = scopes[depth];
        if (s != ARR_EMPTY && s != ARR_VALUE_REQUIRED && s != ARR_AFTER_VALUE) {
            throw new IllegalStateException("nextElement() called outside an array");
        }
        if (peek() == Token.END_ARRAY) {
            pos++;
            depth--;
            return false;
        }
        return true;
    }

    /**
     * Reads and skips the next value of any type, validating all of it (depth included).
     */
    public void skipValue() {
        int start = valueStart();
        pos = scanValue(start);
    }

    /**
     * Reads the next value of any type, validating all of it (depth counted from the current
     * depth), and returns its canonical bytes: the input bytes with insignificant whitespace
     * removed. String contents (escapes included) and numbers are copied verbatim, so
     * {@code 1.50} stays {@code 1.50} and an escape such as <code>&#92;u00e9</code> is kept. The
     * result is a new array of exactly the canonical length, the only per-call allocation.
     */
    public byte[] readCanonicalValue() {
        int start = valueStart();
        int stop = scanValue(start);
        pos = stop;
        if (whitespaceSkipped == 0) {
            // The common case: the client already sent compact JSON.
            return Arrays.copyOfRange(buf, start, stop);
        }
        return copyWithoutWhitespace(start, stop, stop - start - whitespaceSkipped);
    }

    /**
     * After the top-level value: only whitespace may remain.
     *
     * @throws JsonException {@code invalid_json} "unexpected data after the JSON value"
     */
    public void end() {
        if (depth != 0 || scopes[0] != DOC_DONE) {
            throw new IllegalStateException("end() called before the top-level value was read");
        }
        int p = skipWhitespace(pos);
        pos = p;
        if (p < end) {
            throw invalidJson(p, "unexpected data after the JSON value");
        }
    }

    // ------------------------------------------------------------------ typed values

    /**
     * The next value as a decoded string. Escapes are decoded, <code>&#92;u</code> surrogate pairs
     * combine, and a lone surrogate escape is kept as the lone {@code char}.
     *
     * @throws JsonException {@code invalid_field} "&lt;path&gt; must be a string"
     */
    public String nextString(String path) {
        if (valuePeek() != Token.STRING) {
            throw mismatch(path, " must be a string");
        }
        valueConsumed();
        return readString();
    }

    /** Like {@link #nextString(String)}, but JSON {@code null} gives {@code null}. */
    public String nextStringOrNull(String path) {
        return nextNull() ? null : nextString(path);
    }

    /**
     * The next value as an integer in {@code 0..Long.MAX_VALUE}, written without sign, fraction
     * or exponent.
     *
     * @throws JsonException {@code invalid_field} "&lt;path&gt; must be a non-negative integer",
     *     or "&lt;path&gt; is out of range" above {@code Long.MAX_VALUE}
     */
    public long nextU64(String path) {
        return integer(path, false);
    }

    /**
     * The next value as an unsigned 64-bit integer ({@code 0..2^64-1}, SPEC §0's seqs),
     * returned as the same 64 bits in a {@code long}: compare it with
     * {@link Long#compareUnsigned} and print it with {@link Long#toUnsignedString(long)}.
     *
     * @throws JsonException {@code invalid_field} as {@link #nextU64(String)}, out of range above 2^64-1
     */
    public long nextUnsignedLong(String path) {
        return integer(path, true);
    }

    private long integer(String path, boolean unsigned) {
        String mustBe = " must be a non-negative integer";
        if (valuePeek() != Token.NUMBER) {
            throw mismatch(path, mustBe);
        }
        int start = pos;
        int stop = scanNumber(start);
        long value = 0;
        boolean overflow = false;
        for (int p = start; p < stop; p++) {
            int digit = buf[p] - '0';
            if (digit < 0 || digit > 9) {
                throw invalidField(path + mustBe); // '-', '.', 'e' or 'E'
            }
            if (unsigned ? Long.compareUnsigned(value, Long.divideUnsigned(-1L - digit, 10)) > 0
                    : value > (Long.MAX_VALUE - digit) / 10) {
                overflow = true; // keep scanning: "1e999" is a type error, not a range error
            }
            value = value * 10 + digit;
        }
        if (overflow) {
            throw invalidField(path + " is out of range");
        }
        valueConsumed();
        pos = stop;
        return value;
    }

    /** Like {@link #nextU64(String)}, but JSON {@code null} gives {@code null}. */
    public Long nextU64OrNull(String path) {
        return nextNull() ? null : nextU64(path);
    }

    /** @throws JsonException {@code invalid_field} "&lt;path&gt; must be true or false" */
    public boolean nextBoolean(String path) {
        Token t = valuePeek();
        if (t == Token.TRUE) {
            pos = literal(pos, TRUE_BYTES);
        } else if (t == Token.FALSE) {
            pos = literal(pos, FALSE_BYTES);
        } else {
            throw mismatch(path, " must be true or false");
        }
        valueConsumed();
        return t == Token.TRUE;
    }

    /** Consumes a JSON {@code null} and returns true if one is next; otherwise consumes nothing. */
    public boolean nextNull() {
        if (valuePeek() != Token.NULL) {
            return false;
        }
        pos = literal(pos, NULL_BYTES);
        valueConsumed();
        return true;
    }

    // ------------------------------------------------------------------ pull-state helpers

    /** Peeks where a value is due, refusing calls made where a member name is due. */
    private Token valuePeek() {
        Token t = peek();
        byte s = scopes[depth];
        if (s == OBJ_EMPTY || s == OBJ_NAME_REQUIRED || s == OBJ_AFTER_VALUE) {
            throw new IllegalStateException("a member name is due: call nextField() and name() first");
        }
        return t;
    }

    /** Positions at the start of the next value for the whole-value readers, marking it consumed. */
    private int valueStart() {
        Token t = valuePeek();
        if (t == Token.END || t == Token.END_ARRAY || t == Token.END_OBJECT) {
            throw new IllegalStateException("no value here: next token is " + t);
        }
        valueConsumed();
        return pos;
    }

    /** The enclosing scope moves past the value about to be (or being) consumed. */
    private void valueConsumed() {
        byte s = scopes[depth];
        scopes[depth] = switch (s) {
            case DOC_EMPTY -> DOC_DONE;
            case OBJ_VALUE -> OBJ_AFTER_VALUE;
            case ARR_EMPTY, ARR_VALUE_REQUIRED -> ARR_AFTER_VALUE;
            default -> throw new AssertionError(s);
        };
    }

    /** Consumes the opening bracket at pos and pushes a new scope. */
    private void enter(byte scope) {
        if (depth >= maxDepth) {
            throw tooDeep(pos);
        }
        valueConsumed();
        depth++;
        if (depth == scopes.length) {
            scopes = Arrays.copyOf(scopes, (int) Math.min((long) maxDepth + 1, 2L * scopes.length));
        }
        scopes[depth] = scope;
        pos++;
    }

    /**
     * For a typed read that found the wrong kind of value: validate the value first so malformed
     * JSON is reported as such, then report the type error.
     */
    private JsonException mismatch(String path, String mustBe) {
        Token t = peek();
        if (t != Token.END && t != Token.END_ARRAY && t != Token.END_OBJECT) {
            scanValue(pos);
        }
        return invalidField(path + mustBe);
    }

    private Token valueToken(int p) {
        requireMore(p);
        return switch (buf[p]) {
            case '{' -> Token.BEGIN_OBJECT;
            case '[' -> Token.BEGIN_ARRAY;
            case '"' -> Token.STRING;
            case 't' -> Token.TRUE;
            case 'f' -> Token.FALSE;
            case 'n' -> Token.NULL;
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> Token.NUMBER;
            default -> throw unexpected(p);
        };
    }

    /** Reads the string whose opening quote is at pos and decodes it. */
    private String readString() {
        int start = pos + 1;
        int stop = scanString(start);
        pos = stop;
        int len = stop - 1 - start;
        if ((stringFlags & HAS_ESCAPE) == 0) {
            // Already validated, so the JDK decoder (with its ASCII fast path) cannot hit errors.
            return new String(buf, start, len, StandardCharsets.UTF_8);
        }
        return decodeEscaped(start, start + len);
    }

    /** Decodes validated string content containing escapes; UTF-16 units never outnumber bytes. */
    private String decodeEscaped(int p, int stop) {
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
     * Does not touch the pull state, so containers opened here count on top of {@code depth}.
     */
    private int scanValue(int p) {
        final byte[] b = buf;
        final int end = this.end;
        final int room = maxDepth - depth; // containers this value may open
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
    private int scanString(int p) {
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
    private int scanEscape(int p) {
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
    private int scanUtf8(int p) {
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
    private int scanNumber(int p) {
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
    private int literal(int p, byte[] word) {
        if (p + word.length > end || !Arrays.equals(buf, p, p + word.length, word, 0, word.length)) {
            throw invalidJson(p, "invalid literal");
        }
        return p + word.length;
    }

    /** Copies validated {@code [start, stop)} minus whitespace outside strings into a new array. */
    private byte[] copyWithoutWhitespace(int start, int stop, int outLen) {
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

    private int skipWhitespace(int p) {
        while (p < end && isWhitespace(buf[p])) {
            p++;
        }
        return p;
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int hex(byte c) {
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

    private void requireMore(int p) {
        if (p >= end) {
            throw invalidJson(p, "unexpected end of input");
        }
    }

    private JsonException unexpected(int p) {
        int c = buf[p] & 0xFF;
        if (c >= 0x20 && c < 0x7F) {
            return invalidJson(p, "unexpected character '" + (char) c + "'");
        }
        return invalidJson(p, String.format("unexpected byte 0x%02X", c));
    }

    private JsonException invalidJson(int p, String what) {
        if (p < end && buf[p] < 0) {
            scanUtf8(p); // broken UTF-8 is reported as such wherever it is; this throws if so
        }
        return new JsonException(JsonException.INVALID_JSON, "invalid JSON at byte " + (p - base) + ": " + what);
    }

    private JsonException invalidUtf8(int p) {
        return new JsonException(JsonException.INVALID_JSON, "invalid UTF-8 at byte " + (p - base));
    }

    private JsonException tooDeep(int p) {
        return new JsonException(JsonException.JSON_TOO_DEEP,
                "JSON nesting exceeds the maximum depth of " + maxDepth + " at byte " + (p - base));
    }

    private static JsonException invalidField(String message) {
        return new JsonException(JsonException.INVALID_FIELD, message);
    }
}
