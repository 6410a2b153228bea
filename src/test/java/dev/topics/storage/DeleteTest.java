package dev.topics.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.filter.FilterExpr;
import dev.topics.storage.engine.LocalStorage;
import dev.topics.testing.Corruptor;
import dev.topics.testing.FilesHolding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §6: deletes are point-in-time, silent, immediate, durable and permanent. */
class DeleteTest {
    @TempDir
    Path dir;

    private static AppendResult write(Storage s, String t, String tag, String data) {
        RecordBatch b = new RecordBatch(64).add(data.getBytes(StandardCharsets.UTF_8), tag, null, null);
        return s.append(new AppendRequest(t, b, null, null, TopicConfig.DEFAULTS));
    }

    private static RecordFilter tag(String tag) {
        return FilterExpr.compile(("[\"tag\",\"Eq\",\"" + tag + "\"]").getBytes(StandardCharsets.UTF_8));
    }

    private static List<Long> seqs(Storage s, String t) {
        return s.read(t, 0, 10_000, 1 << 20, null, null).records().stream().map(RecordView::seq).toList();
    }

    @Test
    void aTagDeleteIsPointInTimeSilentAndImmediate() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            write(s, "orders", "order-7731", "{\"sku\":\"A\"}");
            write(s, "orders", "order-7732", "{\"sku\":\"B\"}");
            DeleteResult d = s.deleteRecords("orders", tag("order-7731"), 0, Long.MAX_VALUE);
            assertThat(d.deleted()).isEqualTo(1);
            assertThat(d.earliestSeq()).isEqualTo(2);
            assertThat(d.headSeq()).isEqualTo(2);
            assertThat(d.count()).isEqualTo(1);
            assertThat(d.fsyncNanos()).as("durable before it answers").isPositive();

            ReadResult r = s.read("orders", 0, 10, 1 << 20, null, null);
            assertThat(r.records()).extracting(RecordView::seq).containsExactly(2L);
            assertThat(r.tombstone()).as("deletes are silent").isNull();
            assertThat(r.nextFromSeq()).isEqualTo(2);

            write(s, "orders", "order-7731", "{\"sku\":\"again\"}");
            assertThat(seqs(s, "orders")).as("a later record with the same tag is untouched").containsExactly(2L, 3L);
            assertThat(s.topic("orders").bytes()).isEqualTo(11 + 15);
        }
    }

    @Test
    void rangeAndMatchTogetherDeleteOnlyWhatSatisfiesBoth() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            for (int i = 1; i <= 10; i++) {
                write(s, "t", i % 2 == 0 ? "even" : "odd", String.valueOf(i));
            }
            assertThat(s.deleteRecords("t", tag("even"), 3, 8).deleted()).isEqualTo(3);
            assertThat(seqs(s, "t")).containsExactly(1L, 2L, 3L, 5L, 7L, 9L, 10L);
            assertThat(s.deleteRecords("t", null, 1, 3).deleted()).isEqualTo(3);
            assertThat(s.topic("t").earliestSeq()).isEqualTo(5);
            assertThat(s.deleteRecords("t", null, 1, 3).deleted()).as("already gone").isZero();
            assertThat(s.topic("t").count()).isEqualTo(4);
        }
    }

    @Test
    void noDeletedRecordComesBackAfterACleanRestartOrACrash() throws Exception {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            for (int i = 1; i <= 6; i++) {
                write(s, "t", "k" + (i % 3), String.valueOf(i));
            }
            s.snapshot();
            s.deleteRecords("t", tag("k1"), 0, Long.MAX_VALUE);
            s.deleteRecords("t", null, 6, 6);
            Corruptor.copyTree(live, crash);
        }
        for (Path d : List.of(live, crash)) {
            try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(d))) {
                assertThat(seqs(s, "t")).as(d.toString()).containsExactly(2L, 3L, 5L);
                assertThat(s.topic("t").count()).isEqualTo(3);
            }
        }
    }

    @Test
    @Timeout(30)
    void afterCompactionADeletedRecordsBytesAreInNoFileUnderTheDataDirectory() throws Exception {
        String marker = "marker-7b1c9e-deleted";
        StorageOptions o = StorageOptions.defaults(dir).withSegmentBytes(4096).withCompactionIntervalMs(200);
        try (LocalStorage s = LocalStorage.open(o)) {
            for (int i = 0; i < 60; i++) {
                write(s, "t", "keep", "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(40) + "\"}");
            }
            write(s, "t", "secret", "\"" + marker + "\"");
            for (int i = 0; i < 5; i++) {
                write(s, "t", "keep", "{\"after\":" + i + "}");
            }
            assertThat(filesContaining(marker)).as("written to disk").isNotEmpty();
            s.deleteRecords("t", tag("secret"), 0, Long.MAX_VALUE);
            // the test is about the compactor acting within its interval
            while (!filesContaining(marker).isEmpty()) {
                Thread.sleep(50);
            }
            assertThat(seqs(s, "t")).hasSize(65).doesNotContain(61L);
        }
        try (LocalStorage s = LocalStorage.open(o)) {
            assertThat(seqs(s, "t")).hasSize(65).doesNotContain(61L);
            assertThat(filesContaining(marker)).isEmpty();
        }
    }

    /** Files under the data dir holding {@code marker}; a walk that races a rename is retried. */
    private List<Path> filesContaining(String marker) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return scan(marker);
            } catch (java.io.UncheckedIOException e) {
                if (attempt > 20) {
                    throw e;
                }
            }
        }
    }

    private List<Path> scan(String marker) {
        return FilesHolding.marker(dir, marker, p -> true);
    }

    @Test
    void memoryOnlyTopicsDeleteToo() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            TopicPatch memory = new TopicPatch(null, null, null, null, false, null, null, null, null, null, null);
            s.putTopic("m", memory, null, TopicConfig.DEFAULTS);
            write(s, "m", "a", "1");
            write(s, "m", "b", "2");
            assertThat(s.deleteRecords("m", tag("a"), 0, Long.MAX_VALUE).deleted()).isEqualTo(1);
            assertThat(seqs(s, "m")).containsExactly(2L);
        }
    }

    @Test
    void aTagDeleteReadsOnlyTheSegmentsWhoseBloomFilterAdmitsTheTag() throws Exception {
        StorageOptions o = StorageOptions.defaults(dir).withSegmentBytes(4096).withTailBytes(0);
        try (LocalStorage s = LocalStorage.open(o)) {
            for (int i = 0; i < 400; i++) {
                write(s, "t", "order-" + i, "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(30) + "\"}");
            }
            DeleteResult d = s.deleteRecords("t", tag("order-123"), 0, Long.MAX_VALUE);
            assertThat(d.deleted()).isEqualTo(1);
            assertThat(d.segmentsRead()).as("of about 20 segments").isBetween(1, 3);
        }
        try (LocalStorage s = LocalStorage.open(o)) {
            DeleteResult d = s.deleteRecords("t", tag("order-321"), 0, Long.MAX_VALUE);
            assertThat(d.deleted()).isEqualTo(1);
            assertThat(d.segmentsRead()).as("sealed segments' filters come back from their files").isBetween(1, 3);
            assertThat(s.topic("t").count()).isEqualTo(398);
        }
        // without its filter file a sealed segment is read like any other: no false negative
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".bloom")).toList()) {
                Files.delete(p);
            }
        }
        try (LocalStorage s = LocalStorage.open(o)) {
            assertThat(s.deleteRecords("t", tag("order-7"), 0, Long.MAX_VALUE).deleted()).isEqualTo(1);
        }
    }
}
