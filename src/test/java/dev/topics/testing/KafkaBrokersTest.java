package dev.topics.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KafkaBrokers} for real, through kafka-clients: one node takes an idempotent
 * {@code acks=all} produce and gives the same bytes back to a consumer group, and still has
 * them and the group's offset after a SIGTERM and a restart; three nodes keep every
 * acknowledged record and take new {@code acks=all} writes after the partition leader is
 * killed, and the killed node restarted rejoins the ISR. The three-node test is tagged
 * {@code kafka3}.
 */
class KafkaBrokersTest {
    @TempDir
    Path tmp;

    private KafkaBrokers brokers;

    @AfterEach
    void closeBrokers() {
        if (brokers != null) {
            brokers.close();
        }
    }

    @Test
    void oneBrokerGivesBackTheSameBytesAlsoAfterARestart() throws Exception {
        brokers = KafkaBrokers.start(tmp.resolve("kafka"), 1);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("t1", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] v = new byte[i * 7 + 1];
            for (int j = 0; j < v.length; j++) {
                v[j] = (byte) (i * 31 + j); // every byte value turns up, 0x00 and 0xff among them
            }
            sent.add(v);
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (byte[] v : sent) {
                acks.add(producer.send(new ProducerRecord<>("t1", v)));
            }
            for (int i = 0; i < acks.size(); i++) {
                assertThat(acks.get(i).get(30, TimeUnit.SECONDS).offset()).as("offset of record %d", i).isEqualTo(i);
            }
        }
        // a consumer group: needs __consumer_offsets, which one node can hold only with RF 1
        List<byte[]> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "g1",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.subscribe(List.of("t1"));
            Await.until("all 50 records consumed by the group", Duration.ofSeconds(60),
                    () -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            got.add(r.value());
                        }
                        return got.size() >= sent.size();
                    });
            consumer.commitSync(Duration.ofSeconds(30));
            assertThat(consumer.committed(Set.of(new TopicPartition("t1", 0)), Duration.ofSeconds(30))
                    .get(new TopicPartition("t1", 0)).offset()).as("the group's committed offset").isEqualTo(50);
        }
        assertSameBytes(got, sent);

        // SIGTERM, then the same node again on its ports and log dir: records and offsets kept
        brokers.stop(0);
        assertThat(brokers.isAlive(0)).isFalse();
        brokers.restart(0);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "g1"))) {
            TopicPartition tp = new TopicPartition("t1", 0);
            assertThat(consumer.committed(Set.of(tp), Duration.ofSeconds(30)).get(tp).offset())
                    .as("the group's committed offset after the restart").isEqualTo(50);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<byte[]> again = new ArrayList<>();
            Await.until("all 50 records read again after the restart", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    again.add(r.value());
                }
                return again.size() >= sent.size();
            });
            assertSameBytes(again, sent);
        }
    }

    @Test
    @Tag("kafka3")
    void threeBrokersKeepAcknowledgedRecordsAndTakeWritesWithOneKilled() throws Exception {
        brokers = KafkaBrokers.start(tmp.resolve("kafka"), 3);
        TopicPartition tp = new TopicPartition("t3", 0);
        int leader;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("t3", 1, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
            TopicPartitionInfo p = Await.value("t3 with a leader and three in sync", Duration.ofSeconds(30),
                    () -> describe(admin, "t3").partitions().getFirst(),
                    info -> info.leader() != null && info.isr().size() == 3);
            assertThat(p.replicas()).as("replicas of t3-0").hasSize(3);
            leader = p.leader().id();
        }
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < 100; i++) {
                before.add("before-" + i);
            }
            sendAll(producer, "t3", before);

            brokers.kill(leader - 1); // the node ids are 1..3, the indexes 0..2
            assertThat(brokers.isAlive(leader - 1)).isFalse();

            for (int i = 0; i < 20; i++) {
                after.add("after-" + i);
            }
            sendAll(producer, "t3", after); // acks=all: the two left in sync both have it
        }
        try (Admin admin = admin()) {
            TopicPartitionInfo p = describe(admin, "t3").partitions().getFirst();
            assertThat(p.leader().id()).as("the new leader").isNotEqualTo(leader);
            assertThat(p.isr()).as("in sync after the kill").hasSize(2);
        }
        List<String> got = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Await.until("all 120 records read back", Duration.ofSeconds(60), () -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    got.add(new String(r.value(), StandardCharsets.UTF_8));
                }
                return got.size() >= before.size() + after.size();
            });
        }
        List<String> expected = new ArrayList<>(before);
        expected.addAll(after);
        assertThat(got).as("every acknowledged record, in order, once").isEqualTo(expected);

        // the killed node again, on its ports and log dir: it catches up and is back in sync
        brokers.restart(leader - 1);
        try (Admin admin = admin()) {
            Await.value("node " + leader + " back in the ISR of t3-0", Duration.ofSeconds(60), Duration.ofMillis(200),
                    () -> describe(admin, "t3").partitions().getFirst().isr().stream().map(n -> n.id()).toList(),
                    isr -> isr.contains(leader));
        }
    }

    private static void assertSameBytes(List<byte[]> got, List<byte[]> sent) {
        assertThat(got).as("records read").hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(got.get(i)).as("record %d", i).isEqualTo(sent.get(i));
        }
    }

    private static void sendAll(KafkaProducer<byte[], byte[]> producer, String topic, List<String> values)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (String v : values) {
            acks.add(producer.send(new ProducerRecord<>(topic, v.getBytes(StandardCharsets.UTF_8))));
        }
        for (int i = 0; i < acks.size(); i++) {
            assertThat(acks.get(i).get(60, TimeUnit.SECONDS).hasOffset()).as("ack of %s", values.get(i)).isTrue();
        }
    }

    private static TopicDescription describe(Admin admin, String topic) {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        } catch (Exception e) {
            throw new AssertionError("describe " + topic + " failed", e);
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.bootstrapServers()));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 45000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30000),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        config.putAll(extra);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
