package dev.topics.storage.engine;

import static dev.topics.storage.engine.RecoveryFixtures.SEED;
import static dev.topics.storage.engine.RecoveryFixtures.at;
import static dev.topics.storage.engine.RecoveryFixtures.oneRecord;
import static dev.topics.storage.engine.RecoveryFixtures.topicDirs;
import static dev.topics.storage.engine.StorageState.assertHolds;
import static dev.topics.storage.engine.StorageState.capture;
import static dev.topics.storage.engine.StorageState.durableOnly;
import static dev.topics.storage.engine.StorageState.quiesce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.StorageException;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.engine.StorageState.KeyedResult;
import dev.topics.storage.engine.StorageState.TopicState;
import dev.topics.storage.engine.StorageState.Workload;
import dev.topics.storage.io.FileNames;
import dev.topics.testing.Corruptor;
import dev.topics.testing.ScratchDirTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a crash or a clean restart brings back of each topic: idempotency keys that still
 * dedupe (or keys refused when written), deleted topics that stay deleted with their
 * directories gone, memory-only topics gone, records read back across segment boundaries,
 * and no half-made topic from a write that could not be logged.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryOfTopicStateTest extends ScratchDirTest {
    enum Restart { CRASH, CLEAN }

    /** Writes with {@code work}, restarts as {@code how} says, returns the storage opened on what survived. */
    private LocalStorage restart(Restart how, StorageOptions o, Consumer<LocalStorage> work) throws IOException {
        Path live = o.dataDir();
        Path crash = dir.resolve("crash");
        try (LocalStorage s = LocalStorage.open(o)) {
            work.accept(s);
            quiesce(s);
            if (how == Restart.CRASH) {
                Corruptor.copyTree(live, crash);
            }
        }
        return LocalStorage.open(how == Restart.CRASH ? at(o, crash) : o);
    }

    @ParameterizedTest(name = "{0}, snapshot between: {1}")
    @CsvSource({"CRASH, false", "CRASH, true", "CLEAN, false", "CLEAN, true"})
    void idempotencyKeysSurviveACrashAndACleanRestart(Restart how, boolean snapshotBetween) throws IOException {
        Workload w = new Workload(SEED + 8);
        List<KeyedResult> keyed = new ArrayList<>();
        Map<String, TopicState> state;
        AtomicReference<Map<String, TopicState>> holder = new AtomicReference<>();
        try (LocalStorage r = restart(how, StorageOptions.defaults(dir.resolve("live")), s -> {
            keyed.add(KeyedResult.of("new/topic", "k-create",
                    w.append(s, "new/topic", 2, "k-create"))); // created by the keyed write
            keyed.add(KeyedResult.of("t", "k-1", w.append(s, "t", 3, "k-1")));
            w.append(s, "t", 1, null);
            if (snapshotBetween) {
                s.snapshot();
            }
            keyed.add(KeyedResult.of("t", "k-2", w.append(s, "t", 2, "k-2")));
            keyed.add(KeyedResult.of(Workload.ORDERS, "k-2", w.append(s, Workload.ORDERS, 1, "k-2"))); // same key, other topic
            keyed.add(KeyedResult.of("t", "ключ-✓", w.append(s, "t", 1, "ключ-✓")));
            w.append(s, "t", 1, null);
            holder.set(durableOnly(capture(s)));
        })) {
            state = holder.get();
            assertHolds(r, state, how + " restart");
            assertThat(keyed.get(0).created()).isTrue();
            for (KeyedResult k : keyed) {
                AppendResult again = r.append(new AppendRequest(k.topic(), oneRecord("again"), k.key(), null,
                        TopicConfig.DEFAULTS));
                assertThat(again.deduped()).as("%s in %s after a %s restart", k.key(), k.topic(), how).isTrue();
                assertThat(KeyedResult.of(k.topic(), k.key(), again)).isEqualTo(k);
            }
            assertHolds(r, state, "after repeated keys");
            AppendResult fresh = r.append(new AppendRequest("t", oneRecord("fresh"), "k-new", null, TopicConfig.DEFAULTS));
            assertThat(fresh.deduped()).isFalse();
            assertThat(fresh.firstSeq()).isEqualTo(state.get("t").info().headSeq() + 1);
        }
    }

    @ParameterizedTest(name = "{0}, deleted after a snapshot: {1}")
    @CsvSource({"CRASH, false", "CRASH, true", "CLEAN, false", "CLEAN, true"})
    void aDeletedTopicStaysDeletedItsDirectoryIsGoneAndARecreatedOneStartsAtSeqOne(Restart how, boolean snapshotFirst)
            throws IOException {
        Path live = dir.resolve("live");
        Workload w = new Workload(SEED + 9);
        Set<String> doomedDirs = new TreeSet<>();
        AtomicReference<Map<String, TopicState>> holder = new AtomicReference<>();
        try (LocalStorage r = restart(how, StorageOptions.defaults(live), s -> {
            try {
                w.append(s, "keep", 2, null);
                Set<String> dirs0 = topicDirs(live);
                w.append(s, "doomed", 3, "dk");
                w.append(s, "reborn", 2, null);
                Set<String> dirs1 = topicDirs(live);
                dirs1.removeAll(dirs0);
                assertThat(dirs1).hasSize(2);
                doomedDirs.addAll(dirs1);
                if (snapshotFirst) {
                    s.snapshot(); // the snapshot knows both; their deletes are in the WAL after it
                    w.append(s, "doomed", 2, null);
                }
                s.deleteTopic("doomed");
                s.deleteTopic("reborn");
                AppendResult again = w.append(s, "reborn", 1, null);
                assertThat(again.firstSeq()).isEqualTo(1);
                assertThat(again.created()).isTrue();
                w.append(s, "keep", 1, null);
                holder.set(durableOnly(capture(s)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })) {
            Path data = how == Restart.CRASH ? dir.resolve("crash") : live;
            assertThatThrownBy(() -> r.topic("doomed")).isInstanceOf(StorageException.TopicNotFound.class);
            assertThat(r.topic("reborn").headSeq()).isEqualTo(1);
            assertThat(r.topic("reborn").count()).isEqualTo(1);
            assertHolds(r, holder.get(), how + " restart after deletes");
            assertThat(topicDirs(data)).as("directories of deleted topics").doesNotContainAnyElementsOf(doomedDirs);
            assertThat(topicDirs(data)).hasSize(2); // keep and the new reborn
            // a write after the restart creates "doomed" afresh; its old key is forgotten
            AppendResult d = r.append(new AppendRequest("doomed", oneRecord("x"), "dk", null, TopicConfig.DEFAULTS));
            assertThat(d.firstSeq()).isEqualTo(1);
            assertThat(d.created()).isTrue();
            assertThat(d.deduped()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void aDurableFalseTopicIsGoneAfterARestartAndItsNameIsFree(Restart how) throws IOException {
        TopicPatch memoryOnly = new TopicPatch(null, null, null, null, false, null, null, null, null, null, null);
        Workload w = new Workload(SEED + 10);
        AtomicReference<Map<String, TopicState>> holder = new AtomicReference<>();
        try (LocalStorage r = restart(how, StorageOptions.defaults(dir.resolve("live")), s -> {
            s.putTopic("mem", memoryOnly, null, TopicConfig.DEFAULTS);
            w.append(s, "mem", 3, "mk");
            w.append(s, "disk", 2, null);
            w.append(s, "mem", 2, null);
            assertThat(s.topic("mem").count()).isEqualTo(5);
            holder.set(durableOnly(capture(s)));
            assertThat(holder.get()).containsOnlyKeys("disk");
        })) {
            assertThatThrownBy(() -> r.topic("mem")).isInstanceOf(StorageException.TopicNotFound.class);
            assertHolds(r, holder.get(), how + " restart");
            AppendResult again = r.append(new AppendRequest("mem", oneRecord("x"), "mk", null, TopicConfig.DEFAULTS));
            assertThat(again.firstSeq()).isEqualTo(1);
            assertThat(again.deduped()).isFalse();
            assertThat(r.topic("mem").config().durable()).isTrue(); // made from the write's defaults this time
        }
    }

    @ParameterizedTest
    @EnumSource(Restart.class)
    void segmentsRollAndARestartReadsEverythingBackAcrossSegmentBoundaries(Restart how) throws IOException {
        Path live = dir.resolve("live");
        StorageOptions o = new StorageOptions(live, null, 200, 1024, 64L << 20, 128, 64, 60_000, 256L << 20);
        Workload w = new Workload(SEED + 11);
        AtomicReference<Map<String, TopicState>> holder = new AtomicReference<>();
        try (LocalStorage r = restart(how, o, s -> {
            for (int i = 0; i < 150; i++) {
                w.append(s, "seg", 1 + i % 4, null);
            }
            holder.set(durableOnly(capture(s)));
        })) {
            Path data = how == Restart.CRASH ? dir.resolve("crash") : live;
            Set<String> dirs = topicDirs(data);
            assertThat(dirs).hasSize(1);
            Path topicDir = data.resolve(FileNames.TOPICS_DIR).resolve(dirs.iterator().next());
            List<String> segs;
            try (Stream<Path> s = Files.list(topicDir)) {
                segs = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(FileNames.SEGMENT_SUFFIX))
                        .sorted().toList();
            }
            assertThat(segs).as("segments after a %s restart", how).hasSizeGreaterThanOrEqualTo(5);

            List<StorageState.Rec> all = holder.get().get("seg").records();
            long head = all.get(all.size() - 1).seq();
            assertThat(all).extracting(StorageState.Rec::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, head).boxed().toList());
            assertHolds(r, holder.get(), how + " restart with segments");
            // from every cursor, a short page: seqs follow on across segment boundaries
            for (long from = 0; from <= head; from++) {
                ReadResult page = r.read("seg", from, 5, Long.MAX_VALUE, null, null);
                int n = (int) Math.min(5, head - from);
                assertThat(page.records()).as("page after %d", from).hasSize(n);
                for (int i = 0; i < n; i++) {
                    assertThat(StorageState.Rec.of(page.records().get(i))).as("page after %d, record %d", from, i)
                            .isEqualTo(all.get((int) from + i));
                }
                assertThat(page.nextFromSeq()).isEqualTo(n == 0 ? head : from + n);
            }
            // and segment bases are exactly the seqs that start them
            for (String seg : segs) {
                long base = FileNames.parse(seg, FileNames.SEGMENT_SUFFIX);
                ReadResult one = r.read("seg", base - 1, 1, Long.MAX_VALUE, null, null);
                assertThat(one.records().get(0).seq()).isEqualTo(base);
            }
            // new writes continue after the restart
            AppendResult next = r.append(new AppendRequest("seg", oneRecord("next"), null, null, TopicConfig.DEFAULTS));
            assertThat(next.firstSeq()).isEqualTo(head + 1);
        }
    }

    @ParameterizedTest(name = "key of {0} bytes, {1} restart")
    @CsvSource({"255, CRASH", "255, CLEAN", "256, CRASH", "256, CLEAN", "300, CRASH"})
    void anIdempotencyKeyIsEitherRefusedOrSurvivesARestart(int keyBytes, Restart how) throws IOException {
        // The WAL and the snapshot store a key's length in one byte. A key that does not
        // fit must be refused when written, never acknowledged and then unreadable.
        String key = "k".repeat(keyBytes);
        Workload w = new Workload(SEED + 12);
        AtomicReference<Map<String, TopicState>> holder = new AtomicReference<>();
        AtomicReference<AppendResult> keyed = new AtomicReference<>();
        try (LocalStorage r = restart(how, StorageOptions.defaults(dir.resolve("live")), s -> {
            w.append(s, "t", 2, null);
            try {
                keyed.set(w.append(s, "t", 1, key));
            } catch (IllegalArgumentException | StorageException refused) {
                // refusing the write is a correct answer
            }
            w.append(s, "t", 1, null);
            holder.set(durableOnly(capture(s)));
        })) {
            assertHolds(r, holder.get(), how + " restart after a key of " + keyBytes + " bytes");
            if (keyed.get() != null) {
                AppendResult again = r.append(new AppendRequest("t", oneRecord("again"), key, null, TopicConfig.DEFAULTS));
                assertThat(again.deduped()).isTrue();
                assertThat(KeyedResult.of("t", key, again)).isEqualTo(KeyedResult.of("t", key, keyed.get()));
            }
        }
    }

    @Test
    void aWriteRefusedWhileCreatingItsTopicLeavesNoHalfMadeTopic() throws IOException {
        // A topic name too long for the WAL's u16 string: the create cannot be logged. The
        // write must fail, and fail again when repeated, rather than reach a topic that
        // readers cannot see and that a restart forgets.
        String name = "n".repeat(70_000);
        Path live = dir.resolve("live");
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            assertThatThrownBy(() -> s.append(new AppendRequest(name, oneRecord("1"), null, null, TopicConfig.DEFAULTS)))
                    .isInstanceOf(RuntimeException.class);
            assertThatThrownBy(() -> s.append(new AppendRequest(name, oneRecord("2"), null, null, TopicConfig.DEFAULTS)))
                    .as("the same write, repeated")
                    .isInstanceOf(RuntimeException.class);
            assertThat(s.list("", null, 10)).isEmpty();
        }
        assertThat(topicDirs(live)).as("directories left behind").isEmpty();
    }
}
