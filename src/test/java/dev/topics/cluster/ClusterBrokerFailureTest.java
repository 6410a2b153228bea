package dev.topics.cluster;

import static dev.topics.cluster.ClusterNodes.ok;
import static dev.topics.cluster.ClusterNodes.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.KafkaBrokers;
import dev.topics.testing.ProcessTest;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern SEQ = Pattern.compile("\"first_seq\":(\\d+)");
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
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int id = w;
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    ChildServer to = (i + id) % 2 == 0 ? a : b;
                    String data = "\"w" + id + "-" + i + "\"";
                    try {
                        ChildServer.Response r = send(to, "POST", "/v0/topics/bl.load",
                                "{\"records\": [{\"data\": " + data + "}]}");
                        if (r.status() == 200) {
                            Matcher m = SEQ.matcher(r.body());
                            assertThat(m.find()).isTrue();
                            acknowledged.put(Long.parseLong(m.group(1)), data);
                        } else {
                            assertThat(r.status()).as(r.body()).isEqualTo(503);
                            refused.incrementAndGet();
                        }
                    } catch (UncheckedIOException e) {
                        refused.incrementAndGet(); // a timeout: not acknowledged, nothing promised
                    }
                }
            }));
        }
        Await.until("writes acknowledged", Duration.ofSeconds(60), () -> acknowledged.size() >= 300);
        kafka.kill(0);
        int atKill = acknowledged.size();
        Await.until("writes go on with two brokers", Duration.ofSeconds(90),
                () -> acknowledged.size() >= atKill + 300);
        stop.set(true);
        for (Thread t : writers) {
            t.join(30_000);
        }
        String onA = ClusterNodes.awaitSame(a, b, "/v0/topics/bl.load/diff?from_seq=0&limit=10000");
        for (var e : acknowledged.entrySet()) {
            Matcher m = Pattern.compile("\\{\"\\$seq\":" + e.getKey() + ",\"\\$ts\":\\d+,\"data\":([^}]*)}").matcher(onA);
            assertThat(m.find()).as("acknowledged seq %d is on both nodes", e.getKey()).isTrue();
            assertThat(m.group(1)).isEqualTo(e.getValue());
        }
        String head = send(b, "GET", "/v0/topics/bl.load", null).body();
        Matcher h = Pattern.compile("\"head_seq\":(\\d+),\"earliest_seq\":1,\"count\":(\\d+)").matcher(head);
        assertThat(h.find()).as(head).isTrue();
        assertThat(h.group(1)).as("contiguous seqs").isEqualTo(h.group(2));
    }
}
