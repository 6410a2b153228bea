package dev.topics.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin access for browsers ({@code cors.allowed_origins}, docs/API.md "CORS").
 *
 * <ul>
 *   <li>A request whose {@code Origin} is allowed gets {@code Access-Control-Allow-Origin}
 *   and {@code Access-Control-Expose-Headers} on its answer, whatever it is (errors and
 *   event streams included). With a list of origins the origin itself is echoed, with
 *   {@code Vary: Origin} and {@code Access-Control-Allow-Credentials: true} (an
 *   {@code EventSource} with {@code withCredentials} works); with {@code *} the literal
 *   {@code *} is sent, never with credentials, as browsers require.</li>
 *   <li>A request from another origin is served without those headers: the browser keeps the
 *   answer from the page. Clients that are not browsers are not refused for an
 *   {@code Origin} header.</li>
 *   <li>A preflight ({@code OPTIONS} with {@code Origin} and
 *   {@code Access-Control-Request-Method}) on a known path is answered 204 with the path's
 *   methods; from an origin not allowed, 403 {@code origin_not_allowed}.</li>
 * </ul>
 *
 * <p>Not Helidon's CORS support: it answers a refused origin 403 with an empty body (on
 * simple requests too), and a preflight with the methods of its configuration rather than
 * of the path (docs/DECISIONS.md, "CORS").
 */
public final class Cors {
    /** Request headers a page may send: what the API reads, and the Durable Streams ones. */
    static final String ALLOW_HEADERS = String.join(", ", List.of("Authorization", "Content-Type",
            "X-Topic-Token", "Idempotency-Key", "Last-Event-ID", "If-None-Match", "Producer-Id", "Producer-Epoch",
            "Producer-Seq", "Stream-Seq", "Stream-TTL", "Stream-Expires-At", "Stream-Closed", "Stream-Forked-From",
            "Stream-Fork-Offset", "Stream-Fork-Sub-Offset"));
    /** Response headers a page may read beyond the safelisted ones. */
    static final String EXPOSE_HEADERS = String.join(", ", List.of("Allow", "Location", "ETag", "Retry-After",
            "Stream-Next-Offset", "Stream-Cursor", "Stream-Up-To-Date", "Stream-Closed", "Stream-TTL",
            "Stream-Expires-At", "Producer-Epoch", "Producer-Seq", "Producer-Expected-Seq", "Producer-Received-Seq",
            "Stream-SSE-Data-Encoding"));
    static final String MAX_AGE_SECONDS = "600";

    private final boolean any;
    private final Set<String> origins;

    /** {@code allowed}: origins as configured ({@code scheme://host[:port]}), or the one entry {@code *}. */
    public Cors(List<String> allowed) {
        this.any = allowed.contains("*");
        this.origins = Set.copyOf(allowed.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList());
    }

    /** Whether any origin is allowed at all: else no filter is installed. */
    public boolean enabled() {
        return any || !origins.isEmpty();
    }

    private boolean allows(String origin) {
        return any || origins.contains(origin.toLowerCase(Locale.ROOT));
    }

    /** The filter that marks answers to allowed origins; installed only when {@link #enabled()}. */
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!isPreflight(req)) { // a preflight carries its own set (preflight)
            mark(req, res);
        }
        chain.proceed();
    }

    /** Marks {@code res} as readable by the request's origin, if it may read it. */
    public void mark(ServerRequest req, ServerResponse res) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse(null);
        if (origin != null && enabled() && originHeaders(origin, res)) {
            res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS));
        }
    }

    /** Sets the headers that name who may read the answer; false when {@code origin} may not. */
    private boolean originHeaders(String origin, ServerResponse res) {
        if (any) {
            res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
            return true;
        }
        res.header(HeaderNames.VARY, "Origin");
        if (!allows(origin)) {
            return false;
        }
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin));
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true"));
        return true;
    }

    /** Whether {@code req} is a CORS preflight rather than a plain {@code OPTIONS}. */
    public static boolean isPreflight(ServerRequest req) {
        return req.prologue().method().equals(Method.OPTIONS)
                && req.headers().contains(HeaderNames.ORIGIN)
                && req.headers().contains(HeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /** Answers a preflight on a known path that takes {@code allow} (an {@code Allow} value). */
    void preflight(ServerRequest req, ServerResponse res, String allow) {
        String origin = req.headers().first(HeaderNames.ORIGIN).orElse("");
        if (!allows(origin)) {
            throw new ApiError(403, "origin_not_allowed", "origin " + origin + " is not in cors.allowed_origins"
                    + (enabled() ? "" : " (cross-origin requests are off: the list is empty)"));
        }
        originHeaders(origin, res);
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, allow));
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS));
        res.header(HeaderValues.create(HeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS));
        res.status(204).send();
    }
}
