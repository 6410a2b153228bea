package dev.topics.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Helpers for tests of nodes of one cluster: each node is the real server in a child JVM,
 * pointed at real Kafka brokers ({@code testing.KafkaBrokers}) through the environment, as a
 * user would configure it.
 */
final class ClusterNodes {
    static final String ADMIN = "admin-token-for-the-cluster-tests-0123456789";
    /** Timings that vary between nodes and runs: never compared. */
    private static final Pattern PERFORMANCE = Pattern.compile(",?\"performance\":\\{[^}]*\\}");

    private ClusterNodes() {
    }

    /** The environment of a node of the cluster on {@code bootstrap} with log topic {@code logTopic}. */
    static Map<String, String> env(String bootstrap, String logTopic, String nodeId) {
        Map<String, String> env = new HashMap<>();
        env.put("TOPICS_CLUSTER_KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("TOPICS_CLUSTER_KAFKA_LOG_TOPIC", logTopic);
        env.put("TOPICS_NODE_ID", nodeId);
        env.put("TOPICS_AUTH", "required");
        env.put("TOPICS_ADMIN_TOKEN", ADMIN);
        return env;
    }

    static ChildServer start(Path dataDir, String bootstrap, String logTopic, String nodeId, String... args) {
        return ChildServer.start(dataDir, env(bootstrap, logTopic, nodeId), args);
    }

    static Map<String, String> admin() {
        return Map.of("Authorization", "Bearer " + ADMIN);
    }

    static ChildServer.Response send(ChildServer s, String method, String path, String body) {
        return s.send(method, path, body, admin());
    }

    static ChildServer.Response ok(ChildServer s, String method, String path, String body) {
        ChildServer.Response r = send(s, method, path, body);
        assertThat(r.status()).as("%s %s → %s", method, path, r.body()).isBetween(200, 201);
        return r;
    }

    /** A JSON answer without its {@code performance} timings. */
    static String stable(String body) {
        return PERFORMANCE.matcher(body).replaceAll("");
    }

    /** Waits until {@code path} answers on {@code b} exactly what it answers on {@code a} (timings aside). */
    static String awaitSame(ChildServer a, ChildServer b, String path) {
        String[] last = new String[2];
        try {
            Await.until("GET " + path + " the same on both nodes", Duration.ofSeconds(20), () -> {
                last[0] = stable(send(a, "GET", path, null).body());
                last[1] = stable(send(b, "GET", path, null).body());
                return last[0].equals(last[1]);
            });
        } catch (AssertionError e) {
            throw new AssertionError("GET " + path + " differs:\n  A: " + last[0] + "\n  B: " + last[1], e);
        }
        return last[0];
    }
}
