package dev.topics.cluster;

import static dev.topics.cluster.ClusterNodes.ok;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.KafkaBrokers;
import dev.topics.testing.ProcessTest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes on three real brokers (replication factor 3, {@code min.insync.replicas} 2): a
 * broker killed with SIGKILL under eight writers loses no acknowledged write, and writes go
 * on on the two left (docs/CLUSTER.md, "Faults and what is promised").
 */
@Tag("kafka3")
class ClusterBrokerFailureTest extends ProcessTest {
    private KafkaBrokers kafka;

    @AfterEach
    void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    @Timeout(400)
    void aBrokerKilledUnderLoadLosesNoAcknowledgedWriteAndWritesGoOn() throws Exception {
        kafka = KafkaBrokers.start(Files.createDirectories(tmp.resolve("kafka")), 3);
        ChildServer a = keep(ClusterNodes.start(tmp.resolve("node-a"), kafka.bootstrapServers(), "log-brokers", "node-a"));
        ChildServer b = keep(ClusterNodes.start(tmp.resolve("node-b"), kafka.bootstrapServers(), "log-brokers", "node-b"));
        ok(a, "PUT", "/v0/topics/bl.load", "{}");
        ClusterNodes.Writers writers = new ClusterNodes.Writers(a, b, "bl.load");
        Map<Long, String> acknowledged = writers.acknowledged;
        Await.until("writes acknowledged", Duration.ofSeconds(60), () -> acknowledged.size() >= 300);
        kafka.kill(0);
        int atKill = acknowledged.size();
        Await.until("writes go on with two brokers", Duration.ofSeconds(90),
                () -> acknowledged.size() >= atKill + 300);
        writers.stop();
        String onA = ClusterNodes.awaitSame(a, b, "/v0/topics/bl.load/diff?from_seq=0&limit=10000");
        ClusterNodes.assertHoldsEverything(b, "bl.load", onA, acknowledged);
    }
}
