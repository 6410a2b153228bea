package dev.topics.storage.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.Origin;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.RecordView;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.TopicPatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Test support for crash-recovery tests: a deterministic workload against a
 * {@link Storage}, and a complete, comparable picture of what a storage holds (every
 * topic's {@link TopicInfo} and every record byte for byte).
 */
final class StorageState {
    /** One record as read back: everything a reader can see of it. */
    record Rec(long seq, long ts, String dataHex, String tag, String node, Origin origin, String contentType) {
        static Rec of(RecordView v) {
            return new Rec(v.seq(), v.ts(), HexFormat.of().formatHex(v.data()), v.tag(), v.node(), v.origin(),
                    v.contentType());
        }
    }

    /** A topic as a reader sees it. */
    record TopicState(TopicInfo info, List<Rec> records) {
    }

    /** An acknowledged, non-deduplicated write: seqs {@code first..last} of {@code topic}. */
    record Batch(String topic, long first, long last) {
    }

    /** The parts of an {@link AppendResult} a repeated idempotency key must reproduce. */
    record KeyedResult(String topic, String key, long firstSeq, long lastSeq, long headSeq, long count, boolean created) {
        static KeyedResult of(String topic, String key, AppendResult r) {
            return new KeyedResult(topic, key, r.firstSeq(), r.lastSeq(), r.headSeq(), r.count(), r.created());
        }
    }

    private StorageState() {
    }

    /** Every topic (by name) with its info and all its records. */
    static Map<String, TopicState> capture(Storage s) {
        Map<String, TopicState> out = new TreeMap<>();
        for (TopicInfo info : s.list("", null, Integer.MAX_VALUE)) {
            List<Rec> recs = readAll(s, info.name());
            // the info must be the one matching the records (no writes run during a capture)
            out.put(info.name(), new TopicState(s.topic(info.name()), recs));
        }
        return out;
    }

    static List<Rec> readAll(Storage s, String topic) {
        List<Rec> out = new ArrayList<>();
        long from = 0;
        while (true) {
            ReadResult r = s.read(topic, from, 1000, Long.MAX_VALUE, null, null);
            assertThat(r.tombstone()).as("tombstone reading %s from %d", topic, from).isNull();
            for (RecordView v : r.records()) {
                out.add(Rec.of(v));
            }
            if (r.records().isEmpty() || r.nextFromSeq() >= r.headSeq()) {
                return out;
            }
            from = r.nextFromSeq();
        }
    }

    /** What survives a restart: the durable topics only. */
    static Map<String, TopicState> durableOnly(Map<String, TopicState> all) {
        Map<String, TopicState> out = new TreeMap<>();
        all.forEach((name, t) -> {
            if (t.info().config().durable()) {
                out.put(name, t);
            }
        });
        return out;
    }

    /** Asserts {@code s} holds exactly {@code expected}, topic by topic, record by record. */
    static void assertHolds(Storage s, Map<String, TopicState> expected, String context) {
        Map<String, TopicState> got = capture(s);
        assertThat(got.keySet()).as("%s: topics", context).containsExactlyElementsOf(expected.keySet());
        for (String name : expected.keySet()) {
            TopicState e = expected.get(name);
            TopicState g = got.get(name);
            assertThat(g.info()).as("%s: info of %s", context, name).isEqualTo(e.info());
            assertThat(g.records().size()).as("%s: record count of %s", context, name).isEqualTo(e.records().size());
            for (int i = 0; i < e.records().size(); i++) {
                assertThat(g.records().get(i)).as("%s: record %d of %s", context, i, name).isEqualTo(e.records().get(i));
            }
        }
    }

    /** Asserts every logged batch of a surviving topic is there whole or not at all. */
    static void assertNoPartialBatch(Storage s, List<Batch> batches, String context) {
        Map<String, TopicState> got = capture(s);
        for (Batch b : batches) {
            TopicState t = got.get(b.topic());
            if (t == null) {
                continue;
            }
            long present = t.records().stream().filter(r -> r.seq() >= b.first() && r.seq() <= b.last()).count();
            assertThat(present).as("%s: records of batch %s present", context, b)
                    .isIn(0L, b.last() - b.first() + 1);
        }
    }

    /** Makes sure the committer has finished everything it was handed, its between-group duties included. */
    static void quiesce(Storage s) {
        // A change to a topic that does not exist goes through the committer and fails
        // there, after the duties that followed every earlier group, and writes nothing.
        try {
            s.patchTopic("\u0000no-such-topic (barrier)", TopicPatch.EMPTY);
        } catch (StorageException.TopicNotFound expected) {
            // the barrier passed
        }
    }

    /**
     * A reproducible mix of writes: several durable topics (fsync and async, created by
     * {@code putTopic} and by appends, one with a changed config), a {@code durable: false}
     * topic, a deleted topic, a deleted and recreated topic, tags, nodes, origins,
     * idempotency keys and repeated keys.
     */
    static final class Workload {
        static final String ORDERS = "orders";
        static final String METRICS = "metrics/cpu";
        static final String SCRATCH = "scratch";
        static final String CFG = "cfg";
        static final String GONE = "gone";
        static final String AGAIN = "again";
        static final String AUTO = "auto/x";
        static final List<String> WRITABLE = List.of(ORDERS, METRICS, SCRATCH, CFG, AGAIN, AUTO);

        final Random rnd;
        final List<Batch> batches = new ArrayList<>();
        final Map<String, KeyedResult> keyed = new LinkedHashMap<>();
        int records;
        int keys;

        Workload(long seed) {
            rnd = new Random(seed);
        }

        void setUp(Storage s) {
            s.putTopic(ORDERS, new TopicPatch(null, 5000L, 1L << 30, TopicConfig.Discard.NEW, null, null, false,
                    300_000L, false, true, null), "alice", TopicConfig.DEFAULTS);
            s.putTopic(METRICS, new TopicPatch(null, null, null, null, null, TopicConfig.Durability.ASYNC, null, null,
                    null, null, null), "ops", TopicConfig.DEFAULTS);
            s.putTopic(SCRATCH, new TopicPatch(null, null, null, null, false, null, null, null, null, null, null), null,
                    TopicConfig.DEFAULTS);
            s.putTopic(CFG, TopicPatch.EMPTY, "carol", TopicConfig.DEFAULTS);
            append(s, CFG, 2, null);
            s.patchTopic(CFG, new TopicPatch(60_000L, 1000L, null, null, null, TopicConfig.Durability.ASYNC, null,
                    10_000L, true, null, true));
            s.putTopic(GONE, TopicPatch.EMPTY, "dave", TopicConfig.DEFAULTS);
            append(s, GONE, 3, "gone-key");
            append(s, GONE, 1, null);
            delete(s, GONE);
            append(s, AGAIN, 2, "again-key");
            append(s, AGAIN, 2, null);
            delete(s, AGAIN);
            AppendResult r = append(s, AGAIN, 1, "again-key"); // recreated: starts over, key forgotten
            assertThat(r.firstSeq()).isEqualTo(1);
            assertThat(r.created()).isTrue();
            assertThat(r.deduped()).isFalse();
        }

        void delete(Storage s, String topic) {
            s.deleteTopic(topic);
            batches.removeIf(b -> b.topic().equals(topic));
            keyed.values().removeIf(k -> k.topic().equals(topic));
        }

        /** {@code n} random batches over the writable topics, some keyed, some repeating a key. */
        void random(Storage s, int n) {
            for (int i = 0; i < n; i++) {
                if (!keyed.isEmpty() && rnd.nextInt(8) == 0) {
                    repeatKey(s);
                    continue;
                }
                String topic = WRITABLE.get(rnd.nextInt(WRITABLE.size()));
                String key = rnd.nextInt(3) == 0 ? "key-" + (++keys) + "-ü" : null;
                append(s, topic, 1 + rnd.nextInt(5), key);
            }
        }

        void repeatKey(Storage s) {
            List<KeyedResult> all = new ArrayList<>(keyed.values());
            KeyedResult k = all.get(rnd.nextInt(all.size()));
            AppendResult again = s.append(new AppendRequest(k.topic(), batch(k.topic(), 2, false), k.key(),
                    owner(k.topic()), TopicConfig.DEFAULTS));
            assertThat(again.deduped()).as("repeat of %s", k.key()).isTrue();
            assertThat(KeyedResult.of(k.topic(), k.key(), again)).isEqualTo(k);
        }

        static String owner(String topic) {
            return topic.equals(AUTO) ? "bob" : null;
        }

        AppendResult append(Storage s, String topic, int n, String key) {
            return append(s, topic, batch(topic, n, false), key);
        }

        /** A write of {@code n} short records, so its frame is small. */
        AppendResult appendSmall(Storage s, String topic, int n, String key) {
            return append(s, topic, batch(topic, n, true), key);
        }

        AppendResult append(Storage s, String topic, RecordBatch b, String key) {
            AppendResult r = s.append(new AppendRequest(topic, b, key, owner(topic), TopicConfig.DEFAULTS));
            assertThat(r.deduped()).isFalse();
            assertThat(r.lastSeq() - r.firstSeq() + 1).isEqualTo(b.count());
            batches.add(new Batch(topic, r.firstSeq(), r.lastSeq()));
            if (key != null) {
                keyed.put(topic + "\u0000" + key, KeyedResult.of(topic, key, r));
            }
            return r;
        }

        private final Map<String, Long> originSeqs = new HashMap<>();

        RecordBatch batch(String topic, int n, boolean small) {
            RecordBatch b = new RecordBatch(256);
            for (int i = 0; i < n; i++) {
                records++;
                String data = "{\"n\":" + records + ",\"s\":\"" + text(small ? 3 : rnd.nextInt(120)) + "\"}";
                String tag = rnd.nextInt(3) == 0 ? null : rnd.nextBoolean() ? "tag-" + rnd.nextInt(5) : "tåg/✓-" + rnd.nextInt(3);
                String node = rnd.nextInt(3) == 0 ? "n-" + rnd.nextInt(4) : null;
                // origin seqs rise per source, as a FIFO router's do (SPEC §8): none is a re-send
                String source = "n-src" + rnd.nextInt(2);
                Origin origin = rnd.nextInt(4) == 0
                        ? new Origin(source, "src/" + topic, originSeqs.merge(source + "/" + topic,
                                1L + rnd.nextInt(1_000), Long::sum))
                        : null;
                b.add(data.getBytes(StandardCharsets.UTF_8), tag, node, origin);
            }
            return b;
        }

        private String text(int len) {
            String alphabet = "abcxyzABC 0189-_.é✓ß";
            StringBuilder sb = new StringBuilder(len);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            return sb.toString();
        }
    }
}
