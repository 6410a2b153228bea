package dev.topics.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.engine.LocalStorage;
import dev.topics.testing.Corruptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §7: TTL and caps evict from the oldest end; discard: new refuses; tombstones tell readers. */
class RetentionTest {
    @TempDir
    Path dir;

    private static TopicPatch patch(Long ttl, Long capRecords, Long capBytes, TopicConfig.Discard discard) {
        return new TopicPatch(ttl, capRecords, capBytes, discard, null, null, null, null, null, null, null);
    }

    /** Records whose data is exactly 10 bytes: "\"rec-0001\"". */
    private static RecordBatch records(int from, int n) {
        RecordBatch b = new RecordBatch(64 * n);
        for (int i = from; i < from + n; i++) {
            b.add(String.format("\"rec-%04d\"", i).getBytes(StandardCharsets.UTF_8), null, null, null);
        }
        return b;
    }

    private static AppendResult write(Storage s, String t, int from, int n) {
        return s.append(new AppendRequest(t, records(from, n), null, null, TopicConfig.DEFAULTS));
    }

    private static List<Long> seqs(Storage s, String t) {
        return s.read(t, 0, 10_000, 1 << 20, null, null).records().stream().map(RecordView::seq).toList();
    }

    @Test
    void capRecordsEvictsTheOldestAndTheReaderBehindGetsARetentionTombstone() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            s.putTopic("capped", patch(null, 5L, null, null), null, TopicConfig.DEFAULTS);
            AppendResult r = write(s, "capped", 1, 8);
            assertThat(r.count()).as("count after the write counts what retention left").isEqualTo(5);
            assertThat(r.headSeq()).isEqualTo(8);
            TopicInfo info = s.topic("capped");
            assertThat(info.count()).isEqualTo(5);
            assertThat(info.earliestSeq()).isEqualTo(4);
            assertThat(info.bytes()).isEqualTo(50);
            assertThat(seqs(s, "capped")).containsExactly(4L, 5L, 6L, 7L, 8L);

