package dev.topics.storage.engine;

import dev.topics.storage.snapshot.SnapshotStore;
import dev.topics.storage.snapshot.SharedSnapshot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The leading cluster node's sharing of snapshots (docs/CLUSTER.md, "Shared snapshots"): at
 * most one every {@code intervalMs}, and only when the applied offset moved since the last.
 * The flow: the node asks ({@link #due}, {@link #asked}), the committer opens the files the
 * next snapshot counts on when it captures it, the snapshotter hands them over once the
 * snapshot is durable ({@link #offer}), and this class's thread puts them in the store, off
 * every path a request waits on. A share that fails is logged and tried again at the next
 * interval; a node that stops leading stops putting.
 */
final class SnapshotSharer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotSharer.class.getName());

    private final SharedSnapshot.Writer writer;
    private final long intervalMs;
    private final BooleanSupplier leads;
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

    SnapshotSharer(SnapshotStore store, long intervalMs, BooleanSupplier leads) {
        this.writer = new SharedSnapshot.Writer(store);
        this.intervalMs = intervalMs;
        this.leads = leads;
    }

    /** Whether a snapshot should be shared now that {@code appliedOffset} is applied here. */
    boolean due(long appliedOffset) {
        return !busy && !closed && appliedOffset > sharedOffset
                && System.nanoTime() - lastNanos >= intervalMs * 1_000_000L;
    }

    /** The node has asked for a snapshot to share; no other is asked for until it ends. */
    void asked() {
        busy = true;
    }

    /** The asked-for snapshot was not captured or not made durable: the next interval asks again. */
    void cancel(List<SharedSnapshot.Source> files) {
        closeAll(files);
        lastNanos = System.nanoTime();
        busy = false;
    }

    /** Snapshotter: the snapshot covering {@code offset} is durable; put {@code files} (closed when done). */
    void offer(long offset, List<SharedSnapshot.Source> files) {
        if (closed) {
            cancel(files);
            return;
        }
        thread.execute(() -> {
            long t0 = System.nanoTime();
            try {
                SharedSnapshot.Shared s = writer.write(offset, files, () -> closed || !leads.getAsBoolean());
                sharedOffset = offset;
                LOG.info("shared the snapshot covering cluster log offset " + offset + ": " + s.files() + " files in "
                        + s.chunks() + " chunks, " + s.chunksPut() + " put (" + s.bytesPut() + " bytes), "
                        + s.chunksRemoved() + " no longer named removed, in " + (System.nanoTime() - t0) / 1_000_000
                        + " ms");
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "sharing the snapshot covering cluster log offset " + offset
                            + " failed; the next interval tries again: " + e.getMessage(), e);
                }
            } finally {
                lastNanos = System.nanoTime();
                busy = false;
            }
        });
    }

    static void closeAll(List<SharedSnapshot.Source> files) {
        if (files == null) {
            return;
        }
        for (SharedSnapshot.Source f : files) {
            try {
                f.channel().close();
            } catch (IOException e) {
                // read-only
            }
        }
    }

    /** Opens {@code file} for reading, for a share. */
    static FileChannel open(java.nio.file.Path file) throws IOException {
        return FileChannel.open(file, java.nio.file.StandardOpenOption.READ);
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
