package dev.topics.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.engine.LocalStorage;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.testing.Await;
import dev.topics.testing.Corruptor;
import dev.topics.testing.MemoryTempDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to each kind of file is either survived with every acknowledged record intact
 * (derived files: indexes, Bloom filters) or refused with the file named and nothing cut
 * or deleted (WAL, segments, snapshots) — never a start that quietly serves less
 * (docs/RELIABILITY.md). Crashes are simulated by copying a live data directory whose
 * writes were all acknowledged, then damaging the copy.
 */
class DamageRecoveryTest {
    @TempDir
    Path fallback;
    Path dir;

    @BeforeEach
    void setUp() {
        dir = MemoryTempDir.create(fallback);
    }

    @AfterEach
    void tearDown() {
        MemoryTempDir.delete(dir, fallback);
    }

    /** Small segments and WAL files, so that every kind of file exists several times. */
    private static StorageOptions options(Path data) {
        return new StorageOptions(data, null, 200, 1024, 8192, 256, 512, 600_000, 1L << 30, 600_000);
    }

    private static String data(long i) {
        return "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(30) + "\"}";
    }

    private static void write(Storage s, long i) {
        RecordBatch b = new RecordBatch(64).add(data(i).getBytes(StandardCharsets.UTF_8), "tag-" + (i % 5), null, null);
        s.append(new AppendRequest("t", b, null, null, TopicConfig.DEFAULTS));
    }

    /**
     * A crash copy: 200 records, a snapshot, 100 more (in the WAL after it). Every write was
     * acknowledged before the copy. Returns the acknowledged data by seq.
     */
    private Map<Long, String> crashCopy(Path crash) throws IOException {
        Path live = dir.resolve("live");
        Map<Long, String> acked = new LinkedHashMap<>();
        try (LocalStorage s = LocalStorage.open(options(live))) {
            for (long i = 1; i <= 200; i++) {
                write(s, i);
                acked.put(i, data(i));
            }
            s.snapshot();
            for (long i = 201; i <= 300; i++) {
                write(s, i);
                acked.put(i, data(i));
            }
            Corruptor.copyTree(live, crash);
        }
        return acked;
    }

    private static Map<Long, String> readAll(Storage s) {
        Map<Long, String> out = new LinkedHashMap<>();
        long from = 0;
        while (true) {
            ReadResult r = s.read("t", from, 1000, 1 << 20, null, null);
            for (RecordView v : r.records()) {
                out.put(v.seq(), new String(v.data(), StandardCharsets.UTF_8));
            }
            if (r.nextFromSeq() >= r.headSeq()) {
                return out;
            }
            from = r.nextFromSeq();
        }
    }

    private static Path topicDir(Path data) {
        return FileNames.topicDir(data, 1);
    }

