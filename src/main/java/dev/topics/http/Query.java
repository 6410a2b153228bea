package dev.topics.http;

import io.helidon.webserver.http.ServerRequest;
import java.util.Set;

/** Query parameters, checked as strictly as JSON bodies: unknown names and bad values are 400. */
public final class Query {
    private final ServerRequest req;

    private Query(ServerRequest req) {
        this.req = req;
    }

    /** Refuses any parameter not in {@code allowed}. */
    public static Query of(ServerRequest req, Set<String> allowed) {
        for (String n : req.query().names()) {
            if (!allowed.contains(n)) {
                throw ApiError.unknownField(n);
            }
            if (req.query().all(n).size() > 1) {
                throw ApiError.duplicateField(n);
            }
        }
        return new Query(req);
    }

    public String string(String name) {
        return req.query().first(name).orElse(null);
    }

    /**
     * A cursor: any unsigned 64-bit integer, 0 when absent. Values above 2^63-1 are past
     * every head a topic can reach and read as {@link Long#MAX_VALUE}.
     */
    public long unsignedPastEveryHead(String name) {
        String v = string(name);
        if (v == null) {
            return 0;
        }
        try {
            if (v.isEmpty() || v.charAt(0) == '+' || v.charAt(0) == '-') {
                throw new NumberFormatException();
            }
            long n = Long.parseUnsignedLong(v);
            return n < 0 ? Long.MAX_VALUE : n;
        } catch (NumberFormatException e) {
            throw ApiError.invalidField(name + " must be a non-negative integer below 2^64");
        }
    }

    /** A non-negative integer in [min, max], or {@code dflt} when absent. */
    public long u64(String name, long dflt, long min, long max) {
        String v = string(name);
        if (v == null) {
            return dflt;
        }
        long n;
        try {
            if (v.isEmpty() || v.charAt(0) == '+' || v.charAt(0) == '-') {
                throw new NumberFormatException();
            }
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiError.invalidField(name + " must be a non-negative integer");
        }
        if (n < min || n > max) {
            throw ApiError.invalidField(name + " must be between " + min + " and " + max);
        }
        return n;
    }
}
