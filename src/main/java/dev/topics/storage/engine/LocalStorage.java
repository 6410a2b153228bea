package dev.topics.storage.engine;

import dev.topics.storage.AppendRequest;
import dev.topics.storage.AppendResult;
import dev.topics.storage.CommandLog;
import dev.topics.storage.ControlEntry;
import dev.topics.storage.CursorMove;
import dev.topics.storage.DeleteResult;
import dev.topics.storage.ReadResult;
import dev.topics.storage.RecordFilter;
import dev.topics.storage.RecoveryReport;
import dev.topics.storage.Storage;
import dev.topics.storage.StorageException;
import dev.topics.storage.StorageOptions;
import dev.topics.storage.StreamMeta;
import dev.topics.storage.Tombstone;
import dev.topics.storage.TopicChange;
import dev.topics.storage.TopicConfig;
import dev.topics.storage.TopicInfo;
import dev.topics.storage.TopicPatch;
import dev.topics.storage.io.ByteSink;
import dev.topics.storage.io.CorruptFrame;
import dev.topics.storage.wal.AppendRing;
import dev.topics.storage.wal.CommitTask;
import dev.topics.storage.wal.Committer;
import dev.topics.storage.wal.DiskSpace;
import dev.topics.storage.wal.OutOfSpace;
import dev.topics.storage.wal.WalWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * The engine on local disk (DESIGN.md): a WAL shared by all topics fed by group commit,
 * per-topic segments with sparse indexes and an in-memory tail, snapshots. Opening it
 * runs recovery; see {@link Recovery}.
 */
public final class LocalStorage implements Storage {
    private static final int RING_SIZE = 1 << 14;

    private final DataDir dir;
    private final Engine engine;
    private final Committer committer;
    private final String nodeId;
    private final RecoveryReport recovery;
    /** A cluster node's log and its side of it; null on a single node. */
    private final Replica replica;
    private volatile boolean closed;

    private LocalStorage(DataDir dir, Engine engine, Committer committer, String nodeId, RecoveryReport recovery,
                         Replica replica) {
        this.dir = dir;
        this.engine = engine;
        this.committer = committer;
        this.nodeId = nodeId;
        this.recovery = recovery;
        this.replica = replica;
    }

    /** Opens (and recovers) the data directory; damage stops it (see {@link Recovery}). */
    public static LocalStorage open(StorageOptions options) throws IOException {
        return open(options, false);
    }

    /**
     * Opens (and recovers) the data directory. With {@code repair}, damage in the WAL is
     * cut instead of refused, and {@link RecoveryReport#repaired()} says what was dropped.
     */
    public static LocalStorage open(StorageOptions options, boolean repair) throws IOException {
        return open(options, repair, null, 0, 0);
    }

