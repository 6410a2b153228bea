package dev.topics.cluster;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A test's reading of a cluster's shared snapshots (docs/CLUSTER.md, "Shared snapshots"): the
 * compacted topic {@code <log_topic>-snapshots}, every record read so far in topic order, and
 * the manifests and bodies parsed as the writer lays them out (little-endian):
 * <pre>
 * manifest: "TSHR", u8 version 1, 3 zero bytes, u64 log offset covered (inclusive),
 *           u64 body size, 32-byte body SHA-256, u32 chunk count, chunk count × 32-byte hashes
 * body:     the concatenation of those chunks: u32 file count, then per file
 *           u16 path length, UTF-8 path, u64 size, 32-byte SHA-256, u32 chunk count, hashes
 * chunk:    key "c/" + lowercase hex SHA-256 of the value; a null value is a tombstone
 * </pre>
 * Nothing here checks what a node does; the tests do, from what this reads.
 */
final class SharedSnapshotTopic implements AutoCloseable {
    static final String MANIFEST = "manifest";
    static final String CHUNK_PREFIX = "c/";
    private static final byte[] MAGIC = "TSHR".getBytes(StandardCharsets.US_ASCII);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** One record of the topic: its position (Kafka offset), key and value (null: a tombstone). */
    record Entry(long position, String key, byte[] value) {
        boolean isChunk() {
            return key.startsWith(CHUNK_PREFIX) && value != null;
        }

        boolean isTombstone() {
            return value == null;
        }

        @Override
        public String toString() {
            return position + ":" + key + (value == null ? " (tombstone)" : " (" + value.length + " B)");
        }
    }

    /** A manifest record: where it is on the topic, the log offset it covers, and its body's chunks. */
    record Manifest(long position, long offset, long bodySize, String bodySha, List<String> bodyChunks) {
        @Override
        public String toString() {
            return "manifest at " + position + " covering log offset " + offset + " (body " + bodySize + " B in "
                    + bodyChunks.size() + " chunks)";
        }
    }

    /** One file a manifest's body names. */
    record FileEntry(String path, long size, String sha, List<String> chunks) {
    }

    private final String topic;
    private final TopicPartition partition;
    private final Admin admin;
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Entry> entries = new ArrayList<>();
    private boolean assigned;

    SharedSnapshotTopic(String bootstrap, String logTopic) {
        this.topic = logTopic + "-snapshots";
        this.partition = new TopicPartition(topic, 0);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    }

    String topic() {
        return topic;
    }

    /** Whether the topic exists (a node creates it). */
    boolean exists() {
        try {
            return admin.listTopics().names().get().contains(topic);
        } catch (Exception e) {
            throw new AssertionError("cannot list the topics", e);
        }
    }

