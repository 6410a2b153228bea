package dev.topics.storage.engine;

import dev.topics.storage.io.DirectoryFsync;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.snapshot.SharedSnapshot;
import dev.topics.storage.snapshot.SnapshotFile;
import dev.topics.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;

/**
 * One snapshot in flight: the state the committer captured and encoded at a WAL file
 * boundary ({@code Engine.capture}), made durable off the committer thread by the
 * snapshotter ({@link #persist}), then settled by the committer once it has ended
 * ({@link #settle}). Until the snapshot file is durable, the previous snapshot and every
 * WAL file after it remain.
 */
final class SnapshotJob {
    private final long walStart;
    private final byte[] payload;
    private final List<TopicLog> topics;
    private final Path walDir;
    private final Path topicsDir;
    private final Path snapshotDir;
    /** Set by the snapshotter once the snapshot file is durable. */
    private volatile boolean durable;
    /** When the committer captured the state (nanoTime): every change before it is in the snapshot. */
    final long capturedNanos = System.nanoTime();
    /** Cluster: the files to share once durable (opened at the capture), or null. */
    private final List<SharedSnapshot.Source> share;
    private final long appliedOffset;
    private final SnapshotSharer sharer;

    SnapshotJob(long walStart, byte[] payload, List<TopicLog> topics, Path walDir, Path topicsDir, Path snapshotDir,
                List<SharedSnapshot.Source> share, long appliedOffset, SnapshotSharer sharer) {
        this.share = share;
        this.appliedOffset = appliedOffset;
        this.sharer = sharer;
        this.walStart = walStart;
        this.payload = payload;
        this.topics = topics;
        this.walDir = walDir;
        this.topicsDir = topicsDir;
        this.snapshotDir = snapshotDir;
    }

    /**
     * Committer, once the job has ended: the active bases it captured become the ones
     * recovery counts on (if it became durable), and no longer hold compaction back
     * as in-flight. Returns whether the snapshot became durable.
     */
    boolean settle() {
        for (TopicLog t : topics) {
            if (durable) {
                t.durableActiveBase = t.inflightActiveBase;
                t.removedDurable = t.removedInflight;
                t.toErase = t.toErase.plus(t.toEraseInflight);
            } else {
                t.toEraseNext = t.toEraseInflight.plus(t.toEraseNext);
            }
            t.toEraseInflight = RemovedSeqs.NONE;
            t.inflightActiveBase = Long.MAX_VALUE;
        }
        return durable;
    }

    /**
     * Snapshotter thread: forces the captured topics' segments and the names of their
     * directories, writes the snapshot file, then deletes the WAL files it covers; hands a
     * snapshot to share, with its own file, to the sharer.
     */
    void persist() throws IOException {
        if (share == null) {
            persistLocal();
            return;
        }
        boolean offered = false;
        try {
            persistLocal();
            Path file = snapshotDir.resolve(FileNames.snapshotName(walStart));
            share.add(sharer.link(FileNames.SNAPSHOT_DIR + "/" + file.getFileName(), file, java.nio.file.Files.size(file)));
            sharer.offer(appliedOffset, share);
            offered = true;
        } finally {
            if (!offered) {
                sharer.cancel();
            }
        }
    }

    private void persistLocal() throws IOException {
        for (TopicLog t : topics) {
            try {
                t.segments.force();
            } catch (ClosedChannelException e) {
                // the topic was deleted after the capture: its deletion is in the WAL after walStart
            }
        }
        if (!topics.isEmpty()) {
            DirectoryFsync.directory(topicsDir); // the topic directories' names, for the same reason
        }
        SnapshotFile.write(snapshotDir, walStart, payload);
        durable = true;
        WalWriter.deleteBefore(walDir, walStart);
    }
}
