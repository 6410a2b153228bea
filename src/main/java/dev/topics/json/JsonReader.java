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
 * <p>The pull state (scopes, depth, position) lives here; byte-level validation and error
 * building live in {@link JsonScanner}.
 *
 * <p>Not thread-safe: one instance per request. The input array must not change while it is read.
 *
 * <p>Why it is one long class: the pull state machine (what each open scope expects next) is a
 * single table of transitions over one position and one scope stack; cutting it into pieces
 * would spread one invariant over several files and add calls on the hottest path of every
 * write (benchmarks P1 and P2).
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

    private final byte[] buf;
    private final int base;
    private final int end;
    private final int maxDepth;
    private final JsonScanner scan;

    private int pos;
    /** Number of open containers; scopes[depth] is the innermost scope. */
    private int depth;
    private byte[] scopes;

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
        this.scan = new JsonScanner(buf, off, off + len, maxDepth);
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
        int p = scan.skipWhitespace(pos);
        pos = p;
        switch (scopes[depth]) {
            case DOC_EMPTY, OBJ_VALUE, ARR_VALUE_REQUIRED:
                return valueToken(p);
            case DOC_DONE:
                if (p >= end) {
                    return Token.END;
                }
                throw scan.invalidJson(p, "unexpected data after the JSON value");
            case OBJ_EMPTY:
                scan.requireMore(p);
                if (buf[p] == '}') {
                    return Token.END_OBJECT;
                }
                if (buf[p] == '"') {
                    return Token.STRING;
                }
                throw scan.invalidJson(p, "expected '\"' or '}'");
            case OBJ_NAME_REQUIRED:
                scan.requireMore(p);
                if (buf[p] == '"') {
                    return Token.STRING;
                }
                throw scan.invalidJson(p, "expected '\"'");
            case OBJ_AFTER_VALUE:
                scan.requireMore(p);
                if (buf[p] == ',') {
                    scopes[depth] = OBJ_NAME_REQUIRED;
                    pos = p + 1;
                    return peek();
                }
                if (buf[p] == '}') {
                    return Token.END_OBJECT;
                }
                throw scan.invalidJson(p, "expected ',' or '}'");
            case ARR_EMPTY:
                scan.requireMore(p);
                return buf[p] == ']' ? Token.END_ARRAY : valueToken(p);
            case ARR_AFTER_VALUE:
                scan.requireMore(p);
                if (buf[p] == ',') {
                    scopes[depth] = ARR_VALUE_REQUIRED;
                    pos = p + 1;
                    return peek();
                }
                if (buf[p] == ']') {
                    return Token.END_ARRAY;
                }
                throw scan.invalidJson(p, "expected ',' or ']'");
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
        int p = scan.skipWhitespace(pos);
        scan.requireMore(p);
        if (buf[p] != ':') {
            throw scan.invalidJson(p, "expected ':'");
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
        pos = scan.scanValue(start, maxDepth - depth);
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
        int stop = scan.scanValue(start, maxDepth - depth);
        pos = stop;
        if (scan.whitespaceSkipped == 0) {
            // The common case: the client already sent compact JSON.
            return Arrays.copyOfRange(buf, start, stop);
        }
        return scan.copyWithoutWhitespace(start, stop, stop - start - scan.whitespaceSkipped);
    }

    /** As {@link #readCanonicalValue}, but a JSON {@code null} reads as Java null (an absent optional value). */
    public byte[] readCanonicalValueOrNull() {
        if (peek() == Token.NULL) {
            nextNull();
            return null;
        }
        return readCanonicalValue();
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
        int p = scan.skipWhitespace(pos);
        pos = p;
        if (p < end) {
            throw scan.invalidJson(p, "unexpected data after the JSON value");
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
        int stop = scan.scanNumber(start);
        long value = 0;
        boolean overflow = false;
        for (int p = start; p < stop; p++) {
            int digit = buf[p] - '0';
            if (digit < 0 || digit > 9) {
                throw JsonScanner.invalidField(path + mustBe); // '-', '.', 'e' or 'E'
            }
            if (unsigned ? Long.compareUnsigned(value, Long.divideUnsigned(-1L - digit, 10)) > 0
                    : value > (Long.MAX_VALUE - digit) / 10) {
                overflow = true; // keep scanning: "1e999" is a type error, not a range error
            }
            value = value * 10 + digit;
        }
        if (overflow) {
            throw JsonScanner.invalidField(path + " is out of range");
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
            pos = scan.literal(pos, JsonScanner.TRUE_BYTES);
        } else if (t == Token.FALSE) {
            pos = scan.literal(pos, JsonScanner.FALSE_BYTES);
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
        pos = scan.literal(pos, JsonScanner.NULL_BYTES);
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
            throw scan.tooDeep(pos);
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
            scan.scanValue(pos, maxDepth - depth);
        }
        return JsonScanner.invalidField(path + mustBe);
    }

    private Token valueToken(int p) {
        scan.requireMore(p);
        return switch (buf[p]) {
            case '{' -> Token.BEGIN_OBJECT;
            case '[' -> Token.BEGIN_ARRAY;
            case '"' -> Token.STRING;
            case 't' -> Token.TRUE;
            case 'f' -> Token.FALSE;
            case 'n' -> Token.NULL;
            case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> Token.NUMBER;
            default -> throw scan.unexpected(p);
        };
    }

    /** Reads the string whose opening quote is at pos and decodes it. */
    private String readString() {
        int start = pos + 1;
        int stop = scan.scanString(start);
        pos = stop;
        int len = stop - 1 - start;
        if ((scan.stringFlags & JsonScanner.HAS_ESCAPE) == 0) {
            // Already validated, so the JDK decoder (with its ASCII fast path) cannot hit errors.
            return new String(buf, start, len, StandardCharsets.UTF_8);
        }
        return scan.decodeEscaped(start, start + len);
    }
}
