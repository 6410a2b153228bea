package dev.topics.cluster;

import static dev.topics.cluster.ClusterNodes.ok;
import static dev.topics.cluster.ClusterNodes.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.KafkaBrokers;
import dev.topics.testing.ProcessTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Faults of a cluster on one real broker (docs/CLUSTER.md): a node killed with SIGKILL under
 * eight concurrent writers loses nothing any node acknowledged, and comes back with exactly
 * what the others hold; with Kafka down, writes answer 503 within the configured bound while
 * reads keep serving, and writes resume when Kafka is back.
 */
class ClusterFaultTest extends ProcessTest {
    private KafkaBrokers kafka;

    @AfterEach
    void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private ChildServer node(String id, String... args) {
        return keep(ClusterNodes.start(tmp.resolve(id), kafka.bootstrapServers(), "log-faults", id, args));
    }

    @Test
    @Timeout(300)
    void aNodeKilledUnderEightWritersLosesNothingAnyNodeAcknowledged() throws Exception {
        kafka = KafkaBrokers.start(Files.createDirectories(tmp.resolve("kafka")), 1);
        ChildServer a = node("node-a");
        ChildServer b = node("node-b");
        ok(a, "PUT", "/v0/topics/load", "{}");
        ClusterNodes.Writers writers = new ClusterNodes.Writers(a, b, "load");
        Map<Long, String> acknowledged = writers.acknowledged;
        Await.until("writes acknowledged", Duration.ofSeconds(30), () -> acknowledged.size() >= 200);
        a.sigkill();
        a.waitFor(Duration.ofSeconds(10));
        int atKill = acknowledged.size();
        Await.until("writes go on through B", Duration.ofSeconds(30), () -> acknowledged.size() >= atKill + 200);
        ChildServer a2 = node("node-a"); // the same data dir: its snapshot (if any) and the log
        Await.until("writes acknowledged by the restarted node too", Duration.ofSeconds(30),
                () -> acknowledged.size() >= atKill + 400);
        writers.stop();
        String onB = ClusterNodes.awaitSame(a2, b, "/v0/topics/load/diff?from_seq=0&limit=10000");
        ClusterNodes.assertHoldsEverything(b, "load", onB, acknowledged);
    }

    @Test
    @Timeout(300)
    void withKafkaDownWritesAnswer503WithinTheBoundReadsServeAndWritesResume() throws Exception {
        kafka = KafkaBrokers.start(Files.createDirectories(tmp.resolve("kafka")), 1);
        Path config = Files.writeString(tmp.resolve("node.yaml"), "cluster:\n  kafka:\n    write_timeout_ms: 2000\n");
        ChildServer a = node("node-a", "--config", config.toString());
        ok(a, "POST", "/v0/topics/outage", "{\"records\": [{\"data\": \"before\"}]}");
        kafka.kill(0);
        long t0 = System.nanoTime();
        ChildServer.Response r = send(a, "POST", "/v0/topics/outage", "{\"records\": [{\"data\": \"during\"}]}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as(r.body()).isEqualTo(503);
        assertThat(r.body()).contains("\"code\":\"unavailable\"");
        assertThat(ms).as("answered within the bound plus slack").isLessThan(2000 + 3000);
        ChildServer.Response read = send(a, "GET", "/v0/topics/outage/diff?from_seq=0", null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).contains("\"before\"");
        kafka.restart(0);
        Await.until("writes resume once Kafka is back", Duration.ofSeconds(90),
                () -> send(a, "POST", "/v0/topics/outage", "{\"records\": [{\"data\": \"after\"}]}").status() == 200);
        assertThat(send(a, "GET", "/v0/topics/outage/diff?from_seq=0", null).body()).contains("\"before\"")
                .contains("\"after\"");
    }
}
