package dev.topics.cluster;

import static dev.topics.cluster.ClusterNodes.awaitSame;
import static dev.topics.cluster.ClusterNodes.ok;
import static dev.topics.cluster.ClusterNodes.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.testing.Await;
import dev.topics.testing.ChildServer;
import dev.topics.testing.KafkaBrokers;
import dev.topics.testing.ProcessTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Shared snapshots (docs/CLUSTER.md, "Shared snapshots"), each test on its own real broker:
 * once the log no longer holds offset 0, a node started with an empty data dir restores the
 * snapshot the leading node shared on {@code <log_topic>-snapshots} and replays the log after
 * it, holding exactly what the writing node holds (deleted records stay deleted); a second
 * snapshot uploads only the chunks that changed and tombstones those no longer named; a chunk
 * whose bytes do not match its SHA-256 makes a wiped node refuse to start, naming the chunk and
 * leaving no restored file behind; a node whose own snapshot is older than the log's start
 * restores the shared one in its place; and with sharing off, a wiped node whose log start is
 * gone refuses and says why.
 */
class ClusterSharedSnapshotTest extends ProcessTest {
    private static final String INTERVAL_ENV = "TOPICS_CLUSTER_KAFKA_SNAPSHOT_INTERVAL_MS";
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final Duration REFUSAL = Duration.ofSeconds(60);
    private KafkaBrokers kafka;
    private Admin admin;
    private SharedSnapshotTopic shared;

    @AfterEach
    void stopKafka() {
        killLeftovers(); // the nodes first, so that none spins on a broker that went away
        if (shared != null) {
            shared.close();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A broker, an admin client, the reader of {@code log}'s snapshots, and a config file with {@code storage} (YAML). */
    private Path brokerAndConfig(String log, String storage) throws IOException {
        kafka = KafkaBrokers.start(Files.createDirectories(tmp.resolve("kafka")), 1);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
        shared = new SharedSnapshotTopic(kafka.bootstrapServers(), log);
        return Files.writeString(tmp.resolve("node.yaml"), "storage:\n" + storage.indent(2));
    }

    private Map<String, String> env(String log, String id, long snapshotIntervalMs) {
        Map<String, String> env = ClusterNodes.env(kafka.bootstrapServers(), log, id);
        env.put(INTERVAL_ENV, Long.toString(snapshotIntervalMs));
        return env;
    }

    /** Node {@code id} on {@code log}, its data dir {@code tmp/id}, sharing a snapshot at most every {@code intervalMs}. */
    private ChildServer node(String log, String id, Path config, long intervalMs) {
        return keep(ChildServer.start(tmp.resolve(id), env(log, id, intervalMs), "--config", config.toString()));
    }

    /** As {@link #node}, for a node expected to refuse to start. */
    private ChildServer refusingNode(String log, String id, Path config, long intervalMs) {
        return keep(ChildServer.launch(tmp.resolve(id), env(log, id, intervalMs), "--config", config.toString()));
    }

    private static TopicPartition partition(String log) {
        return new TopicPartition(log, 0);
    }

    private long offset(String log, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(partition(log), spec)).all().get(30, TimeUnit.SECONDS).get(partition(log))
                .offset();
    }

    /** The log's end: the offset its next command gets. */
    private long logEnd(String log) throws Exception {
        return offset(log, OffsetSpec.latest());
    }

    /** Deletes the log's commands before {@code before}, as retention would, and checks that offset 0 is gone. */
    private void cutLog(String log, long before) throws Exception {
        admin.deleteRecords(Map.of(partition(log), RecordsToDelete.beforeOffset(before))).all().get(30, TimeUnit.SECONDS);
        long earliest = offset(log, OffsetSpec.earliest());
        assertThat(earliest).as("the oldest offset the log holds after the cut").isEqualTo(before).isPositive();
    }

    /** Waits for a shared manifest that covers log offset {@code offset} or a later one, and returns the newest. */
    private SharedSnapshotTopic.Manifest awaitManifestCovering(long offset, ChildServer writer) {
        try {
            return Await.value("a shared snapshot covering log offset " + offset, Duration.ofSeconds(60),
                    Duration.ofMillis(250), () -> shared.read().newestManifest().orElse(null),
                    m -> m != null && m.offset() >= offset);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nsnapshots topic: " + shared.entries() + "\nwriting node:\n"
                    + writer.output(), e);
        }
    }

