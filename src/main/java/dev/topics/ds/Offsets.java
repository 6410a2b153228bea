package dev.topics.ds;

import dev.topics.http.ApiError;

/**
 * Durable Streams offsets (SPEC §16) and our seqs. The offset of the position after record
 * {@code seq} is {@code seq} in 16 decimal digits, {@code _}, and 16 zeros
 * ({@code 0000000000000042_0000000000000000}): fixed width, so offsets sort as strings in
 * seq order, and the start of every stream is {@code 0000000000000000_0000000000000000}, as
 * clients written for the protocol's reference server expect. The second part is reserved
 * (always zero). {@code -1} is the start and {@code now} the tail; neither is ever minted.
 */
final class Offsets {
    /** Sentinel for {@code now}. */
    static final long NOW = -2;
    private static final int DIGITS = 16;
    private static final long MAX = 9_999_999_999_999_999L;

    private Offsets() {
    }

    /** The offset after record {@code seq} (0: the start). */
    static String of(long seq) {
        if (seq < 0 || seq > MAX) {
            throw new IllegalArgumentException("seq " + seq + " has no offset");
        }
        char[] c = new char[DIGITS * 2 + 1];
        long v = seq;
        for (int i = DIGITS - 1; i >= 0; i--) {
            c[i] = (char) ('0' + v % 10);
            v /= 10;
        }
        c[DIGITS] = '_';
        for (int i = DIGITS + 1; i < c.length; i++) {
            c[i] = '0';
        }
        return new String(c);
    }

    /**
     * The seq an offset stands after: 0 for {@code -1}, {@link #NOW} for {@code now}; 400
     * {@code invalid_offset} for anything else that is not an offset this server mints.
     */
    static long parse(String offset, String what) {
        if (offset.equals("-1")) {
            return 0;
        }
        if (offset.equals("now")) {
            return NOW;
        }
        if (offset.length() != DIGITS * 2 + 1 || offset.charAt(DIGITS) != '_') {
            throw bad(what);
        }
        long seq = 0;
        for (int i = 0; i < DIGITS; i++) {
            char ch = offset.charAt(i);
            if (ch < '0' || ch > '9') {
                throw bad(what);
            }
            seq = seq * 10 + (ch - '0');
        }
        for (int i = DIGITS + 1; i < offset.length(); i++) {
            char ch = offset.charAt(i);
            if (ch < '0' || ch > '9') {
                throw bad(what);
            }
        }
        return seq;
    }

    private static ApiError bad(String what) {
        return ApiError.badRequest("invalid_offset", what + " is not an offset: use -1, now, or a Stream-Next-Offset"
                + " this server returned");
    }
}