    /**
     * Reads what was put since the last read, up to the topic's end as it is now (nothing if
     * the topic does not exist yet); returns this.
     */
    SharedSnapshotTopic read() {
        if (!assigned) {
            if (!exists()) {
                return this;
            }
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            assigned = true;
        }
        long end = consumer.endOffsets(List.of(partition), READ_TIMEOUT).get(partition);
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        while (consumer.position(partition, READ_TIMEOUT) < end) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("cannot read " + topic + " to its end " + end + " within " + READ_TIMEOUT
                        + "; at " + consumer.position(partition));
            }
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                entries.add(new Entry(r.offset(), r.key(), r.value()));
            }
        }
        return this;
    }

    /** Every record read so far, in topic order. */
    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Every manifest read so far, in topic order. */
    List<Manifest> manifests() {
        return entries.stream().filter(e -> MANIFEST.equals(e.key()) && e.value() != null)
                .map(e -> manifest(e.position(), e.value())).toList();
    }

    /** The newest manifest read so far. */
    Optional<Manifest> newestManifest() {
        List<Manifest> all = manifests();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    /** The newest value of each key read so far (null: its newest record is a tombstone). */
    Map<String, byte[]> latest() {
        Map<String, byte[]> m = new HashMap<>();
        for (Entry e : entries) {
            m.put(e.key(), e.value());
        }
        return m;
    }

    /** The records after position {@code from} and before {@code to} (both exclusive). */
    List<Entry> between(long from, long to) {
        return entries.stream().filter(e -> e.position() > from && e.position() < to).toList();
    }

    /** Parses a manifest record's value, checking its header. */
    static Manifest manifest(long position, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        if (value.length < 16) {
            throw new AssertionError("a manifest of " + value.length + " bytes at " + position);
        }
        byte[] magic = new byte[4];
        b.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC) || b.get() != 1 || b.get() != 0 || b.get() != 0 || b.get() != 0) {
            throw new AssertionError("the manifest at " + position + " does not start with TSHR, version 1: "
                    + HexFormat.of().formatHex(value, 0, 8));
        }
        long offset = b.getLong();
        if (value.length < 16 + 8 + 32 + 4) {
            return new Manifest(position, offset, -1, "", List.of());
        }
        long bodySize = b.getLong();
        String bodySha = hash(b);
        int count = b.getInt();
        if (count < 0 || b.remaining() != 32L * count) {
            throw new AssertionError("the manifest at " + position + " names " + count + " body chunks in "
                    + b.remaining() + " bytes");
        }
        List<String> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            chunks.add(hash(b));
        }
        return new Manifest(position, offset, bodySize, bodySha, List.copyOf(chunks));
    }

    /**
     * The body of {@code m}, from its chunks as the topic held them when {@code m} was put (later
     * tombstones may have removed them since), checked against its size and SHA-256.
     */
    byte[] body(Manifest m) {
        Map<String, byte[]> latest = new HashMap<>();
        for (Entry e : entries) {
            if (e.position() < m.position()) {
                latest.put(e.key(), e.value());
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String h : m.bodyChunks()) {
            byte[] chunk = latest.get(CHUNK_PREFIX + h);
            if (chunk == null) {
                throw new AssertionError(m + " names body chunk " + CHUNK_PREFIX + h + ", which the topic does not hold");
            }
            out.writeBytes(chunk);
        }
        byte[] body = out.toByteArray();
        if (body.length != m.bodySize() || !sha256(body).equals(m.bodySha())) {
            throw new AssertionError(m + ": its body chunks make " + body.length + " bytes with SHA-256 " + sha256(body)
                    + ", not " + m.bodySize() + " bytes with " + m.bodySha());
        }
        return body;
    }

    /** The files the body of {@code m} names, in its order. */
    List<FileEntry> files(Manifest m) {
        ByteBuffer b = ByteBuffer.wrap(body(m)).order(ByteOrder.LITTLE_ENDIAN);
        int count = b.getInt();
        List<FileEntry> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] path = new byte[Short.toUnsignedInt(b.getShort())];
            b.get(path);
            long size = b.getLong();
            String sha = hash(b);
            int n = b.getInt();
            List<String> chunks = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                chunks.add(hash(b));
            }
            files.add(new FileEntry(new String(path, StandardCharsets.UTF_8), size, sha, List.copyOf(chunks)));
        }
        if (b.hasRemaining()) {
            throw new AssertionError(m + ": " + b.remaining() + " bytes after its body's " + count + " files");
        }
        return files;
    }

    /** The keys of every chunk {@code m} names: its body's and its files'. */
    Set<String> chunkKeys(Manifest m) {
        Set<String> keys = new LinkedHashSet<>();
        m.bodyChunks().forEach(h -> keys.add(CHUNK_PREFIX + h));
        for (FileEntry f : files(m)) {
            f.chunks().forEach(h -> keys.add(CHUNK_PREFIX + h));
        }
        return keys;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static String hash(ByteBuffer b) {
        byte[] h = new byte[32];
        b.get(h);
        return HexFormat.of().formatHex(h);
    }

    @Override
    public void close() {
        consumer.close();
        admin.close(Duration.ofSeconds(5));
    }
}
