package dev.topics.storage.engine;

import dev.topics.storage.ControlEntry;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.io.FileNames;
import dev.topics.storage.segment.SegmentChannels;
import dev.topics.storage.segment.SegmentLog;
import dev.topics.storage.snapshot.SharedSnapshot;
import dev.topics.storage.wal.Committer;
import dev.topics.storage.wal.OutOfSpace;
import dev.topics.storage.wal.WalWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The engine's state and the mutations shared by live commits and WAL replay, so replay
 * does exactly what the live path did.
 *
 * <p>Threads: the topic maps {@code byName}/{@code byId} and {@code nextTopicId} belong
 * to the committer (and to recovery before the committer starts). {@code published} is
 * what readers see: a topic enters it when its creation is committed and leaves when its
 * deletion is.
 */
final class Engine implements Committer.Duties {
    private static final Logger LOG = Logger.getLogger(Engine.class.getName());
    final StorageOptions options;
    final Path topicsDir;
    final Path snapshotDir;
    /** Every segment's file channel, opened on demand within {@code storage.max_open_segments}. */
    final SegmentChannels channels;
    final Map<String, TopicLog> byName = new HashMap<>();
    final Map<Long, TopicLog> byId = new HashMap<>();
    final ConcurrentSkipListMap<String, TopicLog> published = new ConcurrentSkipListMap<>();
    /** Streams that can expire (a TTL or an expiry time, not soft-deleted): what the expiry sweep visits. */
    final Set<TopicLog> expiring = ConcurrentHashMap.newKeySet();
    long nextTopicId = 1;
    /**
     * A cluster node (docs/CLUSTER.md): tasks come from the cluster's log, decided at the
     * command's time; every topic keeps segments (memory-only topics too, so that a node
     * rebuilds from its snapshot and the log like every other), and nothing is swept by
     * this node's own clock. Set before recovery; never changes.
     */
    boolean cluster;
    /**
     * Cluster: the log offset of the last command applied (-1: none); a snapshot covers it.
     * Written by the committer (finishing tasks in log order), read by anyone.
     */
    volatile long appliedOffset = -1;
    /** Cluster: the newest command time applied, the clock every node decides by (monotonic). */
    volatile long clockMs;
    /** Watch sessions (SPEC §5): id → spec, as stored. Written by the committer, read by any thread. */
    final ConcurrentHashMap<String, byte[]> watches = new ConcurrentHashMap<>();
    /**
     * When each watch session was last used, as this node knows it (ms): made, opened, streamed,
     * or, in a cluster, logged as used by any node. Only the leading node's view decides expiry
     * (it logs the removal), so this is not in the snapshot: after a restart a session counts
     * as used when first asked about, and lives at least one more TTL.
     */
    final ConcurrentHashMap<String, Long> watchUsed = new ConcurrentHashMap<>();
    /**
     * A cluster's worker status: per control entry, the latest status its worker published on
     * the node that runs it (STATUS commands), shown by the other nodes. In memory, like the
     * worker's own; dropped with the entry.
     */
    final ConcurrentHashMap<ControlEntry.Key, byte[]> statuses = new ConcurrentHashMap<>();
    /** Likewise, the items a worker publishes (a webhook's deliveries), per entry: id → item, oldest first, bounded. */
    final ConcurrentHashMap<ControlEntry.Key, java.util.LinkedHashMap<String, byte[]>> statusItems =
            new ConcurrentHashMap<>();

    /**
     * Control entries (routers, subscriptions, webhooks): {@code controls} is the committer's
     * truth, changed when a task is prepared; {@code controlView} is what readers see, brought
     * in line with it key by key when tasks are applied (after their group is durable).
     */
    final Map<ControlEntry.Key, ControlEntry> controls = new HashMap<>();
    final ConcurrentHashMap<ControlEntry.Key, ControlEntry> controlView =
            new ConcurrentHashMap<>();

