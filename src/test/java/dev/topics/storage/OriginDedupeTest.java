package dev.topics.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.engine.LocalStorage;
import dev.topics.testing.Corruptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §8: with dedupe_node, a record at or below its origin's high-water mark is dropped. */
class OriginDedupeTest {
    @TempDir
    Path dir;

    private static RecordBatch routed(String node, String topic, long... seqs) {
        RecordBatch b = new RecordBatch(128);
        for (long s : seqs) {
            b.add(("{\"origin_seq\":" + s + "}").getBytes(StandardCharsets.UTF_8), null, "eu-1", new Origin(node, topic, s));
        }
        return b;
    }

    private static AppendResult write(Storage s, String topic, RecordBatch b, String key) {
        return s.append(new AppendRequest(topic, b, key, null, TopicConfig.DEFAULTS));
    }

    private static List<Long> originSeqs(Storage s, String topic) {
        return s.read(topic, 0, 1000, 1 << 20, null, null).records().stream().map(r -> r.origin().seq()).toList();
    }

    @Test
    void theSameOriginSeqTwiceIsDroppedAndCounted() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            AppendResult first = write(s, "mirror", routed("n-a", "orders", 1, 2, 3), null);
            assertThat(first.dropped()).isZero();
            assertThat(first.lastSeq()).isEqualTo(3);

            AppendResult again = write(s, "mirror", routed("n-a", "orders", 2, 3, 4), null);
            assertThat(again.dropped()).isEqualTo(2);
            assertThat(again.firstSeq()).isEqualTo(4);
            assertThat(again.lastSeq()).isEqualTo(4);
            assertThat(again.count()).isEqualTo(4);

            AppendResult none = write(s, "mirror", routed("n-a", "orders", 4), null);
            assertThat(none.dropped()).isEqualTo(1);
            assertThat(none.firstSeq()).as("nothing written: an empty range after the head").isEqualTo(5);
            assertThat(none.lastSeq()).isEqualTo(4);
            assertThat(originSeqs(s, "mirror")).containsExactly(1L, 2L, 3L, 4L);
            assertThat(s.topic("mirror").count()).isEqualTo(4);
        }
    }

    @Test
    void eachOriginTopicAndNodeHasItsOwnMarkAndUnoriginatedRecordsAreNeverDropped() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            write(s, "mirror", routed("n-a", "orders", 5), null);
            assertThat(write(s, "mirror", routed("n-a", "refunds", 1), null).dropped()).isZero();
            assertThat(write(s, "mirror", routed("n-b", "orders", 1), null).dropped()).isZero();
            RecordBatch plain = new RecordBatch(64).add("1".getBytes(StandardCharsets.UTF_8), null, "n-a", null);
            assertThat(write(s, "mirror", plain, null).dropped()).isZero();
            assertThat(s.topic("mirror").count()).isEqualTo(4);
        }
    }

    @Test
    void withDedupeOffDuplicatesAreKeptButTheMarkStillMoves() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            TopicPatch off = new TopicPatch(null, null, null, null, null, null, null, null, false, null, null);
            s.putTopic("raw", off, null, TopicConfig.DEFAULTS);
            write(s, "raw", routed("n-a", "orders", 1, 2), null);
            assertThat(write(s, "raw", routed("n-a", "orders", 2), null).dropped()).isZero();
            assertThat(originSeqs(s, "raw")).containsExactly(1L, 2L, 2L);

            TopicPatch on = new TopicPatch(null, null, null, null, null, null, null, null, true, null, null);
            s.patchTopic("raw", on);
            assertThat(write(s, "raw", routed("n-a", "orders", 2, 3), null).dropped()).isEqualTo(1);
            assertThat(originSeqs(s, "raw")).containsExactly(1L, 2L, 2L, 3L);
        }
    }

    @Test
    void marksSurviveACleanRestartAndACrash() throws Exception {
        Path crash = dir.resolve("crash");
        Path live = dir.resolve("live");
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            write(s, "before-snapshot", routed("n-a", "orders", 1, 2), null);
            s.snapshot();
            write(s, "after-snapshot", routed("n-a", "orders", 7), null);
            // a crash: the files as they are now, the snapshot plus a WAL tail
            Corruptor.copyTree(live, crash);
        }
        for (Path d : List.of(live, crash)) {
            try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(d))) {
                assertThat(write(s, "before-snapshot", routed("n-a", "orders", 2, 3), null).dropped()).as(d.toString())
                        .isEqualTo(1);
                assertThat(write(s, "after-snapshot", routed("n-a", "orders", 7), null).dropped()).as(d.toString())
                        .isEqualTo(1);
                assertThat(originSeqs(s, "before-snapshot")).containsExactly(1L, 2L, 3L);
                assertThat(originSeqs(s, "after-snapshot")).containsExactly(7L);
            }
        }
    }

    @Test
    void aKeyedWriteWhoseRecordsWereAllDroppedAnswersTheSameAfterARestart() throws Exception {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        AppendResult first;
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            write(s, "mirror", routed("n-a", "orders", 1), null);
            first = write(s, "mirror", routed("n-a", "orders", 1), "resend-1");
            assertThat(first.dropped()).isEqualTo(1);
            Corruptor.copyTree(live, crash);
        }
        for (Path d : List.of(crash, live)) {
            try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(d))) {
                AppendResult repeat = write(s, "mirror", routed("n-a", "orders", 9), "resend-1");
                assertThat(repeat.deduped()).as(d.toString()).isTrue();
                assertThat(repeat.dropped()).isEqualTo(1);
                assertThat(repeat.firstSeq()).isEqualTo(first.firstSeq());
                assertThat(repeat.lastSeq()).isEqualTo(first.lastSeq());
                assertThat(s.topic("mirror").count()).isEqualTo(1);
            }
        }
    }
}