    private static List<Path> files(Path d, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** A snapshot of every file's bytes, to prove a refusal changed nothing. */
    private static Map<Path, byte[]> contents(Path data) throws IOException {
        Map<Path, byte[]> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(data)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals("LOCK")) {
                    out.put(data.relativize(p), Files.readAllBytes(p));
                }
            }
        }
        return out;
    }

    /**
     * Refused with the file named, and no source file that was there is removed or changed:
     * the WAL, the snapshot, the segments the snapshot covers (up to seq 200). Index and
     * Bloom files are derived, and later segments are held by the WAL: recovery may have
     * begun to make them again before it found the damage.
     */
    private static void assertRefusedUntouched(Path data, String fileNamed) throws IOException {
        Map<Path, byte[]> before = contents(data);
        before.keySet().removeIf(p -> p.startsWith("topics")
                && FileNames.parse(p.getFileName().toString(), FileNames.SEGMENT_SUFFIX) > 200
                || p.toString().endsWith(FileNames.INDEX_SUFFIX) || p.toString().endsWith(FileNames.BLOOM_SUFFIX));
        assertThatThrownBy(() -> LocalStorage.open(options(data)).close())
                .isInstanceOf(CorruptFrame.class).hasMessageContaining(fileNamed);
        Map<Path, byte[]> after = contents(data);
        assertThat(after.keySet()).as("no file removed").containsAll(before.keySet());
        for (Path p : before.keySet()) {
            assertThat(Arrays.equals(after.get(p), before.get(p))).as("%s unchanged", p).isTrue();
        }
    }

    @Test
    void aFlippedByteInsideTheWalWithAcknowledgedFramesAfterItIsRefusedThenRepaired() throws IOException {
        Path crash = dir.resolve("crash");
        Map<Long, String> acked = crashCopy(crash);
        List<Path> wals = Corruptor.walFiles(crash);
        Path last = wals.get(wals.size() - 1);
        List<Corruptor.Frame> frames = Corruptor.frames(last);
        assertThat(frames).hasSizeGreaterThan(10);
        Corruptor.Frame victim = frames.get(frames.size() / 2);
        Corruptor.flipBit(last, victim.start() + victim.length() / 2, 3);
        assertRefusedUntouched(crash, last.getFileName().toString());

        try (LocalStorage r = LocalStorage.open(options(crash), true)) {
            String report = r.recovery().repaired();
            assertThat(report).contains(last.getFileName().toString()).contains("records of 't'")
                    .contains(crash.resolve("repair").toString());
            Map<Long, String> got = readAll(r);
            // a point-in-time repair: an unbroken prefix of what was acknowledged, none altered
            long n = got.size();
            assertThat(n).isLessThan(acked.size()).isGreaterThanOrEqualTo(200);
            for (long seq = 1; seq <= n; seq++) {
                assertThat(got.get(seq)).as("seq %d", seq).isEqualTo(acked.get(seq));
            }
            assertThat(report).contains("seqs " + (n + 1) + "..");
        }
        try (Stream<Path> kept = Files.walk(crash.resolve("repair"))) {
            assertThat(kept.filter(p -> p.getFileName().toString().equals(last.getFileName().toString())))
                    .as("the damaged file is kept as it was").hasSize(1);
        }
    }

    @Test
    void aMissingNewestWalFileAfterAnEndedOneIsRefused() throws IOException {
        Path crash = dir.resolve("crash");
        crashCopy(crash);
        List<Path> wals = Corruptor.walFiles(crash);
        assertThat(wals).hasSizeGreaterThanOrEqualTo(2);
        Path newest = wals.get(wals.size() - 1);
        Files.delete(newest);
        assertRefusedUntouched(crash, newest.getFileName().toString());
    }

    @Test
    void aMissingSnapshotIsRefusedAndNoTopicFileIsDeleted() throws IOException {
        Path crash = dir.resolve("crash");
        crashCopy(crash);
        for (Path p : files(crash.resolve(FileNames.SNAPSHOT_DIR), FileNames.SNAPSHOT_SUFFIX)) {
            Files.delete(p);
        }
        assertRefusedUntouched(crash, FileNames.walName(1));
    }

    @Test
    void aMissingSealedSegmentIsRefused() throws IOException {
        Path crash = dir.resolve("crash");
        crashCopy(crash);
        List<Path> segs = files(topicDir(crash), FileNames.SEGMENT_SUFFIX);
        assertThat(segs).hasSizeGreaterThan(4);
        Files.delete(segs.get(2));
        assertRefusedUntouched(crash, "segment file is missing");
    }

    @Test
    void aMissingActiveSegmentIsRefused() throws IOException {
        Path crash = dir.resolve("crash");
        crashCopy(crash);
        // the snapshot's active segment: the newest one at or below the snapshot's head (200)
        List<Path> segs = files(topicDir(crash), FileNames.SEGMENT_SUFFIX);
        Path active = null;
        for (Path p : segs) {
            if (FileNames.parse(p.getFileName().toString(), FileNames.SEGMENT_SUFFIX) <= 200) {
                active = p;
            }
        }
        Files.delete(active);
        assertRefusedUntouched(crash, "segment file is missing");
    }

    @Test
    void aSealedSegmentCutShortIsRefused() throws IOException {
        Path crash = dir.resolve("crash");
        crashCopy(crash);
        Path seg = files(topicDir(crash), FileNames.SEGMENT_SUFFIX).get(1);
        Corruptor.truncate(seg, Corruptor.size(seg) - 7);
        assertRefusedUntouched(crash, seg.getFileName().toString());
    }

    @Test
    void aFlippedBitInASealedSegmentStartsButReadingItIsAnErrorNeverAlteredData() throws IOException {
        Path crash = dir.resolve("crash");
        Map<Long, String> acked = crashCopy(crash);
        Path seg = files(topicDir(crash), FileNames.SEGMENT_SUFFIX).get(1);
        long base = FileNames.parse(seg.getFileName().toString(), FileNames.SEGMENT_SUFFIX);
        Corruptor.flipBit(seg, 16 + 40, 2); // inside the segment's first record's data
        try (LocalStorage r = LocalStorage.open(options(crash))) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(StorageException.Damaged.class);
            // what lies before the damaged record reads as it was written
            ReadResult before = r.read("t", 0, (int) (base - 1), 1 << 20, null, null);
            assertThat(before.records()).hasSize((int) (base - 1));
            for (RecordView v : before.records()) {
                assertThat(new String(v.data(), StandardCharsets.UTF_8)).isEqualTo(acked.get(v.seq()));
            }
        }
    }

    @Test
    void damagedOrMissingIndexAndBloomFilesAreRebuiltWithEveryRecordIntact() throws IOException {
        Path crash = dir.resolve("crash");
        Map<Long, String> acked = crashCopy(crash);
        List<Path> idx = files(topicDir(crash), FileNames.INDEX_SUFFIX);
        List<Path> bloom = files(topicDir(crash), FileNames.BLOOM_SUFFIX);
        assertThat(idx).hasSizeGreaterThan(3);
        assertThat(bloom).hasSizeGreaterThan(3);
        Files.delete(idx.get(0));
        Corruptor.flipBit(idx.get(1), Corruptor.size(idx.get(1)) / 2, 1);
        Corruptor.truncate(idx.get(2), Corruptor.size(idx.get(2)) - 3);
        Files.delete(bloom.get(0));
        Corruptor.flipBit(bloom.get(1), Corruptor.size(bloom.get(1)) / 2, 1);
        Corruptor.truncate(bloom.get(2), Corruptor.size(bloom.get(2)) - 3);
        try (LocalStorage r = LocalStorage.open(options(crash))) {
            assertThat(readAll(r)).isEqualTo(acked);
            // tag deletes consult the filters: a damaged one must not hide a record
            RecordFilter tag0 = dev.topics.filter.FilterExpr.compile(
                    "[\"tag\",\"Eq\",\"tag-0\"]".getBytes(StandardCharsets.UTF_8));
            assertThat(r.deleteRecords("t", tag0, 0, Long.MAX_VALUE).deleted()).isEqualTo(60);
        }
    }

    @Test
    void aDamagedSnapshotIsRefused() throws IOException {
        Path crash = dir.resolve("crash");
        crashCopy(crash);
        Path snap = files(crash.resolve(FileNames.SNAPSHOT_DIR), FileNames.SNAPSHOT_SUFFIX).get(0);
        Corruptor.flipBit(snap, Corruptor.size(snap) / 2, 0);
        assertRefusedUntouched(crash, snap.getFileName().toString());
    }

    @Test
    void deletesInTheSnapshotsActiveSegmentAreStillErasedOnceANewerSnapshotIsDurable() throws IOException {
        // The invariant behind recovery's trust in a snapshot's active segment: deletes in it
        // are erased only after a newer snapshot moved past it.
        Path live = dir.resolve("live");
        StorageOptions o = new StorageOptions(live, null, 200, 1024, 8192, 256, 512, 600_000, 1L << 30, 100);
        try (LocalStorage s = LocalStorage.open(o)) {
            for (long i = 1; i <= 60; i++) {
                write(s, i);
            }
            s.snapshot();
            List<Path> before = new ArrayList<>(files(topicDir(live), FileNames.SEGMENT_SUFFIX));
            Path active = before.get(before.size() - 1);
            byte[] activeBytes = Files.readAllBytes(active);
            RecordFilter all = dev.topics.filter.FilterExpr.compile(
                    "[\"tag\",\"In\",[\"tag-0\",\"tag-1\",\"tag-2\",\"tag-3\",\"tag-4\"]]".getBytes(StandardCharsets.UTF_8));
            long activeBase = FileNames.parse(active.getFileName().toString(), FileNames.SEGMENT_SUFFIX);
            s.deleteRecords("t", all, activeBase, Long.MAX_VALUE);
            // a compaction pass rolls the active segment and asks for a snapshot; once that one
            // is durable the old active segment is compacted too
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (Arrays.equals(Files.readAllBytes(active), activeBytes) && System.nanoTime() < deadline) {
                Await.sleep(20);
            }
            assertThat(Arrays.equals(Files.readAllBytes(active), activeBytes)).as("compacted in the end").isFalse();
            assertThat(Corruptor.size(active)).isLessThan(activeBytes.length);
        }
    }
}
