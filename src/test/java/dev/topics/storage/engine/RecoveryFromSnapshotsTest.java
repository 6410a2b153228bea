package dev.topics.storage.engine;

import static dev.topics.storage.engine.RecoveryFixtures.SEED;
import static dev.topics.storage.engine.RecoveryFixtures.at;
import static dev.topics.storage.engine.StorageState.assertHolds;
import static dev.topics.storage.engine.StorageState.capture;
import static dev.topics.storage.engine.StorageState.durableOnly;
import static dev.topics.storage.engine.StorageState.quiesce;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.StorageOptions;
import dev.topics.storage.engine.RecoveryFixtures.Setting;
import dev.topics.storage.engine.StorageState.TopicState;
import dev.topics.storage.engine.StorageState.Workload;
import dev.topics.storage.io.FileNames;
import dev.topics.testing.Corruptor;
import dev.topics.testing.ScratchDirTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash recovery from snapshots: the newest snapshot plus the WAL after it recovers exactly
 * what replaying every WAL file from the first does, and what a clean close's final
 * snapshot alone does; so do snapshots taken automatically during writes, and a snapshot
 * whose covered WAL files a crash left undeleted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryFromSnapshotsTest extends ScratchDirTest {
    @ParameterizedTest
    @EnumSource(value = Setting.class, names = {"PLAIN", "SMALL_SEGMENTS"})
    void snapshotPlusReplayEqualsReplayAlone(Setting st) throws IOException {
        // replayOnly collects every WAL file ever written: it is copied before each snapshot
        // (which deletes the files it covers) and gets the newer files at the end.
        Path live = dir.resolve("live");
        Path replayOnly = dir.resolve("replay-only");
        Path crash = dir.resolve("crash");
        Workload w = new Workload(SEED + 4);
        Map<String, TopicState> state;
        try (LocalStorage s = LocalStorage.open(st.options(live))) {
            w.setUp(s);
            w.random(s, 40);
            quiesce(s);
            Corruptor.copyTree(live, replayOnly);
            copyWalFiles(live, replayOnly);
            s.snapshot();
            w.random(s, 30);
            quiesce(s);
            copyWalFiles(live, replayOnly);
            s.snapshot();
            w.random(s, 30);
            state = durableOnly(capture(s));
            quiesce(s);
            Corruptor.copyTree(live, crash);
            copyWalFiles(live, replayOnly);
        }
        // the linked newest file got its end frame when the close rolled the WAL: copy its
        // successor too, as a real disk holds it (a roll makes the next file first); a copy,
        // so that recovering one tree does not end the other's newest file
        for (Path p : Corruptor.walFiles(live)) {
            Files.copy(p, replayOnly.resolve(FileNames.WAL_DIR).resolve(p.getFileName().toString()),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Corruptor.deleteTree(replayOnly.resolve(FileNames.SNAPSHOT_DIR));
        assertThat(Corruptor.walFiles(replayOnly).get(0).getFileName().toString()).isEqualTo(FileNames.walName(1));

        // (a) the crash copy: the newest snapshot plus the WAL after it
        try (LocalStorage r = LocalStorage.open(st.options(crash))) {
            assertThat(r.recovery().snapshotWalStart()).as("a snapshot was loaded").isGreaterThan(1);
            assertThat(r.recovery().bytesCut()).isZero();
            assertHolds(r, state, st + ": snapshot + replay");
        }
        // (b) no snapshot, every WAL file from the first
        try (LocalStorage r = LocalStorage.open(st.options(replayOnly))) {
            assertThat(r.recovery().snapshotWalStart()).as("no snapshot").isEqualTo(-1);
            assertThat(r.recovery().bytesCut()).isZero();
            assertHolds(r, state, st + ": replay alone");
        }
        // (c) after a clean close: the final snapshot alone
        try (LocalStorage r = LocalStorage.open(st.options(live))) {
            assertThat(r.recovery().framesReplayed()).isZero();
            assertHolds(r, state, st + ": snapshot alone");
        }
    }

    /**
     * Makes {@code to}'s WAL files hard links to {@code from}'s: a file the engine later ends
     * (roll writes its end-of-file marker) and deletes (snapshot) stays in {@code to} exactly
     * as the engine left it.
     */
    private static void copyWalFiles(Path from, Path to) throws IOException {
        for (Path p : Corruptor.walFiles(from)) {
            Path target = to.resolve(FileNames.WAL_DIR).resolve(p.getFileName().toString());
            Files.deleteIfExists(target);
            Files.createLink(target, p);
        }
    }

    @Test
    void automaticSnapshotsDuringWritesRecoverTheLiveState() throws IOException {
        Path live = dir.resolve("live");
        StorageOptions o = new StorageOptions(live, null, 200, 2048, 4096, 256, 256, 60_000, 3000);
        Workload w = new Workload(SEED + 5);
        Map<String, TopicState> state;
        Path crash = dir.resolve("crash");
        try (LocalStorage s = LocalStorage.open(o)) {
            w.setUp(s);
            w.random(s, 120);
            state = durableOnly(capture(s));
            quiesce(s);
            Corruptor.copyTree(live, crash);
        }
        try (LocalStorage r = LocalStorage.open(at(o, crash))) {
            assertThat(r.recovery().snapshotWalStart()).as("a snapshot was taken on the way").isGreaterThan(1);
            assertHolds(r, state, "crash copy with automatic snapshots");
        }
        try (LocalStorage r = LocalStorage.open(o)) {
            assertHolds(r, state, "clean restart with automatic snapshots");
        }
    }

    @Test
    void aCrashAfterASnapshotBeforeItsWalFilesAreDeletedRecoversFromTheSnapshot() throws IOException {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        Workload w = new Workload(SEED + 6);
        Map<String, TopicState> state;
        try (LocalStorage s = LocalStorage.open(Setting.SMALL_SEGMENTS.options(live))) {
            w.setUp(s);
            w.random(s, 50);
            state = durableOnly(capture(s));
            quiesce(s);
            Corruptor.copyTree(live, crash); // WAL files 1.. still there
            s.snapshot();
            quiesce(s);
            // the snapshot and the WAL file it starts at reached the disk; the deletion did not
            Corruptor.deleteTree(crash.resolve(FileNames.SNAPSHOT_DIR));
            Corruptor.copyTree(live.resolve(FileNames.SNAPSHOT_DIR), crash.resolve(FileNames.SNAPSHOT_DIR));
            copyWalFiles(live, crash);
        }
        for (Path p : Corruptor.walFiles(live)) { // the successor of the linked file that the close's roll ended
            Files.copy(p, crash.resolve(FileNames.WAL_DIR).resolve(p.getFileName().toString()),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<Path> walsBefore = Corruptor.walFiles(crash);
        assertThat(walsBefore.size()).isGreaterThanOrEqualTo(2);
        try (LocalStorage r = LocalStorage.open(Setting.SMALL_SEGMENTS.options(crash))) {
            long walStart = r.recovery().snapshotWalStart();
            assertThat(walStart).isGreaterThan(1);
            assertHolds(r, state, "snapshot with leftover WAL files");
            assertThat(Corruptor.walFiles(crash)).allSatisfy(p ->
                    assertThat(FileNames.walNumber(p.getFileName().toString())).isGreaterThanOrEqualTo(walStart));
        }
    }
}
