package dev.topics.storage.engine;

import dev.topics.storage.io.FileNames;
import dev.topics.storage.snapshot.SharedSnapshot;
import dev.topics.storage.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The leading cluster node's sharing of snapshots (docs/CLUSTER.md, "Shared snapshots"): at
 * most one every {@code intervalMs}, and only when the applied offset moved since the last.
 * The flow: the node asks ({@link #due}, {@link #asked}); the committer, when it captures the
 * next snapshot, hard-links every segment file it counts on into {@code <data>/share/}
 * ({@link #link}); the snapshotter links the snapshot file once it is durable and hands the
 * set over ({@link #offer}); this class's thread puts it in the store, off every path a
 * request waits on, and removes the links. A link keeps the bytes however the data directory
 * changes meanwhile (appends go past the size taken, compaction renames a new file over the
 * name, retention unlinks the name), and holds no file descriptor. A share that fails is
 * logged and tried again at the next interval; a node that stops leading stops putting.
 */
final class SnapshotSharer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotSharer.class.getName());

    private final SharedSnapshot.Writer writer;
    private final long intervalMs;
    private final BooleanSupplier leads;
    /** {@code <data>/share}: the links of the share in progress; at most one share at a time. */
    private final Path dir;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "topics-snapshot-sharer");
        t.setDaemon(true);
        return t;
    });
    /** From {@link #asked} until the share (or its capture) has ended. */
    private volatile boolean busy;
    private volatile boolean closed;
    private volatile long sharedOffset = -1;
    private volatile long lastNanos = System.nanoTime();

    SnapshotSharer(SnapshotStore store, long intervalMs, BooleanSupplier leads, Path dataDir) throws IOException {
        this.writer = new SharedSnapshot.Writer(store);
        this.intervalMs = intervalMs;
        this.leads = leads;
        this.dir = dataDir.resolve(FileNames.SHARE_DIR);
        SharedSnapshot.deleteTree(dir); // left by a share a stop cut short
    }

    /** Whether a snapshot should be shared now that {@code appliedOffset} is applied here. */
    boolean due(long appliedOffset) {
        return !busy && !closed && appliedOffset > sharedOffset
                && System.nanoTime() - lastNanos >= intervalMs * 1_000_000L;
    }

    /**
     * This node does not lead now: when it comes to lead, its first share waits a whole
     * interval, by which time a node that led before has stopped putting (it checks between
     * chunks), so two nodes never put roots at once.
     */
    void notLeading() {
        if (!busy) {
            lastNanos = System.nanoTime();
        }
    }

    /** The node has asked for a snapshot to share; no other is asked for until it ends. */
    void asked() {
        busy = true;
    }

    /**
     * Committer or snapshotter: hard-links {@code file} (of which {@code size} bytes count)
     * as {@code rel} ({@code topics/<id>/<name>} or {@code snapshots/<name>}) into the share.
     */
    SharedSnapshot.Source link(String rel, Path file, long size) throws IOException {
        Path l = dir.resolve(rel);
        Files.createDirectories(l.getParent());
        Files.createLink(l, file);
        return new SharedSnapshot.Source(rel, l, size);
    }

    /** The asked-for snapshot was not captured or not made durable: the next interval asks again. */
    void cancel() {
        removeLinks();
        lastNanos = System.nanoTime();
        busy = false;
    }

    /** Snapshotter: the snapshot covering {@code offset} is durable; put {@code files}, then remove their links. */
    void offer(long offset, List<SharedSnapshot.Source> files) {
        if (closed) {
            cancel();
            return;
        }
        List<SharedSnapshot.Source> set = new ArrayList<>(files);
        thread.execute(() -> {
            long t0 = System.nanoTime();
            try {
                SharedSnapshot.Shared s = writer.write(offset, set, () -> closed || !leads.getAsBoolean());
                sharedOffset = offset;
                LOG.info("shared the snapshot covering cluster log offset " + offset + ": " + s.files() + " files in "
                        + s.chunks() + " chunks, " + s.chunksPut() + " put (" + s.bytesPut() + " bytes), "
                        + s.chunksRemoved() + " no longer named removed, " + s.bytesRead() + " bytes read, in " + (System.nanoTime() - t0) / 1_000_000
                        + " ms");
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "sharing the snapshot covering cluster log offset " + offset
                            + " failed; the next interval tries again: " + e.getMessage(), e);
                }
            } finally {
                cancel();
            }
        });
    }

    private void removeLinks() {
        try {
            SharedSnapshot.deleteTree(dir);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove " + dir + " (the next share tries again)", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            thread.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
