package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * CORS over plain HTTP ({@code cors.allowed_origins} as a YAML list): which answers carry the
 * headers, preflight, the credentials rule, and a server without the key. The same in a real
 * browser: {@code CorsBrowserTest}.
 */
@ServerTest.Setup(yaml = """
        cors:
          allowed_origins:
            - https://App.Example
            - http://localhost:8080
        """)
class CorsTest extends ServerTest {
    static final String APP = "https://app.example";

    static Http from(String origin) {
        return http.withHeader("Origin", origin);
    }

    @Test
    void anAllowedOriginMayReadAnswersErrorsIncluded() {
        Http.Response r = from(APP).get("/v0/node").ok();
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(r.header("Vary")).isEqualTo("Origin");
        assertThat(r.header("Access-Control-Expose-Headers")).contains("Stream-Next-Offset", "Stream-Cursor", "ETag",
                "Location", "Allow");
        r = from("http://localhost:8080").get("/v0/topics/no.such").assertError(404, "topic_not_found");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:8080");
        r = from(APP).delete("/v0/topics").assertError(405, "method_not_allowed");
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(r.header("Allow")).isEqualTo("GET, OPTIONS");
    }

    @Test
    void anotherOriginIsServedWithoutTheHeaders() {
        String topic = TestServer.uniqueTopic("cors.other");
        Http.Response r = from("https://evil.example").post("/v0/topics/" + topic, "{\"records\": [{\"data\": 1}]}").ok();
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(r.header("Vary")).isEqualTo("Origin"); // the answer depends on the origin: caches must know
        // a port is part of the origin, and so is the scheme
        assertThat(from("http://localhost:8081").get("/v0/node").ok().header("Access-Control-Allow-Origin")).isNull();
        assertThat(from("http://app.example").get("/v0/node").ok().header("Access-Control-Allow-Origin")).isNull();
        assertThat(http.get("/v0/node").ok().header("Access-Control-Allow-Origin")).isNull(); // no Origin: no CORS
    }

    @Test
    void aPreflightIsAnsweredWithThePathsMethods() {
        Http.Response r = from(APP).send("OPTIONS", "/v0/topics/t/diff", BodyPublishers.noBody(),
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type, authorization")
                .expect(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(APP);
        assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, OPTIONS, POST");
        assertThat(r.header("Access-Control-Allow-Headers")).contains("Authorization", "Content-Type", "X-Topic-Token",
                "Last-Event-ID", "Idempotency-Key", "If-None-Match");
        assertThat(r.header("Access-Control-Max-Age")).isEqualTo("600");
        assertThat(r.header("Access-Control-Expose-Headers")).isNull(); // a preflight's own set only
        assertThat(r.bytes()).isEmpty();
    }

    @Test
    void aPreflightNeedsNoCredentialsEvenForMetrics() {
        Http.Response r = from(APP).send("OPTIONS", "/metrics", BodyPublishers.noBody(),
                "Access-Control-Request-Method", "GET").expect(204);
        assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("GET, OPTIONS");
    }

    @Test
    void aPreflightFromAnotherOriginOrForAnUnknownPathIsRefused() {
        Http.Response r = from("https://evil.example").send("OPTIONS", "/v0/topics/t", BodyPublishers.noBody(),
                "Access-Control-Request-Method", "DELETE").assertError(403, "origin_not_allowed");
        assertThat(r.str("error.message")).contains("https://evil.example", "cors.allowed_origins");
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        from(APP).send("OPTIONS", "/v0/no/such/path", BodyPublishers.noBody(), "Access-Control-Request-Method", "GET")
                .assertError(404, "not_found");
    }

    @Test
    void anEventStreamCarriesTheHeaders() throws Exception {
        String topic = TestServer.uniqueTopic("cors.sse");
        http.post("/v0/topics/" + topic, "{\"records\": [{\"data\": \"first\"}]}").ok();
        HttpRequest req = HttpRequest.newBuilder(URI.create(server.base() + "/v0/topics/" + topic + "/watch?from_seq=0"))
                .header("Origin", APP).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = res.body()) {
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            assertThat(res.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
            assertThat(res.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (!seen.toString().contains("first")) {
                int n = in.read(buf);
                assertThat(n).as("the stream ended before the record").isPositive();
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(seen.toString()).contains("event: record");
        }
    }
}
