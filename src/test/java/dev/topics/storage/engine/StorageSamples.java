package dev.topics.storage.engine;

import dev.topics.filter.FilterExpr;
import dev.topics.storage.AppendRequest;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.Origin;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.StreamCreate;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.StreamOp;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.wal.WalReader;
import dev.topics.testing.Corruptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Valid data directories written by the real engine, for {@link StorageFuzzTest}: the fuzzer
 * starts from these bytes, so it gets past the magic numbers, versions and CRCs at once. Every
 * kind of WAL frame, record part and snapshot section is in them: topics created by a write
 * and by a PUT, idempotency keys, tags, nodes, origins, a delete, a config change with the
 * evictions it causes, a control entry and its cursor, watch sessions, a topic deletion, sealed segments with index and Bloom files,
 * and Durable Streams state: streams with TTL and expiry, producers, a Stream-Seq, closing,
 * a fork at a byte sub-offset, and its source soft-deleted.
 *
 * <p>{@code main} rewrites the seeds (not the regression-* inputs) of the corpus from them; run
 * it after a format change:
 * <pre>
 *   mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 *   java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.topics.storage.engine.StorageSamples src/test/resources
 * </pre>
 */
final class StorageSamples {
    /** Small segments, so that the sample has sealed ones (with .idx and .bloom) as well as an active one. */
    static StorageOptions options(Path dataDir) {
        return new StorageOptions(dataDir, "fuzz-node", 200, 700, 64L << 20, 128, 1L << 20, 3_600_000, 1L << 40);
    }

    private StorageSamples() {
    }

    /**
     * WAL file 1 of the whole history, as a crash leaves it (no snapshot; the zero-filled space
     * the writer keeps ahead of itself left out).
     */
    static byte[] historyWal() throws IOException {
        Path dir = Files.createTempDirectory("topics-sample");
        try (LocalStorage s = LocalStorage.open(options(dir))) {
            firstPart(s);
            secondPart(s);
            Path walFile = dir.resolve(FileNames.WAL_DIR).resolve(FileNames.walName(1));
            byte[] wal = Files.readAllBytes(walFile);
            try (WalReader r = new WalReader(walFile)) {
                r.readAll((type, buf, off, len, position) -> { });
                return java.util.Arrays.copyOf(wal, (int) r.validEnd());
            }
        } finally {
            Corruptor.deleteTree(dir);
        }
    }

    /**
     * The same history with a snapshot half-way, copied into {@code crashCopy} while the engine
     * is open and idle (as a crash leaves it): a snapshot, segments, and the WAL after it.
     */
    static void snapshotted(Path crashCopy) throws IOException {
        Path dir = Files.createTempDirectory("topics-sample");
        try (LocalStorage s = LocalStorage.open(options(dir))) {
            firstPart(s);
            s.snapshot();
            secondPart(s);
            copyTree(dir, crashCopy);
        } finally {
            Corruptor.deleteTree(dir);
        }
    }

    private static void firstPart(LocalStorage s) {
        s.append(new AppendRequest("orders", batch(3, "a", "n1", new Origin("far", "src", 7)), "key-1", "alice",
                TopicConfig.DEFAULTS));
        s.append(new AppendRequest("logs", batch(24, "t", null, null), null, null, TopicConfig.DEFAULTS));
        s.putTopic("cfg", TopicPatch.EMPTY, null, TopicConfig.DEFAULTS);
        s.putControl(new ControlEntry(ControlEntry.Kind.SUBSCRIPTION, "orders/sub", json("{\"filter\":null}"), 1,
                List.of("orders")));
        s.putWatch("w1", json("{\"topics\":{\"orders\":0}}"));
        s.deleteRecords("logs", FilterExpr.compile(json("[\"tag\",\"Eq\",\"t3\"]")), 0, Long.MAX_VALUE);
        s.deleteRecords("logs", null, 5, 6);
        // a cap below the count: a TOPIC_CONFIG frame, and retention's EVICT frames
        s.patchTopic("logs", new TopicPatch(null, 20L, null, null, null, null, null, null, null, null, null));
        // Durable Streams: a byte stream, producer appends, a Stream-Seq, a fork at a byte sub-offset
        s.append(new AppendRequest("bytes", raw("hello"), null, null, TopicConfig.DEFAULTS, null,
                new StreamCreate("text/plain", 3600, 0, false, null, -1, 0), null));
        s.append(new AppendRequest("bytes", raw("world"), null, null, TopicConfig.DEFAULTS, null, null,
                new StreamOp(new StreamMeta.Producer("p1", 0, 0), "s1", false, true)));
        s.append(new AppendRequest("fork", new RecordBatch(0), null, null, TopicConfig.DEFAULTS, null,
                new StreamCreate(null, -1, 0, false, "bytes", 0, 3), null));
    }

