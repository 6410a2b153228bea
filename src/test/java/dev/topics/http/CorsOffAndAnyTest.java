package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.TestServer;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CORS by default (off: no headers, preflights refused) and with {@code *} (any origin, never credentials). */
class CorsOffAndAnyTest {
    @TempDir
    Path tmp;

    @Test
    void byDefaultNoAnswerCarriesCorsHeadersAndPreflightsAreRefused() {
        try (TestServer server = TestServer.start(tmp)) {
            Http from = server.http().withHeader("Origin", "https://app.example");
            Http.Response r = from.get("/v0/node").ok();
            assertThat(r.headers().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
            assertThat(r.header("Vary")).isNull();
            r = from.send("OPTIONS", "/v0/node", BodyPublishers.noBody(), "Access-Control-Request-Method", "GET")
                    .assertError(403, "origin_not_allowed");
            assertThat(r.str("error.message")).contains("the list is empty");
            assertThat(r.headers().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
        }
    }

    @Test
    void aStarAllowsEveryOriginWithoutCredentials() {
        try (TestServer server = TestServer.builder(tmp).env("TOPICS_CORS_ALLOWED_ORIGINS", "*").start()) {
            Http from = server.http().withHeader("Origin", "https://anyone.example");
            Http.Response r = from.get("/v0/node").ok();
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(r.header("Access-Control-Allow-Credentials")).isNull(); // browsers refuse * with credentials
            assertThat(r.header("Vary")).isNull(); // the same answer for every origin
            assertThat(r.header("Access-Control-Expose-Headers")).contains("Stream-Next-Offset");
            r = from.send("OPTIONS", "/v0/topics/t", BodyPublishers.noBody(), "Access-Control-Request-Method", "PUT")
                    .expect(204);
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
            assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("DELETE, GET, OPTIONS, PATCH, POST, PUT");
        }
    }
}
