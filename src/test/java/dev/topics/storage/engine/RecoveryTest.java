package dev.topics.storage.engine;

import static dev.topics.storage.engine.StorageState.assertHolds;
import static dev.topics.storage.engine.StorageState.assertNoPartialBatch;
import static dev.topics.storage.engine.StorageState.capture;
import static dev.topics.storage.engine.StorageState.durableOnly;
import static dev.topics.storage.engine.StorageState.quiesce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordBatch;
import dev.topics.storage.StorageException;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.engine.StorageState.Batch;
import dev.topics.storage.engine.StorageState.KeyedResult;
import dev.topics.storage.engine.StorageState.TopicState;
import dev.topics.storage.engine.StorageState.Workload;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.wal.WalFormat;
import dev.topics.storage.wal.WalWriter;
import dev.topics.testing.Corruptor.Frame;
import dev.topics.testing.Corruptor;
import dev.topics.testing.MemoryTempDir;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash recovery: write acknowledged batches, take the data directory as a crash leaves
 * it (a copy taken while the engine is open and idle holds every byte it wrote), damage
 * it the way torn writes and bad disks do, recover, and check that exactly the
 * acknowledged prefix survives — byte for byte, atomically per batch — and that the
 * damage is reported.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryTest {
    private static final long SEED = 0x70_91C5L;
    private static final String LAST_KEY = "the-last-key";

    @TempDir
    Path tempDir;
    /** This test's directory: in memory when possible (see {@link MemoryTempDir}). */
    Path dir;

    @BeforeEach
    void scratch() {
        dir = MemoryTempDir.create(tempDir);
    }

    @AfterEach
    void clean() {
        MemoryTempDir.delete(dir, tempDir);
    }

    /** Storage settings every crash test runs under. */
    enum Setting {
        /** Defaults; no snapshot: recovery replays the whole WAL. */
        PLAIN(false, Workload.ORDERS, true),
        /** A snapshot midway: recovery loads it, cuts segments to it and replays the rest. */
        SNAPSHOT_MIDWAY(true, Workload.ORDERS, true),
        /** The last frame belongs to an {@code async} topic. */
        ASYNC_LAST(false, Workload.METRICS, false),
        /** Tiny segments, index interval and tail: segments roll, reads come from disk. */
        SMALL_SEGMENTS(true, Workload.ORDERS, false);

        final boolean snapshotMidway;
        final String lastTopic;
        /**
         * Whether damage sweeps visit every byte of a frame. The two recovery paths (replay
         * alone; snapshot, segment cut and replay) do; the other settings write frames of the
         * same format and sample the offsets, to keep the suite fast.
         */
        final boolean everyByte;

        Setting(boolean snapshotMidway, String lastTopic, boolean everyByte) {
            this.snapshotMidway = snapshotMidway;
            this.lastTopic = lastTopic;
            this.everyByte = everyByte;
        }

        StorageOptions options(Path dataDir) {
            if (this == SMALL_SEGMENTS) {
                return new StorageOptions(dataDir, null, 200, 1024, 64L << 20, 128, 64, 60_000, 256L << 20);
            }
            return StorageOptions.defaults(dataDir);
        }

        /** Offsets in {@code [from, to]}: all, or the frame header's bytes, both ends and every 9th. */
        List<Long> offsets(long from, long to) {
            TreeSet<Long> out = new TreeSet<>();
            for (long at = from; at <= to; at += everyByte ? 1 : 9) {
                out.add(at);
            }
            for (long at = from; at <= Math.min(to, from + WalFormat.FRAME_HEADER + 1); at++) {
                out.add(at);
            }
            out.add(to - 1);
            out.add(to);
            return new ArrayList<>(out);
        }
    }

    /** A crash copy whose last WAL frame is the write {@code last}; the states before and after it. */
    private record Crash(Path dir, Setting setting, Map<String, TopicState> before, Map<String, TopicState> after,
                         AppendResult last, List<Batch> batches) {
        Path lastWal() {
            return Corruptor.lastWalFile(dir);
        }

        /** The same file in another copy of the directory. */
        Path in(Path copy, Path file) {
            return copy.resolve(dir.relativize(file).toString());
        }
    }

    private Crash prepare(Setting st) {
        Path live = dir.resolve("live");
        Workload w = new Workload(SEED);
        try (LocalStorage s = LocalStorage.open(st.options(live))) {
            w.setUp(s);
            w.random(s, 40);
            if (st.snapshotMidway) {
                s.snapshot();
            }
            w.random(s, 30);
            Map<String, TopicState> before = capture(s);
            AppendResult last = w.appendSmall(s, st.lastTopic, 2, LAST_KEY);
            Map<String, TopicState> after = capture(s);
            quiesce(s);
            Path crash = dir.resolve("crash");
            Corruptor.copyTree(live, crash);
            Crash c = new Crash(crash, st, before, after, last, List.copyOf(w.batches));
            Frame f = Corruptor.lastFrame(c.lastWal());
            assertThat(f.type()).as("the last frame is the last write").isEqualTo(Frames.RECORDS);
            // The writer keeps the file zero-filled ahead of its last frame. Trim that space so
            // the offsets and garbage below are relative to the last frame (recovering the
            // untrimmed file is zeroFilledSpaceAfterTheLastFrameIsACleanEnd).
            byte[] tail = Files.readAllBytes(c.lastWal());
            for (long i = f.end(); i < tail.length; i++) {
                assertThat(tail[(int) i]).as("byte %d after the last frame", i).isZero();
            }
            Corruptor.truncate(c.lastWal(), f.end());
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One damage-and-recover run, at one offset, in its own copy of the directory. */
    private interface OffsetCheck {
        void check(long offset, Path run) throws Exception;
    }

    /**
     * Runs {@code check} for every offset, a few at a time (each in its own fresh copy of
     * {@code source}, so runs share nothing): a sweep is hundreds of copy/open/recover/close
     * cycles. The first failure, in offset order, is rethrown.
     */
    private void forEachOffset(List<Long> offsets, Path source, OffsetCheck check) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (long offset : offsets) {
                runs.add(pool.submit(() -> {
                    Path run = Corruptor.freshCopy(source, dir.resolve("run-" + offset));
                    check.check(offset, run);
                    Corruptor.deleteTree(run);
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw (Exception) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static RecordBatch oneRecord(String text) {
        return new RecordBatch(64).add(("\"" + text + "\"").getBytes(StandardCharsets.UTF_8), "t", null, null);
    }

    /**
     * Recovers {@code copy}, checks it holds {@code expected} with no partial batch, then
     * writes once more (repeating {@link #LAST_KEY}) and checks a second restart keeps it all.
     */
    private static void recoverAndContinue(Crash c, Path copy, Map<String, TopicState> expected, boolean lastSurvived,
                                           long bytesCut, String ctx) throws IOException {
        recover(c, copy, expected, lastSurvived, bytesCut, ctx, true);
    }

    /** As {@link #recoverAndContinue}, the write and second restart only when {@code andContinue}. */
    private static void recover(Crash c, Path copy, Map<String, TopicState> expected, boolean lastSurvived,
                                long bytesCut, String ctx, boolean andContinue) throws IOException {
        Map<String, TopicState> next;
        try (LocalStorage r = LocalStorage.open(c.setting().options(copy))) {
            assertThat(r.recovery().bytesCut()).as("%s: bytes cut", ctx).isEqualTo(bytesCut);
            if (bytesCut == 0) {
                assertThat(r.recovery().cutReason()).as("%s: cut reason", ctx).isNull();
            } else {
                assertThat(r.recovery().cutReason()).as("%s: cut reason", ctx).isNotNull();
            }
            assertHolds(r, expected, ctx);
            assertNoPartialBatch(r, c.batches(), ctx);
            if (!andContinue) {
                return;
            }

            String topic = c.setting().lastTopic;
            AppendResult again = r.append(new AppendRequest(topic, oneRecord("after " + ctx), LAST_KEY, null,
                    TopicConfig.DEFAULTS));
            if (lastSurvived) {
                assertThat(again.deduped()).as("%s: the last key is remembered", ctx).isTrue();
                assertThat(KeyedResult.of(topic, LAST_KEY, again)).isEqualTo(KeyedResult.of(topic, LAST_KEY, c.last()));
            } else {
                assertThat(again.deduped()).as("%s: the lost write's key is forgotten", ctx).isFalse();
                assertThat(again.firstSeq()).as("%s: next seq", ctx).isEqualTo(expected.get(topic).info().headSeq() + 1);
            }
            next = capture(r);
        }
        try (LocalStorage r = LocalStorage.open(c.setting().options(copy))) {
            assertThat(r.recovery().bytesCut()).as("%s: second restart cuts nothing", ctx).isZero();
            assertHolds(r, next, ctx + ", second restart");
        }
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void cuttingTheLastFrameAtEveryByteKeepsExactlyTheAcknowledgedPrefix(Setting st) throws Exception {
        Crash c = prepare(st);
        Frame last = Corruptor.lastFrame(c.lastWal());
        // Writing on and restarting again after every cut would double the time; a few cuts do.
        Set<Long> andContinue = new TreeSet<>(List.of(last.start(), last.start() + 1,
                last.start() + WalFormat.FRAME_HEADER, (last.start() + last.end()) / 2, last.end() - 1, last.end()));
        Path wal = c.lastWal();
        forEachOffset(st.offsets(last.start(), last.end()), c.dir(), (cut, run) -> {
            Corruptor.truncate(c.in(run, wal), cut);
            boolean whole = cut == last.end();
            long left = whole ? 0 : cut - last.start();
            String ctx = st + ", cut at " + cut + " (" + left + " of " + last.length() + " bytes of the last frame left)";
            recover(c, run, durableOnly(whole ? c.after() : c.before()), whole, left, ctx, andContinue.contains(cut));
        });
    }

    @ParameterizedTest(name = "{0}: {1} x {2}")
    @CsvSource({
            "PLAIN, zeros, 1",
            "PLAIN, zeros, 8",
            "PLAIN, zeros, 9",
            "PLAIN, zeros, 4096",
            "PLAIN, random, 1",
            "PLAIN, random, 7",
            "PLAIN, random, 8",
            "PLAIN, random, 100",
            "PLAIN, random, 70000",
            "PLAIN, frame-header, 1000",
            "ASYNC_LAST, random, 513",
            "SNAPSHOT_MIDWAY, zeros, 100",
            "SNAPSHOT_MIDWAY, random, 100",
            "SMALL_SEGMENTS, random, 33",
    })
    void garbageAfterTheLastFrameIsCutAndEverythingAcknowledgedSurvives(Setting st, String kind, int length)
            throws IOException {
        Crash c = prepare(st);
        byte[] garbage = switch (kind) {
            case "zeros" -> new byte[length];
            case "random" -> Corruptor.randomBytes(length, length);
            case "frame-header" -> {
                // the start of a frame claiming more bytes than follow it
                byte[] g = Corruptor.randomBytes(1, length);
                Bytes.put32(g, 0, length * 2);
                yield g;
            }
            default -> throw new IllegalArgumentException(kind);
        };
        Corruptor.append(c.lastWal(), garbage);
        // zeros after the last frame are what the writer's fill-ahead looks like: a clean end, nothing cut
        long expectCut = kind.equals("zeros") ? 0 : length;
        recoverAndContinue(c, c.dir(), durableOnly(c.after()), true, expectCut, st + ", " + length + " bytes of " + kind);
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void aFlippedBitInTheLastFrameDropsExactlyThatBatch(Setting st) throws Exception {
        Crash c = prepare(st);
        Frame last = Corruptor.lastFrame(c.lastWal());
        // every byte of the frame (length, CRC, type, payload; sampled in some settings), a different bit each time
        Path wal = c.lastWal();
        forEachOffset(st.offsets(last.start(), last.end() - 1), c.dir(), (at, run) -> {
            int bit = (int) (at * 5 % 8);
            Corruptor.flipBit(c.in(run, wal), at, bit);
            String ctx = st + ", bit " + bit + " of byte " + (at - last.start()) + " of the last frame flipped";
            try (LocalStorage r = LocalStorage.open(st.options(run))) {
                assertThat(r.recovery().bytesCut()).as("%s: bytes cut", ctx).isEqualTo(last.length());
                assertThat(r.recovery().cutReason()).as("%s: cut reason", ctx).isNotNull();
                assertHolds(r, durableOnly(c.before()), ctx);
                assertNoPartialBatch(r, c.batches(), ctx);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(value = Setting.class, names = {"PLAIN", "SMALL_SEGMENTS"})
    void noCutAnywhereInTheLastFramesLeavesAPartialBatch(Setting st) throws Exception {
        // The last four writes, each a frame of several records in a different topic; a cut
        // anywhere in them keeps exactly the writes whose frames are whole.
        Path live = dir.resolve("live");
        Workload w = new Workload(SEED + 1);
        List<Map<String, TopicState>> states = new ArrayList<>();
        Path crash = dir.resolve("crash");
        try (LocalStorage s = LocalStorage.open(st.options(live))) {
            w.setUp(s);
            w.random(s, 30);
            if (st.snapshotMidway) {
                s.snapshot();
            }
            states.add(capture(s));
            String[] topics = {Workload.ORDERS, Workload.METRICS, Workload.CFG, Workload.ORDERS};
            for (String t : topics) {
                w.appendSmall(s, t, 4, null);
                states.add(capture(s));
            }
            quiesce(s);
            Corruptor.copyTree(live, crash);
        }
        Path wal = Corruptor.lastWalFile(crash);
        List<Frame> frames = Corruptor.frames(wal);
        List<Frame> lastFour = frames.subList(frames.size() - 4, frames.size());
        assertThat(lastFour).extracting(Frame::type).containsOnly(Frames.RECORDS);
        long from = lastFour.get(0).start();
        long to = lastFour.get(3).end();
        TreeSet<Long> cuts = new TreeSet<>();
        for (long cut = from; cut <= to; cut += 11) {
            cuts.add(cut);
        }
        for (Frame f : lastFour) {
            for (long d = -1; d <= 1; d++) {
                cuts.add(Math.max(from, Math.min(to, f.start() + d)));
                cuts.add(Math.max(from, Math.min(to, f.end() + d)));
            }
        }
        forEachOffset(new ArrayList<>(cuts), crash, (cut, run) -> {
            Corruptor.truncate(run.resolve(crash.relativize(wal).toString()), cut);
            int whole = 0;
            long wholeEnd = from;
            for (Frame f : lastFour) {
                if (f.end() <= cut) {
                    whole++;
                    wholeEnd = f.end();
                } else if (f.start() <= cut) {
                    // each of these writes is a group of its own, opened by a mark frame that
                    // ends where the records frame starts: a whole mark stays
                    wholeEnd = f.start();
                }
            }
            String ctx = st + ", cut at " + cut + " (" + whole + " of the last 4 frames whole)";
            try (LocalStorage r = LocalStorage.open(st.options(run))) {
                assertThat(r.recovery().bytesCut()).as(ctx).isEqualTo(cut - wholeEnd);
                assertHolds(r, durableOnly(states.get(whole)), ctx);
                assertNoPartialBatch(r, w.batches, ctx);
            }
        });
    }

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

    @ParameterizedTest
    @CsvSource({"0", "1", "7", "15", "16"})
    void aWalFileTornWhileBeingCreatedIsCut(int stubLength) throws IOException {
        // A crash between creating the next WAL file and writing its header leaves a stub.
        Crash c = prepare(Setting.PLAIN);
        long next = FileNames.walNumber(c.lastWal().getFileName().toString()) + 1;
        Path stub = c.lastWal().resolveSibling(FileNames.walName(next));
        // a roll ends the file before it creates the next one
        try (FileChannel ch = FileChannel.open(c.lastWal(), StandardOpenOption.WRITE)) {
            WalWriter.writeEnd(ch, ch.size(), next);
        }
        Files.write(stub, Arrays.copyOf(WalFormat.fileHeader(next), stubLength));
        long expectCut = stubLength == WalFormat.FILE_HEADER ? 0 : stubLength;
        recoverAndContinue(c, c.dir(), durableOnly(c.after()), true, expectCut, "stub of " + stubLength + " bytes");
    }

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

    enum Restart { CRASH, CLEAN }

    private static StorageOptions at(StorageOptions o, Path dataDir) {
        return new StorageOptions(dataDir, o.nodeId(), o.asyncFlushMs(), o.segmentBytes(), o.walFileBytes(),
                o.indexIntervalBytes(), o.tailBytes(), o.snapshotIntervalMs(), o.snapshotWalBytes());
    }

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

    private static Set<String> topicDirs(Path dataDir) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(dataDir.resolve(FileNames.TOPICS_DIR))) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
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
    @Test
    void aTornWriteThatCreatesItsTopicLeavesNeitherTheTopicNorItsRecords() throws Exception {
        // A write to a new topic is one RECORDS frame carrying the topic's creation, so a
        // crash that tears it anywhere leaves neither the topic nor any of its records.
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        Workload w = new Workload(SEED + 14);
        Map<String, TopicState> before;
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            w.append(s, "existing", 2, null);
            before = durableOnly(capture(s));
            AppendResult r = w.appendSmall(s, "fresh", 2, null);
            assertThat(r.created()).isTrue();
            quiesce(s);
            Corruptor.copyTree(live, crash);
        }
        Path wal = Corruptor.lastWalFile(crash);
        List<Frame> frames = Corruptor.frames(wal);
        Frame records = frames.get(frames.size() - 1);
        assertThat(records.type()).isEqualTo(Frames.RECORDS);
        List<Long> cuts = List.of(records.start(), records.start() + 1, records.start() + WalFormat.FRAME_HEADER + 1,
                (records.start() + records.end()) / 2, records.end() - 1);
        forEachOffset(cuts, crash, (cut, run) -> {
            Corruptor.truncate(run.resolve(crash.relativize(wal).toString()), cut);
            try (LocalStorage r = LocalStorage.open(StorageOptions.defaults(run))) {
                assertHolds(r, before, "creating write cut at " + cut + " (its records frame starts at "
                        + records.start() + ")");
            }
        });
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

    @Test
    void zeroFilledSpaceAfterTheLastFrameIsACleanEnd() throws IOException {
        Path live = dir.resolve("live");
        Path crash = dir.resolve("crash");
        Workload w = new Workload(SEED + 21);
        Map<String, TopicState> state;
        try (LocalStorage s = LocalStorage.open(StorageOptions.defaults(live))) {
            w.setUp(s);
            w.random(s, 20);
            state = durableOnly(capture(s));
            quiesce(s);
            Corruptor.copyTree(live, crash);
        }
        Path wal = Corruptor.lastWalFile(crash);
        assertThat(Corruptor.size(wal)).as("the writer filled space ahead").isGreaterThan(Corruptor.lastFrame(wal).end());
        try (LocalStorage r = LocalStorage.open(StorageOptions.defaults(crash))) {
            assertThat(r.recovery().bytesCut()).isZero();
            assertThat(r.recovery().cutReason()).isNull();
            assertHolds(r, state, "zero-filled tail");
        }
    }
}
