package dev.topics.storage.kafka;

import dev.topics.storage.CommandLog;
import dev.topics.storage.snapshot.SnapshotStore;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The cluster's log on Kafka (docs/CLUSTER.md): one partition of one topic holds every
 * command in the order all nodes apply them.
 * <ul>
 *   <li>Appending: an idempotent producer with {@code acks=all}, so a retried send is never
 *       logged twice, this node's commands keep their order, and an acknowledged command is
 *       on {@code min.insync.replicas} brokers.</li>
 *   <li>Following: a consumer assigned the partition (no group, no committed offsets: the
 *       node's snapshot says where it is), reading from an offset; a consumer only sees
 *       what every in-sync replica holds, so nothing a node applies can be lost by a broker
 *       failure that Kafka survives.</li>
 *   <li>Leading: every node is a member of one consumer group on a second, one-partition
 *       topic ({@code <log topic>-workers}); the member Kafka assigns that partition runs the
 *       background work. Kafka's group membership moves it when the member dies (within the
 *       session timeout), so no protocol of ours is involved.</li>
 * </ul>
 * Topics are created at start when missing: one partition, the configured replication
 * factor and {@code min.insync.replicas}, {@code retention.ms} as configured (7 days by
 * default: a node that needs older offsets starts from the newest shared snapshot), and a
 * third, compacted one for shared snapshots ({@link KafkaSnapshotStore}).
 */
public final class KafkaCommandLog implements CommandLog {
    private static final Logger LOG = Logger.getLogger(KafkaCommandLog.class.getName());

    /** What a node needs to reach and shape the log. */
    public record Settings(String bootstrapServers, String topic, int replicationFactor, int minInsyncReplicas,
                           long retentionMs, int maxCommandBytes, long writeTimeoutMs, long sessionTimeoutMs,
                           String nodeId) {
    }

    private final Settings s;
    private final TopicPartition partition;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    private volatile Thread follower;
    private volatile KafkaConsumer<byte[], byte[]> followConsumer;
    private final Thread member;
    private final KafkaConsumer<byte[], byte[]> memberConsumer;
    private volatile boolean leads;
    private volatile boolean closed;
    private volatile boolean memberStarted;
    private final KafkaSnapshotStore snapshots;

