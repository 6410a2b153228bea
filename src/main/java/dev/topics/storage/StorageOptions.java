package dev.topics.storage;

import java.nio.file.Path;

/**
 * Engine settings (the {@code storage:} keys of topics.yaml).
 *
 * @param nodeId             this server's node id, or null for the stable random one kept in the data dir
 * @param asyncFlushMs       an {@code async} topic's writes are fsynced within this
 * @param segmentBytes       a segment rolls when it passes this size
 * @param walFileBytes       a WAL file rolls when it passes this size
 * @param indexIntervalBytes one sparse-index entry per this many segment bytes
 * @param tailBytes          per-topic budget of the in-memory tail
 * @param snapshotIntervalMs a snapshot is taken this often when anything changed
 * @param snapshotWalBytes   … or as soon as this much WAL was written since the last one
 * @param compactionIntervalMs deleted records' bytes leave the disk within this long
 * @param maxOpenSegments    at most this many segment files open at once; 0 = a quarter of the
 *                           process's open-file limit (see {@code SegmentChannels.capacityFor})
 * @param diskReserveBytes   free space writes leave for deletes (507 below it; see wal.DiskSpace)
 */
public record StorageOptions(Path dataDir, String nodeId, long asyncFlushMs, long segmentBytes, long walFileBytes,
                             int indexIntervalBytes, long tailBytes, long snapshotIntervalMs, long snapshotWalBytes,
                             long compactionIntervalMs, int maxOpenSegments, long diskReserveBytes) {
    /** Default of {@code storage.disk_reserve_bytes}. */
    public static final long DEFAULT_DISK_RESERVE = 16L << 20;

    public StorageOptions {
        if (maxOpenSegments < 0) {
            throw new IllegalArgumentException("maxOpenSegments must be 0 (auto) or positive: " + maxOpenSegments);
        }
    }

    /** Options with the automatic bound on open segment files. */
    public StorageOptions(Path dataDir, String nodeId, long asyncFlushMs, long segmentBytes, long walFileBytes,
                          int indexIntervalBytes, long tailBytes, long snapshotIntervalMs, long snapshotWalBytes,
                          long compactionIntervalMs) {
        this(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes, tailBytes,
                snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, 0, DEFAULT_DISK_RESERVE);
    }

    /** Options with the default compaction interval (60 s). */
    public StorageOptions(Path dataDir, String nodeId, long asyncFlushMs, long segmentBytes, long walFileBytes,
                          int indexIntervalBytes, long tailBytes, long snapshotIntervalMs, long snapshotWalBytes) {
        this(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes, tailBytes,
                snapshotIntervalMs, snapshotWalBytes, 60_000);
    }

    /** Defaults for a data directory (tests, tools). */
    public static StorageOptions defaults(Path dataDir) {
        return new StorageOptions(dataDir, null, 200, 64L << 20, 64L << 20, 4096, 1L << 20, 60_000, 256L << 20);
    }

    public StorageOptions withSegmentBytes(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, n, walFileBytes, indexIntervalBytes, tailBytes,
                snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, maxOpenSegments, diskReserveBytes);
    }

    public StorageOptions withTailBytes(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes, n,
                snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, maxOpenSegments, diskReserveBytes);
    }

    public StorageOptions withSnapshotIntervalMs(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes,
                tailBytes, n, snapshotWalBytes, compactionIntervalMs, maxOpenSegments, diskReserveBytes);
    }

    public StorageOptions withCompactionIntervalMs(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes,
                tailBytes, snapshotIntervalMs, snapshotWalBytes, n, maxOpenSegments, diskReserveBytes);
    }

    /** At most {@code n} segment files open at once (0 = auto). */
    public StorageOptions withMaxOpenSegments(int n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes,
                tailBytes, snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, n, diskReserveBytes);
    }

    public StorageOptions withDiskReserveBytes(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes,
                tailBytes, snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, maxOpenSegments, n);
    }
}
