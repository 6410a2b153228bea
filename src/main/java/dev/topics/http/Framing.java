package dev.topics.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import java.util.Arrays;
import java.util.List;

/**
 * The one rule for where a request body ends (RFC 9112 §6): exactly one way to frame it, or
 * the request is refused with 400 {@code bad_framing} and its connection closed.
 *
 * <p>Helidon 4.3.0's HTTP/1 reader takes the first of several {@code Content-Length}
 * values, prefers {@code Transfer-Encoding: chunked} over a {@code Content-Length} beside
 * it, and ignores a transfer coding it does not know (or {@code Chunked} spelled with a
 * capital). A proxy in front may read the same bytes the other way: what one side takes
 * for a body the other takes for the next request (request smuggling). So a request is
 * accepted only when there is no doubt:
 * <ul>
 *   <li>{@code Content-Length}: at most one, 1–18 ASCII digits, no sign, no list;</li>
 *   <li>{@code Transfer-Encoding}: only exactly {@code chunked} (once, lower case, the way
 *       Helidon recognises it), and never together with {@code Content-Length}.</li>
 * </ul>
 *
 * <p>Checked by {@link ConnectionGuard} on every request before routing; named by
 * {@link TransportErrors}. Stateless.
 */
public final class Framing {
    /** The error code of a refused request (SPEC §0). */
    public static final String CODE = "bad_framing";

    private Framing() {
    }

    /** Why these request headers frame a body ambiguously, or null when they do not. */
    public static String problem(Headers headers) {
        boolean te = headers.contains(HeaderNames.TRANSFER_ENCODING);
        boolean cl = headers.contains(HeaderNames.CONTENT_LENGTH);
        if (!te && !cl) {
            return null;
        }
        if (te && cl) {
            return "Transfer-Encoding and Content-Length together: send one of them";
        }
        if (cl) {
            List<String> values = values(headers.get(HeaderNames.CONTENT_LENGTH));
            if (values.size() != 1) {
                return "more than one Content-Length";
            }
            String v = values.getFirst();
            if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return "Content-Length must be a non-negative decimal number";
            }
            return null;
        }
        List<String> codings = values(headers.get(HeaderNames.TRANSFER_ENCODING));
        if (codings.size() != 1 || !codings.getFirst().equals("chunked")) {
            return "the only transfer coding accepted is 'chunked', once";
        }
        return null;
    }

    /** Every comma-separated element of every line of a header, trimmed (empty ones kept). */
    private static List<String> values(Header h) {
        return h.allValues().stream()
                .flatMap(line -> Arrays.stream(line.split(",", -1)))
                .map(String::strip)
                .toList();
    }
}