    /** {@code count} records of about {@code bytes} bytes each to {@code topic}, data {@code "<topic>-<n>-pp…"} from n = {@code first}. */
    private static void write(ChildServer node, String topic, int first, int count, int bytes) {
        StringBuilder body = new StringBuilder("{\"records\": [");
        for (int n = first; n < first + count; n++) {
            body.append(n == first ? "" : ", ").append("{\"data\": \"").append(data(topic, n, bytes)).append("\"}");
        }
        ok(node, "POST", "/v0/topics/" + topic, body.append("]}").toString());
    }

    private static String data(String topic, int n, int bytes) {
        return topic + "-" + n + "-" + "p".repeat(bytes);
    }

    /** The regular files under {@code dir} (none when it does not exist). */
    private static List<Path> filesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    @Timeout(240)
    void aWipedNodeRestoresTheSharedSnapshotWhenTheLogNoLongerHoldsItsStart() throws Exception {
        String log = "log-restore";
        Path config = brokerAndConfig(log, "segment_bytes: 4096"); // the least: several segments per topic
        ChildServer a = node(log, "node-a", config, 1000);
        List<String> topics = List.of("ss.0", "ss.1", "ss.2");
        // 300 records in batches of 5, ~130 B each: ~13 KB per topic, four or more segments each
        for (int i = 0; i < 60; i++) {
            write(a, topics.get(i % 3), i / 3 * 5 + 1, 5, 100);
        }
        assertThat(ok(a, "POST", "/v0/topics/ss.0/delete", "{\"from_seq\": 2, \"to_seq\": 4}").body())
                .contains("\"deleted\":3");
        String principal = ok(a, "POST", "/v0/principals", "{\"name\": \"bot\"}").body();
        ok(a, "POST", "/v0/permissions", "{\"principal\": \"bot\", \"pattern\": \"ss.>\", \"actions\": [\"read\"]}");
        ok(a, "PUT", "/v0/routers/r1", "{\"source\": \"ss.1\", \"dest\": \"ss.copy\", \"from_seq\": 0}");
        Await.until("the router copied ss.1", Duration.ofSeconds(30),
                () -> send(a, "GET", "/v0/topics/ss.copy", null).body().contains("\"count\":100,"));

        long end = logEnd(log);
        SharedSnapshotTopic.Manifest m = awaitManifestCovering(end - 1, a);
        cutLog(log, m.offset() + 1); // offset 0 is gone: a wiped node cannot rebuild from the log alone
        // written after the snapshot: a restoring node must take them from the log
        for (String t : topics) {
            write(a, t, 101, 10, 100);
        }
        Await.until("the router copied the writes after the cut", Duration.ofSeconds(30),
                () -> send(a, "GET", "/v0/topics/ss.copy", null).body().contains("\"count\":110,"));

        ChildServer c = node(log, "node-c", config, 1000); // an empty data dir
        assertThat(c.awaitLine(l -> l.contains("restored the shared snapshot"), Duration.ofSeconds(5)))
                .as("C says it restored the shared snapshot; output:\n%s", c.output()).isNotNull();
        for (String t : List.of("ss.0", "ss.1", "ss.2", "ss.copy")) {
            awaitSame(a, c, "/v0/topics/" + t + "/diff?from_seq=0&limit=1000");
            awaitSame(a, c, "/v0/topics/" + t);
        }
        awaitSame(a, c, "/v0/principals");
        awaitSame(a, c, "/v0/permissions");
        String onC = send(c, "GET", "/v0/topics/ss.0/diff?from_seq=0&limit=1000", null).body();
        assertThat(onC).as("the deleted records stay deleted on C").contains("\"$seq\":1,").contains("\"$seq\":5,")
                .doesNotContain("\"$seq\":2,").doesNotContain("\"$seq\":3,").doesNotContain("\"$seq\":4,")
                .doesNotContain(data("ss.0", 2, 100)).doesNotContain(data("ss.0", 4, 100))
                .contains(data("ss.0", 110, 100));
        Matcher token = TOKEN.matcher(principal);
        assertThat(token.find()).as(principal).isTrue();
        assertThat(c.send("GET", "/v0/topics/ss.2/diff?from_seq=0", null,
                Map.of("Authorization", "Bearer " + token.group(1))).status()).as("the principal's token on C")
                .isEqualTo(200);
    }

