package dev.topics.storage.engine;

import dev.topics.storage.RecordBatch;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.engine.StorageState.Workload;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.wal.WalFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What the recovery tests ({@link RecoveryOfATornTailTest}, {@link RecoveryOfDamagedFilesTest},
 * {@link RecoveryFromSnapshotsTest}, {@link RecoveryOfTopicStateTest}) share: the seed of
 * their workloads, the storage settings crash tests run under, and small helpers.
 */
final class RecoveryFixtures {
    static final long SEED = 0x70_91C5L;

    private RecoveryFixtures() {
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

    static RecordBatch oneRecord(String text) {
        return new RecordBatch(64).add(("\"" + text + "\"").getBytes(StandardCharsets.UTF_8), "t", null, null);
    }

    static StorageOptions at(StorageOptions o, Path dataDir) {
        return new StorageOptions(dataDir, o.nodeId(), o.asyncFlushMs(), o.segmentBytes(), o.walFileBytes(),
                o.indexIntervalBytes(), o.tailBytes(), o.snapshotIntervalMs(), o.snapshotWalBytes());
    }

    static Set<String> topicDirs(Path dataDir) throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(dataDir.resolve(FileNames.TOPICS_DIR))) {
            s.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }
}
