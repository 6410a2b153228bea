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
 * @param diskReserveBytes   free space writes leave for deletes (507 below it; see wal.DiskSpace)
 */
public record StorageOptions(Path dataDir, String nodeId, long asyncFlushMs, long segmentBytes, long walFileBytes,
                             int indexIntervalBytes, long tailBytes, long snapshotIntervalMs, long snapshotWalBytes,
                             long compactionIntervalMs, long diskReserveBytes) {
    /** Default of {@code storage.disk_reserve_bytes}. */
    public static final long DEFAULT_DISK_RESERVE = 16L << 20;

    /** Options with the default disk reserve. */
    public StorageOptions(Path dataDir, String nodeId, long asyncFlushMs, long segmentBytes, long walFileBytes,
                          int indexIntervalBytes, long tailBytes, long snapshotIntervalMs, long snapshotWalBytes,
                          long compactionIntervalMs) {
        this(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes, tailBytes,
                snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, DEFAULT_DISK_RESERVE);
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
                snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, diskReserveBytes);
    }

    public StorageOptions withTailBytes(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes, n,
                snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, diskReserveBytes);
    }

    public StorageOptions withSnapshotIntervalMs(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes,
                tailBytes, n, snapshotWalBytes, compactionIntervalMs, diskReserveBytes);
    }

    public StorageOptions withCompactionIntervalMs(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes,
                tailBytes, snapshotIntervalMs, snapshotWalBytes, n, diskReserveBytes);
    }

    public StorageOptions withDiskReserveBytes(long n) {
        return new StorageOptions(dataDir, nodeId, asyncFlushMs, segmentBytes, walFileBytes, indexIntervalBytes,
                tailBytes, snapshotIntervalMs, snapshotWalBytes, compactionIntervalMs, n);
    }
}