    @Test
    @Timeout(240)
    void aNodeAwayLongerThanTheLogKeepsRestoresTheSharedSnapshotInPlaceOfItsOwn() throws Exception {
        String log = "log-away";
        Path config = brokerAndConfig(log, "segment_bytes: 4096");
        ChildServer a = node(log, "node-a", config, 1000);
        ChildServer b = node(log, "node-b", config, 1000);
        for (int i = 0; i < 20; i++) {
            write(i % 2 == 0 ? a : b, "aw.0", i * 5 + 1, 5, 100);
        }
        ok(a, "POST", "/v0/topics/aw.0/delete", "{\"from_seq\": 7, \"to_seq\": 9}");
        awaitSame(a, b, "/v0/topics/aw.0/diff?from_seq=0&limit=1000");
        b.sigterm(); // its own snapshot covers what it applied so far
        assertThat(b.waitFor(Duration.ofSeconds(30))).isZero();
        // while B is away, A goes on, shares, and the log drops everything B would need
        for (int i = 20; i < 40; i++) {
            write(a, i % 2 == 0 ? "aw.0" : "aw.1", i * 5 + 1, 5, 100);
        }
        SharedSnapshotTopic.Manifest m = awaitManifestCovering(logEnd(log) - 1, a);
        cutLog(log, m.offset() + 1);
        write(a, "aw.1", 1000, 3, 100); // after the snapshot: from the log

        ChildServer b2 = node(log, "node-b", config, 1000); // B's data dir, with its old snapshot
        assertThat(b2.awaitLine(l -> l.contains("restored the shared snapshot") && l.contains("this node's own covered"),
                Duration.ofSeconds(5))).as("B restores the shared snapshot; output:\n%s", b2.output()).isNotNull();
        for (String t : List.of("aw.0", "aw.1")) {
            awaitSame(a, b2, "/v0/topics/" + t + "/diff?from_seq=0&limit=1000");
            awaitSame(a, b2, "/v0/topics/" + t);
        }
    }

    @Test
    @Timeout(240)
    void aSecondSnapshotUploadsOnlyTheChunksThatChanged() throws Exception {
        String log = "log-chunks";
        Path config = brokerAndConfig(log, "segment_bytes: 262144");
        ChildServer a = node(log, "node-a", config, 1000);
        write(a, "small", 1, 1, 10);
        // ~3 MB in 256 KiB segments (a segment rolls between writes, so ~400 KB each): eight or
        // so sealed segments, one chunk each, with the small topic's, the snapshot file's and the body's
        for (int i = 0; i < 15; i++) {
            write(a, "big", i * 50 + 1, 50, 4000);
        }
        SharedSnapshotTopic.Manifest first = awaitManifestCovering(logEnd(log) - 1, a);
        Set<String> firstNames = shared.chunkKeys(first);
        assertThat(firstNames).as("chunks the first manifest names").hasSizeGreaterThanOrEqualTo(8);
        Map<String, byte[]> latest = shared.latest();
        for (String key : firstNames) {
            assertThat(latest.get(key)).as("the topic holds %s", key).isNotNull();
            assertThat(SharedSnapshotTopic.CHUNK_PREFIX + SharedSnapshotTopic.sha256(latest.get(key)))
                    .as("a chunk's key is the SHA-256 of its bytes").isEqualTo(key);
        }
        assertThat(shared.files(first)).as("files of the first manifest")
                .anySatisfy(f -> assertThat(f.path()).endsWith(".seg"));

        write(a, "small", 2, 1, 10);
        SharedSnapshotTopic.Manifest second = awaitManifestCovering(logEnd(log) - 1, a);
        assertThat(second.offset()).isGreaterThan(first.offset());
        // The step to the second manifest, from the one just before it (the first, unless the
        // log moved on its own in between): one topic written, so its active segment's last
        // chunk is new; the snapshot file (the applied offset) and the body that lists the files
        // change too. Nothing else does: at most topics written + 2, against the eleven or so
        // chunks the first named.
        List<SharedSnapshotTopic.Manifest> manifests = shared.manifests();
        SharedSnapshotTopic.Manifest before = manifests.get(manifests.indexOf(second) - 1);
        assertThat(before.offset()).isGreaterThanOrEqualTo(first.offset());
        List<SharedSnapshotTopic.Entry> uploaded = shared.between(before.position(), second.position()).stream()
                .filter(SharedSnapshotTopic.Entry::isChunk).toList();
        assertThat(uploaded).as("chunks uploaded for the second manifest (the first named %d)", firstNames.size())
                .hasSizeBetween(1, 1 + 2);

        // chunks the second manifest no longer names are tombstoned after it; none it names is
        Set<String> secondNames = shared.chunkKeys(second);
        Set<String> gone = new HashSet<>(shared.chunkKeys(before));
        gone.removeAll(secondNames);
        assertThat(gone).as("chunks of the snapshot before that the second no longer names").isNotEmpty();
        Await.until("tombstones for " + gone, Duration.ofSeconds(30), Duration.ofMillis(250), () -> {
            Set<String> tombstoned = new HashSet<>();
            shared.read().entries().stream().filter(e -> e.position() > second.position() && e.isTombstone())
                    .forEach(e -> tombstoned.add(e.key()));
            return tombstoned.containsAll(gone);
        });
        long next = shared.manifests().stream().mapToLong(SharedSnapshotTopic.Manifest::position)
                .filter(p -> p > second.position()).min().orElse(Long.MAX_VALUE);
        assertThat(shared.between(second.position(), next)).as("records after the second manifest")
                .noneMatch(e -> e.isTombstone() && secondNames.contains(e.key()));
    }

