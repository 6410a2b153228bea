package dev.topics.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.engine.LocalStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest {
    @TempDir
    Path dir;

    private static RecordBatch batch(String... data) {
        RecordBatch b = new RecordBatch(256);
        for (String d : data) {
            b.add(d.getBytes(StandardCharsets.UTF_8), null, null, null);
        }
        return b;
    }

    private static List<String> datas(ReadResult r) {
        return r.records().stream().map(v -> new String(v.data(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void appendThenReadBackAfterRestart() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            AppendResult r = s.append(new AppendRequest("orders", batch("{\"a\":1}", "2"), null, "admin", TopicConfig.DEFAULTS));
            assertThat(r.firstSeq()).isEqualTo(1);
            assertThat(r.lastSeq()).isEqualTo(2);
            assertThat(r.created()).isTrue();
            assertThat(datas(s.read("orders", 0, 10, 1 << 20, null, null))).containsExactly("{\"a\":1}", "2");
        }
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            ReadResult r = s.read("orders", 0, 10, 1 << 20, null, null);
            assertThat(datas(r)).containsExactly("{\"a\":1}", "2");
            assertThat(r.headSeq()).isEqualTo(2);
            AppendResult a = s.append(new AppendRequest("orders", batch("3"), null, "admin", TopicConfig.DEFAULTS));
            assertThat(a.firstSeq()).isEqualTo(3);
            assertThat(a.created()).isFalse();
        }
    }

    @Test
    void readsFromSegmentsWhenTailIsSmall() throws Exception {
        StorageOptions o = StorageOptions.defaults(dir).withTailBytes(64).withSegmentBytes(4096);
        try (LocalStorage s = LocalStorage.open(o)) {
            for (int i = 1; i <= 500; i++) {
                s.append(new AppendRequest("t1", batch("{\"i\":" + i + "}"), null, null, TopicConfig.DEFAULTS));
            }
            ReadResult r = s.read("t1", 100, 50, 1 << 20, null, null);
            assertThat(r.records()).hasSize(50);
            assertThat(r.records().get(0).seq()).isEqualTo(101);
            assertThat(r.nextFromSeq()).isEqualTo(150);
            s.snapshot();
        }
        try (LocalStorage s = LocalStorage.open(o)) {
            ReadResult r = s.read("t1", 0, 1000, 1 << 20, null, null);
            assertThat(r.records()).hasSize(500);
            for (int i = 0; i < 500; i++) {
                assertThat(r.records().get(i).seq()).isEqualTo(i + 1);
            }
        }
    }

    @Test
    void idempotencyKeySurvivesRestart() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            s.append(new AppendRequest("k1", batch("1"), "key-1", null, TopicConfig.DEFAULTS));
        }
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            AppendResult again = s.append(new AppendRequest("k1", batch("1"), "key-1", null, TopicConfig.DEFAULTS));
            assertThat(again.deduped()).isTrue();
            assertThat(again.firstSeq()).isEqualTo(1);
            assertThat(s.topic("k1").count()).isEqualTo(1);
        }
    }

    @Test
    void deletedTopicIsGoneAndRecreatedFromSeqOne() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            s.append(new AppendRequest("d1", batch("1", "2"), null, null, TopicConfig.DEFAULTS));
            s.deleteTopic("d1");
            assertThatThrownBy(() -> s.topic("d1")).isInstanceOf(StorageException.TopicNotFound.class);
            AppendResult r = s.append(new AppendRequest("d1", batch("x"), null, null, TopicConfig.DEFAULTS));
            assertThat(r.firstSeq()).isEqualTo(1);
            assertThat(s.read("d1", 5, 10, 1 << 20, null, null).tombstone()).isEqualTo(new Tombstone.Reset(1));
        }
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            assertThat(datas(s.read("d1", 0, 10, 1 << 20, null, null))).containsExactly("x");
        }
    }

    @Test
    void listCombinesPrefixAndAfterWhicheverComesLater() throws Exception {
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(dir))) {
            for (String name : List.of("aaa", "bbb.1", "bbb.2", "bbb.3", "bbc", "ccc")) {
                s.putTopic(name, TopicPatch.EMPTY, null, TopicConfig.DEFAULTS);
            }
            assertThat(s.list("bbb.", null, 10)).extracting(TopicInfo::name).containsExactly("bbb.1", "bbb.2", "bbb.3");
            assertThat(s.list("bbb.", "aaa", 10)).extracting(TopicInfo::name).containsExactly("bbb.1", "bbb.2", "bbb.3");
            assertThat(s.list("bbb.", "bbb.1", 10)).extracting(TopicInfo::name).containsExactly("bbb.2", "bbb.3");
            assertThat(s.list("bbb.", "bbb.3", 10)).isEmpty();
            assertThat(s.list("bbb.", "zzz", 10)).isEmpty();
            assertThat(s.list("", "bbb.3", 2)).extracting(TopicInfo::name).containsExactly("bbc", "ccc");
        }
    }

    @Test
    void watchSessionsSurviveACrashAndACleanRestart() throws Exception {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        byte[] spec = "{\"topics\":{\"orders\":{}}}".getBytes(StandardCharsets.UTF_8);
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            s.putWatch("wid_test", spec);
            dev.topics.testing.Corruptor.copyTree(live, crash); // WAL only: replayed
        }
        for (Path d : List.of(crash, live)) { // live: from the final snapshot
            try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(d))) {
                assertThat(s.watch("wid_test")).as(d.toString()).isEqualTo(spec);
                assertThat(s.watch("wid_other")).isNull();
            }
        }
    }
}
