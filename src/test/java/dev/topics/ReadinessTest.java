package dev.topics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.http.RouteTable;
import dev.topics.access.Gate;
import dev.topics.config.ConfigLoader;
import dev.topics.config.ServerConfig;
import dev.topics.http.StorageRef;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.engine.LocalStorage;
import dev.topics.testing.Http;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window between the listener starting and recovery finishing (SPEC §12): the server
 * answers, says it is not ready, and refuses work with 503 {@code not_ready} until the
 * engine is handed over.
 */
class ReadinessTest {
    @TempDir
    Path tmp;

    @Test
    void untilRecoveryEndsEveryRequestButHealthzIsRefusedWith503NotReady() throws Exception {
        ServerConfig cfg = ConfigLoader.load(null, Map.of("TOPICS_PORT", "0", "TOPICS_DATA_DIR", tmp.toString()));
        Gate gate = Gate.create(cfg.authMode(), cfg.bind(), cfg.adminToken(), tmp);
        StorageRef ref = new StorageRef();
        gate.attach(ref, cfg.topicDefaults());
        WebServer web = WebServer.builder().host(cfg.bind()).port(0)
                .routing(r -> TopicsServer.routing(r, new RouteTable(), ref, gate, cfg, new dev.topics.router.Routers(cfg.topicDefaults(), gate), new dev.topics.webhook.Webhooks(true))).build().start();
        try (LocalStorage storage = LocalStorage.open(StorageOptions.defaults(tmp.resolve("data")))) {
            Http http = new Http(() -> URI.create("http://127.0.0.1:" + web.port()));
            http.get("/healthz").ok(200);
            http.get("/readyz").assertError(503, "not_ready");
            http.post("/v0/topics/orders", "{\"records\":[{\"data\":1}]}").assertError(503, "not_ready");
            http.get("/v0/topics/orders/diff").assertError(503, "not_ready");
            http.get("/v0/node").assertError(503, "not_ready");

            ref.set(storage);
            assertThat(http.get("/readyz").ok(200).str("status")).isEqualTo("ready");
            assertThat(http.post("/v0/topics/orders", "{\"records\":[{\"data\":1}]}").ok(200).num("first_seq")).isEqualTo(1);
        } finally {
            web.stop();
        }
    }
}
