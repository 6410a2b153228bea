package dev.topics.cli;

import static dev.topics.testing.TestServer.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.topics.testing.Await;
import dev.topics.testing.Http;
import dev.topics.testing.ServerTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code topics routers …} and {@code topics webhooks …} against a real dev-mode server
 * (SPEC §9, §10): made with the CLI, they do their work, and the CLI lists, shows, changes
 * and deletes them.
 */
@Timeout(120)
@ServerTest.Setup(memory = true)
class RoutersAndWebhooksCliTest extends ServerTest {
    /** How long a wait for the CLI or the server may take. */
    static final Duration WAIT = Duration.ofSeconds(60);
    static Cli cli;

    @BeforeAll
    static void cli() {
        cli = Cli.of(server);
    }

    private static Cli.Result ok(Cli.Result r) {
        assertThat(r.code()).as(r.toString()).isZero();
        return r;
    }

    private static long count(String topic) {
        Http.Response r = http.get("/v0/topics/" + topic);
        return r.status() == 200 ? r.num("count") : -1;
    }

    @Test
    void aLocalRouterCopiesAndIsListedShownAndDeleted() {
        String source = uniqueTopic("rt.src");
        String dest = uniqueTopic("rt.dst");
        String router = uniqueTopic("rt");
        ok(cli.run("write", source, "0"));
        Cli.Result made = ok(cli.run("routers", "create", "--name", router, "--source", source, "--dest", dest,
                "--from-seq", "0", "--filter", "[\"tag\", \"NotEq\", \"skip\"]"));
        assertThat(made.out()).containsPattern("router: +" + router).containsPattern("created: +true");
        ok(cli.run("write", source, "1", "2"));
        ok(cli.run("write", source, "3", "--tag", "skip"));
        Await.until("the router copies 3 records", WAIT, () -> count(dest) == 3);

        List<String> list = ok(cli.run("routers", "list")).lines();
        assertThat(list.getFirst()).matches("ROUTER +SOURCE +DEST +STATE +CURSOR +LAG");
        assertThat(list).anySatisfy(l -> assertThat(l).startsWith(router + " ").contains(source, dest));

        Map<String, Object> shown = ok(cli.run("routers", "get", "--name", router, "--json")).json();
        assertThat(shown).containsEntry("source", source).containsEntry("dest", dest)
                .containsEntry("filter", List.of("tag", "NotEq", "skip"));

        assertThat(ok(cli.run("routers", "delete", "--name", router)).out()).isEqualTo("deleted router " + router + "\n");
        Cli.Result gone = cli.run("routers", "get", "--name", router);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).startsWith("topics: router_not_found: ");
    }

    @Test
    void aRemoteRouterWritesToAnotherServer() {
        String source = uniqueTopic("rr.src");
        String dest = uniqueTopic("rr.dst");
        String router = uniqueTopic("rr");
        ok(cli.run("topics", "create", "--name", source));
        Cli.Result made = ok(cli.run("routers", "create", "--name", router, "--source", source, "--dest-url",
                server.base().toString(), "--dest-topic", dest));
        assertThat(made.out()).containsPattern("dest_url: +" + server.base()).containsPattern("dest_topic: +" + dest);
        ok(cli.run("write", source, "{\"x\": 1}"));
        Await.until("the remote router copies the record", WAIT, () -> count(dest) == 1);
        assertThat(ok(cli.run("routers", "list")).lines())
                .anySatisfy(l -> assertThat(l).startsWith(router + " ").contains(server.base() + " " + dest));
        ok(cli.run("routers", "delete", "--name", router));
    }

    @Test
    void webhooksDeliverAndAreManaged() throws IOException {
        AtomicInteger received = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String topic = uniqueTopic("wh.t");
            ok(cli.run("topics", "create", "--name", topic));
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            Map<String, Object> made = ok(cli.run("webhooks", "create", "--topic", topic, "--url", url, "--secret",
                    "s3cret", "--batch-max", "10", "--json")).json();
            String id = (String) made.get("id");
            assertThat(id).startsWith("wh_");
            assertThat(made).containsEntry("url", url).containsEntry("batch_max", 10L);

            ok(cli.run("write", topic, "1", "2"));
            Await.until("a delivery arrives", WAIT, () -> received.get() > 0);
            Await.until("the delivery is logged as succeeded", WAIT, () -> cli.run("webhooks", "deliveries", "--topic", topic,
                    "--id", id).out().contains("succeeded"));
            List<String> deliveries = ok(cli.run("webhooks", "deliveries", "--topic", topic, "--id", id)).lines();
            assertThat(deliveries.getFirst()).matches("ID +FROM +TO +ATTEMPTS +STATUS +LAST_STATUS +LAST_ERROR");

            List<String> list = ok(cli.run("webhooks", "list", topic)).lines();
            assertThat(list.getFirst()).matches("ID +URL +STATE +CURSOR +BATCH_MAX +CREATED");
            assertThat(list.get(1)).startsWith(id).contains(url, "active");

            Cli.Result updated = ok(cli.run("webhooks", "update", "--topic", topic, "--id", id, "--batch-max", "3",
                    "--max-attempts", "5", "--filter", "[\"tag\", \"Eq\", \"x\"]", "--state", "active"));
            assertThat(updated.out()).containsPattern("batch_max: +3").containsPattern("max_attempts: +5");
            assertThat(ok(cli.run("webhooks", "get", topic, "--id", id, "--json")).json())
                    .containsEntry("batch_max", 3L).containsEntry("filter", List.of("tag", "Eq", "x"));

            assertThat(ok(cli.run("webhooks", "delete", "--topic", topic, "--id", id)).out())
                    .isEqualTo("deleted webhook " + id + "\n");
            Cli.Result gone = cli.run("webhooks", "get", "--topic", topic, "--id", id);
            assertThat(gone.code()).isEqualTo(1);
            assertThat(gone.err()).startsWith("topics: webhook_not_found: ");
        } finally {
            receiver.stop(0);
        }
    }
}