            ReadResult behind = s.read("capped", 1, 100, 1 << 20, null, null);
            assertThat(behind.tombstone()).isEqualTo(new Tombstone.Retention(2, 3));
            assertThat(behind.records().get(0).seq()).isEqualTo(4);
            ReadResult current = s.read("capped", 3, 100, 1 << 20, null, null);
            assertThat(current.tombstone()).as("nothing after the cursor was evicted").isNull();
        }
    }

    @Test
    void capBytesEvictsUntilTheDataFits() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            s.putTopic("bytes", patch(null, null, 35L, null), null, TopicConfig.DEFAULTS);
            write(s, "bytes", 1, 6);
            assertThat(s.topic("bytes").bytes()).isEqualTo(30);
            assertThat(seqs(s, "bytes")).containsExactly(4L, 5L, 6L);
        }
    }

    @Test
    void discardNewRefusesTheWholeWriteAndChangesNothing() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            s.putTopic("full", patch(null, 5L, null, TopicConfig.Discard.NEW), null, TopicConfig.DEFAULTS);
            write(s, "full", 1, 4);
            assertThatThrownBy(() -> write(s, "full", 5, 2)).isInstanceOf(StorageException.TopicFull.class)
                    .hasMessageContaining("cap_records 5");
            assertThat(s.topic("full").headSeq()).isEqualTo(4);
            assertThat(write(s, "full", 5, 1).lastSeq()).isEqualTo(5);

            s.putTopic("fullbytes", patch(null, null, 25L, TopicConfig.Discard.NEW), null, TopicConfig.DEFAULTS);
            write(s, "fullbytes", 1, 2);
            assertThatThrownBy(() -> write(s, "fullbytes", 3, 1)).isInstanceOf(StorageException.TopicFull.class)
                    .hasMessageContaining("cap_bytes 25");
            assertThat(s.topic("fullbytes").count()).isEqualTo(2);
        }
    }

    @Test
    void aWriteThatWouldCreateAFullTopicLeavesNoTopicBehind() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            TopicConfig tiny = patch(null, 1L, null, TopicConfig.Discard.NEW).applyTo(TopicConfig.DEFAULTS);
            assertThatThrownBy(() -> s.append(new AppendRequest("born-full", records(1, 2), null, null, tiny)))
                    .isInstanceOf(StorageException.TopicFull.class);
            assertThatThrownBy(() -> s.topic("born-full")).isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(s.append(new AppendRequest("born-full", records(1, 1), null, null, tiny)).firstSeq()).isEqualTo(1);
        }
    }

    @Test
    void loweringACapByPatchAppliesAtOnce() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            write(s, "lowered", 1, 10);
            s.patchTopic("lowered", patch(null, 3L, null, null));
            assertThat(s.topic("lowered").count()).isEqualTo(3);
            assertThat(seqs(s, "lowered")).containsExactly(8L, 9L, 10L);
        }
    }

    @Test
    @Timeout(20)
    void ttlEvictsWithoutAnyWrite() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            s.putTopic("ttl", patch(300L, null, null, null), null, TopicConfig.DEFAULTS);
            write(s, "ttl", 1, 3);
            assertThat(s.topic("ttl").count()).isEqualTo(3);
            // the test is about time passing: the sweep runs every second
            while (s.topic("ttl").count() > 0) {
                Thread.sleep(50);
            }
            TopicInfo info = s.topic("ttl");
            assertThat(info.earliestSeq()).isEqualTo(4);
            assertThat(info.bytes()).isZero();
            ReadResult r = s.read("ttl", 0, 10, 1 << 20, null, null);
            assertThat(r.records()).isEmpty();
            assertThat(r.tombstone()).isEqualTo(new Tombstone.Retention(1, 3));
            assertThat(r.nextFromSeq()).isEqualTo(3);
        }
    }

    @Test
    void evictionsSurviveRestartsAndWholeSegmentsLeaveTheDisk() throws Exception {
        StorageOptions o = StorageOptions.defaults(dir).withSegmentBytes(4096).withTailBytes(256);
        Path crash = dir.resolveSibling(dir.getFileName() + "-crash");
        try (LocalStorage s = LocalStorage.open(o)) {
            s.putTopic("rolled", patch(null, 50L, null, null), null, TopicConfig.DEFAULTS);
            for (int i = 0; i < 40; i++) {
                write(s, "rolled", 1 + i * 10, 10);
            }
            assertThat(s.topic("rolled").earliestSeq()).isEqualTo(351);
            long segments;
            try (Stream<Path> files = Files.list(dir.resolve("topics"))) {
                Path topicDir = files.findFirst().orElseThrow();
                try (Stream<Path> segs = Files.list(topicDir)) {
                    segments = segs.filter(p -> p.toString().endsWith(".seg")).count();
                }
            }
            assertThat(segments).as("segments wholly evicted are deleted").isLessThan(6);
            Corruptor.copyTree(dir, crash);
        }
        for (Path d : List.of(dir, crash)) {
            try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(d).withSegmentBytes(4096).withTailBytes(256))) {
                assertThat(s.topic("rolled").count()).as(d.toString()).isEqualTo(50);
                assertThat(seqs(s, "rolled")).hasSize(50).first().isEqualTo(351L);
                assertThat(s.read("rolled", 0, 10, 1 << 20, null, null).tombstone())
                        .isEqualTo(new Tombstone.Retention(1, 350));
            }
        }
        Corruptor.deleteTree(crash);
    }

    @Test
    void aMemoryOnlyTopicEvictsFromItsInMemoryLogToo() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            TopicPatch memory = new TopicPatch(null, 4L, null, null, false, null, null, null, null, null, null);
            s.putTopic("volatile", memory, null, TopicConfig.DEFAULTS);
            for (int i = 0; i < 5; i++) {
                write(s, "volatile", 1 + i * 3, 3);
            }
            assertThat(s.topic("volatile").count()).isEqualTo(4);
            assertThat(seqs(s, "volatile")).containsExactly(12L, 13L, 14L, 15L);
            assertThat(s.read("volatile", 0, 10, 1 << 20, null, null).tombstone())
                    .isEqualTo(new Tombstone.Retention(1, 11));
        }
    }
}
