package dev.topics.storage.engine;

import dev.topics.storage.segment.Segment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Erases deleted records' bytes from disk (SPEC §6). The {@code topics-compactor} thread
 * writes segments again without them; the committer swaps the results in between groups
 * and then asks for a snapshot, whose completion deletes the WAL files that still held the
 * bytes. {@link #between} is called by the committer only.
 */
final class Compaction {
    private static final Logger LOG = Logger.getLogger(Compaction.class.getName());

    private final Engine engine;
    private final ExecutorService compactor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "topics-compactor");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentLinkedQueue<CompactedSegment> compacted = new ConcurrentLinkedQueue<>();
    private volatile Future<?> compaction;
    private long lastCompactionNanos = System.nanoTime();

    Compaction(Engine engine) {
        this.engine = engine;
    }

    /**
     * Committer, between groups, every half {@code compaction_interval_ms}: hand the
     * segments of topics with deletes to the compactor thread, which writes each one again
     * without the deleted records; the committer then swaps the new files in (between
     * groups) and asks for a snapshot, whose completion deletes the WAL files that still
     * held the bytes. Deleted bytes are thus gone within the interval (SPEC §6) while
     * commits go on (benchmark D2).
     */
    void between() throws IOException {
        boolean swapped = false;
        for (CompactedSegment c; (c = compacted.poll()) != null; ) {
            if (c.topic().deleted || c.topic().segments == null) {
                c.fresh().discard();
            } else {
                swapped |= c.topic().segments.swap(c.old(), c.fresh());
            }
        }
        if (swapped) {
            engine.requestSnapshot();
        }
        long now = System.nanoTime();
        Future<?> running = compaction;
        if ((running != null && !running.isDone())
                || now - lastCompactionNanos < engine.options.compactionIntervalMs() * 500_000L) {
            return;
        }
        lastCompactionNanos = now;
        List<Runnable> work = new ArrayList<>();
        for (TopicLog t : engine.byName.values()) {
            if (!t.toEraseNext.isEmpty()) {
                if (engine.cluster) {
                    engine.requestSnapshot(); // its deletes become erasable once a snapshot covers them
                } else {
                    t.toErase = t.toErase.plus(t.toEraseNext); // a single node's WAL logs every delete
                    t.toEraseNext = RemovedSeqs.NONE;
                }
            }
            if (t.toErase.isEmpty() || t.segments == null) {
                continue;
            }
            long below = t.compactBelow();
            List<Segment> candidates = t.segments.compactionCandidates(t.toErase, t.nextSeq, below);
            if (t.toErase.intersects(below, Long.MAX_VALUE)) {
                // Some are in segments a snapshot still counts on: once a newer snapshot (asked
                // for here) is durable, they are below its active segment and their turn comes.
                t.toErase = t.toErase.atOrAbove(below);
                engine.requestSnapshot();
            } else {
                t.toErase = RemovedSeqs.NONE;
            }
            // a cluster node erases only what its newest durable snapshot counts as deleted
            // (TopicLog.removedDurable): it replays the log from there and derives retention
            // from the records, which must be as the snapshot left them
            RemovedSeqs removed = engine.cluster ? t.removedDurable : t.removed; // a superset of what is still on disk: fine
            for (Segment s : candidates) {
                work.add(() -> {
                    try {
                        compacted.add(new CompactedSegment(t, s, s.compacted(removed::contains)));
                    } catch (IOException | RuntimeException e) {
                        // the segment went meanwhile (retention, topic deleted) or the disk failed:
                        // the records stay hidden; a later delete schedules the rewrite again
                        LOG.log(Level.WARNING, "compaction of " + s.file() + " failed: " + e);
                    }
                });
            }
        }
        if (!work.isEmpty()) {
            compaction = compactor.submit(() -> work.forEach(Runnable::run));
        }
    }

    /** A segment written again without its deleted records, waiting for the committer to swap it in. */
    private record CompactedSegment(TopicLog topic, Segment old, Segment fresh) {
    }

    /** At shutdown: stop the compactor (a half-written tmp file is removed by the next recovery). */
    void shutdown() {
        compactor.shutdownNow();
    }
}
