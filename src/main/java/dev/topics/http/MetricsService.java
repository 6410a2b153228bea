package dev.topics.http;

import dev.topics.metrics.ServerMetrics;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} (SPEC §12): every series of {@link ServerMetrics} in Prometheus text
 * format, or OpenMetrics when the scraper's {@code Accept} asks for it. Who may read it
 * (the admin, unless {@code metrics.public}) is checked before the route.
 */
public final class MetricsService implements HttpService {
    public static final String PATH = "/metrics";

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, MetricsService::scrape);
    }

    private static void scrape(ServerRequest req, ServerResponse res) {
        String type = ServerMetrics.contentType(req.headers().first(HeaderNames.ACCEPT).orElse(null));
        byte[] body = ServerMetrics.scrape(type).getBytes(StandardCharsets.UTF_8);
        res.header(HeaderNames.CONTENT_TYPE, type).header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body);
    }
}
