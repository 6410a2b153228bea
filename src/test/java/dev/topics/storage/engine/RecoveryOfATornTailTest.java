package dev.topics.storage.engine;

import static dev.topics.storage.engine.RecoveryFixtures.SEED;
import static dev.topics.storage.engine.RecoveryFixtures.oneRecord;
import static dev.topics.storage.engine.StorageState.assertHolds;
import static dev.topics.storage.engine.StorageState.assertNoPartialBatch;
import static dev.topics.storage.engine.StorageState.capture;
import static dev.topics.storage.engine.StorageState.durableOnly;
import static dev.topics.storage.engine.StorageState.quiesce;
import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.engine.RecoveryFixtures.Setting;
import dev.topics.storage.engine.StorageState.Batch;
import dev.topics.storage.engine.StorageState.KeyedResult;
import dev.topics.storage.engine.StorageState.TopicState;
import dev.topics.storage.engine.StorageState.Workload;
import dev.topics.storage.io.Bytes;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.wal.WalFormat;
import dev.topics.storage.wal.WalWriter;
import dev.topics.testing.Corruptor.Frame;
import dev.topics.testing.Corruptor;
import dev.topics.testing.ScratchDirTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash recovery of a torn tail: write acknowledged batches, take the data directory as a
 * crash leaves it (a copy taken while the engine is open and idle holds every byte it
 * wrote), cut, flip or extend its last write the way torn writes and bad disks do, recover,
 * and check that exactly the acknowledged prefix survives — byte for byte, atomically per
 * batch — and that the damage is reported.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryOfATornTailTest extends ScratchDirTest {
    private static final String LAST_KEY = "the-last-key";

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
