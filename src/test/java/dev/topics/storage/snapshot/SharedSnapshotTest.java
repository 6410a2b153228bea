package dev.topics.storage.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.io.CorruptFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared snapshot's format and checks (docs/CLUSTER.md, "Shared snapshots"), on real files,
 * against a store kept in a list: what Kafka adds (durability, compaction) is the cluster
 * tests' (ClusterSharedSnapshotTest); this checks what the writer puts and what a reader
 * accepts: files come back byte for byte, a second snapshot puts only changed chunks and
 * removes the ones no longer named, a damaged chunk or a path outside the data directory's
 * own places is refused and named, and a share cut short leaves the previous one restorable.
 */
class SharedSnapshotTest {
    @TempDir
    Path tmp;

    /** A store as Kafka's compacted topic behaves between compactions: every put, in order. */
    static final class ListStore implements SnapshotStore {
        final List<Map.Entry<String, byte[]>> puts = new ArrayList<>();

        @Override
        public void put(String key, byte[] value) {
            puts.add(new java.util.AbstractMap.SimpleEntry<>(key, value));
        }

        @Override
        public void flush() {
        }

        @Override
        public void scan(Visitor visitor) throws IOException {
            for (var e : List.copyOf(puts)) {
                visitor.blob(e.getKey(), e.getValue());
            }
        }

        @Override
        public int maxValueBytes() {
            return (2 << 20) - (64 << 10);
        }

        @Override
        public String describe() {
            return "a list";
        }

        /** What compaction would leave: the newest value per key, removed keys gone. */
        Map<String, byte[]> live() {
            Map<String, byte[]> m = new LinkedHashMap<>();
            for (var e : puts) {
                if (e.getValue() == null) {
                    m.remove(e.getKey());
                } else {
                    m.put(e.getKey(), e.getValue());
                }
            }
            return m;
        }

        long chunkPuts() {
            return puts.stream().filter(e -> e.getKey().startsWith("c/") && e.getValue() != null).count();
        }
    }

