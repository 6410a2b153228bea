package dev.topics.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads a request body into memory with a hard size limit: a declared length over the
 * limit is refused before reading; an undeclared (chunked) body is refused as soon as it
 * passes the limit. 413 {@code body_too_large} either way.
 */
public final class Body {
    private static final byte[] EMPTY = new byte[0];

    private Body() {
    }

    /** A chunked body over the limit is read (and dropped) up to this much, so the client gets to read the 413. */
    public static final long DRAIN_BYTES = 64L << 20;

    public static byte[] read(ServerRequest req, long maxBytes) {
        if (!req.content().hasEntity()) {
            return EMPTY;
        }
        long declared = declaredLength(req);
        if (declared > maxBytes) {
            throw tooLarge(maxBytes);
        }
        int initial = declared >= 0 ? (int) declared : (int) Math.min(8192, maxBytes);
        byte[] buf = new byte[Math.max(initial, 16)];
        int n = 0;
        try (InputStream in = req.content().inputStream()) {
            while (true) {
                if (n == buf.length) {
                    if (n >= maxBytes) {
                        if (drain(in) == 0) {
                            break;
                        }
                        throw tooLarge(maxBytes);
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(maxBytes, (long) buf.length * 2));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ApiError e) {
            throw e;
        } catch (RuntimeException e) {
            throw refusal(e, maxBytes);
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    /**
     * What a failed body read means for the client. A connection that was reset, or cut off
     * for sending too slowly, gets no answer (the exception ends it quietly); a body that
     * ended early (the client may have only half-closed) is 400.
     */
    private static RuntimeException refusal(RuntimeException failure, long maxBytes) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ServerConnectionException lost) {
                return lost;
            }
        }
        if (failure instanceof RequestException e) {
            // Helidon's own payload limit (the drain went past it) or a malformed body
            return e.status().code() == 413 ? tooLarge(maxBytes) : new ApiError(400, "bad_request", e.getMessage());
        }
        // Helidon reports a body cut short (fewer bytes than Content-Length) this way.
        return new ApiError(400, "incomplete_body", "the request body ended before its declared length");
    }

    /**
     * The Content-Length, or -1 when there is none. Read as a string: Helidon's typed
     * {@code contentLength()} goes through its mapper registry on every call (visible in a
     * profile of benchmark P1). Helidon has already validated the value.
     */
    private static long declaredLength(ServerRequest req) {
        if (!req.headers().contains(HeaderNames.CONTENT_LENGTH)) {
            return -1;
        }
        try {
            return Long.parseLong(req.headers().get(HeaderNames.CONTENT_LENGTH).get().trim());
        } catch (NumberFormatException e) {
            throw new ApiError(400, "bad_request", "Content-Length is not a number");
        }
    }

    /** Reads and drops what is left of a body; returns how many bytes that was. */
    private static long drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        long total = 0;
        int r;
        while ((r = in.read(sink)) >= 0) {
            total += r;
        }
        return total;
    }

    private static ApiError tooLarge(long max) {
        return new ApiError(413, "body_too_large", "the request body is larger than " + max + " bytes");
    }
}
