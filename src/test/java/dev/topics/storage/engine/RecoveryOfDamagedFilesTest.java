package dev.topics.storage.engine;

import static dev.topics.storage.engine.RecoveryFixtures.SEED;
import static dev.topics.storage.engine.RecoveryFixtures.topicDirs;
import static dev.topics.storage.engine.StorageState.assertHolds;
import static dev.topics.storage.engine.StorageState.capture;
import static dev.topics.storage.engine.StorageState.durableOnly;
import static dev.topics.storage.engine.StorageState.quiesce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.ReadResult;
import dev.topics.storage.StorageException;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.engine.StorageState.TopicState;
import dev.topics.storage.engine.StorageState.Workload;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.wal.WalFormat;
import dev.topics.testing.Corruptor.Frame;
import dev.topics.testing.Corruptor;
import dev.topics.testing.ScratchDirTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash recovery of damaged files: damage a WAL file before the last one, the last of
 * several, a snapshot or the index files of sealed segments the way bad disks do, and check
 * that recovery refuses to open rather than drop acknowledged data (a refused open destroys
 * nothing), cuts only the tail of the newest WAL file, and scans a segment whose index it
 * cannot trust.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryOfDamagedFilesTest extends ScratchDirTest {
    private static StorageOptions smallWalFiles(Path dataDir) {
        return new StorageOptions(dataDir, null, 200, 64L << 20, 2048, 4096, 1L << 20, 60_000, 256L << 20);
    }

    /** Ways to damage a WAL file that is not the last one. */
    enum EarlierDamage {
        FLIP_A_BIT_IN_A_MIDDLE_FRAME,
        CUT_INSIDE_ITS_LAST_FRAME,
        ZERO_A_FRAME_HEADER,
        APPEND_GARBAGE,
        /** Its last frame is lost whole: the file still ends on a frame boundary. */
        CUT_AT_A_FRAME_BOUNDARY,
        /** The whole file is gone: the numbers of the remaining files skip one. */
        DELETE_THE_FILE,
    }

    @ParameterizedTest
    @EnumSource(EarlierDamage.class)
    void damageInAnEarlierWalFileMakesOpenThrowInsteadOfDroppingData(EarlierDamage damage) throws IOException {
        // One topic, many writes, small WAL files: every frame but the topic's creation is a
        // records frame of that topic, so any frame lost leaves a hole in its seqs.
        Path live = dir.resolve("live");
        Map<String, TopicState> state;
        Workload w = new Workload(SEED + 2);
        try (LocalStorage s = LocalStorage.open(smallWalFiles(live))) {
            for (int i = 0; i < 60; i++) {
                w.append(s, "t", 1 + i % 4, i % 5 == 0 ? "k" + i : null);
            }
            state = capture(s);
            quiesce(s);
            Corruptor.copyTree(live, dir.resolve("crash"));
        }
        Path crash = dir.resolve("crash");
        List<Path> wals = Corruptor.walFiles(crash);
        assertThat(wals).as("the WAL rolled").hasSizeGreaterThanOrEqualTo(4);

        // Control: undamaged, the copy recovers everything.
        Path run = Corruptor.freshCopy(crash, dir.resolve("control"));
        try (LocalStorage r = LocalStorage.open(smallWalFiles(run))) {
            assertThat(r.recovery().bytesCut()).isZero();
            assertHolds(r, state, "undamaged copy");
        }

        run = Corruptor.freshCopy(crash, dir.resolve("run"));
        Path victim = run.resolve(crash.relativize(wals.get(1)).toString());
        List<Frame> frames = Corruptor.frames(victim);
        assertThat(frames).hasSizeGreaterThanOrEqualTo(3);
        Frame middle = frames.get(frames.size() / 2);
        Frame lastOfFile = frames.get(frames.size() - 1);
        switch (damage) {
            case FLIP_A_BIT_IN_A_MIDDLE_FRAME -> Corruptor.flipBit(victim, (middle.start() + middle.end()) / 2, 3);
            case CUT_INSIDE_ITS_LAST_FRAME -> Corruptor.truncate(victim, lastOfFile.end() - 3);
            case ZERO_A_FRAME_HEADER -> Corruptor.overwrite(victim, middle.start(), new byte[WalFormat.FRAME_HEADER]);
            case APPEND_GARBAGE -> Corruptor.append(victim, Corruptor.randomBytes(5, 64));
            case CUT_AT_A_FRAME_BOUNDARY -> Corruptor.truncate(victim, lastOfFile.start());
            case DELETE_THE_FILE -> Files.delete(victim);
        }
        StorageOptions o = smallWalFiles(run);
        assertThatThrownBy(() -> LocalStorage.open(o).close())
                .as("opening a directory whose WAL lost acknowledged frames before its last file (%s)", damage)
                .isInstanceOfAny(CorruptFrame.class, IOException.class, StorageException.class);

        // A refused open destroys nothing: put the file back and everything is there.
        Files.copy(wals.get(1), victim, StandardCopyOption.REPLACE_EXISTING);
        try (LocalStorage r = LocalStorage.open(o)) {
            assertThat(r.recovery().bytesCut()).isZero();
            assertHolds(r, state, "repaired copy after a refused open");
        }
    }

    @Test
    void damageInTheLastOfSeveralWalFilesCutsOnlyItsTail() throws IOException {
        Path live = dir.resolve("live");
        Workload w = new Workload(SEED + 3);
        Map<String, TopicState> before;
        try (LocalStorage s = LocalStorage.open(smallWalFiles(live))) {
            w.setUp(s);
            w.random(s, 60);
            // the last write must land in the newest file: a write that fills a file is
            // followed by a roll, so write again until the newest file holds a frame
            do {
                before = capture(s);
                w.appendSmall(s, Workload.ORDERS, 2, null);
                quiesce(s);
            } while (Corruptor.frames(Corruptor.lastWalFile(live)).isEmpty());
            Corruptor.copyTree(live, dir.resolve("crash"));
        }
        Path crash = dir.resolve("crash");
        assertThat(Corruptor.walFiles(crash)).hasSizeGreaterThanOrEqualTo(3);
        Path wal = Corruptor.lastWalFile(crash);
        Frame last = Corruptor.lastFrame(wal);
        Corruptor.truncate(wal, last.end() - 1);
        try (LocalStorage r = LocalStorage.open(smallWalFiles(crash))) {
            assertThat(r.recovery().bytesCut()).isEqualTo(last.length() - 1);
            assertHolds(r, durableOnly(before), "last of several WAL files cut");
        }
    }

    @Test
    void aDamagedSnapshotMakesOpenThrow() throws IOException {
        Path live = dir.resolve("live");
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            new Workload(SEED + 7).append(s, "t", 3, null);
        }
        Path snap;
        try (Stream<Path> files = Files.list(live.resolve(FileNames.SNAPSHOT_DIR))) {
            snap = files.filter(p -> p.toString().endsWith(FileNames.SNAPSHOT_SUFFIX)).findFirst().orElseThrow();
        }
        Corruptor.flipBit(snap, Files.size(snap) / 2, 0);
        assertThatThrownBy(() -> LocalStorage.open(StorageOptions.defaults(live)).close())
                .isInstanceOf(CorruptFrame.class);
    }

    enum IndexDamage { DELETED, BIT_FLIPPED, TRUNCATED }

    @ParameterizedTest
    @EnumSource(IndexDamage.class)
    void aSealedSegmentWhoseIndexFileIsDamagedIsScannedInstead(IndexDamage damage) throws IOException {
        Path live = dir.resolve("live");
        StorageOptions o = new StorageOptions(live, null, 200, 1024, 64L << 20, 128, 64, 60_000, 256L << 20);
        Workload w = new Workload(SEED + 13);
        Map<String, TopicState> state;
        try (LocalStorage s = LocalStorage.open(o)) {
            for (int i = 0; i < 80; i++) {
                w.append(s, "seg", 1 + i % 3, null);
            }
            state = durableOnly(capture(s));
        }
        Path topicDir = live.resolve(FileNames.TOPICS_DIR).resolve(topicDirs(live).iterator().next());
        List<Path> idx;
        try (Stream<Path> files = Files.list(topicDir)) {
            idx = files.filter(p -> p.toString().endsWith(FileNames.INDEX_SUFFIX)).sorted().toList();
        }
        assertThat(idx).hasSizeGreaterThanOrEqualTo(3);
        for (Path p : idx) {
            switch (damage) {
                case DELETED -> Files.delete(p);
                case BIT_FLIPPED -> Corruptor.flipBit(p, Files.size(p) / 2, 2);
                case TRUNCATED -> Corruptor.truncate(p, Files.size(p) - 4);
            }
        }
        try (LocalStorage r = LocalStorage.open(o)) {
            assertHolds(r, state, "index files " + damage);
            List<StorageState.Rec> all = state.get("seg").records();
            for (int from = 0; from < all.size(); from += 7) {
                ReadResult page = r.read("seg", from, 3, Long.MAX_VALUE, null, null);
                assertThat(page.records()).isNotEmpty();
                assertThat(StorageState.Rec.of(page.records().get(0))).isEqualTo(all.get(from));
            }
        }
    }
}