    private Path file(Path dataDir, String rel, byte[] content) throws IOException {
        Path p = dataDir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<SharedSnapshot.Source> sources(Path dataDir, String... rels) throws IOException {
        List<SharedSnapshot.Source> out = new ArrayList<>();
        for (String rel : rels) {
            Path p = dataDir.resolve(rel);
            out.add(new SharedSnapshot.Source(rel, p, Files.size(p)));
        }
        return out;
    }

    /** A data directory as a new node has it: {@code snapshots/} and {@code topics/}, empty. */
    private Path emptyDataDir() throws IOException {
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.createDirectories(b.resolve("snapshots"));
        Files.createDirectories(b.resolve("topics"));
        return b;
    }

    /** A writer that has shared a 3-chunk sealed segment and a snapshot file at offset 10. */
    private SharedSnapshot.Writer sharedOnce(Path a, ListStore store) throws IOException {
        file(a, SEG1, random(3 << 20, 1));
        file(a, SNAP, random(300, 3));
        SharedSnapshot.Writer w = new SharedSnapshot.Writer(store);
        w.write(10, sources(a, SEG1, SNAP), () -> false);
        return w;
    }

    private static final String SEG1 = "topics/1/00000000000000000001.seg";
    private static final String SEG2 = "topics/1/00000000000000000900.seg";
    private static final String SEG3 = "topics/7/00000000000000000001.seg";
    private static final String SNAP = "snapshots/00000000000000000004.snap";

    @Test
    void aRestoredSnapshotHoldsEveryFileByteForByte() throws Exception {
        Path a = tmp.resolve("a");
        byte[] big = random((5 << 20) / 2, 1); // 2.5 chunks
        file(a, SEG1, big);
        file(a, SEG3, "small".getBytes());
        file(a, SNAP, random(300, 2));
        ListStore store = new ListStore();
        SharedSnapshot.Shared s = new SharedSnapshot.Writer(store).write(41, sources(a, SEG1, SEG3, SNAP), () -> false);
        assertThat(s.files()).isEqualTo(3);
        assertThat(s.chunksPut()).isEqualTo(s.chunks()).isEqualTo(3 + 1 + 1 + 1); // and one for the manifest's body

        Path b = emptyDataDir();
        file(b, "topics/3/00000000000000000001.seg", "old".getBytes()); // an old local state goes
        file(b, "snapshots/00000000000000000002.snap", "old".getBytes());
        SharedSnapshot.Fetched f = SharedSnapshot.fetch(store, b.resolve("restore"));
        assertThat(f.offset()).isEqualTo(41);
        assertThat(f.bytes()).isEqualTo(big.length + 5 + 300);
        SharedSnapshot.install(f, b);
        assertThat(Files.readAllBytes(b.resolve(SEG1))).isEqualTo(big);
        assertThat(Files.readString(b.resolve(SEG3))).isEqualTo("small");
        assertThat(Files.readAllBytes(b.resolve(SNAP))).isEqualTo(Files.readAllBytes(a.resolve(SNAP)));
        assertThat(b.resolve("topics/3")).doesNotExist();
        assertThat(b.resolve("snapshots/00000000000000000002.snap")).doesNotExist();
        assertThat(b.resolve("restore")).doesNotExist();
    }

    @Test
    void aSecondSnapshotPutsOnlyChangedChunksAndRemovesTheOnesNoLongerNamed() throws Exception {
        Path a = tmp.resolve("a");
        file(a, SEG1, random(3 << 20, 1)); // sealed: three chunks that do not change
        file(a, SEG2, random(1000, 2)); // the active segment
        file(a, SNAP, random(300, 3));
        ListStore store = new ListStore();
        SharedSnapshot.Writer w = new SharedSnapshot.Writer(store);
        w.write(10, sources(a, SEG1, SEG2, SNAP), () -> false);
        long first = store.chunkPuts();

        Files.write(a.resolve(SEG2), random(10, 4), StandardOpenOption.APPEND);
        Files.delete(a.resolve(SNAP));
        String snap2 = "snapshots/00000000000000000005.snap";
        file(a, snap2, random(300, 5));
        SharedSnapshot.Shared s = w.write(20, sources(a, SEG1, SEG2, snap2), () -> false);
        assertThat(store.chunkPuts() - first).as("the active segment, the snapshot and the body").isEqualTo(3);
        assertThat(s.bytesRead()).as("the unchanged sealed segment is not read again").isEqualTo(1010 + 300);
        assertThat(s.chunksPut()).isEqualTo(3);
        assertThat(s.chunksRemoved()).as("the first snapshot's active segment, file and body chunks").isEqualTo(3);
        // compaction would leave exactly what the newest manifest names
        assertThat(store.live().keySet().stream().filter(k -> k.startsWith("c/")).count()).isEqualTo(s.chunks());

        Path b = emptyDataDir();
        SharedSnapshot.install(SharedSnapshot.fetch(store, b.resolve("restore")), b);
        assertThat(Files.readAllBytes(b.resolve(SEG2))).isEqualTo(Files.readAllBytes(a.resolve(SEG2)));
        assertThat(b.resolve(snap2)).exists();
        assertThat(b.resolve(SNAP)).doesNotExist();
    }

    @Test
    void aSealedFileReplacedByAnotherOfTheSameSizeIsReadAgain() throws Exception {
        Path a = tmp.resolve("a");
        ListStore store = new ListStore();
        SharedSnapshot.Writer w = sharedOnce(a, store);
        // as compaction does: a new file of the same size renamed over the name
        byte[] rewritten = random(3 << 20, 2);
        Path tmpFile = file(a, SEG1 + ".tmp", rewritten);
        Files.move(tmpFile, a.resolve(SEG1), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        SharedSnapshot.Shared s = w.write(11, sources(a, SEG1, SNAP), () -> false);
        assertThat(s.bytesRead()).as("the new file, not the unchanged snapshot file").isEqualTo(3 << 20);

        Path b = emptyDataDir();
        SharedSnapshot.install(SharedSnapshot.fetch(store, b.resolve("restore")), b);
        assertThat(Files.readAllBytes(b.resolve(SEG1))).isEqualTo(rewritten);
    }

    @Test
    void aDamagedChunkIsRefusedAndNamedAndNothingIsPutInPlace() throws Exception {
        Path a = tmp.resolve("a");
        file(a, SEG1, random(3000, 1));
        file(a, SNAP, random(300, 3));
        ListStore store = new ListStore();
        new SharedSnapshot.Writer(store).write(10, sources(a, SEG1, SNAP), () -> false);
        String key = store.live().keySet().stream().filter(k -> k.startsWith("c/")).findFirst().orElseThrow();
        store.put(key, "not what was shared".getBytes()); // the newest value of that key counts

        Path b = Files.createDirectories(tmp.resolve("b"));
        assertThatThrownBy(() -> SharedSnapshot.fetch(store, b.resolve("restore")))
                .isInstanceOf(CorruptFrame.class).hasMessageContaining(key).hasMessageContaining("does not match");
        assertThat(b.resolve("restore")).doesNotExist();
        try (Stream<Path> s = Files.list(b)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aManifestNamingAPathOutsideTheDataDirectorysOwnPlacesIsRefused() throws Exception {
        Path a = tmp.resolve("a");
        file(a, "x.seg", random(100, 1));
        for (String bad : List.of("../x.seg", "topics/1/../../x.seg", "/etc/x.seg", "topics/1/x.seg",
                "topics/abc/00000000000000000001.seg", "snapshots/1.snap", "wal/00000000000000000001.wal")) {
            ListStore store = new ListStore();
            new SharedSnapshot.Writer(store).write(1, List.of(new SharedSnapshot.Source(bad, a.resolve("x.seg"), 100)),
                    () -> false);
            Path b = Files.createDirectories(tmp.resolve("b"));
            assertThatThrownBy(() -> SharedSnapshot.fetch(store, b.resolve("restore")))
                    .as(bad).isInstanceOf(CorruptFrame.class).hasMessageContaining("'" + bad + "'");
            assertThat(b.resolve("restore")).doesNotExist();
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().equals("x.seg")))
                    .as("no file but the one shared").containsExactly(a.resolve("x.seg"));
        }
    }

    @Test
    void aShareCutShortLeavesThePreviousOneRestorableAndTheNextRemovesWhatItLeft() throws Exception {
        Path a = tmp.resolve("a");
        ListStore store = new ListStore();
        SharedSnapshot.Writer w = sharedOnce(a, store);

        file(a, SEG2, random(3 << 20, 9));
        AtomicInteger polls = new AtomicInteger();
        assertThatThrownBy(() -> w.write(30, sources(a, SEG1, SEG2, SNAP), () -> polls.incrementAndGet() > 1))
                .isInstanceOf(IOException.class);
        Path b = emptyDataDir();
        SharedSnapshot.Fetched f = SharedSnapshot.fetch(store, b.resolve("restore"));
        assertThat(f.offset()).as("the snapshot before the one cut short").isEqualTo(10);
        SharedSnapshot.install(f, b);
        assertThat(b.resolve(SEG2)).doesNotExist();

        // a writer that failed learns the store again, so what the cut-short one put goes
        SharedSnapshot.Shared s = w.write(40, sources(a, SEG1, SNAP), () -> false);
        assertThat(store.live().keySet().stream().filter(k -> k.startsWith("c/")).count()).isEqualTo(s.chunks());
    }

    @Test
    void aStoreHoldingNoSnapshotRestoresNothing() throws Exception {
        assertThat(SharedSnapshot.fetch(new ListStore(), tmp.resolve("restore"))).isNull();
        assertThat(tmp.resolve("restore")).doesNotExist();
    }
}
