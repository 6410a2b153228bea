package dev.topics.storage.kafka;

import dev.topics.storage.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Shared snapshots on Kafka: one partition of a compacted topic ({@code <log topic>-snapshots}),
 * the blob's name as the record's key, a tombstone to remove it; compaction keeps the newest
 * value of each key. Its own idempotent {@code acks=all} producer, made on the first put, so
 * that a snapshot's megabytes never queue ahead of the log's commands. A scan reads with a
 * consumer assigned the partition from its start, until it has reached the end as it stands
 * once reached.
 */
final class KafkaSnapshotStore implements SnapshotStore, AutoCloseable {
    /** The blob size limit: a 1 MiB chunk and its key, in a topic whose messages may be 2 MiB. */
    static final int MAX_MESSAGE_BYTES = 2 << 20;
    private static final int MAX_IN_FLIGHT = 16;

    private final KafkaCommandLog.Settings s;
    private final String topic;
    private final TopicPartition partition;
    private volatile KafkaProducer<byte[], byte[]> producer;
    private final List<Future<RecordMetadata>> inFlight = new ArrayList<>();
    private volatile boolean closed;

    KafkaSnapshotStore(KafkaCommandLog.Settings s, String topic) {
        this.s = s;
        this.topic = topic;
        this.partition = new TopicPartition(topic, 0);
    }

    /** The topic's configuration when a node creates it. */
    static Map<String, String> topicConfig() {
        return Map.of(
                "cleanup.policy", "compact",
                "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES),
                // a removed chunk's bytes go once compaction runs: bound how long that may wait
                "segment.ms", "3600000",
                "max.compaction.lag.ms", "86400000",
                "delete.retention.ms", "86400000");
    }

    @Override
    public synchronized void put(String key, byte[] value) throws IOException {
        if (closed) {
            throw new IOException("the snapshot store is closed");
        }
        if (producer == null) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "topics-" + s.nodeId() + "-snapshots");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.max(30_000L, s.writeTimeoutMs()));
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            producer = new KafkaProducer<>(p);
        }
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            flush();
        }
        try {
            inFlight.add(producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), value)));
        } catch (RuntimeException e) {
            throw new IOException("putting " + key + " to " + describe() + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        try {
            for (Future<RecordMetadata> f : inFlight) {
                f.get(Math.max(30_000L, s.writeTimeoutMs() * 2), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new IOException(describe() + " refused a put: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException(describe() + " did not acknowledge a put in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            inFlight.clear();
        }
    }

    @Override
    public void scan(Visitor visitor) throws IOException {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "topics-" + s.nodeId() + "-snapshots-reader");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
        long quiet = Math.max(30_000L, s.writeTimeoutMs() * 2);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = end(consumer);
            long lastProgress = System.nanoTime();
            while (true) {
                if (consumer.position(partition) >= end) {
                    long now = end(consumer); // the end as it stands once reached
                    if (now <= end) {
                        return;
                    }
                    end = now;
                }
                var records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > quiet * 1_000_000L) {
                    throw new IOException("reading " + describe() + " made no progress for " + quiet + " ms (at offset "
                            + consumer.position(partition) + " of " + end + ")");
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.key() != null) {
                        visitor.blob(new String(r.key(), StandardCharsets.UTF_8), r.value());
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IOException("reading " + describe() + " failed: " + e.getMessage(), e);
        }
    }

    private long end(KafkaConsumer<byte[], byte[]> consumer) {
        return consumer.endOffsets(List.of(partition), Duration.ofMillis(Math.max(30_000L, s.writeTimeoutMs() * 2)))
                .get(partition);
    }

    @Override
    public int maxValueBytes() {
        return MAX_MESSAGE_BYTES - (64 << 10);
    }

    @Override
    public String describe() {
        return "kafka " + s.bootstrapServers() + " topic " + topic;
    }

    @Override
    public void close() { // not synchronized: a put blocked on a full buffer fails instead of holding it up
        closed = true;
        KafkaProducer<byte[], byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(2));
        }
    }
}