    /**
     * Opens the data directory as a node of a cluster whose log is {@code log}
     * (docs/CLUSTER.md), or (null) as a single node with its own WAL. A cluster node
     * restores its newest snapshot, replays the log from the offset it covers, and returns
     * once it has applied everything the log held when it started; a write waits at most
     * {@code writeTimeoutMs} for the log and its own apply. A node with no snapshot of its
     * own, or one the log no longer follows on from, first restores the newest snapshot
     * shared through the log's store; the leading node shares one every {@code shareIntervalMs}
     * (0: never). If neither the node's snapshot nor the shared one reaches the oldest offset
     * the log holds, it refuses to start and says so.
     */
    public static LocalStorage open(StorageOptions options, boolean repair, CommandLog log, long writeTimeoutMs,
                                    long shareIntervalMs) throws IOException {
        DataDir dir = new DataDir(options.dataDir());
        try {
            String nodeId = dir.nodeId(options.nodeId());
            if (log != null) {
                SharedRestore.ifNeeded(dir.root, log, writeTimeoutMs);
            }
            Engine engine = new Engine(options);
            engine.cluster = log != null;
            if (engine.cluster) {
                engine.channels.evictionsCoveredBefore(Long.MIN_VALUE); // until this run's first durable snapshot
            }
            Recovery recovery = new Recovery(engine, dir.walDir, repair);
            RecoveryReport report = recovery.run();
            if (log == null) {
                recovery.checkSegmentsHoldEverything(); // a cluster node's waits for the log's replay, below
            }
            recovery.finish();
            // evictions logged but not yet written when the last run stopped are redone before
            // anyone reads: a restart never shows records that retention had dropped (a cluster
            // node's evictions come from the log's commands, replayed below)
            for (TopicLog t : engine.byName.values()) {
                if (log == null) {
                    engine.enforceRetention(t, System.currentTimeMillis());
                }
                if (t.segments != null) {
                    t.segments.retireBefore(t.head.earliestSeq()); // left by a stop within the grace period
                }
            }
            WalWriter wal = new WalWriter(dir.walDir, recovery.nextWalFile(), options.walFileBytes());
            if (log != null) {
                wal.discardFrames();
            }
            Committer committer = new Committer(new AppendRing<>(RING_SIZE), wal, engine, options.asyncFlushMs(),
                    new DiskSpace(dir.walDir, options.diskReserveBytes()));
            engine.committer(committer);
            committer.start();
            Replica replica = log == null ? null : new Replica(engine, committer, log, writeTimeoutMs);
            if (replica != null && shareIntervalMs > 0 && log.snapshots() != null) {
                engine.sharer = new SnapshotSharer(log.snapshots(), shareIntervalMs, replica::leads, dir.root);
            }
            LocalStorage storage = new LocalStorage(dir, engine, committer, nodeId, report, replica);
            if (replica != null) {
                try {
                    replica.start();
                    // The snapshot may count on segment files that retention or compaction removed
                    // after it: the log's commands after the snapshot explain them, so the check
                    // runs once those are applied, on the committer, which owns what it reads.
                    CommitTask check = new ApplyOnlyTask(engine) {
                        @Override
                        protected void apply() {
                            recovery.checkSegmentsHoldEverything();
                        }
                    };
                    committer.submit(check);
                    Throwable failed = check.failure();
                    if (failed != null) {
                        throw failed instanceof RuntimeException r ? r : new IllegalStateException(failed);
                    }
                } catch (RuntimeException e) {
                    storage.close();
                    throw e;
                }
            }
            Thread.ofVirtual().name("topics-stream-expiry").start(storage::expireStreams);
            return storage;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /**
     * Runs a change through the committer and returns the task that ran: this one on a
     * single node; in a cluster, the command {@code command} encodes is logged and the task
     * is the one this node's applier made from it (every node runs the same).
     */
    @SuppressWarnings("unchecked")
    private <T extends CommitTask> T run(T task, int type, int sizeHint, java.util.function.Consumer<ByteSink> command) {
        if (replica == null) {
            submit(task);
            return task;
        }
        T ran = (T) replica.propose(type, sizeHint, command);
        check(ran);
        return ran;
    }

    private void submit(CommitTask task) {
        committer.submit(task);
        check(task);
    }

    private static void check(CommitTask task) {
        Throwable f = task.failure();
        if (f == null) {
            return;
        }
        if (f instanceof StorageException se) {
            throw se;
        }
        if (f instanceof OutOfSpace) {
            throw new StorageException.InsufficientStorage(f.getMessage());
        }
        throw new StorageException.Unavailable("write failed: " + f.getMessage(), f);
    }

    @Override
    public AppendResult append(AppendRequest request) {
        return run(new AppendTask(engine, request), Commands.APPEND, request.batch().encodedBytes() + 256,
                out -> Commands.append(out, request)).result();
    }

    @Override
    public DeleteResult deleteRecords(String topic, RecordFilter match, long fromSeq, long toSeq) {
        if (replica == null) {
            DeleteTask task = new DeleteTask(engine, topic, match, fromSeq, toSeq);
            submit(task);
            return task.result();
        }
        // A filter is code: this node matches it against what it has applied, and the log
        // carries the seqs (point-in-time: later records have later seqs and are never matched).
        TopicLog t = require(topic);
        long[] ranges = matching(t, match, fromSeq, toSeq);
        return run(DeleteTask.ofRanges(engine, topic, t.id, ranges), Commands.DELETE, 64 + ranges.length * 8,
                out -> Commands.delete(out, topic, t.id, ranges)).result();
    }

    /** The live seqs of {@code t} in {@code [fromSeq, toSeq]} that {@code match} accepts (null: all), as [from, to] pairs. */
    private static long[] matching(TopicLog t, RecordFilter match, long fromSeq, long toSeq) {
        TopicLog.Head h = t.head;
        long lo = Math.max(fromSeq, h.earliestSeq());
        long hi = Math.min(toSeq, h.headSeq());
        DeleteTask.Ranges found = new DeleteTask.Ranges();
        if (lo <= hi && h.count() > 0) {
            RemovedSeqs removed = t.removed;
            try {
                t.scan(lo, hi, (buf, off) -> {
                    long seq = dev.topics.storage.segment.RecordCodec.seq(buf, off);
                    dev.topics.storage.RecordView v = new dev.topics.storage.RecordView(buf, off);
                    if (!removed.contains(seq) && (match == null || match.test(v))) {
                        found.add(seq, v.dataLength());
                    }
                    return true;
                });
            } catch (IOException e) {
                throw new StorageException.Unavailable("read failed: " + e.getMessage(), e);
            } catch (CorruptFrame e) {
                throw new StorageException.Damaged("topic '" + t.name + "' has a damaged record on disk", e);
            }
        }
        return found.toArray();
    }

    @Override
    public TopicChange putTopic(String name, TopicPatch patch, String owner, TopicConfig defaults) {
        return topicChange(TopicTask.Kind.PUT, name, patch, owner, defaults);
    }

    @Override
    public TopicChange patchTopic(String name, TopicPatch patch) {
        return topicChange(TopicTask.Kind.PATCH, name, patch, null, null);
    }

    @Override
    public TopicChange deleteTopic(String name) {
        return topicChange(TopicTask.Kind.DELETE, name, null, null, null);
    }

    private TopicChange topicChange(TopicTask.Kind kind, String name, TopicPatch patch, String owner,
                                    TopicConfig defaults) {
        return run(new TopicTask(engine, kind, name, patch, owner, defaults), Commands.TOPIC, 256,
                out -> Commands.topic(out, kind, name, patch, owner, defaults)).result();
    }

    private TopicLog require(String name) {
        TopicLog t = engine.published.get(name);
        if (t == null) {
            throw new StorageException.TopicNotFound(name);
        }
        StreamMeta m = t.streamView;
        if (m != null && m.softDeleted()) {
            throw new StorageException.StreamGone(name);
        }
        return t;
    }

    /**
     * The {@code topics-stream-expiry} thread: four times a second, each Durable Streams stream
     * past its TTL or expiry time (SPEC §16) is deleted through the committer like any delete
     * (soft-deleted while forks read it). The commit checks again, so a stream used since is
     * kept. Ends when the storage closes or fails.
     */
    private void expireStreams() {
        long lastTick = System.nanoTime();
        while (!closed) {
            try {
                Thread.sleep(EXPIRY_SWEEP_MS);
            } catch (InterruptedException e) {
                return;
            }
            if (replica != null && System.nanoTime() - lastTick >= 1_000_000_000L) {
                lastTick = System.nanoTime();
                clusterTick();
            }
            if (replica != null && !replica.leads()) {
                continue; // one node decides expiries; every node applies them
            }
            long now = System.currentTimeMillis(); // in a cluster the leader proposes; the apply checks again at the command's time
            for (TopicLog t : engine.expiring) {
                StreamMeta m = t.streamView;
                if (closed || m == null || m.softDeleted() || !m.expired(now, t.lastAccessMs)) {
                    continue;
                }
                try {
                    topicChange(TopicTask.Kind.EXPIRE, t.name, null, null, null);
                } catch (StorageException e) {
                    if (closed || failure() != null) {
                        return;
                    }
                    LOG.warning("stream '" + t.name + "' expired but could not be deleted yet: " + e.getMessage());
                }
            }
        }
    }

    /**
     * A cluster node, once a second: log the streams read here (their TTLs restart on every
     * node) and, on the leading node, a retention sweep when some topic has a TTL. Best
     * effort: a log that is away is tried again the next second.
     */
    private void clusterTick() {
        try {
            replica.flushUsed();
            if (replica.leads() && engine.published.values().stream().anyMatch(t -> t.config.ttlMs() > 0)) {
                replica.sweep();
            }
            SnapshotSharer sharer = engine.sharer;
            if (sharer != null && !replica.leads()) {
                sharer.notLeading();
            } else if (sharer != null && sharer.due(engine.appliedOffset)) {
                engine.requestShare();
            }
        } catch (StorageException e) {
            if (!closed) {
                LOG.fine("cluster tick postponed: " + e.getMessage());
            }
        }
    }

    private static final long EXPIRY_SWEEP_MS = 250;
    private static final Logger LOG = Logger.getLogger(LocalStorage.class.getName());

    @Override
    public void touch(String topic) {
        TopicLog t = engine.published.get(topic);
        if (t != null) {
            touch(t);
        }
    }

    /** A read or touch: a stream's TTL restarts (in a cluster, on every node through the log, within a second). */
    private void touch(TopicLog t) {
        StreamMeta m = t.streamView;
        if (m == null || m.ttlSeconds() < 0) {
            return;
        }
        long now = System.currentTimeMillis();
        if (replica == null) {
            t.touch(now);
        } else if (now - t.lastAccessMs >= m.ttlSeconds() * 250) {
            // a log write: once the last use the cluster knows of is a quarter of the TTL old
            replica.used.add(t.name);
        }
    }

    @Override
    public boolean leads() {
        return replica == null || replica.leads();
    }

    @Override
    public TopicInfo topic(String name) {
        return require(name).info();
    }

    @Override
    public List<TopicInfo> list(String prefix, String after, int limit) {
        // start at whichever comes later: the prefix or the page's last name
        var view = after == null || after.compareTo(prefix) < 0
                ? engine.published.tailMap(prefix, true)
                : engine.published.tailMap(after, false);
        List<TopicInfo> out = new ArrayList<>(Math.min(limit, 1024));
        for (TopicLog t : view.values()) {
            if (!t.name.startsWith(prefix)) {
                break; // names with the prefix are one contiguous run from the prefix on
            }
            StreamMeta m = t.streamView;
            if (m != null && m.softDeleted()) {
                continue; // deleted for everyone but its forks
            }
            out.add(t.info());
            if (out.size() >= limit) {
                break;
            }
        }
        return out;
    }

    @Override
    public ReadResult read(String topic, long fromSeq, int limit, long maxBytes, byte[] skipNode, RecordFilter filter) {
        TopicLog t = require(topic);
        touch(t);
        TopicLog.Head h = t.head;
        if (fromSeq > h.headSeq()) {
            return new ReadResult(List.of(), 0, h.headSeq(), h.earliestSeq(), new Tombstone.Reset(h.headSeq()));
        }
        StreamMeta m = t.streamView;
        if (t.source != null && m != null && m.fork() != null && fromSeq < m.fork().at()) {
            return readFork(t, fromSeq, limit, maxBytes, skipNode, filter);
        }
        ReadCollector c = new ReadCollector(limit, maxBytes, skipNode, filter, t.removed);
        // records below earliest are gone; a cursor behind retention's evictions is told so
        long start = Math.max(fromSeq + 1, h.earliestSeq());
        Tombstone tombstone = fromSeq < h.evictedThrough()
                ? new Tombstone.Retention(fromSeq + 1, Math.min(h.evictedThrough(), h.earliestSeq() - 1))
                : null;
        if (start <= h.headSeq()) {
            try {
                t.scan(start, h.headSeq(), c::visit);
            } catch (IOException e) {
                if (t.deleted) {
                    throw new StorageException.TopicNotFound(topic);
                }
                throw new StorageException.Unavailable("read failed: " + e.getMessage(), e);
            } catch (CorruptFrame e) {
                throw new StorageException.Damaged("topic '" + topic + "' has a damaged record on disk and cannot be read"
                        + " past it; the server log names the file and byte", e);
            }
        }
        long next = c.stopped ? c.lastExamined : h.headSeq();
        return new ReadResult(c.records, next, h.headSeq(), h.earliestSeq(), tombstone);
    }

    /**
     * A read of a fork from before its fork point (SPEC §16): the source's records up to it
     * (recursively), then the fork's own, in one answer; removed seqs are each topic's own.
     */
    private ReadResult readFork(TopicLog t, long fromSeq, int limit, long maxBytes, byte[] skipNode,
                                RecordFilter filter) {
        TopicLog.Head h = t.head;
        ReadCollector c = new ReadCollector(limit, maxBytes, skipNode, filter, RemovedSeqs.NONE);
        try {
            t.scanStitched(fromSeq + 1, h.headSeq(), r -> c.removed = r, c::visit);
        } catch (IOException e) {
            if (t.deleted) {
                throw new StorageException.TopicNotFound(t.name);
            }
            throw new StorageException.Unavailable("read failed: " + e.getMessage(), e);
        } catch (CorruptFrame e) {
            throw new StorageException.Damaged("topic '" + t.name + "' has a damaged record on disk and cannot be read"
                    + " past it; the server log names the file and byte", e);
        }
        long next = c.stopped ? c.lastExamined : h.headSeq();
        return new ReadResult(c.records, next, h.headSeq(), 1, null);
    }

    @Override
    public boolean awaitAfter(String topic, long afterSeq, long timeoutMillis) throws InterruptedException {
        TopicLog t = require(topic);
        return t.signal.await(() -> t.deleted || t.head.headSeq() > afterSeq || closed(t) || softDeleted(t),
                TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) && !t.deleted;
    }

    /** A stream deleted while forks read it: gone for its readers, whose next read says so. */
    static boolean softDeleted(TopicLog t) {
        StreamMeta m = t.streamView;
        return m != null && m.softDeleted();
    }

    /** A closed stream takes no more records: waiting for one would wait forever. */
    private static boolean closed(TopicLog t) {
        StreamMeta m = t.streamView;
        return m != null && m.closed();
    }

    @Override
    public Waiter waiter() {
        return new StandingWait(engine);
    }

    /** Durable topics let their tail go after this long without a write (tests in this package; default a minute). */
    void idleTailAfter(long nanos) {
        engine.idleTailNanos = nanos;
    }

    /** The topic's live log, or null (tests in this package). */
    TopicLog topicLog(String name) {
        return engine.published.get(name);
    }

    @Override
    public void putWatch(String wid, byte[] spec) {
        run(new WatchTask(engine, wid, spec), Commands.WATCH, 64 + spec.length, out -> Commands.watch(out, wid, spec));
    }

    @Override
    public byte[] watch(String wid) {
        return engine.watches.get(wid);
    }

    @Override
    public void deleteWatch(String wid) {
        run(new WatchTask(engine, wid, null), Commands.WATCH, 64, out -> Commands.watch(out, wid, null));
    }

    @Override
    public void publishStatus(ControlEntry.Key key, byte[] status) {
        if (replica != null) {
            replica.propose(Commands.STATUS, status.length + key.id().length() * 3 + 16,
                    out -> Commands.status(out, key, status));
        }
    }

    @Override
    public byte[] status(ControlEntry.Key key) {
        return engine.statuses.get(key);
    }

    @Override
    public void publishStatusItems(ControlEntry.Key key, Map<String, byte[]> items) {
        if (replica != null && !items.isEmpty()) {
            int size = 16 + key.id().length() * 3;
            for (var e : items.entrySet()) {
                size += e.getKey().length() * 3 + 6 + e.getValue().length;
            }
            replica.propose(Commands.STATUS_ITEMS, size, out -> Commands.statusItems(out, key, items));
        }
    }

    @Override
    public List<byte[]> statusItems(ControlEntry.Key key) {
        var list = engine.statusItems.get(key);
        if (list == null) {
            return List.of();
        }
        List<byte[]> newest = new ArrayList<>(list.size());
        synchronized (list) {
            newest.addAll(list.values());
        }
        java.util.Collections.reverse(newest);
        return newest;
    }

    @Override
    public void touchWatch(String wid) {
        if (!engine.watches.containsKey(wid)) {
            return;
        }
        engine.watchUsed.merge(wid, System.currentTimeMillis(), Math::max);
        if (replica != null) {
            replica.watchesUsed.add(wid);
        }
    }

    @Override
    public long watchLastUsed(String wid) {
        if (!engine.watches.containsKey(wid)) {
            return -1;
        }
        return engine.watchUsed.computeIfAbsent(wid, k -> System.currentTimeMillis());
    }

    @Override
    public Set<String> watchIds() {
        return Set.copyOf(engine.watches.keySet());
    }

    @Override
    public ControlEntry putControl(ControlEntry entry, boolean keepCursor) {
        return run(ControlTask.put(engine, entry, keepCursor), Commands.CONTROL, 256 + entry.spec().length,
                out -> Commands.controlPut(out, entry, keepCursor)).result();
    }

    @Override
    public ControlEntry control(ControlEntry.Key key) {
        return engine.controlView.get(key);
    }

    @Override
    public long controlVersion(ControlEntry.Kind kind) {
        return engine.controlVersions.get(kind.ordinal());
    }

    @Override
    public List<ControlEntry> controls(ControlEntry.Kind kind) {
        List<ControlEntry> out = new ArrayList<>();
        for (ControlEntry e : engine.controlView.values()) {
            if (e.kind() == kind) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing(ControlEntry::id));
        return out;
    }

    @Override
    public ControlEntry deleteControl(ControlEntry.Key key) {
        return run(ControlTask.remove(engine, key), Commands.CONTROL, 128, out -> Commands.controlRemove(out, key))
                .result();
    }

    @Override
    public ControlEntry moveCursor(CursorMove move) {
        return run(ControlTask.move(engine, move, false), Commands.CONTROL, 128,
                out -> Commands.controlMove(out, move, false)).result();
    }

    @Override
    public ControlEntry advanceCursor(ControlEntry.Key key, long to) {
        CursorMove move = new CursorMove(key, -1, to);
        return run(ControlTask.move(engine, move, true), Commands.CONTROL, 128,
                out -> Commands.controlMove(out, move, true)).result();
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public RecoveryReport recovery() {
        return recovery;
    }

    @Override
    public Throwable failure() {
        Throwable broken = committer.broken();
        if (broken != null) {
            return broken;
        }
        if (replica != null && replica.failure() != null) {
            return replica.failure();
        }
        return committer.isAlive() || closed ? null : new IllegalStateException("the commit thread has stopped");
    }

    /** Commit counters (for metrics and benchmarks). */
    public Committer.Stats commitStats() {
        return committer.stats();
    }

    @Override
    public void snapshot() {
        var done = engine.requestSnapshot();
        try {
            while (true) {
                try {
                    done.get(100, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    Throwable f = failure(); // a committer that died takes no more requests
                    if (f != null) {
                        throw new StorageException.Unavailable("the storage engine has stopped: " + f.getMessage(), f);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException.Unavailable("interrupted", e);
        } catch (ExecutionException e) {
            throw new StorageException.Unavailable("snapshot failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * From now on no write is committed on its request's own thread: called before the HTTP
     * server stops, since it interrupts request threads that outlive its grace period
     * ({@link dev.topics.storage.io.CommitOnCaller}).
     */
    public void stopInlineCommits() {
        committer.stopInlineCommits();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (engine.sharer != null) {
                engine.sharer.close(); // before the log it puts to
            }
            if (replica != null) {
                replica.close(); // no command is applied after this: the final snapshot covers them all
            }
            committer.close();
            for (TopicLog t : engine.byName.values()) {
                if (t.segments != null) {
                    t.segments.close();
                }
            }
            dir.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
