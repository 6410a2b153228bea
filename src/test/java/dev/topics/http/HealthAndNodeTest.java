package dev.topics.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Http;
import dev.topics.testing.Http.Response;
import dev.topics.testing.ServerTest;
import dev.topics.testing.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §1 and §12: {@code /healthz}, {@code /readyz}, {@code GET /v0/node}; unknown routes. */
class HealthAndNodeTest extends ServerTest {
    @Test
    void healthzAndReadyzAnswer200() {
        http.get("/healthz").expect(200);
        http.get("/readyz").expect(200);
    }

    @Test
    void nodeTellsItsIdVersionAndDevAuthOnLoopback() {
        Response r = http.get("/v0/node").ok();

        assertThat(r.map().keySet()).containsExactlyInAnyOrder("node_id", "version", "auth", "performance");
        assertThat(r.str("node_id")).matches("[A-Za-z0-9._:-]{1,64}");
        assertThat(r.str("version")).isNotBlank();
        assertThat(r.str("auth")).isEqualTo("dev");
        assertThat(r.get("performance.server_total_ms")).isInstanceOf(Number.class);
    }

    @Test
    void theNodeIdIsStableAcrossRestartsOnTheSameDataDir() {
        String before = http.get("/v0/node").ok().str("node_id");

        server.restart();

        assertThat(http.get("/v0/node").ok().str("node_id")).isEqualTo(before);
        http.get("/readyz").expect(200);
    }

    @Test
    void aConfiguredNodeIdAndAuthModeAreReported(@TempDir Path other) {
        try (TestServer s = TestServer.builder(other).env("TOPICS_NODE_ID", "eu-1.a:b_c").env("TOPICS_AUTH", "disabled")
                .start()) {
            Response r = s.http().get("/v0/node").ok();
            assertThat(r.str("node_id")).isEqualTo("eu-1.a:b_c");
            assertThat(r.str("auth")).isEqualTo("disabled");
        }
    }

    @Test
    void twoDataDirsGetDifferentNodeIds(@TempDir Path other) {
        try (TestServer s = TestServer.start(other)) {
            assertThat(s.http().get("/v0/node").ok().str("node_id"))
                    .isNotEqualTo(http.get("/v0/node").ok().str("node_id"));
        }
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @CsvSource({
            "GET, /nope",
            "GET, /v0",
            "GET, /v0/",
            "GET, /v0/nope",
            "GET, /v1/topics",
            "GET, /v0/topics/abc/diff/extra",
            "GET, /v0/topics/abc/nope",
            "POST, /v0/nope",
            "DELETE, /v0/node",
            "POST, /v0/topics",
            "DELETE, /v0/topics",
            "PUT, /v0/topics/abc/diff",
            "POST, /healthz"})
    void anUnknownRouteIs404WithTheErrorBody(String method, String path) {
        Response r = http.send(method, path, java.net.http.HttpRequest.BodyPublishers.noBody());
        assertThat(r.status()).as("%s", r).isIn(404, 405);
        Http.assertErrorShape(r);
        if (r.status() == 404) {
            assertThat(r.str("error.code")).isIn("not_found", "topic_not_found");
        }
    }
}