    private KafkaCommandLog(Settings s) {
        this.s = s;
        this.partition = new TopicPartition(s.topic(), 0);
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        a.put(AdminClientConfig.CLIENT_ID_CONFIG, "topics-" + s.nodeId() + "-admin");
        a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, s.writeTimeoutMs()));
        a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, s.writeTimeoutMs()));
        this.admin = Admin.create(a);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "topics-" + s.nodeId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, s.maxCommandBytes());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, s.writeTimeoutMs());
        int request = (int) Math.min(Integer.MAX_VALUE, s.writeTimeoutMs());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, request);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, request + 1000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.producer = new KafkaProducer<>(p);
        Properties m = consumerProps("member");
        m.put(ConsumerConfig.GROUP_ID_CONFIG, s.topic() + "-workers");
        m.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) s.sessionTimeoutMs());
        m.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(500, s.sessionTimeoutMs() / 5));
        m.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        m.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"); // nothing is read: membership only
        this.memberConsumer = new KafkaConsumer<>(m);
        this.snapshots = new KafkaSnapshotStore(s, s.topic() + "-snapshots");
        this.member = new Thread(this::memberLoop, "topics-cluster-member");
        this.member.setDaemon(true);
    }

    /** Connects, creates the log's topics when missing, and joins the workers' group. */
    public static KafkaCommandLog open(Settings s) {
        KafkaCommandLog log = new KafkaCommandLog(s);
        try {
            log.ensureTopic(s.topic(), log.logConfig());
            log.ensureTopic(s.topic() + "-workers", log.logConfig());
            log.ensureTopic(s.topic() + "-snapshots", KafkaSnapshotStore.topicConfig());
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
        log.member.start();
        log.memberStarted = true;
        return log;
    }

    private Properties consumerProps(String role) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "topics-" + s.nodeId() + "-" + role);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, Math.max(5000, s.writeTimeoutMs())));
        return c;
    }

    /**
     * The log's topics: deleted by age only, the whole log kept for {@code retentionMs}; Kafka
     * drops a whole segment once its newest record is past retention, so segments roll daily
     * (or sooner) to keep that bound near {@code retentionMs}.
     */
    private Map<String, String> logConfig() {
        Map<String, String> c = new java.util.HashMap<>(Map.of(
                "retention.ms", Long.toString(s.retentionMs()),
                "retention.bytes", "-1",
                "cleanup.policy", "delete",
                "max.message.bytes", Integer.toString(s.maxCommandBytes())));
        if (s.retentionMs() > 0) {
            c.put("segment.ms", Long.toString(Math.min(s.retentionMs(), 86_400_000L)));
        }
        return c;
    }

    private void ensureTopic(String name, Map<String, String> config) {
        try {
            if (admin.listTopics().names().get(s.writeTimeoutMs(), TimeUnit.MILLISECONDS).contains(name)) {
                return;
            }
            int rf = s.replicationFactor();
            if (rf <= 0) {
                int brokers = admin.describeCluster().nodes().get(s.writeTimeoutMs(), TimeUnit.MILLISECONDS).size();
                rf = Math.min(3, brokers);
            }
            int isr = s.minInsyncReplicas() > 0 ? s.minInsyncReplicas() : (rf >= 3 ? 2 : 1);
            Map<String, String> configs = new java.util.HashMap<>(config);
            configs.put("min.insync.replicas", Integer.toString(isr));
            NewTopic t = new NewTopic(name, 1, (short) rf).configs(configs);
            admin.createTopics(List.of(t)).all().get(s.writeTimeoutMs(), TimeUnit.MILLISECONDS);
            LOG.info("created cluster log topic '" + name + "' (1 partition, replication factor " + rf
                    + ", min.insync.replicas " + isr + ")");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return; // another node made it meanwhile
            }
            throw new IllegalStateException("cannot create the cluster log topic '" + name + "' at "
                    + s.bootstrapServers() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + s.bootstrapServers() + " within "
                    + s.writeTimeoutMs() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public CompletableFuture<Long> append(byte[] command) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(s.topic(), 0, null, command), (meta, e) -> {
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(meta.offset());
                }
            });
        } catch (RuntimeException e) { // metadata not available within max.block.ms, or closed
            f.completeExceptionally(e);
        }
        return f;
    }

    @Override
    public long endOffset(long timeoutMs) {
        return offset(OffsetSpec.latest(), timeoutMs);
    }

    @Override
    public long startOffset(long timeoutMs) {
        return offset(OffsetSpec.earliest(), timeoutMs);
    }

    private long offset(OffsetSpec spec, long timeoutMs) {
        try {
            return admin.listOffsets(Map.of(partition, spec)).partitionResult(partition)
                    .get(timeoutMs, TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + s.bootstrapServers() + " did not answer within " + timeoutMs
                    + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void follow(long offset, Follower sink, Consumer<Throwable> onFailure) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps("follower"));
        c.assign(List.of(partition));
        c.seek(partition, offset);
        followConsumer = c;
        Thread t = new Thread(() -> followLoop(c, sink, onFailure), "topics-cluster-applier");
        t.setDaemon(true);
        follower = t;
        t.start();
    }

    private void followLoop(KafkaConsumer<byte[], byte[]> c, Follower sink, Consumer<Throwable> onFailure) {
        long failures = 0;
        try {
            while (!closed) {
                try {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        sink.command(r.offset(), r.value());
                    }
                    failures = 0;
                } catch (OffsetOutOfRangeException e) {
                    onFailure.accept(new IllegalStateException("the cluster log no longer holds offset "
                            + c.position(partition) + " that this node needs next (retention): " + e.getMessage(), e));
                    return;
                } catch (WakeupException e) {
                    return;
                } catch (org.apache.kafka.common.KafkaException e) {
                    if (closed) {
                        return;
                    }
                    if (failures++ % 50 == 0) {
                        LOG.log(Level.WARNING, "reading the cluster log failed; retrying: " + e.getMessage());
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            // closing
        } catch (RuntimeException e) {
            onFailure.accept(e);
        } finally {
            c.close(Duration.ofSeconds(1));
        }
    }

    /** Keeps this node a member of the workers' group; Kafka's assignment says who leads. */
    private void memberLoop() {
        try {
            memberConsumer.subscribe(List.of(s.topic() + "-workers"), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> parts) {
                    if (!parts.isEmpty() && leads) {
                        leads = false;
                        LOG.info("this node no longer runs the cluster's workers");
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> parts) {
                    if (!parts.isEmpty()) {
                        leads = true;
                        LOG.info("this node runs the cluster's workers (routers, webhooks, expiry, retention)");
                    }
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> parts) {
                    if (leads) {
                        leads = false;
                        LOG.warning("this node lost the cluster's workers (it missed the group's heartbeats)");
                    }
                }
            });
            long failures = 0;
            while (!closed) {
                try {
                    memberConsumer.poll(Duration.ofMillis(200)); // the partition holds nothing: membership only
                    failures = 0;
                } catch (WakeupException e) {
                    return;
                } catch (org.apache.kafka.common.KafkaException e) {
                    if (failures++ % 50 == 0) {
                        LOG.warning("the cluster's worker group: " + e.getMessage());
                    }
                    leads = false;
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            leads = false;
            memberConsumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public boolean leads() {
        return leads && !closed;
    }

    @Override
    public SnapshotStore snapshots() {
        return snapshots;
    }

    @Override
    public String describe() {
        return "kafka " + s.bootstrapServers() + " topic " + s.topic();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        leads = false;
        memberConsumer.wakeup();
        KafkaConsumer<byte[], byte[]> fc = followConsumer;
        if (fc != null) {
            fc.wakeup();
        }
        join(follower);
        if (memberStarted) {
            join(member);
        } else {
            memberConsumer.close(Duration.ofSeconds(1));
        }
        snapshots.close();
        producer.close(Duration.ofSeconds(2));
        admin.close(Duration.ofSeconds(2));
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
