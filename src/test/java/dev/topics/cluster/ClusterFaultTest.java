package dev.topics.cluster;

import static dev.topics.cluster.ClusterNodes.ok;
import static dev.topics.cluster.ClusterNodes.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.FilesHolding;
import dev.topics.testing.KafkaBrokers;
import dev.topics.testing.ProcessTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    /** A broker, then node-a with {@code storage} (YAML under {@code storage:}) in its config file; returns the file. */
    private Path brokerAndConfig(String storage) throws java.io.IOException {
        kafka = KafkaBrokers.start(Files.createDirectories(tmp.resolve("kafka")), 1);
        return Files.writeString(tmp.resolve("node.yaml"), "storage:\n" + storage.indent(2));
    }

    /** Writes records {@code from..to} to topic capped, one per request, ~100 B of data each. */
    private static void writeCapped(ChildServer node, int from, int to) {
        for (int i = from; i <= to; i++) {
            ok(node, "POST", "/v0/topics/capped", "{\"records\": [{\"data\": \"" + i + "x".repeat(100) + "\"}]}");
        }
    }

    @Test
    @Timeout(180)
    void aNodeKilledAfterRetentionDroppedSegmentsSinceItsSnapshotStartsAndHoldsTheSame() throws Exception {
        // Retention evicts records the node's snapshot still counts on. A cluster node replays
        // the log's commands from its snapshot and derives those evictions again from the
        // records, so their files must stay until a newer snapshot covers the evictions. Before
        // the fix they went after 30 s: the restarted node refused to start ("a segment file
        // is missing"), and once it checked only after the replay, the replay counted records
        // it could not find and evicted every record written after them.
        Path config = brokerAndConfig("""
                segment_bytes: 4096
                snapshot_interval_ms: 3600000
                snapshot_wal_bytes: 1000000000
                """);
        ChildServer a = node("node-a", "--config", config.toString());
        ok(a, "PUT", "/v0/topics/capped", "{\"cap_records\": 50}");
        writeCapped(a, 1, 100);
        a.sigterm(); // a snapshot at the stop
        assertThat(a.waitFor(Duration.ofSeconds(30))).isZero();
        a = node("node-a", "--config", config.toString());
        writeCapped(a, 101, 300);
        long segments = segmentFiles(tmp.resolve("node-a"));
        // evicted segments' files could go once their readers' grace period (30 s) is over
        Thread.sleep(31_000);
        writeCapped(a, 301, 350);
        assertThat(segmentFiles(tmp.resolve("node-a"))).as("evicted segments' files kept until a snapshot covers them")
                .isGreaterThanOrEqualTo(segments);
        String before = send(a, "GET", "/v0/topics/capped/diff?from_seq=0&limit=1000", null).body();
        assertThat(before).contains("\"$seq\":301,").contains("\"$seq\":350,").doesNotContain("\"$seq\":300,");
        a.sigkill();
        a.waitFor(Duration.ofSeconds(10));
        ChildServer again = node("node-a", "--config", config.toString());
        assertThat(ClusterNodes.stable(send(again, "GET", "/v0/topics/capped/diff?from_seq=0&limit=1000", null).body()))
                .isEqualTo(ClusterNodes.stable(before));
    }

    @Test
    @Timeout(180)
    void evictedSegmentsFilesGoOnceASnapshotCoversTheirEviction() throws Exception {
        // the other side of keeping them: they do go, without further writes, once a snapshot
        // captured after the eviction is durable and the readers' grace period (30 s) is over
        Path config = brokerAndConfig("""
                segment_bytes: 4096
                snapshot_interval_ms: 2000
                """);
        ChildServer a = node("node-a", "--config", config.toString());
        ok(a, "PUT", "/v0/topics/capped", "{\"cap_records\": 50}");
        writeCapped(a, 1, 300);
        long written = segmentFiles(tmp.resolve("node-a"));
        assertThat(written).as("segment files while the evictions are fresh").isGreaterThan(5);
        Await.until("the evicted segments' files are deleted", Duration.ofSeconds(90),
                () -> segmentFiles(tmp.resolve("node-a")) <= 3);
        assertThat(send(a, "GET", "/v0/topics/capped", null).body()).contains("\"count\":50")
                .contains("\"earliest_seq\":251");
    }

    @Test
    @Timeout(180)
    void deletedRecordsBytesLeaveEveryNodesSegmentFiles() throws Exception {
        // SPEC §6 on a cluster: a record delete erases the bytes from every node's segments.
        // A node's compaction waits until a snapshot covers the delete (it replays the log from
        // its snapshot, and retention is derived from the records as the snapshot left them).
        Path config = brokerAndConfig("""
                segment_bytes: 4096
                compaction_interval_ms: 500
                """);
        ChildServer a = node("node-a", "--config", config.toString());
        ChildServer b = node("node-b", "--config", config.toString());
        String pad = "y".repeat(100);
        for (int i = 1; i <= 120; i++) {
            String data = i == 7 ? "SECRET-MARKER-7" : i + pad;
            ok(a, "POST", "/v0/topics/erase", "{\"records\": [{\"data\": \"" + data + "\", \"tag\": \"t" + i + "\"}]}");
        }
        ClusterNodes.awaitSame(a, b, "/v0/topics/erase/diff?from_seq=0&limit=1000");
        assertThat(bytesOnDisk(tmp.resolve("node-a"), "SECRET-MARKER-7")).as("written to A's segments").isTrue();
        assertThat(bytesOnDisk(tmp.resolve("node-b"), "SECRET-MARKER-7")).as("written to B's segments").isTrue();
        assertThat(ok(b, "POST", "/v0/topics/erase/delete", "{\"match\": [\"tag\", \"Eq\", \"t7\"]}").body())
                .contains("\"deleted\":1");
        for (String n : List.of("node-a", "node-b")) {
            Await.until("the deleted bytes leave " + n + "'s segment files", Duration.ofSeconds(30),
                    () -> !bytesOnDisk(tmp.resolve(n), "SECRET-MARKER-7"));
        }
        assertThat(ClusterNodes.stable(send(a, "GET", "/v0/topics/erase/diff?from_seq=0&limit=1000", null).body()))
                .doesNotContain("SECRET-MARKER-7").contains("\"$seq\":6,").contains("\"$seq\":8,")
                .isEqualTo(ClusterNodes.stable(send(b, "GET", "/v0/topics/erase/diff?from_seq=0&limit=1000", null).body()));
    }

    /** Whether any segment file under the data dir's topics holds {@code marker}. */
    private static boolean bytesOnDisk(Path dataDir, String marker) {
        return !FilesHolding.marker(dataDir.resolve("topics"), marker, f -> f.getFileName().toString().endsWith(".seg"))
                .isEmpty();
    }

    /** The segment files under a node's data dir (counted again if one goes during the walk). */
    private static long segmentFiles(Path dataDir) {
        for (int attempt = 1; ; attempt++) {
            try (var files = Files.walk(dataDir.resolve("topics"))) {
                return files.filter(f -> f.getFileName().toString().endsWith(".seg")).count();
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                if (attempt == 5) {
                    throw new AssertionError(e);
                }
            }
        }
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
