package dev.topics.storage.engine;

import dev.topics.storage.CommandLog;
import dev.topics.storage.snapshot.SnapshotStore;
import dev.topics.storage.StorageException;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.snapshot.SharedSnapshot;
import dev.topics.storage.snapshot.SnapshotFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * A cluster node's start, before recovery: when it has no snapshot of its own, or one older
 * than the log still holds, it puts the newest shared snapshot in place of its local files,
 * so that recovery loads it and the log is followed from the offset after it
 * (docs/CLUSTER.md, "Shared snapshots"). A node whose own snapshot the log still covers
 * starts from it; a store holding no snapshot changes nothing (the node then rebuilds from
 * offset 0 or refuses, as {@code Replica.start} says).
 */
final class SharedRestore {
    private static final Logger LOG = Logger.getLogger(SharedRestore.class.getName());
    private SharedRestore() {
    }

    static void ifNeeded(Path dataDir, CommandLog log, long timeoutMs) throws IOException {
        Path staging = dataDir.resolve(FileNames.RESTORE_DIR);
        SharedSnapshot.deleteTree(staging); // left by a start that stopped part way
        SharedSnapshot.deleteTree(dataDir.resolve(FileNames.SHARE_DIR)); // links left by a share a stop cut short
        SnapshotStore store = log.snapshots();
        if (store == null) {
            return;
        }
        SnapshotFile.Loaded local = SnapshotFile.readNewest(dataDir.resolve(FileNames.SNAPSHOT_DIR));
        long localOffset = local == null ? -1 : SnapshotCodec.appliedOffset(local.payload());
        long oldest;
        try {
            oldest = log.startOffset(timeoutMs * 2);
        } catch (RuntimeException e) {
            throw new StorageException.Unavailable("cannot reach the cluster log (" + log.describe() + "): "
                    + e.getMessage(), e);
        }
        if (local != null && localOffset + 1 >= oldest) {
            return; // the log holds everything after this node's own snapshot
        }
        long t0 = System.nanoTime();
        SharedSnapshot.Fetched f = SharedSnapshot.fetch(store, staging);
        if (f == null) {
            return;
        }
        if (local != null && f.offset() <= localOffset) {
            SharedSnapshot.deleteTree(staging);
            return; // this node's own is newer; the log's start refuses it below, saying why
        }
        if (f.offset() + 1 < oldest) {
            SharedSnapshot.deleteTree(staging);
            throw new StorageException.Unavailable("this node needs the cluster log from offset " + (localOffset + 1)
                    + " and the newest shared snapshot (" + store.describe() + ") covers up to " + f.offset()
                    + ", but the oldest offset the log still holds is " + oldest + " (" + log.describe()
                    + "); the leading node shares a snapshot every cluster.kafka.snapshot_interval_ms: keep the log"
                    + " longer than that (docs/CLUSTER.md, \"Retention the log needs\")", null);
        }
        SharedSnapshot.install(f, dataDir);
        LOG.info("restored the shared snapshot covering cluster log offset " + f.offset() + " (" + f.files()
                + " files, " + f.bytes() + " bytes) from " + store.describe() + " in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms"
                + (local == null ? "" : "; this node's own covered up to " + localOffset
                + ", which the log no longer follows on from"));
    }
}