    @Test
    @Timeout(240)
    void aDamagedChunkMakesAWipedNodeRefuseAndNameIt() throws Exception {
        String log = "log-damaged";
        Path config = brokerAndConfig(log, "segment_bytes: 4096");
        ChildServer a = node(log, "node-a", config, 1000);
        for (int i = 0; i < 20; i++) {
            write(a, i % 2 == 0 ? "d.0" : "d.1", i / 2 * 5 + 1, 5, 100);
        }
        awaitManifestCovering(logEnd(log) - 1, a);
        // stopped, so that no newer snapshot replaces the one damaged below
        a.sigterm();
        assertThat(a.waitFor(Duration.ofSeconds(30))).isZero();
        SharedSnapshotTopic.Manifest m = shared.read().newestManifest().orElseThrow();
        // a chunk of the last segment file listed: a restore that wrote the files before it must take them away
        List<SharedSnapshotTopic.FileEntry> segments = shared.files(m).stream()
                .filter(f -> f.path().endsWith(".seg")).toList();
        assertThat(segments).as("segment files of %s", m).isNotEmpty();
        String key = SharedSnapshotTopic.CHUNK_PREFIX + segments.getLast().chunks().getLast();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(shared.topic(), key,
                    "not the bytes this key names".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        cutLog(log, m.offset() + 1);

        ChildServer c = refusingNode(log, "node-c", config, 1000); // an empty data dir
        int code = c.awaitRefusal(REFUSAL);
        assertThat(code).as("exit code; output:\n%s", c.output()).isNotZero();
        assertThat(c.output()).contains(key).contains("does not match");
        Path dir = tmp.resolve("node-c");
        assertThat(filesUnder(dir.resolve("topics"))).as("files restored under topics/ by the refused start").isEmpty();
        assertThat(filesUnder(dir.resolve("snapshots"))).as("snapshots left by the refused start").isEmpty();
    }

    @Test
    @Timeout(240)
    void aNodeWhoseLogStartIsGoneAndNoSnapshotIsSharedRefusesAndSaysWhy() throws Exception {
        String log = "log-unshared";
        Path config = brokerAndConfig(log, "segment_bytes: 4096");
        ChildServer a = node(log, "node-a", config, 0); // never shares
        for (int i = 0; i < 10; i++) {
            write(a, "u.0", i * 5 + 1, 5, 100);
        }
        cutLog(log, logEnd(log));

        ChildServer c = refusingNode(log, "node-c", config, 0); // an empty data dir
        int code = c.awaitRefusal(REFUSAL);
        assertThat(code).as("exit code; output:\n%s", c.output()).isNotZero();
        assertThat(c.output()).contains("oldest offset the log still holds");
        // and A, sharing nothing, shared nothing (writing the log for more than the least interval)
        assertThat(shared.read().manifests()).as("manifests with the interval 0").isEmpty();
    }
}