    private long lastSnapshotNanos = System.nanoTime();
    private long walBytesAtSnapshot;
    private Committer committer;
    private volatile CompletableFuture<Void> snapshotRequest;
    private final ExecutorService snapshotter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "topics-snapshotter");
        t.setDaemon(true);
        return t;
    });
    private volatile Future<?> inFlight;
    /** Committer-only: the snapshot being written, until the committer has seen it end. */
    private SnapshotJob inFlightJob;
    /** Committer-only: EVICT frames (topic id, new earliest, count, bytes) not yet written. */
    private final List<long[]> pendingEvicts = new ArrayList<>();
    private final ByteSink evictFrames = new ByteSink(256);
    private long lastSweepNanos = System.nanoTime();
    private final Compaction compaction = new Compaction(this);
    /** Cluster, when snapshots are shared: the sharing (docs/CLUSTER.md); null otherwise. Set before the committer starts. */
    SnapshotSharer sharer;
    /** The next snapshot is to be shared too ({@link #requestShare}). */
    private volatile boolean shareNext;

    Engine(StorageOptions options) {
        this.options = options;
        this.topicsDir = options.dataDir().resolve(FileNames.TOPICS_DIR);
        this.snapshotDir = options.dataDir().resolve(FileNames.SNAPSHOT_DIR);
        this.channels = new SegmentChannels(SegmentChannels.capacityFor(options.maxOpenSegments()));
    }

    void committer(Committer c) {
        this.committer = c;
    }

    /** Makes a topic known to the committer (not yet to readers). */
    TopicLog newTopic(long id, String name, String owner, long createdAtMs, TopicConfig config) throws IOException {
        return newTopic(id, name, owner, createdAtMs, config, 1);
    }

    /** As above, for a topic whose first own record will have seq {@code firstSeq} (a fork's, after its inherited ones). */
    TopicLog newTopic(long id, String name, String owner, long createdAtMs, TopicConfig config, long firstSeq)
            throws IOException {
        // Checked before any file exists: the create frame stores both as u16-length strings.
        if (name.getBytes(StandardCharsets.UTF_8).length > 0xFFFF
                || (owner != null && owner.getBytes(StandardCharsets.UTF_8).length > 0xFFFF)) {
            throw new IllegalArgumentException("topic name or owner over 65535 bytes");
        }
        SegmentLog segs = config.durable() || cluster
                ? SegmentLog.create(channels, FileNames.topicDir(options.dataDir(), id), firstSeq, options.segmentBytes(),
                options.indexIntervalBytes())
                : null;
        TopicLog t = new TopicLog(id, name, owner, createdAtMs, config, segs, options.tailBytes(),
                TopicLog.emptyHead(firstSeq - 1));
        if (cluster) {
            t.lastAccessMs = createdAtMs; // the command's time, not this node's clock
        }
        register(t);
        nextTopicId = Math.max(nextTopicId, id + 1);
        return t;
    }

    /**
     * Committer and recovery: a fork (its stream state set) is tied to its source, which
     * counts it; a source that is missing is damage (a source is dropped only with its last fork).
     */
    void linkFork(TopicLog fork) {
        StreamMeta m = fork.stream;
        if (m == null || m.fork() == null) {
            return;
        }
        TopicLog src = byName.get(m.fork().source());
        if (src == null) {
            throw new CorruptFrame("fork '" + fork.name + "' reads from '" + m.fork().source() + "', which does not exist");
        }
        fork.source = src;
        src.forkCount++;
    }

    /** Committer and recovery: a fork being dropped no longer counts against its source. Returns the source, or null. */
    TopicLog unlinkFork(TopicLog fork) {
        TopicLog src = fork.source;
        if (src != null) {
            src.forkCount--;
        }
        return src;
    }

    /**
     * Committer (prepare of a delete, or between groups for an expiry): forgets {@code t}
     * for the committer and logs its deletion, then does the same for each soft-deleted
     * source that no fork reads any more (SPEC §16: the collection cascades up the chain).
     * Returns the topics to {@link #drop} once the frames are durable.
     */
    List<TopicLog> dropWithSources(TopicLog t, ByteSink wal) {
        List<TopicLog> out = new ArrayList<>();
        for (TopicLog d = t; d != null; ) {
            byName.remove(d.name);
            dropControlsOf(d.name);
            if (d.durable()) {
                Frames.topicDelete(wal, d.id);
            }
            out.add(d);
            TopicLog src = unlinkFork(d);
            d = src != null && src.forkCount == 0 && src.stream != null && src.stream.softDeleted() ? src : null;
        }
        return out;
    }

    /** Committer (apply of a soft delete): the topic's control entries are gone for readers too. */
    void hideDropped(TopicLog t) {
        for (ControlEntry c : List.copyOf(controlView.values())) {
            if (c.belongsToTopic(t.name)) {
                showControl(c.key());
            }
        }
    }

    /**
     * Committer (apply) and recovery: readers see the topic's stream state, waiters wake to
     * it, and the expiry sweep visits it while it can expire.
     */
    void showStream(TopicLog t) {
        t.showStream();
        StreamMeta m = t.streamView;
        if (m != null && !m.softDeleted() && (m.ttlSeconds() >= 0 || m.expiresAtMs() > 0)) {
            expiring.add(t);
        } else {
            expiring.remove(t);
        }
    }

    void register(TopicLog t) {
        byName.put(t.name, t);
        byId.put(t.id, t);
    }

    void publish(TopicLog t) {
        published.put(t.name, t);
    }

    /** Committer: forgets a topic and removes its files. Readers see it gone at once. */
    void drop(TopicLog t) throws IOException {
        // the committer's entries went at prepare (TopicTask) or just before (recovery); an
        // entry for a topic of the same name made again later in the group may be there now
        for (ControlEntry c : List.copyOf(controlView.values())) {
            if (c.belongsToTopic(t.name)) {
                showControl(c.key());
            }
        }
        byName.remove(t.name, t);
        byId.remove(t.id, t);
        published.remove(t.name, t);
        expiring.remove(t);
        t.markDeleted();
        if (t.segments != null) {
            t.segments.close();
            deleteTree(t.segments.dir());
        }
    }

    /** Committer: the control entries belonging to a topic go with it (SPEC §2). */
    void dropControlsOf(String topic) {
        controls.values().removeIf(c -> c.belongsToTopic(topic));
    }

    /** Committer (prepare) and recovery: stores or (null) removes an entry in the committer's map. */
    void control(ControlEntry.Key key, ControlEntry e) {
        if (e == null) {
            controls.remove(key);
            statuses.remove(key);
            statusItems.remove(key);
        } else {
            controls.put(key, e);
        }
    }

    /** Per kind, the changes readers have seen to control entries (see {@code Storage#controlVersion}). */
    final java.util.concurrent.atomic.AtomicLongArray controlVersions =
            new java.util.concurrent.atomic.AtomicLongArray(ControlEntry.Kind.values().length);

    /** Committer (apply) and recovery: readers see what the committer holds for {@code key}. */
    void showControl(ControlEntry.Key key) {
        controlVersions.incrementAndGet(key.kind().ordinal());
        ControlEntry e = controls.get(key);
        if (e == null) {
            controlView.remove(key);
        } else {
            controlView.put(key, e);
        }
    }

    /** True when every topic the entry belongs to exists for the committer. */
    boolean topicsExist(ControlEntry e) {
        for (String t : e.topics()) {
            if (!byName.containsKey(t)) {
                return false;
            }
        }
        return true;
    }

    /** Committer: a topic was created while refusing its first write; forget it and its files. */
    void abandon(TopicLog t) throws IOException {
        byName.remove(t.name, t);
        byId.remove(t.id, t);
        if (t.segments != null) {
            t.segments.close();
            deleteTree(t.segments.dir());
        }
    }

    /**
     * Committer, when a write or config change is applied: enforce the topic's retention now,
     * so the change's answer and every read already see it. The EVICT frame is written
     * between groups.
     */
    void enforceRetention(TopicLog t, long nowMs) throws IOException {
        long[] evict;
        try {
            evict = Retention.enforce(t, nowMs);
        } catch (CorruptFrame e) {
            // a damaged segment must not stop the committer: the topic's reads report it
            LOG.severe("retention of topic '" + t.name + "' skipped: " + e.getMessage());
            return;
        }
        if (evict != null) {
            pendingEvicts.add(evict);
        }
    }

    /**
     * Committer, between groups: log the evictions made since the last call, and every
     * second sweep every topic (TTL evicts without writes). The frames are forced with the
     * next group or by the async timer.
     */
    private void retentionBetweenGroups(WalWriter wal) throws IOException {
        long now = System.nanoTime();
        if (now - lastSweepNanos >= 1_000_000_000L) {
            lastSweepNanos = now;
            if (!cluster) {
                sweep(System.currentTimeMillis());
            } else {
                // the leader logs a SWEEP command instead (every node sweeps at its time); what is
                // local is closing retired segments and deleting the files a snapshot now covers
                for (TopicLog t : byName.values()) {
                    if (t.segments != null) {
                        t.segments.reapRetired(now);
                    }
                }
            }
            // a cache of this node's: each node lets its own idle tails go, cluster or not
            long idle = idleTailNanos;
            for (TopicLog t : byName.values()) {
                t.releaseIdleTail(now, idle);
            }
        }
        if (pendingEvicts.isEmpty()) {
            return;
        }
        evictFrames.reset();
        for (long[] e : pendingEvicts) {
            Frames.evict(evictFrames, e[0], e[1], e[2], e[3]);
        }
        pendingEvicts.clear();
        wal.write(evictFrames.array(), 0, evictFrames.size());
        committer.noteUnforced();
    }

    /** Committer: retention by age for every topic at {@code nowMs} (TTLs evict without writes). */
    void sweep(long nowMs) throws IOException {
        long nanos = System.nanoTime();
        for (TopicLog t : byName.values()) {
            enforceRetention(t, nowMs);
            if (t.segments != null) {
                t.segments.reapRetired(nanos);
            }
        }
    }

    /**
     * A durable topic not written to for this long lets its tail go ({@link TopicLog#releaseIdleTail}):
     * with 100,000 topics the tails' copies of the newest records were half the heap
     * (benchmarks/RESULTS.md, P7), and a reader of a quiet topic reads its records from the
     * segments' page cache instead. Tests shorten it.
     */
    static final long IDLE_TAIL_NANOS = 60_000_000_000L;
    volatile long idleTailNanos = IDLE_TAIL_NANOS;

    /** Deletes a topic directory; refuses anything not directly under {@code topics/}. */
    void deleteTree(Path dir) throws IOException {
        if (!dir.toAbsolutePath().normalize().getParent().equals(topicsDir.toAbsolutePath().normalize())) {
            throw new IllegalStateException("refusing to delete " + dir + ": not a topic directory");
        }
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Asks the committer for a snapshot to share once it is durable ({@link SnapshotSharer}). */
    void requestShare() {
        sharer.asked();
        shareNext = true;
        requestSnapshot();
    }

    /** Asks the committer for a snapshot; the future completes when it is durable. */
    CompletableFuture<Void> requestSnapshot() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (this) {
            CompletableFuture<Void> prev = snapshotRequest;
            if (prev != null) {
                return prev;
            }
            snapshotRequest = f;
        }
        return f;
    }

    @Override
    public void between(WalWriter wal) throws IOException {
        retentionBetweenGroups(wal);
        Future<?> running = inFlight;
        if (inFlightJob != null && running.isDone()) {
            if (inFlightJob.settle() && cluster) {
                channels.evictionsCoveredBefore(inFlightJob.capturedNanos);
            }
            inFlightJob = null;
        }
        compaction.between();
        if (running != null && !running.isDone()) {
            rollIfFull(wal);
            return; // one snapshot at a time
        }
        long walBytes = committer.stats().walBytes;
        boolean due = snapshotRequest != null
                || walBytes - walBytesAtSnapshot >= options.snapshotWalBytes()
                || (walBytes != walBytesAtSnapshot
                && System.nanoTime() - lastSnapshotNanos >= options.snapshotIntervalMs() * 1_000_000L);
        if (!due) {
            rollIfFull(wal);
            return;
        }
        CompletableFuture<Void> req = takeRequest();
        boolean share = shareNext && sharer != null;
        shareNext = false;
        SnapshotJob job;
        try {
            job = capture(wal, share);
        } catch (IOException e) {
            if (share) {
                sharer.cancel();
            }
            if (!OutOfSpace.is(e)) {
                throw e;
            }
            // no room for the next WAL file: no snapshot now; the next due one tries again
            lastSnapshotNanos = System.nanoTime();
            LOG.warning("snapshot postponed: " + e.getMessage());
            if (req != null) {
                req.completeExceptionally(new OutOfSpace("the disk is full: " + e.getMessage()));
            }
            return;
        }
        inFlightJob = job;
        inFlight = snapshotter.submit(() -> {
            try {
                job.persist();
                if (req != null) {
                    req.complete(null);
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.SEVERE, "snapshot failed; the WAL is kept and the next snapshot will retry", e);
                if (req != null) {
                    req.completeExceptionally(e);
                }
            }
        });
    }

    /** Rolls a full WAL file; on a full disk it keeps writing to the current one (no data is at risk). */
    private void rollIfFull(WalWriter wal) throws IOException {
        if (!wal.full()) {
            return;
        }
        try {
            wal.roll();
        } catch (IOException e) {
            if (!OutOfSpace.is(e)) {
                throw e;
            }
            long now = System.nanoTime();
            if (now - lastRollWarningNanos > 10_000_000_000L) {
                lastRollWarningNanos = now;
                LOG.warning("WAL roll postponed: " + e.getMessage());
            }
        }
    }

    private long lastRollWarningNanos;

    private synchronized CompletableFuture<Void> takeRequest() {
        CompletableFuture<Void> req = snapshotRequest;
        snapshotRequest = null;
        return req;
    }

    @Override
    public void shutdown(WalWriter wal) throws IOException {
        Future<?> running = inFlight;
        if (running != null) {
            try {
                running.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // logged by the job; the final snapshot below supersedes it
            }
        }
        snapshotter.shutdown();
        compaction.shutdown();
        CompletableFuture<Void> req = takeRequest();
        capture(wal, false).persist();
        if (req != null) {
            req.complete(null);
        }
    }

    /**
     * Committer, between groups, when every applied change is in the segments: roll the WAL
     * so the snapshot starts at a file boundary and encode the state. The slow part — forcing
     * the segments, writing the snapshot, deleting the WAL files it covers — is the job's,
     * off the committer thread, so commits go on meanwhile (benchmark P2's p99). Until the
     * snapshot file is durable, the previous snapshot and every WAL file after it remain.
     */
    private SnapshotJob capture(WalWriter wal, boolean share) throws IOException {
        long walStart = wal.roll();
        List<TopicLog> topics = new ArrayList<>();
        for (TopicLog t : byName.values()) {
            if (t.segments != null) {
                topics.add(t);
                t.inflightActiveBase = t.segments.activeBase();
                if (cluster) {
                    t.removedInflight = t.removed;
                    t.toEraseInflight = t.toEraseInflight.plus(t.toEraseNext);
                    t.toEraseNext = RemovedSeqs.NONE;
                }
            }
        }
        ByteSink payload = new ByteSink(4096);
        SnapshotCodec.encode(payload, this);
        lastSnapshotNanos = System.nanoTime();
        walBytesAtSnapshot = committer.stats().walBytes;
        return new SnapshotJob(walStart, payload.toByteArray(), topics, wal.dir(), topicsDir, snapshotDir,
                share ? shareFiles(topics) : null, appliedOffset, sharer);
    }

    /**
     * Committer, at a capture: hard-links every segment file the snapshot counts on, as it
     * stands (sealed ones whole, the active one up to what it holds now). Segment files change
     * only on this thread (appends, compaction's swaps) or go only once a later snapshot covers
     * them, and a link keeps the bytes whatever happens to the name, so the share reads exactly
     * these. One link per file, on this thread, once per share interval. On a failure, nothing
     * is shared this time (null).
     */
    private List<SharedSnapshot.Source> shareFiles(List<TopicLog> topics) {
        List<SharedSnapshot.Source> out = new ArrayList<>();
        try {
            for (TopicLog t : topics) {
                if (!t.durable()) {
                    continue; // not in the snapshot: a node restoring it would remove the files
                }
                for (SegmentLog.Extent e : t.segments.extents()) {
                    out.add(sharer.link(FileNames.TOPICS_DIR + "/" + t.id + "/" + e.file().getFileName(), e.file(),
                            e.size()));
                }
            }
            return out;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "a segment file could not be linked to share the snapshot; not sharing this one", e);
            sharer.cancel();
            return null;
        }
    }
}
