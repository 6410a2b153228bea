package dev.topics.http;

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

    public static byte[] read(ServerRequest req, long maxBytes) {
        if (!req.content().hasEntity()) {
            return EMPTY;
        }
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > maxBytes) {
            throw tooLarge(maxBytes);
        }
        int initial = declared.isPresent() ? (int) declared.getAsLong() : 8192;
        byte[] buf = new byte[Math.max(initial, 16)];
        int n = 0;
        try (InputStream in = req.content().inputStream()) {
            while (true) {
                if (n == buf.length) {
                    if (n >= maxBytes) {
                        if (in.read() < 0) {
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
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    private static ApiError tooLarge(long max) {
        return new ApiError(413, "body_too_large", "the request body is larger than " + max + " bytes");
    }
}
