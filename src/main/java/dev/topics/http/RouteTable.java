package dev.topics.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every route the server has, as method and path template ({@code GET /v0/topics/{name}}),
 * recorded once at start-up from the same {@link HttpService#routing} calls that build
 * Helidon's routing. It answers what Helidon's router does not: which methods a known path
 * takes, for 405 with {@code Allow}, {@code OPTIONS}, and CORS preflight ({@link Unrouted},
 * {@link Cors}). The OpenAPI document is checked against it in the tests.
 *
 * <p>A template is {@code /}-separated literal segments and {@code {param}} segments; a
 * parameter matches exactly one non-empty segment, as in Helidon's path templates. Services
 * declare routes with {@code get/post/put/patch/delete/head(String, Handler)} only: any
 * other way of declaring one is refused here, so that no route escapes the table.
 */
public final class RouteTable {

    /** One route: a method and a path template with its prefix. */
    public record Route(String method, String template) {
    }

    private final Map<String, Set<String>> methodsByTemplate = new LinkedHashMap<>();
    private final List<String[]> segmentsByIndex = new ArrayList<>();
    private final List<String> templates = new ArrayList<>();

    /** Records the routes {@code service} declares, under {@code prefix} ({@code ""} for none). */
    public RouteTable add(String prefix, HttpService service) {
        service.routing(new Recorder(prefix));
        return this;
    }

    /** Records one route declared outside a service (Helidon's OpenAPI feature). */
    public RouteTable add(String method, String template) {
        String t = normalise(template);
        Set<String> methods = methodsByTemplate.get(t);
        if (methods == null) {
            methods = new TreeSet<>();
            methodsByTemplate.put(t, methods);
            templates.add(t);
            segmentsByIndex.add(split(t));
        }
        methods.add(method);
        return this;
    }

    /** Every route, in the order of their templates' first declaration. */
    public List<Route> routes() {
        List<Route> all = new ArrayList<>();
        methodsByTemplate.forEach((t, ms) -> ms.forEach(m -> all.add(new Route(m, t))));
        return Collections.unmodifiableList(all);
    }

    /**
     * The methods {@code path} takes (a concrete path such as {@code /v0/topics/orders}),
     * sorted; empty when no template matches it.
     */
    public Set<String> methods(String path) {
        String[] segs = split(normalise(path));
        Set<String> found = new TreeSet<>();
        for (int i = 0; i < templates.size(); i++) {
            if (matches(segmentsByIndex.get(i), segs)) {
                found.addAll(methodsByTemplate.get(templates.get(i)));
            }
        }
        return found;
    }

    private static boolean matches(String[] template, String[] path) {
        if (template.length != path.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            boolean param = t.startsWith("{") && t.endsWith("}");
            if (param ? path[i].isEmpty() : !t.equals(path[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code /a/b/} and {@code /a/b} are one path; {@code /} stays {@code /}. */
    static String normalise(String path) {
        String p = path.isEmpty() ? "/" : path;
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static String[] split(String normalised) {
        return normalised.equals("/") ? new String[0] : normalised.substring(1).split("/", -1);
    }

    private static String join(String prefix, String pattern) {
        if (pattern.equals("/") || pattern.isEmpty()) {
            return prefix.isEmpty() ? "/" : prefix;
        }
        return prefix + (pattern.startsWith("/") ? pattern : "/" + pattern);
    }

    /** The {@link HttpRules} a service declares its routes to while the table reads them. */
    private final class Recorder implements HttpRules {
        private final String prefix;

        Recorder(String prefix) {
            this.prefix = prefix;
        }

        private HttpRules record(Method method, String pattern) {
            add(method.text(), join(prefix, pattern));
            return this;
        }

        @Override
        public HttpRules get(String pattern, Handler... handlers) {
            return record(Method.GET, pattern);
        }

        @Override
        public HttpRules post(String pattern, Handler... handlers) {
            return record(Method.POST, pattern);
        }

        @Override
        public HttpRules put(String pattern, Handler... handlers) {
            return record(Method.PUT, pattern);
        }

        @Override
        public HttpRules patch(String pattern, Handler... handlers) {
            return record(Method.PATCH, pattern);
        }

        @Override
        public HttpRules delete(String pattern, Handler... handlers) {
            return record(Method.DELETE, pattern);
        }

        @Override
        public HttpRules head(String pattern, Handler... handlers) {
            return record(Method.HEAD, pattern);
        }

        @Override
        public HttpRules register(HttpService... services) {
            for (HttpService s : services) {
                s.routing(this);
            }
            return this;
        }

        @Override
        public HttpRules register(String pathPattern, HttpService... services) {
            for (HttpService s : services) {
                s.routing(new Recorder(join(prefix, pathPattern)));
            }
            return this;
        }

        @Override
        public HttpRules route(HttpRoute route) {
            throw new UnsupportedOperationException(
                    "declare routes with get/post/put/patch/delete/head(path, handler) so RouteTable sees them");
        }
    }
}
