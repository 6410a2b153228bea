package dev.topics.cluster;

import static dev.topics.cluster.ClusterNodes.ok;
import static dev.topics.cluster.ClusterNodes.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.KafkaBrokers;
import dev.topics.testing.ProcessTest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster's workers move when the node running them dies (docs/CLUSTER.md): a router and a
 * webhook made on node A, run by A, go on from node B after A is killed with SIGKILL. The router
 * copies every record exactly once (its copy and cursor move are one command); the webhook
 * delivers every record, repeating at most one batch (at-least-once, SPEC §10). The webhook's
 * receiver is a real HTTP server on loopback. A node that does not run a router shows the status
 * the running node published.
 */
class ClusterWorkersTest extends ProcessTest {
    private static final Pattern SEQ = Pattern.compile("\"\\$seq\":(\\d+)");
    private static final Pattern DATA = Pattern.compile("\"data\":(\\d+)");
    private static final int RECORDS = 300;
    private static final int BATCH = 10;
    private KafkaBrokers kafka;
    private HttpServer receiver;

    @AfterEach
    void stopAll() {
        if (receiver != null) {
            receiver.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(300)
    void aRouterAndAWebhookGoOnFromAnotherNodeWhenTheirNodeIsKilled() throws Exception {
        kafka = KafkaBrokers.start(Files.createDirectories(tmp.resolve("kafka")), 1);
        List<String> bodies = new ArrayList<>();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (bodies) {
                bodies.add(body);
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        Path config = Files.writeString(tmp.resolve("node.yaml"), """
                webhooks:
                  allow_private: true
                cluster:
                  kafka:
                    session_timeout_ms: 6000
                """);
        ChildServer[] nodes = leaderThenFollower("log-workers", config);
        ChildServer a = nodes[0];
        ChildServer b = nodes[1];
        ok(a, "PUT", "/v0/topics/w.src", "{}");
        ok(a, "PUT", "/v0/routers/w-copy", "{\"source\": \"w.src\", \"dest\": \"w.dst\", \"from_seq\": 0}");
        ok(a, "POST", "/v0/topics/w.src/webhooks", "{\"url\": \"http://127.0.0.1:" + receiver.getAddress().getPort()
                + "/hook\", \"from_seq\": 0, \"batch_max\": " + BATCH + "}");
        Thread writer = Thread.ofVirtual().start(() -> {
            for (int i = 1; i <= RECORDS; i++) {
                ChildServer.Response r = send(b, "POST", "/v0/topics/w.src", "{\"records\": [{\"data\": " + i + "}]}");
                assertThat(r.status()).as(r.body()).isEqualTo(200);
                Await.sleep(10);
            }
        });
        Await.until("the router copies on A", Duration.ofSeconds(30),
                () -> count(send(b, "GET", "/v0/topics/w.dst", null).body()) >= RECORDS / 3);
        a.sigkill();
        a.waitFor(Duration.ofSeconds(10));
        writer.join(120_000);
        assertThat(writer.isAlive()).isFalse();
        Await.until("B runs the workers", Duration.ofSeconds(60),
                () -> b.output().contains("this node runs the cluster's workers"));
        Await.until("the router copied every record", Duration.ofSeconds(60),
                () -> count(send(b, "GET", "/v0/topics/w.dst", null).body()) >= RECORDS);

        // the router: every record once, in order
        String dst = send(b, "GET", "/v0/topics/w.dst/diff?from_seq=0&limit=10000", null).body();
        List<Integer> copied = new ArrayList<>();
        Matcher m = DATA.matcher(dst);
        while (m.find()) {
            copied.add(Integer.parseInt(m.group(1)));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= RECORDS; i++) {
            expected.add(i);
        }
        assertThat(copied).isEqualTo(expected);

        // the webhook: every record delivered, at most one batch twice
        Map<Long, Integer> times = new HashMap<>();
        Await.until("every record delivered", Duration.ofSeconds(60), () -> {
            times.clear();
            synchronized (bodies) {
                for (String body : bodies) {
                    Matcher s = SEQ.matcher(body);
                    while (s.find()) {
                        times.merge(Long.parseLong(s.group(1)), 1, Integer::sum);
                    }
                }
            }
            return times.size() >= RECORDS;
        });
        for (long seq = 1; seq <= RECORDS; seq++) {
            assertThat(times).as("seq %d delivered", seq).containsKey(seq);
        }
        long repeated = times.values().stream().filter(n -> n > 1).count();
        assertThat(times.values()).allMatch(n -> n <= 2);
        assertThat(repeated).as("records delivered twice").isLessThanOrEqualTo(BATCH);
    }

    @Test
    @Timeout(180)
    void aNodeThatDoesNotRunARouterOrAWebhookShowsTheStatusOfTheOneThatDoes() throws Exception {
        // Before workers published their status, B showed its idle workers' view: copied 0,
        // state running, no error, no deliveries, whatever A's router and webhook did.
        kafka = KafkaBrokers.start(Files.createDirectories(tmp.resolve("kafka")), 1);
        Path config = Files.writeString(tmp.resolve("node.yaml"), """
                webhooks:
                  allow_private: true
                """);
        ChildServer[] nodes = leaderThenFollower("log-status", config);
        ChildServer a = nodes[0];
        ChildServer b = nodes[1];
        ok(a, "PUT", "/v0/topics/s.src", "{}");
        ok(a, "PUT", "/v0/routers/s-copy", "{\"source\": \"s.src\", \"dest\": \"s.dst\", \"from_seq\": 0}");
        for (int i = 1; i <= 50; i++) {
            ok(a, "POST", "/v0/topics/s.src", "{\"records\": [{\"data\": " + i + "}]}");
        }
        // Leadership may move when B joins the group, so the test does not assume which node runs
        // the workers: the status must be the same on both, whichever it is.
        Await.until("the router copied all 50", Duration.ofSeconds(30),
                () -> send(a, "GET", "/v0/routers/s-copy", null).body().contains("\"cursor\":50,"));
        String copy = Await.value("both nodes show the router's status, with what it copied", Duration.ofSeconds(15),
                () -> routerStatus(a, "s-copy") + " | " + routerStatus(b, "s-copy"),
                both -> sameOnBoth(both) && !both.contains("\"copied\":0,"));
        assertThat(copy).contains("\"state\":\"running\"").contains("\"last_error\":null");

        // a router whose destination server does not answer: it retries, and both nodes say so with its error
        int closed;
        try (var socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        ok(a, "PUT", "/v0/routers/s-remote", "{\"source\": \"s.src\", \"dest_url\": \"http://127.0.0.1:" + closed
                + "\", \"dest_topic\": \"x.dst\", \"from_seq\": 0}");
        String remote = Await.value("both nodes show the remote router retrying, with the same error",
                Duration.ofSeconds(30), () -> routerStatus(a, "s-remote") + " | " + routerStatus(b, "s-remote"),
                both -> sameOnBoth(both) && both.contains("\"state\":\"retrying\""));
        assertThat(remote).doesNotContain("\"last_error\":null");

        // a webhook whose receiver takes the first deliveries and then answers 500: B lists
        // A's deliveries (same ids, attempts, statuses) and counts them in the topic's stats
        List<String> bodies = new ArrayList<>();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            int n;
            synchronized (bodies) {
                bodies.add("");
                n = bodies.size();
            }
            ex.sendResponseHeaders(n <= 3 ? 200 : 500, -1);
            ex.close();
        });
        receiver.start();
        String hook = ok(a, "POST", "/v0/topics/s.src/webhooks", "{\"url\": \"http://127.0.0.1:"
                + receiver.getAddress().getPort() + "/hook\", \"from_seq\": 0, \"batch_max\": 10}").body();
        Matcher id = Pattern.compile("\"id\":\"(wh_[^\"]+)\"").matcher(hook);
        assertThat(id.find()).as(hook).isTrue();
        String deliveries = "/v0/topics/s.src/webhooks/" + id.group(1) + "/deliveries";
        String both = Await.value("both nodes list the same deliveries: three done, one retried after a 500",
                Duration.ofSeconds(40),
                () -> deliveriesSummary(send(a, "GET", deliveries, null).body()) + " | "
                        + deliveriesSummary(send(b, "GET", deliveries, null).body()),
                v -> sameOnBoth(v) && v.split(" \\| ")[0].split("succeeded", -1).length == 4
                        && v.split(" \\| ")[0].contains("pending/500"));
        assertThat(both.split(" \\| ")[0].split(",")).hasSize(4);
        for (ChildServer n : List.of(a, b)) {
            Await.until("the topic's stats count them on " + n.port(), Duration.ofSeconds(10),
                    () -> send(n, "GET", "/v0/topics/s.src/stats", null).body().contains("\"succeeded\":3"));
        }
    }

    private static final Pattern ROUTER_STATUS =
            Pattern.compile("\"copied\":\\d+,\"state\":\"[a-z]+\",\"last_error\":(null|\"[^\"]*\")");
    private static final Pattern DELIVERY =
            Pattern.compile("\"id\":\"(dl_[^\"]+)\"[^}]*?\"status\":\"([a-z]+)\",\"last_status\":(null|\\d+)");

    /** The status fields of a router as {@code node} shows them ({@code copied}, {@code state}, {@code last_error}). */
    private static String routerStatus(ChildServer node, String router) {
        String body = send(node, "GET", "/v0/routers/" + router, null).body();
        Matcher m = ROUTER_STATUS.matcher(body);
        return m.find() ? m.group() : "none in " + body;
    }

    /** A deliveries list as {@code id/status/last_status}, newest first. */
    private static String deliveriesSummary(String body) {
        List<String> out = new ArrayList<>();
        Matcher m = DELIVERY.matcher(body);
        while (m.find()) {
            out.add(m.group(1) + "/" + m.group(2) + "/" + m.group(3));
        }
        return String.join(",", out);
    }

    /** Whether the two halves of {@code "x | y"} are the same and not empty. */
    private static boolean sameOnBoth(String both) {
        String[] two = both.split(" \\| ");
        return two.length == 2 && !two[0].isEmpty() && two[0].equals(two[1]);
    }

    /** Node A, started alone so that it runs the workers, then node B, both with {@code config}. */
    private ChildServer[] leaderThenFollower(String logTopic, Path config) {
        ChildServer a = keep(ClusterNodes.start(tmp.resolve("node-a"), kafka.bootstrapServers(), logTopic, "node-a",
                "--config", config.toString()));
        Await.until("A runs the workers", Duration.ofSeconds(20),
                () -> a.output().contains("this node runs the cluster's workers"));
        ChildServer b = keep(ClusterNodes.start(tmp.resolve("node-b"), kafka.bootstrapServers(), logTopic, "node-b",
                "--config", config.toString()));
        return new ChildServer[] {a, b};
    }

    private static long count(String topicBody) {
        Matcher m = Pattern.compile("\"count\":(\\d+)").matcher(topicBody);
        return m.find() ? Long.parseLong(m.group(1)) : -1; // -1: not there yet (404)
    }
}