    private static void secondPart(LocalStorage s) {
        s.append(new AppendRequest("orders", batch(2, "é", null, null), "key-2", null, TopicConfig.DEFAULTS));
        s.advanceCursor(new ControlEntry.Key(ControlEntry.Kind.SUBSCRIPTION, "orders/sub"), 3);
        s.append(new AppendRequest("logs", batch(10, "u", "n2", null), null, null, TopicConfig.DEFAULTS));
        s.putWatch("w2", json("{\"topics\":{\"logs\":3}}"));
        s.deleteWatch("w1");
        s.deleteTopic("cfg");
        // a JSON stream created closed, a close with a producer, the forked source soft-deleted
        s.append(new AppendRequest("json", batch(2, null, null, null), null, null, TopicConfig.DEFAULTS, null,
                new StreamCreate("application/json", -1, 4_102_444_800_000L, true, null, -1, 0), null));
        s.append(new AppendRequest("fork", raw("!"), null, null, TopicConfig.DEFAULTS, null, null,
                new StreamOp(new StreamMeta.Producer("p2", 1, 0), null, true, true)));
        s.deleteTopic("bytes");
    }

    /** One raw record of text/plain bytes (a Durable Streams byte stream). */
    private static RecordBatch raw(String text) {
        byte[] b = json(text);
        return new RecordBatch(64).addRaw(b, 0, b.length, "text/plain");
    }

    /** {@code n} records; tags get a number (tag3), so a filter can pick some. */
    private static RecordBatch batch(int n, String tag, String node, Origin origin) {
        RecordBatch b = new RecordBatch(256);
        for (int i = 0; i < n; i++) {
            Origin o = origin == null ? null : new Origin(origin.node(), origin.topic(), origin.seq() + i);
            b.add(json("{\"i\":" + i + ",\"s\":\"x y\"}"), tag == null ? null : tag + i, node, o);
        }
        return b;
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every file under {@code dir}, sorted (for copying and for picking seeds). */
    static List<Path> files(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (var s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).sorted().forEach(out::add);
        }
        return out;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** Writes the seed corpus of {@link StorageFuzzTest} under {@code args[0]} (src/test/resources). */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]).resolve("dev/topics/storage/engine/StorageFuzzTestInputs");
        Path tmp = Files.createTempDirectory("topics-seeds");
        try {
            byte[] wal = historyWal();
            for (String target : List.of("walRecovery", "walRecoveryCrcFixed")) {
                write(out.resolve(target).resolve("history.wal"), wal);
            }
            Path b = tmp.resolve("snapshotted");
            snapshotted(b);
            for (Path p : files(b)) {
                String name = p.getFileName().toString();
                byte[] bytes = Files.readAllBytes(p);
                if (name.endsWith(FileNames.SNAPSHOT_SUFFIX)) {
                    write(out.resolve("snapshotFile").resolve("sample.snap"), bytes);
                    int len = Bytes.i32(bytes, 16);
                    byte[] payload = java.util.Arrays.copyOfRange(bytes, 20, 20 + len);
                    write(out.resolve("snapshotPayload").resolve("sample.payload"), payload);
                } else if (name.endsWith(FileNames.SEGMENT_SUFFIX)) {
                    String seed = p.getParent().getFileName() + "-" + name; // topic id - base seq
                    for (String target : List.of("segment", "segmentCrcFixed")) {
                        write(out.resolve(target).resolve(seed), rebase(bytes));
                    }
                }
            }
        } finally {
            Corruptor.deleteTree(tmp);
        }
    }

    /** The segment target opens every input as the segment with base seq 1. */
    private static byte[] rebase(byte[] seg) {
        byte[] b = seg.clone();
        Bytes.put64(b, 8, 1);
        return b;
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }
}
