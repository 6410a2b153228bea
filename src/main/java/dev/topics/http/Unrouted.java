package dev.topics.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The last handler: a request no route took. On a path of the {@link RouteTable} it is a
 * method the path does not take: 405 {@code method_not_allowed} with {@code Allow}, or for
 * {@code OPTIONS} 204 with {@code Allow} (a CORS preflight goes to {@link Cors}). On any
 * other path, 404 {@code not_found}. The paths of Helidon's features (OpenAPI),
 * whose routes come after the application's, are passed on for the methods they serve.
 */
public final class Unrouted implements Handler {
    private final RouteTable routes;
    private final Cors cors;
    private final Map<String, Consumer<ServerRequest>> features;

    /**
     * {@code features}: the paths served by Helidon features with GET, after these routes,
     * each with the check of its query (the feature's own refusals are not in our error shape).
     */
    public Unrouted(RouteTable routes, Cors cors, Map<String, Consumer<ServerRequest>> features) {
        this.routes = routes;
        this.cors = cors;
        this.features = Map.copyOf(features);
    }

    /** The query of {@code GET /openapi}: at most {@code format}, one of json, yaml, yml (any case). */
    public static void openApiQuery(ServerRequest req) {
        String format = Query.of(req, Set.of("format")).string("format");
        if (format != null && !Set.of("json", "yaml", "yml").contains(format.toLowerCase(Locale.ROOT))) {
            throw ApiError.invalidField("format must be json, yaml or yml");
        }
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        String path = req.path().path();
        Method method = req.prologue().method();
        Consumer<ServerRequest> feature = features.get(path);
        if (feature != null && method.equals(Method.GET)) {
            feature.accept(req);
            res.next();
            return;
        }
        Set<String> methods = routes.methods(path);
        if (methods.isEmpty()) {
            throw new ApiError(404, "not_found", "no route for " + method.text() + " " + path);
        }
        String allow = allow(methods);
        if (Cors.isPreflight(req)) {
            cors.preflight(req, res, allow);
            return;
        }
        res.header(HeaderValues.create(HeaderNames.ALLOW, allow));
        if (method.equals(Method.OPTIONS)) {
            res.status(204).send();
            return;
        }
        // answered here, not thrown: Helidon's error handling starts the response afresh, without Allow
        Responses.error(res, 405, "method_not_allowed", method.text() + " is not allowed on " + path + " (allowed: "
                + allow + ")");
    }

    /** The {@code Allow} value: the path's methods and {@code OPTIONS}, sorted. */
    static String allow(Set<String> methods) {
        Set<String> all = new TreeSet<>(methods);
        all.add(Method.OPTIONS.text());
        return String.join(", ", all);
    }
}
